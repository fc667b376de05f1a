/**
 * Communication Services connection strings: `endpoint=https://x.communication.azure.com/;accesskey=...`.
 *
 * @since 0.1.0
 */
import * as ParseResult from "effect/ParseResult"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import type * as AST from "effect/SchemaAST"

/**
 * An absolute `http:` or `https:` URL.
 *
 * @example
 * ```ts
 * import { ConnectionString } from "@effect-acs/schema"
 * import * as Schema from "effect/Schema"
 *
 * Schema.is(ConnectionString.Endpoint)("https://my-acs.communication.azure.com/") // true
 * ```
 *
 * @since 0.1.0
 * @category schemas
 */
export const Endpoint = Schema.String.pipe(
  Schema.filter((s) => {
    const url = URL.canParse(s) ? new URL(s) : undefined
    return url !== undefined && (url.protocol === "https:" || url.protocol === "http:") && url.host !== "" &&
        !s.includes(";")
      ? undefined
      : "endpoint must be an absolute http(s) URL"
  })
).annotations({
  identifier: "Endpoint",
  title: "endpoint",
  description: "The endpoint of the Communication Services resource, an absolute http(s) URL.",
  arbitrary: () => (fc) =>
    fc.tuple(fc.constantFrom("https", "http"), fc.stringMatching(/^[a-z][a-z0-9-]{0,20}$/))
      .map(([scheme, name]) => `${scheme}://${name}.communication.azure.com/`)
})

/**
 * A parsed connection string: the endpoint, and the access key kept `Redacted`.
 *
 * @example
 * ```ts
 * import { ConnectionString } from "@effect-acs/schema"
 * import * as Redacted from "effect/Redacted"
 *
 * const parts = ConnectionString.ConnectionStringParts.make({
 *   endpoint: "https://my-acs.communication.azure.com/",
 *   accessKey: Redacted.make("c2VjcmV0")
 * })
 * ```
 *
 * @since 0.1.0
 * @category schemas
 */
export class ConnectionStringParts extends Schema.Class<ConnectionStringParts>("ConnectionStringParts")({
  endpoint: Endpoint,
  accessKey: Schema.RedactedFromSelf(
    Schema.String.pipe(Schema.minLength(1), Schema.filter((s) => !s.includes(";"), { message: () => "no \";\"" }))
  )
}, {
  identifier: "ConnectionStringParts",
  title: "Connection string",
  description: "The endpoint and access key of a Communication Services connection string."
}) {}

const redactedInput = Redacted.make("connection string")

const fail = (ast: AST.AST, message: string) => ParseResult.fail(new ParseResult.Type(ast, redactedInput, message))

/**
 * Decodes `endpoint=...;accesskey=...` to `{ endpoint, accessKey }` with the access key `Redacted`, and
 * encodes back to `endpoint={endpoint};accesskey={key}`. Keys match in any letter case and any order, a
 * trailing `;` is tolerated, the endpoint must be an absolute http(s) URL, and the access key is
 * everything after the first `=` (base64 keys end in `=`).
 *
 * A failure names what is wrong (a missing, repeated or unknown key, a bad endpoint) but never quotes the
 * input, so the access key cannot leak through an error message.
 *
 * @example
 * ```ts
 * import { ConnectionString } from "@effect-acs/schema"
 * import * as Redacted from "effect/Redacted"
 * import * as Schema from "effect/Schema"
 *
 * const parts = Schema.decodeUnknownSync(ConnectionString.ConnectionString)(
 *   "endpoint=https://my-acs.communication.azure.com/;accesskey=c2VjcmV0"
 * )
 * parts.endpoint // "https://my-acs.communication.azure.com/"
 * Redacted.value(parts.accessKey) // "c2VjcmV0"
 * ```
 *
 * @since 0.1.0
 * @category schemas
 */
export const ConnectionString: Schema.Schema<ConnectionStringParts, string> = Schema.transformOrFail(
  Schema.String,
  ConnectionStringParts,
  {
    strict: true,
    decode: (input, _, ast) => {
      const fields = new Map<string, string>()
      const segments = input.split(";")
      if (segments.at(-1) === "") segments.pop()
      for (const segment of segments) {
        const eq = segment.indexOf("=")
        if (eq <= 0) return fail(ast, "Expected segments of the form key=value separated by \";\"")
        const key = segment.slice(0, eq).trim().toLowerCase()
        if (key !== "endpoint" && key !== "accesskey") {
          // the name is not quoted: a malformed string may have a key where a name should be
          return fail(ast, "Unexpected key: only \"endpoint\" and \"accesskey\" are allowed")
        }
        if (fields.has(key)) return fail(ast, `The key "${key}" appears more than once`)
        fields.set(key, segment.slice(eq + 1))
      }
      const endpoint = fields.get("endpoint")
      const accessKey = fields.get("accesskey")
      if (endpoint === undefined) return fail(ast, "Missing \"endpoint=\"")
      if (accessKey === undefined || accessKey === "") return fail(ast, "Missing or empty \"accesskey=\"")
      if (!Schema.is(Endpoint)(endpoint)) return fail(ast, "endpoint must be an absolute http(s) URL")
      return ParseResult.succeed({ endpoint, accessKey: Redacted.make(accessKey) })
    },
    encode: (parts) => ParseResult.succeed(`endpoint=${parts.endpoint};accesskey=${Redacted.value(parts.accessKey)}`)
  }
).annotations({
  identifier: "ConnectionString",
  title: "Connection string",
  description: "A Communication Services connection string: endpoint={url};accesskey={key}",
  jsonSchema: { type: "string", description: "endpoint={url};accesskey={key}" }
})

/**
 * The same, from and to a `Redacted` connection string, as it arrives in
 * `CommunicationServiceKeys.primaryConnectionString`.
 *
 * @example
 * ```ts
 * import { ConnectionString } from "@effect-acs/schema"
 * import * as Redacted from "effect/Redacted"
 * import * as Schema from "effect/Schema"
 *
 * const parts = Schema.decodeSync(ConnectionString.ConnectionStringFromRedacted)(
 *   Redacted.make("endpoint=http://example.com;accesskey=1234")
 * )
 * ```
 *
 * @since 0.1.0
 * @category schemas
 */
export const ConnectionStringFromRedacted: Schema.Schema<ConnectionStringParts, Redacted.Redacted<string>> = Schema
  .transformOrFail(
    Schema.RedactedFromSelf(Schema.String),
    ConnectionStringParts,
    {
      strict: true,
      decode: (redacted, options) => ParseResult.decodeUnknown(ConnectionString)(Redacted.value(redacted), options),
      encode: (parts, options) => ParseResult.map(ParseResult.encode(ConnectionString)(parts, options), Redacted.make)
    }
  ).annotations({ identifier: "ConnectionStringFromRedacted" })
