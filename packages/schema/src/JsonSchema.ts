/**
 * JSON Schema (draft-07) for every wire schema, generated from the Effect schemas with `JSONSchema.make`,
 * so that other tools (OpenAPI generators, form builders, validators in other languages) can reuse them.
 * Each describes the wire (encoded) side: secrets are plain strings there.
 *
 * @since 0.1.0
 */
import * as JSONSchema from "effect/JSONSchema"
import type * as Schema from "effect/Schema"
import * as CommunicationServiceKeysModule from "./CommunicationServiceKeys.js"
import * as ConnectionStringModule from "./ConnectionString.js"
import * as ErrorResponseModule from "./ErrorResponse.js"
import * as KeyTypeModule from "./KeyType.js"
import * as Parameters from "./Parameters.js"
import * as RegenerateKeyParametersModule from "./RegenerateKeyParameters.js"
import * as ResourceIdModule from "./ResourceId.js"

/**
 * Makes the JSON Schema of `schema`, with the `$defs` of `referenced` added for schemas it refers to by
 * `$ref` only (the recursive ARM error types).
 */
const make = (
  schema: Schema.Schema.AnyNoContext,
  referenced: ReadonlyArray<Schema.Schema.AnyNoContext> = []
): JSONSchema.JsonSchema7Root => {
  const root = JSONSchema.make(schema)
  const $defs = { ...root.$defs }
  for (const other of referenced) Object.assign($defs, JSONSchema.make(other).$defs)
  return openObjects({ ...root, $defs })
}

/**
 * The decoders ignore fields they do not know (ARM adds fields over time), so the JSON Schemas allow them
 * too, as the API definition does; an empty `required` list says nothing and is dropped.
 */
const openObjects = <A>(value: A): A => {
  if (Array.isArray(value)) return value.map(openObjects) as A
  if (typeof value !== "object" || value === null) return value
  const out: Record<string, unknown> = {}
  for (const [key, field] of Object.entries(value)) {
    if (key === "additionalProperties" && field === false) continue
    if (key === "required" && Array.isArray(field) && field.length === 0) continue
    out[key] = openObjects(field)
  }
  return out as A
}

/**
 * The JSON Schema of `KeyType`: a string enum of `Primary` and `Secondary`.
 *
 * @example
 * ```ts
 * import { JsonSchema } from "@effect-acs/schema"
 *
 * console.log(JSON.stringify(JsonSchema.KeyType, null, 2))
 * ```
 *
 * @since 0.1.0
 * @category schemas
 */
export const KeyType: JSONSchema.JsonSchema7Root = make(KeyTypeModule.KeyType)

/**
 * The JSON Schema of the Regenerate Key request body.
 *
 * @example
 * ```ts
 * import { JsonSchema } from "@effect-acs/schema"
 *
 * console.log(JSON.stringify(JsonSchema.RegenerateKeyParameters, null, 2))
 * ```
 *
 * @since 0.1.0
 * @category schemas
 */
export const RegenerateKeyParameters: JSONSchema.JsonSchema7Root = make(
  RegenerateKeyParametersModule.RegenerateKeyParameters
)

/**
 * The JSON Schema of the Regenerate Key / List Keys response body (keys as plain strings).
 *
 * @example
 * ```ts
 * import { JsonSchema } from "@effect-acs/schema"
 *
 * console.log(JSON.stringify(JsonSchema.CommunicationServiceKeys, null, 2))
 * ```
 *
 * @since 0.1.0
 * @category schemas
 */
export const CommunicationServiceKeys: JSONSchema.JsonSchema7Root = make(
  CommunicationServiceKeysModule.CommunicationServiceKeys
)

/**
 * The JSON Schema of an ARM error's additional info.
 *
 * @example
 * ```ts
 * import { JsonSchema } from "@effect-acs/schema"
 *
 * console.log(JSON.stringify(JsonSchema.ErrorAdditionalInfo, null, 2))
 * ```
 *
 * @since 0.1.0
 * @category schemas
 */
