import * as Schema from "effect/Schema"
import * as Interaction from "../Interaction.js"
import { codec, type DecodeContext, type Format, fromSchema } from "./format.js"
import { recorded } from "./load.js"

const NameValue = Schema.Struct({ name: Schema.String, value: Schema.String })

const HarRequest = Schema.Struct({
  method: Schema.String.pipe(Schema.nonEmptyString({ message: () => "expected an HTTP method" })),
  url: Interaction.AbsoluteUrl,
  httpVersion: Schema.optional(Schema.String),
  cookies: Schema.optional(Schema.Array(Schema.Unknown)),
  headers: Schema.Array(NameValue),
  queryString: Schema.optional(Schema.Array(NameValue)),
  postData: Schema.optional(Schema.Struct({
    mimeType: Schema.String,
    text: Schema.optional(Schema.String),
    params: Schema.optional(Schema.Array(Schema.Unknown))
  })),
  headersSize: Schema.optional(Schema.Number),
  bodySize: Schema.optional(Schema.Number)
})

const HarResponse = Schema.Struct({
  status: Schema.Int.pipe(Schema.between(0, 599, { message: () => "expected an HTTP status code" })),
  statusText: Schema.optional(Schema.String),
  httpVersion: Schema.optional(Schema.String),
  cookies: Schema.optional(Schema.Array(Schema.Unknown)),
  headers: Schema.Array(NameValue),
  content: Schema.Struct({
    size: Schema.optional(Schema.Number),
    mimeType: Schema.String,
    text: Schema.optional(Schema.String),
    encoding: Schema.optional(Schema.String)
  }),
  redirectURL: Schema.optional(Schema.String),
  headersSize: Schema.optional(Schema.Number),
  bodySize: Schema.optional(Schema.Number)
})

export const Entry = Schema.Struct({
  startedDateTime: Schema.optional(Schema.String),
  time: Schema.optional(Schema.Number),
  request: HarRequest,
  response: HarResponse,
  cache: Schema.optional(Schema.Unknown),
  timings: Schema.optional(Schema.Unknown)
}).annotations({ identifier: "HarEntry" })

export const Har = Schema.Struct({
  log: Schema.Struct({
    version: Schema.Literal("1.1", "1.2"),
    creator: Schema.optional(Schema.Struct({ name: Schema.String, version: Schema.String })),
    pages: Schema.optional(Schema.Array(Schema.Unknown)),
    entries: Schema.Array(Entry)
  })
}).annotations({ identifier: "Har" })

const headers = (list: ReadonlyArray<{ readonly name: string; readonly value: string }>): Record<string, string> => {
  const out: Record<string, string> = {}
  for (const { name, value } of list) {
    // HTTP/2 pseudo-headers (":authority", ":path") are not headers of the request
    if (name.startsWith(":")) continue
    const key = name.toLowerCase()
    out[key] = out[key] === undefined ? value : `${out[key]}, ${value}`
  }
  return out
}

const toInteractions = (har: typeof Har.Type, context: DecodeContext) =>
  har.log.entries.flatMap((entry, index) => {
    // an entry without a final response (blocked, aborted, a websocket upgrade) has nothing to replay
    if (entry.response.status < 200) return []
    const postData = entry.request.postData
    const content = entry.response.content
    return [recorded({
      request: {
        method: entry.request.method,
        url: entry.request.url,
        headers: headers(entry.request.headers),
        body: postData?.text,
        contentType: postData?.mimeType
      },
      response: {
        status: entry.response.status,
        headers: headers(entry.response.headers),
        body: content.text !== undefined && content.encoding === "base64"
          ? Buffer.from(content.text, "base64").toString("utf8")
          : content.text,
        contentType: content.mimeType || undefined
      },
      source: `${context.source} log.entries[${index}]`
    })]
  })

const text = (body: Interaction.Body | undefined): string | undefined =>
  body === undefined ? undefined : body._tag === "Json" ? JSON.stringify(body.value) : body.text

const list = (values: Readonly<Record<string, string>>) =>
  Object.entries(values).map(([name, value]) => ({ name, value }))

const mimeType = (headers: Readonly<Record<string, string>>, body: Interaction.Body | undefined): string =>
  headers["content-type"] ?? (body?._tag === "Json" ? "application/json" : body === undefined ? "" : "text/plain")

export const encode = (
  interactions: ReadonlyArray<Interaction.Interaction>,
  options: { readonly startedDateTime?: string | undefined } = {}
): typeof Har.Encoded => ({
  log: {
    version: "1.2",
    creator: { name: "@effect-acs/contract-tests", version: "0.1.0" },
    entries: interactions.map((interaction) => {
      const requestText = text(interaction.request.body)
      const responseText = text(interaction.response.body)
      const url = new URL(interaction.request.url)
      return {
        startedDateTime: options.startedDateTime ?? "1970-01-01T00:00:00.000Z",
        time: 0,
        request: {
          method: interaction.request.method,
          url: interaction.request.url,
          httpVersion: "HTTP/1.1",
          cookies: [],
          headers: list(interaction.request.headers),
          queryString: [...url.searchParams.entries()].map(([name, value]) => ({ name, value })),
          ...(requestText === undefined ? {} : {
            postData: {
              mimeType: mimeType(interaction.request.headers, interaction.request.body),
              text: requestText
            }
          }),
          headersSize: -1,
          bodySize: requestText === undefined ? 0 : Buffer.byteLength(requestText)
        },
        response: {
          status: interaction.response.status,
          statusText: "",
          httpVersion: "HTTP/1.1",
          cookies: [],
          headers: list(interaction.response.headers),
          content: {
            size: responseText === undefined ? 0 : Buffer.byteLength(responseText),
            mimeType: mimeType(interaction.response.headers, interaction.response.body),
            ...(responseText === undefined ? {} : { text: responseText })
          },
          redirectURL: "",
          headersSize: -1,
          bodySize: responseText === undefined ? 0 : Buffer.byteLength(responseText)
        },
        cache: {},
        timings: { send: 0, wait: 0, receive: 0 }
      }
    })
  }
})

/** HAR 1.2 (and 1.1), as browsers and proxies export it. */
export const format: Format = {
  name: "Har",
  syntax: "json",
  decode: fromSchema(Har, toInteractions),
  encode
}

export const { decode, load } = codec(format)
