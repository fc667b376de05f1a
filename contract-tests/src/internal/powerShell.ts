/**
 * Azure PowerShell recordings, in both the shapes its test frameworks write:
 *
 * - the autorest-generated modules' `test/*.Recording.json`: an object whose keys name each request
 *   (`"<test>+[NoContext]+...+$POST+<uri>+1"`), each value a `Request` (`Method`, `RequestUri`, `Content`,
 *   `isContentBase64`, `Headers`, `ContentHeaders`) and a `Response` (`StatusCode`, `Headers`,
 *   `ContentHeaders`, `Content`, `isContentBase64`); the file's order is the order of the requests;
 * - the older HttpRecorder's `SessionRecords/<class>/<test>.json`: `Entries` with a `RequestUri` relative
 *   to the endpoint and its `EncodedRequestUri`, header lists, bodies as strings, plus `Names` and
 *   `Variables`.
 */
import * as Either from "effect/Either"
import * as Schema from "effect/Schema"
import { Issue } from "../ContractError.js"
import * as Interaction from "../Interaction.js"
import { type DecodeContext, type Format, fromSchema } from "./format.js"
import { joinHeaders, recorded } from "./load.js"

const HeaderValues = Schema.Record({
  key: Schema.String,
  value: Schema.Union(Schema.String, Schema.Array(Schema.String))
})

const Content = Schema.optional(Schema.NullOr(Schema.String))

const Message = {
  Headers: Schema.optional(HeaderValues),
  ContentHeaders: Schema.optional(HeaderValues),
  Content,
  isContentBase64: Schema.optional(Schema.Boolean)
}

const Keyed = Schema.Record({
  key: Schema.String,
  value: Schema.Struct({
    Request: Schema.Struct({
      Method: Schema.String.pipe(Schema.nonEmptyString({ message: () => "expected an HTTP method" })),
      RequestUri: Interaction.AbsoluteUrl,
      ...Message
    }),
    Response: Schema.Struct({ StatusCode: Interaction.Status, ...Message })
  }).annotations({ identifier: "PowerShellEntry", description: "a Request and its Response" })
}).annotations({ identifier: "PowerShellRecording" })

const Legacy = Schema.Struct({
  Entries: Schema.Array(Schema.Struct({
    RequestUri: Schema.String.pipe(Schema.nonEmptyString()),
    EncodedRequestUri: Schema.String,
    RequestMethod: Schema.String.pipe(Schema.nonEmptyString({ message: () => "expected an HTTP method" })),
    RequestHeaders: Schema.optional(HeaderValues),
    RequestBody: Content,
    ResponseHeaders: Schema.optional(HeaderValues),
    ResponseBody: Content,
    StatusCode: Interaction.Status
  })),
  Names: Schema.optional(Schema.Unknown),
  Variables: Schema.optional(Schema.Unknown)
}).annotations({ identifier: "HttpRecorderSessionRecord" })

const text = (content: string | null | undefined, base64: boolean | undefined): string | undefined =>
  content === null || content === undefined ? undefined : base64 === true
    ? Buffer.from(content, "base64").toString("utf8")
    : content

const fromKeyed = fromSchema(Keyed, (recording, context: DecodeContext) => {
  const entries = Object.entries(recording)
  if (entries.length === 0) return Either.left([new Issue({ path: "(root)", message: "holds no recorded request" })])
  return entries.map(([, { Request, Response }], index) =>
    recorded({
      request: {
        method: Request.Method,
        url: Request.RequestUri,
        headers: joinHeaders(Request.Headers, Request.ContentHeaders),
        body: text(Request.Content, Request.isContentBase64)
      },
      response: {
        status: Response.StatusCode,
        headers: joinHeaders(Response.Headers, Response.ContentHeaders),
        body: text(Response.Content, Response.isContentBase64)
      },
      // the key holds the URI, which names the resource: the position is enough
      source: `${context.source} entry ${index + 1}`
    })
  )
})

const fromLegacy = fromSchema(Legacy, (recording, context: DecodeContext) => {
  const issues: Array<Issue> = []
  const interactions: Array<Interaction.Interaction> = []
  recording.Entries.forEach((entry, index) => {
    const url = URL.canParse(entry.RequestUri) ? entry.RequestUri : `${context.endpoint}${entry.RequestUri}`
    if (!isAbsoluteUrl(url)) {
      issues.push(new Issue({ path: `Entries.${index}.RequestUri`, message: "expected a URI" }))
      return
    }
    interactions.push(recorded({
      request: {
        method: entry.RequestMethod,
        url,
        headers: joinHeaders(entry.RequestHeaders),
        body: entry.RequestBody
      },
      response: { status: entry.StatusCode, headers: joinHeaders(entry.ResponseHeaders), body: entry.ResponseBody },
      source: `${context.source} Entries[${index}]`
    }))
  })
  return issues.length > 0 ? Either.left(issues) : interactions
})

const isAbsoluteUrl = Schema.is(Interaction.AbsoluteUrl)

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value)

/** Azure PowerShell recordings: the keyed `*.Recording.json`, or the HttpRecorder's `Entries`. */
export const format: Format = {
  name: "PowerShell",
  syntax: "json",
  decode: (document, context) => {
    if (!isRecord(document) || !("Entries" in document)) return fromKeyed(document, context)
    // a test-proxy recording has `Entries` too: told apart at once, before a decoding that would report
    // the same missing field for each of its entries
    const entries = Array.isArray(document.Entries) ? document.Entries : []
    const index = entries.findIndex((entry) => !isRecord(entry) || !("EncodedRequestUri" in entry))
    return index === -1
      ? fromLegacy(document, context)
      : Either.left([
        new Issue({
          path: `Entries.${index}.EncodedRequestUri`,
          message: "is missing (not an HttpRecorder session record)"
        })
      ])
  },
  encode: undefined
}
