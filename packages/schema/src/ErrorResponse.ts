/**
 * The ARM error body that every failed response carries: `{"error": {code, message, target, details,
 * additionalInfo}}`.
 *
 * These schemas decode leniently, so that any error body a server sends becomes a value: missing fields
 * are absent, extra fields are ignored, `null` counts as absent, numbers and booleans in string fields
 * are written as strings, `info` may be any JSON, and a field of the wrong shape is dropped rather than
 * failing the whole body. Encoding writes the documented shape.
 *
 * @since 0.1.0
 */
import * as Option from "effect/Option"
import * as Predicate from "effect/Predicate"
import * as Schema from "effect/Schema"
import { lenientArray, lenientString } from "./internal/lenient.js"

/**
 * The resource management error additional info.
 *
 * @example
 * ```ts
 * import { ErrorResponse } from "@effect-acs/schema"
 * import * as Schema from "effect/Schema"
 *
 * Schema.decodeUnknownSync(ErrorResponse.ErrorAdditionalInfo)({ type: "PolicyViolation", info: { policy: "x" } })
 * ```
 *
 * @since 0.1.0
 * @category schemas
 */
export class ErrorAdditionalInfo extends Schema.Class<ErrorAdditionalInfo>("ErrorAdditionalInfo")({
  type: lenientString("The additional info type."),
  info: Schema.optionalWith(
    Schema.Unknown.annotations({
      jsonSchema: { type: "object", description: "The additional info." },
      arbitrary: () => (fc) => fc.jsonValue()
    }),
    { exact: true }
  )
}, {
  identifier: "ErrorAdditionalInfo",
  title: "ErrorAdditionalInfo",
  description: "The resource management error additional info."
}) {}

/**
 * The wire form of {@link ErrorDetail}: every field may hold anything, since decoding is lenient.
 *
 * @example
 * ```ts
 * import { ErrorResponse } from "@effect-acs/schema"
 *
 * const wire: ErrorResponse.ErrorDetailEncoded = { code: 409, message: null }
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface ErrorDetailEncoded {
  readonly code?: unknown
  readonly message?: unknown
  readonly target?: unknown
  readonly details?: unknown
  readonly additionalInfo?: unknown
}

const errorDetailRef = { $ref: "#/$defs/ErrorDetail" }
const additionalInfoRef = { $ref: "#/$defs/ErrorAdditionalInfo" }

/**
 * The error detail: code, message, target, nested `details` (recursive) and `additionalInfo`.
 *
 * @example
 * ```ts
 * import { ErrorResponse } from "@effect-acs/schema"
 * import * as Schema from "effect/Schema"
 *
 * const detail = Schema.decodeUnknownSync(ErrorResponse.ErrorDetail)({
 *   code: "InvalidParameter",
 *   target: null,
 *   details: [{ code: "KeyTypeInvalid", message: "keyType must be Primary or Secondary" }]
 * })
 * detail.details?.[0]?.code // "KeyTypeInvalid"
 * ```
 *
 * @since 0.1.0
 * @category schemas
 */
export class ErrorDetail extends Schema.Class<ErrorDetail>("ErrorDetail")({
  code: lenientString("The error code."),
  message: lenientString("The error message."),
  target: lenientString("The error target."),
  details: lenientArray(
    Schema.suspend((): Schema.Schema<ErrorDetail, ErrorDetailEncoded> => ErrorDetail),
    errorDetailRef,
    "The error details."
  ),
  additionalInfo: lenientArray(ErrorAdditionalInfo, additionalInfoRef, "The error additional info.")
}, {
  identifier: "ErrorDetail",
  title: "ErrorDetail",
  description: "The error detail."
}) {}

/**
 * Common error response for all Azure Resource Manager APIs to return error details for failed
 * operations: `{"error": ErrorDetail}`.
 *
 * A body that is a JSON object but not of this shape still decodes (with `error` absent); only a body
 * that is not an object fails, since it is not an ARM error body at all.
 *
 * @example
 * ```ts
 * import { ErrorResponse } from "@effect-acs/schema"
 * import * as Schema from "effect/Schema"
 *
 * const body = Schema.decodeUnknownSync(ErrorResponse.ErrorResponse)({
 *   error: { code: "ResourceNotFound", message: "The Resource was not found." }
 * })
 * body.error?.code // "ResourceNotFound"
 * ```
 *
 * @since 0.1.0
 * @category schemas
 */
export class ErrorResponse extends Schema.Class<ErrorResponse>("ErrorResponse")({
  error: Schema.optionalToOptional(
    Schema.Unknown.annotations({ jsonSchema: errorDetailRef }),
    ErrorDetail,
    {
      decode: Option.filter(Predicate.isRecord),
      encode: (o) => o
    }
  )
}, {
  identifier: "ErrorResponse",
  title: "Error response",
  description:
    "Common error response for all Azure Resource Manager APIs to return error details for failed operations."
}) {}
