/**
 * vcrpy cassettes, as the Azure CLI (`src/azure-cli/azure/cli/command_modules/<module>/tests/latest/recordings/<test>.yaml`)
 * and the older azure-sdk-for-python tests (`tests/recordings/<test>.yaml`) write them: `interactions`, each a
 * `request` (`method`, `uri`, `headers` as lists, `body` a string or null) and a `response` (`status`:
 * `code` and `message`, `headers`, `body: {string: ...}`). A body may be `!!binary` (base64 in the file),
 * gzip-compressed when the response's `content-encoding` says so.
 */
import * as Either from "effect/Either"
import * as Schema from "effect/Schema"
import { gunzipSync } from "node:zlib"
import { Issue } from "../ContractError.js"
import * as Interaction from "../Interaction.js"
import { type DecodeContext, type Format, fromSchema } from "./format.js"
import { joinHeaders, recorded } from "./load.js"

const HeaderValues = Schema.Record({
  key: Schema.String,
  value: Schema.Union(Schema.String, Schema.Number, Schema.Array(Schema.Union(Schema.String, Schema.Number)))
})

const Text = Schema.Union(Schema.String, Schema.Uint8ArrayFromSelf, Schema.Null)

const Body = Schema.Union(Text, Schema.Struct({ string: Schema.optional(Text) }))

const Cassette = Schema.Struct({
  interactions: Schema.Array(Schema.Struct({
    request: Schema.Struct({
      method: Schema.String.pipe(Schema.nonEmptyString({ message: () => "expected an HTTP method" })),
      uri: Interaction.AbsoluteUrl,
      headers: Schema.optional(HeaderValues),
      body: Schema.optional(Body)
    }),
    response: Schema.Struct({
      status: Schema.Struct({ code: Interaction.Status, message: Schema.optional(Schema.String) }),
      headers: Schema.optional(HeaderValues),
      body: Schema.optional(Body)
    })
  })),
  version: Schema.optional(Schema.Number)
}).annotations({ identifier: "VcrCassette" })

/** The most a gzip body may expand to: far more than any response of this API. */
const maxInflatedBytes = 8 * 1024 * 1024

const bytesOf = (
  body: typeof Body.Type | undefined,
  gzip: boolean,
  path: string
): Either.Either<string | undefined, Issue> => {
  const value = body !== null && typeof body === "object" && !(body instanceof Uint8Array) ? body.string : body
  if (value === undefined || value === null || typeof value === "string") return Either.right(value ?? undefined)
  if (!gzip) return Either.right(Buffer.from(value).toString("utf8"))
  try {
    return Either.right(gunzipSync(value, { maxOutputLength: maxInflatedBytes }).toString("utf8"))
  } catch {
    return Either.left(
      new Issue({ path, message: `not gzip data of at most ${maxInflatedBytes} bytes, as content-encoding says` })
    )
  }
}

const toInteractions = (cassette: typeof Cassette.Type, context: DecodeContext) =>
  Either.all(cassette.interactions.map((interaction, index) => {
    const requestHeaders = joinHeaders(interaction.request.headers)
    const responseHeaders = joinHeaders(interaction.response.headers)
    const gzip = /\bgzip\b/i.test(responseHeaders["content-encoding"] ?? "")
    return Either.gen(function*() {
      const requestText = yield* bytesOf(interaction.request.body, false, `interactions.${index}.request.body`)
      const responseText = yield* bytesOf(interaction.response.body, gzip, `interactions.${index}.response.body`)
      return recorded({
        request: {
          method: interaction.request.method,
          url: interaction.request.uri,
          headers: requestHeaders,
          body: requestText
        },
        response: {
          status: interaction.response.status.code,
          // the body is decompressed: its original encoding is not the replayed body's
          headers: Object.fromEntries(Object.entries(responseHeaders).filter(([name]) => name !== "content-encoding")),
          body: responseText
        },
        source: `${context.source} interactions[${index}]`
      })
    })
  })).pipe(Either.mapLeft((issue) => [issue]))

/** vcrpy cassettes (YAML; vcrpy's JSON serializer writes the same shape). */
export const format: Format = {
  name: "Vcr",
  syntax: "yaml",
  decode: fromSchema(Cassette, toInteractions),
  encode: undefined
}
