/**
 * The typed failures of `regenerateKey` and `listKeys`: one tag per failure mode.
 *
 * Every error that follows a response carries what a person needs to act on it: the HTTP status, the
 * ARM error code, message, target, details and additional info, and the three request ids
 * (`x-ms-request-id`, `x-ms-correlation-request-id`, `x-ms-client-request-id`) that Azure support asks for.
 * No error ever holds a key, a connection string, a token or a raw success body: an error body is kept
 * only as its decoded ARM fields, scrubbed of anything that looks like a secret.
 *
 * @since 0.1.0
 */
import * as ErrorResponse from "@effect-acs/schema/ErrorResponse"
import * as Schema from "effect/Schema"

/**
 * The operation that failed.
 *
 * @example
 * ```ts
 * import { Errors } from "@effect-acs/core"
 * import * as Schema from "effect/Schema"
 *
 * Schema.is(Errors.Operation)("regenerateKey") // true
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export const Operation = Schema.Literal("regenerateKey", "listKeys")

/**
 * `"regenerateKey" | "listKeys"`.
 *
 * @example
 * ```ts
 * import type { Errors } from "@effect-acs/core"
 *
 * const operation: Errors.Operation = "listKeys"
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type Operation = typeof Operation.Type

const requestIds = {
  /** `x-ms-request-id` of the response, when there was one. */
  requestId: Schema.optional(Schema.String),
  /** `x-ms-correlation-request-id` of the response, when there was one. */
  correlationRequestId: Schema.optional(Schema.String),
  /** The `x-ms-client-request-id` this library sent (the same on every attempt of one call). */
  clientRequestId: Schema.optional(Schema.String)
}

const context = {
  operation: Operation,
  /** The ARM resource id of the communication service. */
  resourceId: Schema.String,
  /**
   * `true` when the request may have changed the service's state although the call failed: a
   * regeneration whose response was lost or was a server error. The key may have been regenerated;
   * `listKeys` tells which keys are live.
   */
  outcomeUnknown: Schema.Boolean,
  /** How many attempts were made, retries included. */
  attempts: Schema.Number
}

const arm = {
  status: Schema.Number,
  code: Schema.optional(Schema.String),
  armMessage: Schema.optional(Schema.String),
  target: Schema.optional(Schema.String),
  details: Schema.optionalWith(Schema.Array(ErrorResponse.ErrorDetail), { default: () => [] }),
  additionalInfo: Schema.optionalWith(Schema.Array(ErrorResponse.ErrorAdditionalInfo), { default: () => [] }),
  ...requestIds,
  ...context
}

const unknownOutcomeAdvice = " The key may have been regenerated: call listKeys to learn which keys are live."

const describeIds = (self: {
  readonly requestId?: string | undefined
  readonly correlationRequestId?: string | undefined
  readonly clientRequestId?: string | undefined
}): string => {
  const ids = [
    self.requestId && `x-ms-request-id: ${self.requestId}`,
    self.correlationRequestId && `x-ms-correlation-request-id: ${self.correlationRequestId}`,
    self.clientRequestId && `x-ms-client-request-id: ${self.clientRequestId}`
  ].filter(Boolean)
  return ids.length === 0 ? "" : ` (${ids.join(", ")})`
}

const describeArm = (self: ArmFields, what: string): string => {
  const code = self.code ? ` ${self.code}` : ""
  const message = self.armMessage ? `: ${self.armMessage}` : ""
  const target = self.target ? ` [target: ${self.target}]` : ""
  return `${self.operation} ${self.resourceId}: ${what} (HTTP ${self.status})${code}${message}${target}` +
    describeIds(self) + (self.outcomeUnknown ? unknownOutcomeAdvice : "")
}

interface ArmFields {
  readonly status: number
  readonly code?: string | undefined
  readonly armMessage?: string | undefined
  readonly target?: string | undefined
  readonly operation: Operation
  readonly resourceId: string
  readonly outcomeUnknown: boolean
  readonly requestId?: string | undefined
  readonly correlationRequestId?: string | undefined
  readonly clientRequestId?: string | undefined
}

/**
 * The input was rejected before any I/O: `field` names what was wrong and `reason` says why.
 *
 * @example
 * ```ts
 * import { Errors } from "@effect-acs/core"
 *
 * new Errors.InvalidInput({ field: "keyType", reason: "Expected \"Primary\" or \"Secondary\"" }).message
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class InvalidInput extends Schema.TaggedError<InvalidInput>("@effect-acs/core/InvalidInput")("InvalidInput", {
  field: Schema.String,
  reason: Schema.String
}) {
  /**
   * @since 0.1.0
   */
  override get message(): string {
    return `Invalid ${this.field}: ${this.reason}`
  }
}

