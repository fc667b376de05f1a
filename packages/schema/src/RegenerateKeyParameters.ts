/**
 * The request body of Regenerate Key.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"
import * as KeyType from "./KeyType.js"

/**
 * Parameters describes the request to regenerate access keys: `{"keyType": "Primary"}`.
 *
 * Faithful to the API definition, `keyType` is optional on the wire (the service rejects a body without
 * it). It decodes in any letter case and encodes canonically.
 *
 * @example
 * ```ts
 * import { RegenerateKeyParameters } from "@effect-acs/schema"
 * import * as Schema from "effect/Schema"
 *
 * const body = Schema.decodeUnknownSync(RegenerateKeyParameters.RegenerateKeyParameters)({ keyType: "primary" })
 * Schema.encodeSync(RegenerateKeyParameters.RegenerateKeyParameters)(body) // { keyType: "Primary" }
 * ```
 *
 * @since 0.1.0
 * @category schemas
 */
export class RegenerateKeyParameters extends Schema.Class<RegenerateKeyParameters>("RegenerateKeyParameters")({
  keyType: Schema.optionalWith(KeyType.KeyType, { exact: true })
}, {
  identifier: "RegenerateKeyParameters",
  title: "RegenerateKeyParameters",
  description: "Parameters describes the request to regenerate access keys"
}) {}
