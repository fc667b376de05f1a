import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Schema from "effect/Schema"
import type { MalformedRecording } from "../ContractError.js"
import * as Interaction from "../Interaction.js"
import type { DecodeOptions } from "../TestProxy.js"
import { bodyOf, decodeWith, readJson } from "./load.js"

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

const headers = (values: Readonly<Record<string, string | ReadonlyArray<string>>>): Record<string, string> => {
  const out: Record<string, string> = {}
  for (const [name, value] of Object.entries(values)) {
    out[name.toLowerCase()] = typeof value === "string" ? value : value.join(", ")
  }
  return out
}

export const decode = (
  input: unknown,
  options: DecodeOptions = {}
): Effect.Effect<ReadonlyArray<Interaction.Interaction>, MalformedRecording> =>
  Either.map(
    decodeWith(Recording, "TestProxy", options.source ?? "<input>")(input),
    (recording) =>
      recording.Entries.map((entry, index) => {
        const requestHeaders = headers(entry.RequestHeaders)
        const responseHeaders = headers(entry.ResponseHeaders)
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
          source: `${options.source ?? "<input>"} Entries[${index}]`
        })
      }).filter((interaction) => options.include === undefined || options.include(interaction))
  )

export const load = (path: string, options: Omit<DecodeOptions, "source"> = {}) =>
  Effect.flatMap(readJson(path, "TestProxy"), (json) => decode(json, { ...options, source: path }))

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