/**
 * No access token could be obtained from the `AzureCredential`.
 *
 * @example
 * ```ts
 * import { Errors } from "@effect-acs/core"
 *
 * new Errors.CredentialError({ reason: "ClientSecretCredential authentication failed" }).message
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class CredentialError
  extends Schema.TaggedError<CredentialError>("@effect-acs/core/CredentialError")("CredentialError", {
    reason: Schema.String,
    cause: Schema.optional(Schema.Defect)
  })
{
  /**
   * @since 0.1.0
   */
  override get message(): string {
    return `Could not obtain an access token: ${this.reason}`
  }
}

/**
 * The request did not complete: the connection could not be made (`Connect`: the request was never
 * sent), or it broke, or it timed out before a response arrived (`Connection`, `Timeout`: the request may
 * have reached the service).
 *
 * @example
 * ```ts
 * import { Errors } from "@effect-acs/core"
 *
 * const error = new Errors.TransportError({
 *   reason: "Timeout",
 *   description: "no response within 30 seconds",
 *   operation: "regenerateKey",
 *   resourceId: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Communication/communicationServices/acs",
 *   outcomeUnknown: true,
 *   attempts: 4
 * })
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class TransportError
  extends Schema.TaggedError<TransportError>("@effect-acs/core/TransportError")("TransportError", {
    reason: Schema.Literal("Connect", "Connection", "Timeout"),
    description: Schema.String,
    ...requestIds,
    ...context
  })
{
  /**
   * @since 0.1.0
   */
  override get message(): string {
    return `${this.operation} ${this.resourceId}: transport failure (${this.reason}): ${this.description}` +
      describeIds(this) + (this.outcomeUnknown ? unknownOutcomeAdvice : "")
  }
}

/**
 * 401: the token was missing, expired or not accepted.
 *
 * @example
 * ```ts
 * import type { Errors } from "@effect-acs/core"
 * import * as Effect from "effect/Effect"
 *
 * const call: Effect.Effect<void, Errors.CommunicationServicesError> = Effect.void
 *
 * const handled = call.pipe(Effect.catchTag("AuthenticationFailed", (error) => Effect.logError(`sign in again: ${error.message}`)))
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class AuthenticationFailed
  extends Schema.TaggedError<AuthenticationFailed>("@effect-acs/core/AuthenticationFailed")(
    "AuthenticationFailed",
    arm
  )
{
  /**
   * @since 0.1.0
   */
  override get message(): string {
    return describeArm(this, "authentication failed")
  }
}

/**
 * 403: the identity may not regenerate or list keys of this resource (it needs
 * `Microsoft.Communication/communicationServices/regenerateKey/action` or `.../listKeys/action`).
 *
 * @example
 * ```ts
 * import type { Errors } from "@effect-acs/core"
 * import * as Effect from "effect/Effect"
 *
 * const call: Effect.Effect<void, Errors.CommunicationServicesError> = Effect.void
 *
 * const handled = call.pipe(Effect.catchTag("AuthorizationFailed", (error) => Effect.logError(`grant the regenerateKey action: ${error.code}`)))
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class AuthorizationFailed
  extends Schema.TaggedError<AuthorizationFailed>("@effect-acs/core/AuthorizationFailed")(
    "AuthorizationFailed",
    arm
  )
{
  /**
   * @since 0.1.0
   */
  override get message(): string {
    return describeArm(this, "not authorized")
  }
}

/**
 * What a 404 says is missing, from its ARM code: the subscription, the resource group or the resource.
 *
 * @example
 * ```ts
 * import { Errors } from "@effect-acs/core"
 *
 * Errors.Missing.literals // ["Subscription", "ResourceGroup", "Resource", "Unknown"]
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export const Missing = Schema.Literal("Subscription", "ResourceGroup", "Resource", "Unknown")

/**
 * 404: the subscription, resource group or resource does not exist (see `missing`).
 *
 * @example
 * ```ts
 * import type { Errors } from "@effect-acs/core"
 * import * as Effect from "effect/Effect"
 *
 * const call: Effect.Effect<void, Errors.CommunicationServicesError> = Effect.void
 *
 * const handled = call.pipe(Effect.catchTag("NotFound", (error) => Effect.logWarning(`${error.missing} not found: ${error.resourceId}`)))
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class NotFound extends Schema.TaggedError<NotFound>("@effect-acs/core/NotFound")("NotFound", {
  ...arm,
  missing: Missing
}) {
  /**
   * @since 0.1.0
   */
  override get message(): string {
    return describeArm(this, this.missing === "Unknown" ? "not found" : `${this.missing.toLowerCase()} not found`)
  }
}

