/**
 * When and how long to wait before a failed call is tried again.
 *
 * Retrying `regenerateKey` is safe: every attempt that reaches the service yields a fresh key, and the
 * attempt whose response the caller receives is the key that is live. A key produced by an attempt whose
 * response was lost is simply replaced by the next attempt: nobody ever held it, so nothing depends on it.
 * What a retry cannot do is tell whether the last failed attempt changed the key: when retries run out
 * on such a failure, the error says `outcomeUnknown` and `listKeys` gives the live keys.
 *
 * A policy is an Effect `Schedule` fed with each failure (it decides whether to try again, and after how
 * long) plus the longest `Retry-After` honoured. The default retries transport failures, 408, 429, 500,
 * 502, 503 and 504, at most 3 times, with exponential backoff and jitter (0.8 s base, 60 s maximum). A
 * `Retry-After` the service sends (`retry-after-ms`, `x-ms-retry-after-ms`, or `Retry-After` in seconds
 * or as an HTTP date) replaces the schedule's delay, up to `maxRetryAfter`.
 *
 * @since 0.1.0
 */
import * as Duration from "effect/Duration"
import * as Schedule from "effect/Schedule"
import type { CommunicationServicesError } from "./Errors.js"
import { isResponseError } from "./Errors.js"

/**
 * A retry policy: a `Schedule` that sees every failure (its input) and says whether and when to try again,
 * and the longest `Retry-After` that is honoured (a longer one is cut to this). When a failure carries a
 * `Retry-After`, that wait replaces the schedule's delay; the schedule still decides whether to retry.
 *
 * @example
 * ```ts
 * import { RetryPolicy } from "@effect-acs/core"
 * import * as Schedule from "effect/Schedule"
 *
 * // retry conflicts too, every 2 seconds, up to 5 times
 * const policy: RetryPolicy.RetryPolicy = RetryPolicy.make(
 *   Schedule.spaced("2 seconds").pipe(
 *     Schedule.intersect(Schedule.recurs(5)),
 *     Schedule.whileInput((error) => error._tag === "Conflict" || RetryPolicy.isTransient(error))
 *   ),
 *   { maxRetryAfter: "1 minute" }
 * )
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface RetryPolicy {
  /** Fed each failure in turn: done means the failure is returned; a delay is the wait before the next attempt. */
  readonly schedule: Schedule.Schedule<unknown, CommunicationServicesError>
  /** The longest `Retry-After` that is honoured; a longer one is cut to this. */
  readonly maxRetryAfter: Duration.Duration
}

/**
 * A policy from any `Schedule` of failures. `maxRetryAfter` defaults to 60 seconds. The schedule sees every
 * failure, permanent ones (400, 401, 404) included: narrow it with `Schedule.whileInput(RetryPolicy.isTransient)`
 * unless those should be retried too.
 *
 * @example
 * ```ts
 * import { RetryPolicy } from "@effect-acs/core"
 * import * as Schedule from "effect/Schedule"
 *
 * const twiceQuickly = RetryPolicy.make(
 *   Schedule.spaced("100 millis").pipe(Schedule.intersect(Schedule.recurs(2)), Schedule.whileInput(RetryPolicy.isTransient))
 * )
 * ```
 *
 * @since 0.2.0
 * @category constructors
 */
export const make = (
  schedule: Schedule.Schedule<unknown, CommunicationServicesError>,
  options: { readonly maxRetryAfter?: Duration.DurationInput | undefined } = {}
): RetryPolicy => ({ schedule, maxRetryAfter: Duration.decode(options.maxRetryAfter ?? "60 seconds") })

/**
 * The HTTP statuses the default policy retries: 408, 429, 500, 502, 503 and 504.
 *
 * @example
 * ```ts
 * import { RetryPolicy } from "@effect-acs/core"
 *
 * RetryPolicy.retryableStatuses.has(503) // true
 * ```
 *
 * @since 0.1.0
 * @category constants
 */
export const retryableStatuses: ReadonlySet<number> = new Set([408, 429, 500, 502, 503, 504])

/**
 * The default test for a failure worth retrying: a transport failure, or a response whose status is in
 * `retryableStatuses`.
 *
 * @example
 * ```ts
 * import { Errors, RetryPolicy } from "@effect-acs/core"
 *
 * RetryPolicy.isTransient(new Errors.InvalidInput({ field: "keyType", reason: "bad" })) // false
 * ```
 *
 * @since 0.1.0
 * @category predicates
 */
export const isTransient = (error: CommunicationServicesError): boolean =>
  error._tag === "TransportError" || (isResponseError(error) && retryableStatuses.has(error.status))

/**
 * An exponential backoff policy: `baseDelay * 2^(retry - 1)`, capped at `maxDelay`, then scaled by a
 * random factor in [0.5, 1) (jitter, so that many clients do not retry in step), for at most `maxRetries`
 * retries of the failures `shouldRetry` accepts (default `isTransient`).
 *
 * @example
 * ```ts
 * import { RetryPolicy } from "@effect-acs/core"
 *
 * const patient = RetryPolicy.exponential({ maxRetries: 6, maxRetryAfter: "5 minutes" })
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const exponential = (options: {
  readonly maxRetries?: number | undefined
  readonly baseDelay?: Duration.DurationInput | undefined
  readonly maxDelay?: Duration.DurationInput | undefined
  readonly maxRetryAfter?: Duration.DurationInput | undefined
  readonly shouldRetry?: ((error: CommunicationServicesError) => boolean) | undefined
} = {}): RetryPolicy =>
  make(
    Schedule.exponential(options.baseDelay ?? "800 millis").pipe(
      // the shorter of the two delays: the exponential one, capped
      Schedule.union(Schedule.spaced(options.maxDelay ?? "60 seconds")),
      Schedule.jitteredWith({ min: 0.5, max: 1 }),
      Schedule.intersect(Schedule.recurs(options.maxRetries ?? 3)),
      Schedule.whileInput(options.shouldRetry ?? isTransient)
    ),
    { maxRetryAfter: options.maxRetryAfter }
  )

/**
 * The default policy: `exponential()` (3 retries, 0.8 s base, 60 s maximum, `Retry-After` up to 60 s).
 *
 * @example
 * ```ts
 * import { CommunicationServices, RetryPolicy } from "@effect-acs/core"
 *
 * CommunicationServices.layer({ retry: RetryPolicy.defaultPolicy })
 * ```
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultPolicy: RetryPolicy = exponential()

/**
 * No retries: every failure is returned at once (the same as the option `retry: false`).
 *
 * @example
 * ```ts
 * import { CommunicationServices, RetryPolicy } from "@effect-acs/core"
 *
 * CommunicationServices.layer({ retry: RetryPolicy.none })
 * ```
 *
 * @since 0.1.0
 * @category constants
 */
export const none: RetryPolicy = make(Schedule.stop)
