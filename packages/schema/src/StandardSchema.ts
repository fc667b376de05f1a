/**
 * Every wire schema as a Standard Schema v1 validator (`Schema.standardSchemaV1`), for use outside Effect:
 * form libraries, tRPC, Hono's `sValidator`, or anything else that accepts a Standard Schema. Validation
 * decodes, so secrets come out `Redacted` here too.
 *
 * @since 0.1.0
 */
import type { StandardSchemaV1 } from "@standard-schema/spec"
import * as Schema from "effect/Schema"
import * as CommunicationServiceKeysModule from "./CommunicationServiceKeys.js"
import * as ConnectionStringModule from "./ConnectionString.js"
import * as ErrorResponseModule from "./ErrorResponse.js"
import * as KeyTypeModule from "./KeyType.js"
import * as Parameters from "./Parameters.js"
import * as RegenerateKeyParametersModule from "./RegenerateKeyParameters.js"
import * as ResourceIdModule from "./ResourceId.js"

/**
 * A Standard Schema v1 validator that is also the Effect schema it was made from.
 *
 * @since 0.1.0
 * @category models
 */
export type Validator<A, I> = StandardSchemaV1<I, A> & Schema.SchemaClass<A, I>

const validator = <A, I>(schema: Schema.Schema<A, I>): Validator<A, I> => Schema.standardSchemaV1(schema)

/**
 * @since 0.1.0
 * @category schemas
 */
export const KeyType = validator(KeyTypeModule.KeyType)

/**
 * @example
 * ```ts
 * import { StandardSchema } from "@effect-acs/schema"
 *
 * const result = StandardSchema.RegenerateKeyParameters["~standard"].validate({ keyType: "secondary" })
 * // { value: RegenerateKeyParameters { keyType: "Secondary" } }
 * ```
 *
 * @since 0.1.0
 * @category schemas
 */
export const RegenerateKeyParameters = validator(RegenerateKeyParametersModule.RegenerateKeyParameters)

/**
 * @since 0.1.0
 * @category schemas
 */
export const CommunicationServiceKeys = validator(CommunicationServiceKeysModule.CommunicationServiceKeys)

/**
 * @since 0.1.0
 * @category schemas
 */
export const ErrorAdditionalInfo = validator(ErrorResponseModule.ErrorAdditionalInfo)

/**
 * @since 0.1.0
 * @category schemas
 */
export const ErrorDetail = validator(ErrorResponseModule.ErrorDetail)

/**
 * @since 0.1.0
 * @category schemas
 */
export const ErrorResponse = validator(ErrorResponseModule.ErrorResponse)

/**
 * @since 0.1.0
 * @category schemas
 */
export const SubscriptionId = validator(Parameters.SubscriptionId)

/**
 * @since 0.1.0
 * @category schemas
 */
export const ResourceGroupName = validator(Parameters.ResourceGroupName)

/**
 * @since 0.1.0
 * @category schemas
 */
export const CommunicationServiceName = validator(Parameters.CommunicationServiceName)

/**
 * @since 0.1.0
 * @category schemas
 */
export const ApiVersion = validator(Parameters.ApiVersion)

/**
 * @since 0.1.0
 * @category schemas
 */
export const ResourceId = validator(ResourceIdModule.ResourceId)

/**
 * @since 0.1.0
 * @category schemas
 */
export const ConnectionString = validator(ConnectionStringModule.ConnectionString)
