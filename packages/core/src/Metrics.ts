/**
 * The library's metrics, as Effect `Metric`s: export them with `@effect/opentelemetry` (or read them with
 * `Metric.value` / `Metric.snapshot`). Names follow OpenTelemetry's conventions (dots, snake case):
 *
 * - `effect_acs.rotations` (counter, tag `outcome`: `rotated`, `failed`, `interrupted`): rotations ended.
 * - `effect_acs.rotation.failures` (counter, tags `step` and `error`: the failed step and the `_tag` of what it
 *   failed with, e.g. `Regenerate` / `Throttled`, `Publish` / `PublishTimedOut`): rotations that failed.
 * - `effect_acs.throttled` (counter, tag `operation`): responses 429 from Resource Manager, counted by the
 *   client on every attempt (retried or not).
 * - `effect_acs.key.rotated_at` (gauge, tags `resource` (the resource name), `resource_id` and `key`
 *   (`Primary`, `Secondary`)): Unix seconds of the last successful rotation of a key by this process, so a
 *   dashboard computes a key's age as `time() - effect_acs_key_rotated_at`. One series per key rotated.
 *
 * No metric carries a key, a token or a connection string.
 *
 * @since 0.3.0
 */
import type { KeyType } from "@effect-acs/schema"
import type * as Effect from "effect/Effect"
import * as Metric from "effect/Metric"
import * as MetricLabel from "effect/MetricLabel"

/**
 * Rotations ended, tagged `outcome`: `rotated`, `failed` or `interrupted`.
 *
 * @example
 * ```ts
 * import { Metrics } from "@effect-acs/core"
 * import * as Metric from "effect/Metric"
 *
 * const rotated = Metric.value(Metric.tagged(Metrics.rotations, "outcome", "rotated"))
 * ```
 *
 * @since 0.3.0
 * @category metrics
 */
export const rotations: Metric.Metric.Counter<number> = Metric.counter("effect_acs.rotations", {
  description: "Key rotations ended, by outcome (rotated, failed, interrupted)",
  incremental: true
})

/**
 * Rotations that failed, tagged `step` (where it stopped) and `error` (the `_tag` of the underlying failure,
 * or `unknown`).
 *
 * @example
 * ```ts
 * import { Metrics } from "@effect-acs/core"
 * import * as Metric from "effect/Metric"
 *
 * const throttledRegenerations = Metric.value(
 *   Metric.tagged(Metric.tagged(Metrics.rotationFailures, "step", "Regenerate"), "error", "Throttled")
 * )
 * ```
 *
 * @since 0.3.0
 * @category metrics
 */
export const rotationFailures: Metric.Metric.Counter<number> = Metric.counter("effect_acs.rotation.failures", {
  description: "Key rotations that failed, by step and by the tag of the underlying error",
  incremental: true
})

/**
 * Responses 429 (throttled) from Resource Manager, tagged `operation` (`regenerateKey`, `listKeys`).
 *
 * @example
 * ```ts
 * import { Metrics } from "@effect-acs/core"
 * import * as Metric from "effect/Metric"
 *
 * const onThrottled = Metric.increment(Metric.tagged(Metrics.throttled, "operation", "regenerateKey"))
 * ```
 *
 * @since 0.3.0
 * @category metrics
 */
export const throttled: Metric.Metric.Counter<number> = Metric.counter("effect_acs.throttled", {
  description: "Responses 429 (throttled) from Azure Resource Manager",
  incremental: true
})

/**
 * Unix seconds of the last successful rotation of a key, tagged `resource`, `resource_id` and `key`: a
 * key's age is the current time minus this value.
 *
 * @example
 * ```ts
 * import { Metrics } from "@effect-acs/core"
 * import * as Metric from "effect/Metric"
 * import * as MetricLabel from "effect/MetricLabel"
 *
 * const id = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Communication/communicationServices/acs"
 * const rotatedAt = Metric.value(Metric.taggedWithLabels(Metrics.keyRotatedAt, [
 *   MetricLabel.make("resource", "acs"),
 *   MetricLabel.make("resource_id", id),
 *   MetricLabel.make("key", "Secondary")
 * ]))
 * ```
 *
 * @since 0.3.0
 * @category metrics
 */
export const keyRotatedAt: Metric.Metric.Gauge<number> = Metric.gauge("effect_acs.key.rotated_at", {
  description: "Unix time in seconds of the last successful rotation of a key"
})

/**
 * Records that a key of a resource was rotated (regenerated and published) at `millis` (epoch milliseconds).
 *
 * @example
 * ```ts
 * import { Metrics } from "@effect-acs/core"
 *
 * const recorded = Metrics.recordKeyRotated(
 *   "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Communication/communicationServices/acs",
 *   "Secondary",
 *   Date.now()
 * )
 * ```
 *
 * @since 0.3.0
 * @category metrics
 */
export const recordKeyRotated = (
  resourceId: string,
  keyType: KeyType.KeyType,
  millis: number
): Effect.Effect<void> =>
  Metric.set(
    Metric.taggedWithLabels(keyRotatedAt, [
      MetricLabel.make("resource", resourceId.slice(resourceId.lastIndexOf("/") + 1)),
      MetricLabel.make("resource_id", resourceId),
      MetricLabel.make("key", keyType)
    ]),
    Math.floor(millis / 1000)
  )
