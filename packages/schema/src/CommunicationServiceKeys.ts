/**
 * The response body of Regenerate Key and List Keys.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"

const secret = (description: string) =>
  Schema.optionalWith(
    Schema.Redacted(Schema.String).annotations({ description }),
    { exact: true }
  )

/**
 * A class representing the access keys of a CommunicationService.
 *
 * Every field is optional: regenerating the primary key returns only `primaryKey` and
 * `primaryConnectionString`, and List Keys returns all four. The keys and connection strings decode to
 * `Redacted<string>` (so `String(keys)`, `JSON.stringify(keys)`, `util.inspect(keys)` and log lines show
 * `<redacted>`) and encode back to plain strings.
 *
 * @example
 * ```ts
 * import { CommunicationServiceKeys } from "@effect-acs/schema"
 * import * as Redacted from "effect/Redacted"
 * import * as Schema from "effect/Schema"
 *
 * const keys = Schema.decodeUnknownSync(CommunicationServiceKeys.CommunicationServiceKeys)({
 *   primaryKey: "1234",
 *   primaryConnectionString: "endpoint=http://example.com;accesskey=1234"
 * })
 * String(keys.primaryKey) // "<redacted>"
 * keys.primaryKey && Redacted.value(keys.primaryKey) // "1234"
 * ```
 *
 * @since 0.1.0
 * @category schemas
 */
export class CommunicationServiceKeys extends Schema.Class<CommunicationServiceKeys>("CommunicationServiceKeys")({
  primaryKey: secret("The primary access key."),
  secondaryKey: secret("The secondary access key."),
  primaryConnectionString: secret("CommunicationService connection string constructed via the primaryKey"),
  secondaryConnectionString: secret("CommunicationService connection string constructed via the secondaryKey")
}, {
  identifier: "CommunicationServiceKeys",
  title: "CommunicationServiceKeys",
  description: "A class representing the access keys of a CommunicationService."
}) {}
