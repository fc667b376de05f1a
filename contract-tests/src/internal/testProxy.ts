import * as Schema from "effect/Schema"
import * as Interaction from "../Interaction.js"
import { codec, type DecodeContext, type Format, fromSchema } from "./format.js"
import { joinHeaders, recorded } from "./load.js"

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
  recording.Entries.map((entry, index) =>
    recorded({
      request: {
        method: entry.RequestMethod,
        url: entry.RequestUri,
        headers: joinHeaders(entry.RequestHeaders),
        body: entry.RequestBody
      },
      response: { status: entry.StatusCode, headers: joinHeaders(entry.ResponseHeaders), body: entry.ResponseBody },
      source: `${context.source} Entries[${index}]`
    })
  )

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

export const { decode, load } = codec(format)