/**
 * 409: the service refused because of the resource's state, e.g. another regeneration of it is running.
 *
 * @example
 * ```ts
 * import type { Errors } from "@effect-acs/core"
 * import * as Effect from "effect/Effect"
 *
 * const call: Effect.Effect<void, Errors.CommunicationServicesError> = Effect.void
 *
 * const handled = call.pipe(Effect.catchTag("Conflict", (error) => Effect.logWarning(`busy, try later (x-ms-request-id ${error.requestId})`)))
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class Conflict extends Schema.TaggedError<Conflict>("@effect-acs/core/Conflict")("Conflict", arm) {
  /**
   * @since 0.1.0
   */
  override get message(): string {
    return describeArm(this, "conflict")
  }
}

/**
 * 429: throttled. `retryAfterMillis` is the wait the service asked for, when it said.
 *
 * @example
 * ```ts
 * import type { Errors } from "@effect-acs/core"
 * import * as Effect from "effect/Effect"
 *
 * const call: Effect.Effect<void, Errors.CommunicationServicesError> = Effect.void
 *
 * const handled = call.pipe(Effect.catchTag("Throttled", (error) => Effect.sleep(error.retryAfterMillis ?? 1000)))
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class Throttled extends Schema.TaggedError<Throttled>("@effect-acs/core/Throttled")("Throttled", {
  ...arm,
  retryAfterMillis: Schema.optional(Schema.Number)
}) {
  /**
   * @since 0.1.0
   */
  override get message(): string {
    const wait = this.retryAfterMillis === undefined ? "" : `, retry after ${this.retryAfterMillis} ms`
    return describeArm(this, `throttled${wait}`)
  }
}

/**
 * 400, or another 4xx without a tag of its own (405, 408, 412, 413, ...): the request was refused.
 *
 * @example
 * ```ts
 * import type { Errors } from "@effect-acs/core"
 * import * as Effect from "effect/Effect"
 *
 * const call: Effect.Effect<void, Errors.CommunicationServicesError> = Effect.void
 *
 * const handled = call.pipe(Effect.catchTag("BadRequest", (error) => Effect.logError(`${error.status} ${error.code}: ${error.armMessage}`)))
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class BadRequest extends Schema.TaggedError<BadRequest>("@effect-acs/core/BadRequest")("BadRequest", arm) {
  /**
   * @since 0.1.0
   */
  override get message(): string {
    return describeArm(this, "request refused")
  }
}

/**
 * 5xx: the service (or a gateway in front of it) failed. For a regeneration the outcome is unknown.
 *
 * @example
 * ```ts
 * import type { Errors } from "@effect-acs/core"
 * import * as Effect from "effect/Effect"
 *
 * const call: Effect.Effect<void, Errors.CommunicationServicesError> = Effect.void
 *
 * const handled = call.pipe(Effect.catchTag("ServiceError", (error) => Effect.logError(error.outcomeUnknown ? "call listKeys" : error.message)))
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class ServiceError extends Schema.TaggedError<ServiceError>("@effect-acs/core/ServiceError")("ServiceError", {
  ...arm,
  retryAfterMillis: Schema.optional(Schema.Number)
}) {
  /**
   * @since 0.1.0
   */
  override get message(): string {
    return describeArm(this, "service error")
  }
}

/**
 * Why a response was unexpected.
 *
 * @example
 * ```ts
 * import { Errors } from "@effect-acs/core"
 *
 * Errors.UnexpectedReason.literals // ["UndeclaredStatus", "NotJson", "NonConformingBody", "BodyTooLarge"]
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export const UnexpectedReason = Schema.Literal("UndeclaredStatus", "NotJson", "NonConformingBody", "BodyTooLarge")

/**
 * A response the API does not declare: a status other than 200 that is not an error (201, 202, 204, and
 * every 3xx: redirects are never followed), a success body that is not JSON, is nested too deeply, does not
 * match `CommunicationServiceKeys` or lacks the key that was regenerated (`NonConformingBody`), or is
 * larger than the client's `maxResponseBytes` (`BodyTooLarge`). `description` says what was wrong without
 * quoting the body.
 *
 * @example
 * ```ts
 * import type { Errors } from "@effect-acs/core"
 * import * as Effect from "effect/Effect"
 *
 * const call: Effect.Effect<void, Errors.CommunicationServicesError> = Effect.void
 *
 * const handled = call.pipe(Effect.catchTag("UnexpectedResponse", (error) => Effect.logError(`${error.reason}: ${error.description}`)))
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class UnexpectedResponse
  extends Schema.TaggedError<UnexpectedResponse>("@effect-acs/core/UnexpectedResponse")("UnexpectedResponse", {
    ...arm,
    reason: UnexpectedReason,
    description: Schema.String
  })
{
  /**
   * @since 0.1.0
   */
  override get message(): string {
    return describeArm(this, `unexpected response (${this.reason}: ${this.description})`)
  }
}

