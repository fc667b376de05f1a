/**
 * Key rotation without an outage, for one resource or a fleet.
 *
 * A communication service has two keys so that one can be replaced while clients use the other.
 * `rotate` reads the current keys, regenerates the key not in use (Secondary by default), hands the new
 * connection string to your `publish` (a Key Vault secret, a config file, a deployment variable), lets
 * you `verify` that clients switched, regenerates the other key and publishes again.
 *
 * The guarantee: a rotation never ends with a live key that `publish` was not given. When the outcome
 * of a regeneration is unknown (a transport failure, a 5xx after retries, a 200 without the key), the same
 * key is regenerated again until a regeneration is answered (the service answers 409 while one is still
 * in progress, so no earlier one can change the key afterwards), and that key is published; only if that
 * keeps failing are the live keys read with `listKeys` and the live key published. When `publish` fails
 * (or takes longer than `publishTimeout`) it is retried, and if it still fails the error names the
 * resource and the key that must be published (`listKeys` returns it). Each regenerate-and-publish runs
 * to its end in a fiber of its own, so an interruption (`Fiber.interrupt`, `Effect.timeout` around the
 * rotation, Ctrl-C) takes effect at the next safe point, between steps or while nothing has been sent,
 * and leaves the same guarantee.
 *
 * `rotateFleet` rotates a stream of resources with bounded concurrency within Azure Resource Manager's
 * write budget per subscription (a bucket of 200 writes refilled at 10 per second; every `listKeys` and
 * `regenerateKey` is a POST action and counts as a write), slows a subscription down when it is throttled
 * anyway (honouring `Retry-After` up to a minute), rotates each resource once (a repeated entry is
 * skipped), and reports progress as it goes. One resource failing does not stop the fleet.
 *
 * @since 0.1.0
 */
import type { KeyType } from "@effect-acs/schema"
import type * as Duration from "effect/Duration"
import type * as Effect from "effect/Effect"
import type * as Redacted from "effect/Redacted"
import type * as Schedule from "effect/Schedule"
import * as Schema from "effect/Schema"
import type * as Stream from "effect/Stream"
import type { CommunicationServices, ResourceInput } from "./CommunicationServices.js"
import * as internal from "./internal/rotation.js"
import * as Redaction from "./Redaction.js"

/**
 * What `publish` (and `verify`) receive: the resource, which key, and the key with its connection string,
 * both `Redacted`.
 *
 * @example
 * ```ts
 * import type { Rotation } from "@effect-acs/core"
 * import * as Effect from "effect/Effect"
 * import * as Redacted from "effect/Redacted"
 * import { writeFile } from "node:fs/promises"
 *
 * const publish = (key: Rotation.PublishedKey) =>
 *   Effect.promise(() => writeFile("/run/secrets/acs", Redacted.value(key.connectionString), { mode: 0o600 }))
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface PublishedKey {
  readonly resourceId: string
  readonly keyType: KeyType.KeyType
  readonly key: Redacted.Redacted<string>
  readonly connectionString: Redacted.Redacted<string>
}

/**
 * One thing a rotation did, with when (epoch milliseconds) and, for calls to the service, the request ids.
 *
 * @example
 * ```ts
 * import type { Rotation } from "@effect-acs/core"
 *
 * const describe = (step: Rotation.Step) => `${new Date(step.at).toISOString()} ${step.action} ${step.keyType ?? ""}`
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface Step {
  readonly action: "listKeys" | "regenerateKey" | "recover" | "publish" | "verify"
  readonly keyType?: KeyType.KeyType | undefined
  readonly at: number
  readonly requestId?: string | undefined
  readonly clientRequestId?: string | undefined
  readonly attempts?: number | undefined
}

/**
 * What a rotation did. It holds no secret: keys and connection strings went to `publish` only.
 *
 * @example
 * ```ts
 * import type { Rotation } from "@effect-acs/core"
 *
 * const summary = (report: Rotation.RotationReport) =>
 *   `${report.resourceId}: regenerated ${report.regenerated.join(", ")} in ${report.finishedAt - report.startedAt} ms`
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface RotationReport {
  readonly resourceId: string
  readonly startedAt: number
  readonly finishedAt: number
  /** The keys that were regenerated, in order. */
  readonly regenerated: ReadonlyArray<KeyType.KeyType>
  /** The keys that were published, in order. */
  readonly published: ReadonlyArray<KeyType.KeyType>
  /** Whether an unknown outcome had to be recovered with `listKeys`. */
  readonly recovered: boolean
  readonly steps: ReadonlyArray<Step>
}

