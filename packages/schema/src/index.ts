/**
 * Effect schemas for Azure Communication Services Regenerate Key and List Keys (api-version 2020-08-20).
 *
 * @since 0.1.0
 */

/**
 * The response body of Regenerate Key and List Keys.
 *
 * @example
 * ```ts
 * import { CommunicationServiceKeys } from "@effect-acs/schema"
 *
 * console.log(Object.keys(CommunicationServiceKeys))
 * ```
 *
 * @since 0.1.0
 */
export * as CommunicationServiceKeys from "./CommunicationServiceKeys.js"

/**
 * Communication Services connection strings: `endpoint=https://x.communication.azure.com/;accesskey=...`.
 *
 * @example
 * ```ts
 * import { ConnectionString } from "@effect-acs/schema"
 *
 * console.log(Object.keys(ConnectionString))
 * ```
 *
 * @since 0.1.0
 */
export * as ConnectionString from "./ConnectionString.js"

/**
 * The ARM error body that every failed response carries.
 *
 * @example
 * ```ts
 * import { ErrorResponse } from "@effect-acs/schema"
 *
 * console.log(Object.keys(ErrorResponse))
 * ```
 *
 * @since 0.1.0
 */
export * as ErrorResponse from "./ErrorResponse.js"

/**
 * JSON text from untrusted sources, parsed so that no input can overflow the stack.
 *
 * @example
 * ```ts
 * import { Json } from "@effect-acs/schema"
 *
 * console.log(Object.keys(Json))
 * ```
 *
 * @since 0.2.0
 */
export * as Json from "./Json.js"

/**
 * JSON Schema (draft-07) for every wire schema.
 *
 * @example
 * ```ts
 * import { JsonSchema } from "@effect-acs/schema"
 *
 * console.log(Object.keys(JsonSchema))
 * ```
 *
 * @since 0.1.0
 */
export * as JsonSchema from "./JsonSchema.js"

/**
 * The key to regenerate: `Primary` or `Secondary`.
 *
 * @example
 * ```ts
 * import { KeyType } from "@effect-acs/schema"
 *
 * console.log(Object.keys(KeyType))
 * ```
 *
 * @since 0.1.0
 */
export * as KeyType from "./KeyType.js"

/**
 * The facts of the two operations every package shares: names, path, api-versions, write budget.
 *
 * @example
 * ```ts
 * import { Operation } from "@effect-acs/schema"
 *
 * console.log(Object.keys(Operation))
 * ```
 *
 * @since 0.2.0
 */
export * as Operation from "./Operation.js"

/**
 * The URI parameters of the operation, as branded strings with the documented constraints.
 *
 * @example
 * ```ts
 * import { Parameters } from "@effect-acs/schema"
 *
 * console.log(Object.keys(Parameters))
 * ```
 *
 * @since 0.1.0
 */
export * as Parameters from "./Parameters.js"

/**
 * The request body of Regenerate Key.
 *
 * @example
 * ```ts
 * import { RegenerateKeyParameters } from "@effect-acs/schema"
 *
 * console.log(Object.keys(RegenerateKeyParameters))
 * ```
 *
 * @since 0.1.0
 */
export * as RegenerateKeyParameters from "./RegenerateKeyParameters.js"

/**
 * ARM resource ids of communication services.
 *
 * @example
 * ```ts
 * import { ResourceId } from "@effect-acs/schema"
 *
 * console.log(Object.keys(ResourceId))
 * ```
 *
 * @since 0.1.0
 */
export * as ResourceId from "./ResourceId.js"

/**
 * Every wire schema as a Standard Schema v1 validator, for use outside Effect.
 *
 * @example
 * ```ts
 * import { StandardSchema } from "@effect-acs/schema"
 *
 * console.log(Object.keys(StandardSchema))
 * ```
 *
 * @since 0.1.0
 */
export * as StandardSchema from "./StandardSchema.js"
