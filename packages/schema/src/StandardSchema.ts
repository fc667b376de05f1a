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
 * @example
 * ```ts
 * import { StandardSchema } from "@effect-acs/schema"
 * import type { RegenerateKeyParameters } from "@effect-acs/schema"
 *
 * const validator: StandardSchema.Validator<
 *   RegenerateKeyParameters.RegenerateKeyParameters,
 *   typeof RegenerateKeyParameters.RegenerateKeyParameters.Encoded
 * > = StandardSchema.RegenerateKeyParameters
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type Validator<A, I> = StandardSchemaV1<I, A> & Schema.SchemaClass<A, I>

const validator = <A, I>(schema: Schema.Schema<A, I>): Validator<A, I> => Schema.standardSchemaV1(schema)

/**
 * `KeyType` as a Standard Schema v1 validator.
 *
 * @example
 * ```ts
 * import { StandardSchema } from "@effect-acs/schema"
 *
 * const result = StandardSchema.KeyType["~standard"].validate("secondary")
 * ```
 *
 * @since 0.1.0
 * @category schemas
 */
export const KeyType = validator(KeyTypeModule.KeyType)

/**
 * `RegenerateKeyParameters` as a Standard Schema v1 validator.
 *
 * @example
 * ```ts
 * import { StandardSchema } from "@effect-acs/schema"
 *
 * const result = StandardSchema.RegenerateKeyParameters["~standard"].validate({ keyType: "secondary" })
 * ```
 *
 * @since 0.1.0
 * @category schemas
 */
export const RegenerateKeyParameters = validator(RegenerateKeyParametersModule.RegenerateKeyParameters)

/**
 * `CommunicationServiceKeys` as a Standard Schema v1 validator.
 *
 * @example
 * ```ts
 * import { StandardSchema } from "@effect-acs/schema"
 *
 * const result = StandardSchema.CommunicationServiceKeys["~standard"].validate({ primaryKey: "1234" })
 * ```
 *
 * @since 0.1.0
 * @category schemas
 */
export const CommunicationServiceKeys = validator(CommunicationServiceKeysModule.CommunicationServiceKeys)

/**
 * `ErrorAdditionalInfo` as a Standard Schema v1 validator.
 *
 * @example
 * ```ts
 * import { StandardSchema } from "@effect-acs/schema"
 *
 * const result = StandardSchema.ErrorAdditionalInfo["~standard"].validate({ type: "PolicyViolation", info: {} })
 * ```
 *
 * @since 0.1.0
 * @category schemas
 */
export const ErrorAdditionalInfo = validator(ErrorResponseModule.ErrorAdditionalInfo)

/**
 * `ErrorDetail` as a Standard Schema v1 validator.
 *
 * @example
 * ```ts
 * import { StandardSchema } from "@effect-acs/schema"
 *
 * const result = StandardSchema.ErrorDetail["~standard"].validate({ code: "Conflict", message: "busy" })
 * ```
 *
 * @since 0.1.0
 * @category schemas
 */
export const ErrorDetail = validator(ErrorResponseModule.ErrorDetail)

/**
 * `ErrorResponse` as a Standard Schema v1 validator.
 *
 * @example
 * ```ts
 * import { StandardSchema } from "@effect-acs/schema"
 *
 * const result = StandardSchema.ErrorResponse["~standard"].validate({ error: { code: "Conflict" } })
 * ```
 *
 * @since 0.1.0
 * @category schemas
 */
export const ErrorResponse = validator(ErrorResponseModule.ErrorResponse)

/**
 * `SubscriptionId` as a Standard Schema v1 validator.
 *
 * @example
 * ```ts
 * import { StandardSchema } from "@effect-acs/schema"
 *
 * const result = StandardSchema.SubscriptionId["~standard"].validate("12345")
 * ```
 *
 * @since 0.1.0
 * @category schemas
 */
export const SubscriptionId = validator(Parameters.SubscriptionId)

/**
 * `ResourceGroupName` as a Standard Schema v1 validator.
 *
 * @example
 * ```ts
 * import { StandardSchema } from "@effect-acs/schema"
 *
 * const result = StandardSchema.ResourceGroupName["~standard"].validate("MyResourceGroup")
 * ```
 *
 * @since 0.1.0
 * @category schemas
 */
export const ResourceGroupName = validator(Parameters.ResourceGroupName)

/**
 * `CommunicationServiceName` as a Standard Schema v1 validator.
 *
 * @example
 * ```ts
 * import { StandardSchema } from "@effect-acs/schema"
 *
 * const result = StandardSchema.CommunicationServiceName["~standard"].validate("MyCommunicationResource")
 * ```
 *
 * @since 0.1.0
 * @category schemas
 */
export const CommunicationServiceName = validator(Parameters.CommunicationServiceName)

/**
 * `ApiVersion` as a Standard Schema v1 validator.
 *
 * @example
 * ```ts
 * import { StandardSchema } from "@effect-acs/schema"
 *
 * const result = StandardSchema.ApiVersion["~standard"].validate("2020-08-20")
 * ```
 *
 * @since 0.1.0
 * @category schemas
 */
export const ApiVersion = validator(Parameters.ApiVersion)

/**
 * `ResourceId` as a Standard Schema v1 validator.
 *
 * @example
 * ```ts
 * import { StandardSchema } from "@effect-acs/schema"
 *
 * const result = StandardSchema.ResourceId["~standard"].validate("/subscriptions/12345/resourceGroups/rg/providers/Microsoft.Communication/communicationServices/acs")
 * ```
 *
 * @since 0.1.0
 * @category schemas
 */
export const ResourceId = validator(ResourceIdModule.ResourceId)

/**
 * `ConnectionString` as a Standard Schema v1 validator.
 *
 * @example
 * ```ts
 * import { StandardSchema } from "@effect-acs/schema"
 *
 * const result = StandardSchema.ConnectionString["~standard"].validate("endpoint=https://acs.communication.azure.com/;accesskey=c2VjcmV0")
 * ```
 *
 * @since 0.1.0
 * @category schemas
 */
export const ConnectionString = validator(ConnectionStringModule.ConnectionString)