/**
 * The step at which a rotation stopped.
 *
 * @example
 * ```ts
 * import { Rotation } from "@effect-acs/core"
 *
 * Rotation.FailedStep.literals
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export const FailedStep = Schema.Literal("ReadKeys", "Regenerate", "Recover", "Publish", "Verify")

/**
 * A rotation stopped. `keyType` is the key it was working on; `livePublished` says whether the live
 * value of that key was handed to `publish` (when `false` after `Regenerate` succeeded, the key must be
 * published: `listKeys` returns it); `cause` is the underlying failure (a `CommunicationServicesError`, or
 * what `publish` / `verify` failed with).
 *
 * @example
 * ```ts
 * import { Rotation } from "@effect-acs/core"
 * import * as Effect from "effect/Effect"
 *
 * const rotation: Effect.Effect<void, Rotation.RotationFailed> = Effect.void
 * const handled = rotation.pipe(
 *   Effect.catchTag("RotationFailed", (error) =>
 *     error.step === "Publish"
 *       ? Effect.logError(`publish the ${error.keyType} key of ${error.resourceId} by hand`)
 *       : Effect.logError(error.message))
 * )
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class RotationFailed extends Schema.TaggedError<RotationFailed>("@effect-acs/core/RotationFailed")(
  "RotationFailed",
  {
    resourceId: Schema.String,
    step: FailedStep,
    keyType: Schema.optional(Schema.Literal("Primary", "Secondary")),
    livePublished: Schema.Boolean,
    reason: Schema.String,
    cause: Schema.optional(Schema.Unknown)
  }
) {
  /**
   * @since 0.1.0
   */
  override get message(): string {
    const key = this.keyType === undefined ? "" : ` (${this.keyType} key)`
    const causeMessage = typeof this.cause === "object" && this.cause !== null && "message" in this.cause
      ? String(this.cause.message)
      : ""
    // the cause may be the caller's own publish error, which might repeat what it was given: scrubbed
    const cause = causeMessage === "" ? "" : `: ${Redaction.untrusted(causeMessage)}`
    return `Rotation of ${this.resourceId} stopped at ${this.step}${key}: ${this.reason}${cause}`
  }
}

/**
 * A `publish` attempt took longer than `publishTimeout` and was cut short (the cause of a
 * `RotationFailed` at step `Publish` once the retries are spent).
 *
 * @example
 * ```ts
 * import { Rotation } from "@effect-acs/core"
 *
 * new Rotation.PublishTimedOut({ timeout: "1m" }).message // "publish did not finish within 1m"
 * ```
 *
 * @since 0.2.0
 * @category errors
 */
export class PublishTimedOut extends Schema.TaggedError<PublishTimedOut>("@effect-acs/core/PublishTimedOut")(
  "PublishTimedOut",
  { timeout: Schema.String }
) {
  /**
   * @since 0.2.0
   */
  override get message(): string {
    return `publish did not finish within ${this.timeout}`
  }
}

/**
 * How to rotate: where new keys go, how to check clients switched, which key first.
 *
 * @example
 * ```ts
 * import type { Rotation } from "@effect-acs/core"
 * import * as Effect from "effect/Effect"
 * import * as Schedule from "effect/Schedule"
 *
 * const options: Rotation.RotateOptions<never, never> = {
 *   publish: (key) => Effect.log(`publish ${key.keyType}`),
 *   first: "Secondary",
 *   publishRetry: Schedule.spaced("1 second").pipe(Schedule.intersect(Schedule.recurs(5)))
 * }
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface RotateOptions<E, R, E2 = never, R2 = never> {
  /**
   * Hands a new (or recovered live) key to whatever your clients read it from. It runs, with its retries,
   * inside the regenerate-and-publish step, which an interruption of the rotation does not cut short; each
   * attempt is bounded by `publishTimeout` instead (and must be interruptible for that: `Effect.promise`
   * and `Effect.tryPromise` are).
   */
  readonly publish: (key: PublishedKey) => Effect.Effect<void, E, R>
  /** Runs after the first key is published: wait until clients use it, or check that they do. */
  readonly verify?: ((key: PublishedKey) => Effect.Effect<void, E2, R2>) | undefined
  /** The key regenerated first, the one clients do not use now; default `"Secondary"`. */
  readonly first?: KeyType.KeyType | undefined
  /**
   * How long one `publish` attempt may take before it is cut short and counts as failed (then retried per
   * `publishRetry`); default 60 seconds.
   */
  readonly publishTimeout?: Duration.DurationInput | undefined
  /** How a failing `publish` is retried; default: 3 retries, exponential from 500 ms. */
  readonly publishRetry?: Schedule.Schedule<unknown, unknown> | undefined
  /**
   * After a regeneration whose outcome is unknown, it is tried again at once, then after this delay,
   * doubling up to 30 s (and up to 16 times this delay), until one is answered; default 2 s.
   */
  readonly recoveryDelay?: Duration.DurationInput | undefined
  /**
   * How long regenerations are tried again after an unknown outcome before the rotation gives up on an
   * answer, reads the live key with `listKeys`, publishes it and stops (a regeneration the service still
   * completes after that would replace the key published); default 10 minutes.
   */
  readonly recoveryTimeout?: Duration.DurationInput | undefined
}

/**
 * Rotates both keys of one resource without an outage (see the module description for the guarantees).
 *
 * @example
 * ```ts
 * import { Rotation } from "@effect-acs/core"
 * import * as Effect from "effect/Effect"
 * import * as Redacted from "effect/Redacted"
 * import { writeFile } from "node:fs/promises"
 *
 * const rotation = Rotation.rotate(
 *   { resourceId: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Communication/communicationServices/acs" },
 *   {
 *     publish: (key) =>
 *       Effect.promise(() => writeFile("acs-connection-string", Redacted.value(key.connectionString), { mode: 0o600 })),
 *     verify: () => Effect.sleep("5 minutes") // give clients time to reload
 *   }
 * )
 * ```
 *
 * @since 0.1.0
 * @category combinators
 */
