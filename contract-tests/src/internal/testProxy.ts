import type * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import type { MalformedRecording } from "../ContractError.js"
import * as Interaction from "../Interaction.js"
import type { DecodeOptions } from "../TestProxy.js"
import { decodeAs, type DecodeContext, type Format, fromSchema, loadAs } from "./format.js"
import { bodyOf, joinHeaders } from "./load.js"

const HeaderValues = Schema.Record({
  key: Schema.String,
  value: Schema.Union(Schema.String, Schema.Array(Schema.String))
})

export const Entry = Schema.Struct({
  RequestUri: Interaction.AbsoluteUrl,
  RequestMethod: Schema.String.pipe(Schema.nonEmptyString({ message: () => "expected an HTTP method" })),
  RequestHeaders: Schema.optionalWith(HeaderValues, { default: () => ({}) }),
  RequestBody: Schema.optional(Schema.Unknown),
  StatusCode: Interaction.Status,
  ResponseHeaders: Schema.optionalWith(HeaderValues, { default: () => ({}) }),
  ResponseBody: Schema.optional(Schema.Unknown)
}).annotations({ identifier: "TestProxyEntry" })

export const Recording = Schema.Struct({
  Entries: Schema.Array(Entry),
  Variables: Schema.optional(Schema.Record({ key: Schema.String, value: Schema.Unknown }))
}).annotations({ identifier: "TestProxyRecording" })

const toInteractions = (recording: typeof Recording.Type, context: DecodeContext) =>
  recording.Entries.map((entry, index) => {
    const requestHeaders = joinHeaders(entry.RequestHeaders)
    const responseHeaders = joinHeaders(entry.ResponseHeaders)
    const requestBody = bodyOf(entry.RequestBody, requestHeaders["content-type"])
    const responseBody = bodyOf(entry.ResponseBody, responseHeaders["content-type"])
    return new Interaction.Interaction({
      request: new Interaction.Request({
        method: entry.RequestMethod.toUpperCase(),
        url: entry.RequestUri,
        headers: requestHeaders,
        ...(requestBody === undefined ? {} : { body: requestBody })
      }),
      response: new Interaction.Response({
        status: entry.StatusCode,
        headers: responseHeaders,
        ...(responseBody === undefined ? {} : { body: responseBody })
      }),
      source: `${context.source} Entries[${index}]`
    })
  })

const bodyValue = (body: Interaction.Body | undefined): unknown =>
  body === undefined ? null : body._tag === "Json" ? body.value : body.text

export const encode = (interactions: ReadonlyArray<Interaction.Interaction>): typeof Recording.Encoded => ({
  Entries: interactions.map((interaction) => ({
    RequestUri: interaction.request.url,
    RequestMethod: interaction.request.method,
    RequestHeaders: { ...interaction.request.headers },
    RequestBody: bodyValue(interaction.request.body),
    StatusCode: interaction.response.status,
    ResponseHeaders: { ...interaction.response.headers },
    ResponseBody: bodyValue(interaction.response.body)
  })),
  Variables: {}
})

/** The test-proxy format: the SDKs' `{"Entries": [...], "Variables": {}}`, also .NET's `SessionRecords`. */
export const format: Format = {
  name: "TestProxy",
  syntax: "json",
  decode: fromSchema(Recording, toInteractions),
  encode
}

export const decode = (
  input: unknown,
  options: DecodeOptions = {}
): Effect.Effect<ReadonlyArray<Interaction.Interaction>, MalformedRecording> => decodeAs(format, input, options)

export const load = (path: string, options: Omit<DecodeOptions, "source"> = {}) => loadAs(format, path, options)