/**
 * Every failure of `regenerateKey` and `listKeys`.
 *
 * @example
 * ```ts
 * import { Errors } from "@effect-acs/core"
 * import * as Effect from "effect/Effect"
 *
 * const call: Effect.Effect<void, Errors.CommunicationServicesError> = Effect.void
 *
 * const handled = call.pipe(
 *   Effect.catchTags({
 *     NotFound: (error) => Effect.logWarning(`${error.missing} is gone`),
 *     Throttled: (error) => Effect.logWarning(`throttled for ${error.retryAfterMillis ?? "?"} ms`)
 *   })
 * )
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export type CommunicationServicesError =
  | InvalidInput
  | CredentialError
  | TransportError
  | AuthenticationFailed
  | AuthorizationFailed
  | NotFound
  | Conflict
  | Throttled
  | BadRequest
  | ServiceError
  | UnexpectedResponse

/**
 * The failures that follow a response from the service, as `Schema`.
 *
 * @example
 * ```ts
 * import { Errors } from "@effect-acs/core"
 * import * as Schema from "effect/Schema"
 *
 * const isResponseError = Schema.is(Errors.ResponseError)
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export const ResponseError = Schema.Union(
  AuthenticationFailed,
  AuthorizationFailed,
  NotFound,
  Conflict,
  Throttled,
  BadRequest,
  ServiceError,
  UnexpectedResponse
)

/**
 * The failures that follow a response from the service.
 *
 * @example
 * ```ts
 * import type { Errors } from "@effect-acs/core"
 *
 * const describe = (error: Errors.ResponseError) => `${error.status} ${error.code ?? ""} ${error.requestId ?? ""}`
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export type ResponseError = typeof ResponseError.Type

/**
 * Every failure, as a `Schema` (to send errors across a process boundary, or store them in a report).
 *
 * @example
 * ```ts
 * import { Errors } from "@effect-acs/core"
 * import * as Schema from "effect/Schema"
 *
 * const encode = Schema.encodeSync(Errors.CommunicationServicesError)
 * encode(new Errors.InvalidInput({ field: "keyType", reason: "bad" }))
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export const CommunicationServicesError: Schema.Schema<CommunicationServicesError, any> = Schema.Union(
  InvalidInput,
  CredentialError,
  TransportError,
  ResponseError
)

const responseErrorTags: ReadonlySet<string> = new Set([
  "AuthenticationFailed",
  "AuthorizationFailed",
  "NotFound",
  "Conflict",
  "Throttled",
  "BadRequest",
  "ServiceError",
  "UnexpectedResponse"
])

/**
 * Whether a failure followed a response from the service (so it has a `status` and the response's ids).
 *
 * @example
 * ```ts
 * import { Errors } from "@effect-acs/core"
 *
 * const status = (error: Errors.CommunicationServicesError) => Errors.isResponseError(error) ? error.status : undefined
 * ```
 *
 * @since 0.2.0
 * @category guards
 */
export const isResponseError = (error: CommunicationServicesError): error is ResponseError =>
  responseErrorTags.has(error._tag)

/**
 * The wait the service asked for with a failure (`Retry-After` of a 429 or a 5xx), in milliseconds.
 *
 * @example
 * ```ts
 * import { Errors } from "@effect-acs/core"
 *
 * const wait = (error: Errors.CommunicationServicesError) => Errors.retryAfterMillis(error) ?? 1000
 * ```
 *
 * @since 0.2.0
 * @category getters
 */
export const retryAfterMillis = (error: CommunicationServicesError): number | undefined =>
  error._tag === "Throttled" || error._tag === "ServiceError" ? error.retryAfterMillis : undefined

/**
 * The failures after which a regeneration may or may not have happened (see `outcomeUnknown`).
 *
 * @example
 * ```ts
 * import { Errors } from "@effect-acs/core"
 *
 * const error: Errors.CommunicationServicesError = new Errors.InvalidInput({ field: "keyType", reason: "bad" })
 * if (Errors.isOutcomeUnknown(error)) {
 *   // read the live keys with listKeys before doing anything else
 * }
 * ```
 *
 * @since 0.1.0
 * @category guards
 */
export const isOutcomeUnknown = (error: CommunicationServicesError): boolean =>
  (error._tag === "TransportError" || isResponseError(error)) && error.outcomeUnknown