export const ErrorAdditionalInfo: JSONSchema.JsonSchema7Root = make(ErrorResponseModule.ErrorAdditionalInfo)

/**
 * The JSON Schema of an ARM error detail (recursive through `details`).
 *
 * @example
 * ```ts
 * import { JsonSchema } from "@effect-acs/schema"
 *
 * console.log(JSON.stringify(JsonSchema.ErrorDetail, null, 2))
 * ```
 *
 * @since 0.1.0
 * @category schemas
 */
export const ErrorDetail: JSONSchema.JsonSchema7Root = make(ErrorResponseModule.ErrorDetail, [
  ErrorResponseModule.ErrorAdditionalInfo
])

/**
 * The JSON Schema of the ARM error response body.
 *
 * @example
 * ```ts
 * import { JsonSchema } from "@effect-acs/schema"
 *
 * console.log(JSON.stringify(JsonSchema.ErrorResponse, null, 2))
 * ```
 *
 * @since 0.1.0
 * @category schemas
 */
export const ErrorResponse: JSONSchema.JsonSchema7Root = make(ErrorResponseModule.ErrorResponse, [
  ErrorResponseModule.ErrorDetail,
  ErrorResponseModule.ErrorAdditionalInfo
])

/**
 * The JSON Schema of the `subscriptionId` path parameter.
 *
 * @example
 * ```ts
 * import { JsonSchema } from "@effect-acs/schema"
 *
 * console.log(JSON.stringify(JsonSchema.SubscriptionId, null, 2))
 * ```
 *
 * @since 0.1.0
 * @category schemas
 */
export const SubscriptionId: JSONSchema.JsonSchema7Root = make(Parameters.SubscriptionId)

/**
 * The JSON Schema of the `resourceGroupName` path parameter, with the documented pattern.
 *
 * @example
 * ```ts
 * import { JsonSchema } from "@effect-acs/schema"
 *
 * console.log(JSON.stringify(JsonSchema.ResourceGroupName, null, 2))
 * ```
 *
 * @since 0.1.0
 * @category schemas
 */
export const ResourceGroupName: JSONSchema.JsonSchema7Root = make(Parameters.ResourceGroupName)

/**
 * The JSON Schema of the `communicationServiceName` path parameter, with the documented pattern.
 *
 * @example
 * ```ts
 * import { JsonSchema } from "@effect-acs/schema"
 *
 * console.log(JSON.stringify(JsonSchema.CommunicationServiceName, null, 2))
 * ```
 *
 * @since 0.1.0
 * @category schemas
 */
export const CommunicationServiceName: JSONSchema.JsonSchema7Root = make(Parameters.CommunicationServiceName)

/**
 * The JSON Schema of the `api-version` query parameter.
 *
 * @example
 * ```ts
 * import { JsonSchema } from "@effect-acs/schema"
 *
 * console.log(JSON.stringify(JsonSchema.ApiVersion, null, 2))
 * ```
 *
 * @since 0.1.0
 * @category schemas
 */
export const ApiVersion: JSONSchema.JsonSchema7Root = make(Parameters.ApiVersion)

/**
 * The JSON Schema of a communication service resource id.
 *
 * @example
 * ```ts
 * import { JsonSchema } from "@effect-acs/schema"
 *
 * console.log(JSON.stringify(JsonSchema.ResourceId, null, 2))
 * ```
 *
 * @since 0.1.0
 * @category schemas
 */
export const ResourceId: JSONSchema.JsonSchema7Root = make(ResourceIdModule.ResourceId)

/**
 * The JSON Schema of a connection string.
 *
 * @example
 * ```ts
 * import { JsonSchema } from "@effect-acs/schema"
 *
 * console.log(JSON.stringify(JsonSchema.ConnectionString, null, 2))
 * ```
 *
 * @since 0.1.0
 * @category schemas
 */
export const ConnectionString: JSONSchema.JsonSchema7Root = make(ConnectionStringModule.ConnectionString)
