/**
 * When and how long to wait before a failed call is tried again.
 *
 * Retrying `regenerateKey` is safe: every attempt that reaches the service yields a fresh key, and the
 * attempt whose response the caller receives is the key that is live. A key produced by an attempt whose
 * response was lost is simply replaced by the next attempt: nobody ever held it, so nothing depends on it.
 * What a retry cannot do is tell whether the last failed attempt changed the key: when retries run out
 * on such a failure, the error says `outcomeUnknown` and `listKeys` gives the live keys.
 *
 * The default policy retries transport failures, 408, 429, 500, 502, 503 and 504, at most 3 times, with
 * exponential backoff and jitter (0.8 s base, 60 s maximum). A `Retry-After` the service sends
 * (`retry-after-ms`, `x-ms-retry-after-ms`, or `Retry-After` in seconds or as an HTTP date) replaces the
 * backoff, up to `maxRetryAfter`.
 *
 * @since 0.1.0
 */
import * as Duration from "effect/Duration"
import type { CommunicationServicesError } from "./Errors.js"

/**
 * A retry policy: how many retries, which failures, and the backoff between attempts.
 *
 * @example
 * ```ts
 * import { RetryPolicy } from "@effect-acs/core"
 * import * as Duration from "effect/Duration"
 *
 * // retry conflicts too, every 2 seconds, up to 5 times
 * const policy: RetryPolicy.RetryPolicy = {
 *   maxRetries: 5,
 *   shouldRetry: (error) => error._tag === "Conflict" || RetryPolicy.isTransient(error),
 *   backoff: () => Duration.seconds(2),
 *   maxRetryAfter: Duration.minutes(1)
 * }
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface RetryPolicy {
  /** Retries after the first attempt; 0 turns retrying off. */
  readonly maxRetries: number
  /** Whether this failure is worth another attempt. */
  readonly shouldRetry: (error: CommunicationServicesError) => boolean
  /** The backoff before retry number `retry` (1-based), given a random number in [0, 1). */
  readonly backoff: (retry: number, random: number) => Duration.Duration
  /** The longest `Retry-After` that is honoured; a longer one is cut to this. */
  readonly maxRetryAfter: Duration.Duration
}

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
  error._tag === "TransportError" || ("status" in error && retryableStatuses.has(error.status))

/**
 * An exponential backoff policy: `baseDelay * 2^(retry - 1)`, capped at `maxDelay`, then scaled by a
 * random factor in [0.5, 1) (jitter, so that many clients do not retry in step).
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
} = {}): RetryPolicy => {
  const base = Duration.toMillis(Duration.decode(options.baseDelay ?? "800 millis"))
  const max = Duration.toMillis(Duration.decode(options.maxDelay ?? "60 seconds"))
  return {
    maxRetries: options.maxRetries ?? 3,
    shouldRetry: options.shouldRetry ?? isTransient,
    backoff: (retry, random) => Duration.millis(Math.min(max, base * 2 ** (retry - 1)) * (0.5 + random / 2)),
    maxRetryAfter: Duration.decode(options.maxRetryAfter ?? "60 seconds")
  }
}

/**
 * The default policy: `exponential()` (3 retries, 0.8 s base, 60 s maximum, `Retry-After` up to 60 s).
 *
 * @example
 * ```ts
 * import { RetryPolicy } from "@effect-acs/core"
 *
 * RetryPolicy.defaultPolicy.maxRetries // 3
 * ```
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultPolicy: RetryPolicy = exponential()

/**
 * No retries.
 *
 * @example
 * ```ts
 * import { RetryPolicy } from "@effect-acs/core"
 *
 * RetryPolicy.none.maxRetries // 0
 * ```
 *
 * @since 0.1.0
 * @category constants
 */
export const none: RetryPolicy = exponential({ maxRetries: 0 })