export const rotate: <E, R, E2 = never, R2 = never>(
  resource: ResourceInput,
  options: RotateOptions<E, R, E2, R2>
) => Effect.Effect<RotationReport, RotationFailed, CommunicationServices | R | R2> = internal.rotate

/**
 * A fleet rotation's progress, as it happens.
 *
 * @example
 * ```ts
 * import type { Rotation } from "@effect-acs/core"
 * import * as Effect from "effect/Effect"
 *
 * const onEvent = (event: Rotation.FleetEvent) =>
 *   event._tag === "Failed" ? Effect.logError(event.error.message) : Effect.void
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type FleetEvent =
  | { readonly _tag: "Rotated"; readonly resourceId: string; readonly report: RotationReport }
  | { readonly _tag: "Failed"; readonly resourceId: string; readonly error: RotationFailed }
  | { readonly _tag: "Throttled"; readonly subscriptionId: string; readonly waitMillis: number }
  | { readonly _tag: "Skipped"; readonly resourceId: string; readonly reason: "Duplicate" }

/**
 * How a fleet rotation ended: counts, the failures with their typed errors, and how long it took. It
 * keeps no per-resource report (those go to `onEvent`), so its size does not grow with the fleet.
 *
 * @example
 * ```ts
 * import type { Rotation } from "@effect-acs/core"
 *
 * const line = (summary: Rotation.FleetSummary) =>
 *   `${summary.rotated}/${summary.total} rotated, ${summary.failed.length} failed in ${summary.durationMillis} ms`
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface FleetSummary {
  /** Every entry of the stream: rotated, failed or skipped. */
  readonly total: number
  readonly rotated: number
  /** Entries skipped because the same resource (in any letter case) came earlier in the stream. */
  readonly duplicates: number
  readonly failed: ReadonlyArray<{ readonly resourceId: string; readonly error: RotationFailed }>
  /** How many times a call was throttled (429) after the client's own retries. */
  readonly throttled: number
  readonly durationMillis: number
}

/**
 * The write budget per subscription: Azure Resource Manager's is a bucket of 200 writes refilled at 10
 * per second.
 *
 * @example
 * ```ts
 * import { Rotation } from "@effect-acs/core"
 *
 * Rotation.armWriteBudget // { capacity: 200, perSecond: 10 }
 * ```
 *
 * @since 0.1.0
 * @category constants
 */
export const armWriteBudget: { readonly capacity: number; readonly perSecond: number } = {
  capacity: 200,
  perSecond: 10
}

/**
 * How to rotate a fleet: the rotation options, plus concurrency, the write budget and progress events.
 *
 * @example
 * ```ts
 * import { Rotation } from "@effect-acs/core"
 * import * as Effect from "effect/Effect"
 *
 * const options: Rotation.FleetOptions<never, never> = {
 *   publish: (key) => Effect.log(`publish ${key.keyType} of ${key.resourceId}`),
 *   concurrency: 32,
 *   budget: Rotation.armWriteBudget
 * }
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface FleetOptions<E, R, E2 = never, R2 = never> extends RotateOptions<E, R, E2, R2> {
  /** How many resources rotate at once; default 16. */
  readonly concurrency?: number | undefined
  /** The write budget per subscription (default `armWriteBudget`), or `false` for none. */
  readonly budget?: { readonly capacity: number; readonly perSecond: number } | false | undefined
  /** How often one call may be throttled before its rotation fails; default 10. */
  readonly maxThrottles?: number | undefined
  /** Called with every event, in the order they happen. */
  readonly onEvent?: ((event: FleetEvent) => Effect.Effect<void>) | undefined
}

/**
 * Rotates every resource of a stream (thousands are fine: memory does not grow with the fleet).
 *
 * @example
 * ```ts
 * import { Rotation } from "@effect-acs/core"
 * import * as Effect from "effect/Effect"
 * import * as Stream from "effect/Stream"
 *
 * const ids = ["/subscriptions/s/resourceGroups/rg/providers/Microsoft.Communication/communicationServices/a"]
 * const fleet = Rotation.rotateFleet(Stream.fromIterable(ids.map((resourceId) => ({ resourceId }))), {
 *   publish: (key) => Effect.log(`publish ${key.keyType} of ${key.resourceId}`),
 *   concurrency: 32,
 *   onEvent: (event) => event._tag === "Failed" ? Effect.logError(event.error.message) : Effect.void
 * })
 * ```
 *
 * @since 0.1.0
 * @category combinators
 */
export const rotateFleet: <EIn, RIn, E, R, E2 = never, R2 = never>(
  resources: Stream.Stream<ResourceInput, EIn, RIn>,
  options: FleetOptions<E, R, E2, R2>
) => Effect.Effect<FleetSummary, EIn, CommunicationServices | RIn | R | R2> = internal.rotateFleet
