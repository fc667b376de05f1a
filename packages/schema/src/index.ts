/**
 * @since 0.1.0
 */

/**
 * The response body of Regenerate Key and List Keys.
 *
 * @since 0.1.0
 */
export * as CommunicationServiceKeys from "./CommunicationServiceKeys.js"

/**
 * Communication Services connection strings: `endpoint=https://x.communication.azure.com/;accesskey=...`.
 *
 * @since 0.1.0
 */
export * as ConnectionString from "./ConnectionString.js"

/**
 * The ARM error body that every failed response carries.
 *
 * @since 0.1.0
 */
export * as ErrorResponse from "./ErrorResponse.js"

/**
 * JSON Schema (draft-07) for every wire schema.
 *
 * @since 0.1.0
 */
export * as JsonSchema from "./JsonSchema.js"

/**
 * The key to regenerate: `Primary` or `Secondary`.
 *
 * @since 0.1.0
 */
export * as KeyType from "./KeyType.js"

/**
 * The URI parameters of the operation, as branded strings with the documented constraints.
 *
 * @since 0.1.0
 */
export * as Parameters from "./Parameters.js"

/**
 * The request body of Regenerate Key.
 *
 * @since 0.1.0
 */
export * as RegenerateKeyParameters from "./RegenerateKeyParameters.js"

/**
 * ARM resource ids of communication services.
 *
 * @since 0.1.0
 */
export * as ResourceId from "./ResourceId.js"

/**
 * Every wire schema as a Standard Schema v1 validator, for use outside Effect.
 *
 * @since 0.1.0
 */
export * as StandardSchema from "./StandardSchema.js"
