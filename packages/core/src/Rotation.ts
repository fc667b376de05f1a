/**
 * Key rotation without an outage, for one resource or a fleet, in 2 writes per resource.
 *
 * A communication service has two keys so that one can be replaced while clients use the other. In mode
 * `"both"` (the default) `rotate` regenerates the key not in use (`first`, Secondary by default), hands the
 * new connection string to your `publish` (a Key Vault secret, a config file, a deployment variable), lets
 * you `verify` the new key (`DataPlane.verify` proves it authenticates) and `drain` (wait while clients move
 * to it), then regenerates the other key and publishes it. In mode `"alternate"` each run replaces only the
 * key clients do not use now and publishes it; the report's `next` names the key the next run replaces.
 * `plan` says what a rotation would do, in which order and in how many writes, without sending anything.
 *
 * The keys are not read first: `listKeys` is a write too, and is only called to recover and watch after an
 * unknown outcome (or first, when `readKeys` asks for it).
 *
 * The guarantee: a rotation never ends with a live key that `publish` was not given. When the outcome
 * of a regeneration is unknown (a transport failure, a 5xx after retries, a 200 without the key), the same
 * key is regenerated again until a regeneration is answered (the service answers 409 while one is still
 * in progress, so no earlier one it has received can change the key afterwards), and that key is published;
 * only if that keeps failing are the live keys read with `listKeys` and the live key published. A request
 * given up on may still be on its way and reach the service later: after an unknown outcome the live key is
 * watched with `listKeys` for `settle` (1 minute) and each new key seen is published. When `publish` fails
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
 * skipped), and reports progress as it goes. One resource failing does not stop the fleet; `stop` ends it
 * at the next safe point with a summary of what was rotated, failed, stopped and not started.
 *
 * @since 0.1.0
 */
import type { KeyType } from "@effect-acs/schema"
import * as Operation from "@effect-acs/schema/Operation"
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
  readonly action: "listKeys" | "regenerateKey" | "recover" | "publish" | "verify" | "drain"
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
  readonly mode: Mode
  readonly startedAt: number
  readonly finishedAt: number
  /** The keys that were regenerated, in order. */
  readonly regenerated: ReadonlyArray<KeyType.KeyType>
  /** The keys that were published, in order. */
  readonly published: ReadonlyArray<KeyType.KeyType>
  /** The keys `verify` accepted. */
  readonly verified: ReadonlyArray<KeyType.KeyType>
  /**
   * The key to regenerate first next time (pass it as `first`): the one clients do not use once this rotation
   * is done. In mode `"both"` it is `first`; in mode `"alternate"` the key this run did not replace.
   */
  readonly next: KeyType.KeyType
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
 * How many keys a rotation replaces: `"both"`, one after the other in one run; or `"alternate"`, only the key
 * clients do not use now (the dual-credential pattern: scheduled runs alternate between the two keys).
 *
 * @example
 * ```ts
 * import type { Rotation } from "@effect-acs/core"
 *
 * const mode: Rotation.Mode = "alternate"
 * ```
 *
 * @since 0.3.0
 * @category models
 */
export type Mode = "both" | "alternate"

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
  /**
   * Runs after the first key is published, before the other is touched: proves the new key works
   * (`DataPlane.verify`), or waits until clients use it. When it fails the rotation stops (the other key is
   * left alone) with `RotationFailed` at step `Verify`.
   */
  readonly verify?: ((key: PublishedKey) => Effect.Effect<void, E2, R2>) | undefined
  /** `"both"` (default) or `"alternate"` (see `Mode`). */
  readonly mode?: Mode | undefined
  /**
   * The key regenerated first, the one clients do not use now; default `"Secondary"`. In mode `"alternate"`,
   * the only key replaced (pass the previous report's `next`).
   */
  readonly first?: KeyType.KeyType | undefined
  /**
   * Mode `"both"` only: how long to wait after `verify`, before the other key is regenerated, so that clients
   * still holding the old connection string reload it. An interruption while draining stops the rotation
   * there (nothing is in flight).
   */
  readonly drain?: Duration.DurationInput | undefined
  /**
   * Reads the current keys with `listKeys` first (one more write), so that a rotation whose regeneration is
   * never answered can say whether the live key changed; default `false`.
   */
  readonly readKeys?: boolean | undefined
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
  /**
   * How long the live key is watched after a step in which a regeneration's outcome was unknown (in the
   * rotation's recovery or in the client's own retries). A regeneration the client gave up on may still
   * reach the service after the one that was answered, and replace its key. Once the key is published, the
   * keys are read with `listKeys` after `recoveryDelay`, doubling up to 30 s, and a last time when `settle`
   * has passed; each new key seen is published. Default 1 minute; `0` turns the watch off.
   */
  readonly settle?: Duration.DurationInput | undefined
  /**
   * An earlier run of this rotation may have sent a regeneration of `first` whose outcome is unknown (its
   * process died while it was on the wire): the first step's key is then watched as after an unknown outcome
   * (`settle`). `DurableFleet` sets it for a rotation it resumes. Default `false`.
   */
  readonly priorOutcomeUnknown?: boolean | undefined
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
 * One step of a planned rotation; `write` says whether it spends a write of the subscription's budget.
 *
 * @example
 * ```ts
 * import type { Rotation } from "@effect-acs/core"
 *
 * const line = (step: Rotation.PlannedStep) => `${step.action} ${step.keyType ?? ""}${step.write ? " (write)" : ""}`
 * ```
 *
 * @since 0.3.0
 * @category models
 */
export interface PlannedStep {
  readonly action: "listKeys" | "regenerateKey" | "publish" | "verify" | "drain"
  readonly keyType?: KeyType.KeyType | undefined
  readonly write: boolean
  /** For `drain`: how long. */
  readonly duration?: string | undefined
}

/**
 * What `rotate` would do with these options when every call is answered: the steps in order, the writes it
 * spends, and the key the next run would regenerate first.
 *
 * @example
 * ```ts
 * import type { Rotation } from "@effect-acs/core"
 *
 * const line = (plan: Rotation.RotationPlan) => `${plan.resourceId}: ${plan.writes} writes, then ${plan.next}`
 * ```
 *
 * @since 0.3.0
 * @category models
 */
export interface RotationPlan {
  readonly resourceId: string
  readonly mode: Mode
  readonly steps: ReadonlyArray<PlannedStep>
  readonly writes: number
  readonly next: KeyType.KeyType
}

/**
 * Says what `rotate` would do, checking the resource and the options as `rotate` does (the same
 * `RotationFailed` at step `ReadKeys` when they are not valid), and sends nothing.
 *
 * @example
 * ```ts
 * import { Rotation } from "@effect-acs/core"
 *
 * const dryRun = Rotation.plan(
 *   { resourceId: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Communication/communicationServices/acs" },
 *   { mode: "both", drain: "10 minutes" }
 * )
 * ```
 *
 * @since 0.3.0
 * @category combinators
 */
export const plan: (
  resource: ResourceInput,
  options: Omit<RotateOptions<unknown, unknown, unknown, unknown>, "publish">
) => Effect.Effect<RotationPlan, RotationFailed> = internal.plan

/**
 * What `rotateFleet` would do: the entries, the distinct resources, the invalid entries (with the error
 * `rotate` would fail with), the writes, and the shortest time the write budget allows for the busiest
 * subscription (`minimumMillis`: its writes beyond the bucket's capacity, at the refill rate).
 *
 * @example
 * ```ts
 * import type { Rotation } from "@effect-acs/core"
 *
 * const line = (plan: Rotation.FleetPlan) =>
 *   `${plan.resources} resources, ${plan.writes} writes, at least ${plan.minimumMillis / 1000} s`
 * ```
 *
 * @since 0.3.0
 * @category models
 */
export interface FleetPlan {
  readonly total: number
  readonly resources: number
  readonly duplicates: number
  readonly invalid: ReadonlyArray<RotationFailed>
  readonly subscriptions: number
  /** The steps of each resource's rotation (empty when no entry is valid). */
  readonly steps: ReadonlyArray<PlannedStep>
  readonly writesPerResource: number
  readonly writes: number
  readonly budget: { readonly capacity: number; readonly perSecond: number } | false
  readonly minimumMillis: number
}

/**
 * Reads the stream to its end and says what `rotateFleet` would do with it; sends nothing.
 *
 * @example
 * ```ts
 * import { Rotation } from "@effect-acs/core"
 * import * as Stream from "effect/Stream"
 *
 * const ids = ["/subscriptions/s/resourceGroups/rg/providers/Microsoft.Communication/communicationServices/a"]
 * const dryRun = Rotation.planFleet(Stream.fromIterable(ids.map((resourceId) => ({ resourceId }))), {
 *   budget: Rotation.armWriteBudget
 * })
 * ```
 *
 * @since 0.3.0
 * @category combinators
 */
export const planFleet: <EIn, RIn>(
  resources: Stream.Stream<ResourceInput, EIn, RIn>,
  options: Omit<FleetOptions<unknown, unknown, unknown, unknown>, "publish">
) => Effect.Effect<FleetPlan, EIn, RIn> = internal.planFleet

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
  /** Every entry of the stream read: rotated, failed, stopped, not started or skipped. */
  readonly total: number
  readonly rotated: number
  /** Entries not started because the fleet was stopped (`stop`). */
  readonly notStarted: number
  /** Rotations stopped at a safe point (`stop`): every key they made was published. */
  readonly stopped: number
  /**
   * Keys that are live but were not published (a publish that kept failing, a recovery that could not read
   * them): publish them by hand (`listKeys` returns them). Also in `failed`.
   */
  readonly unpublished: ReadonlyArray<{ readonly resourceId: string; readonly keyType: KeyType.KeyType }>
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
export const armWriteBudget: { readonly capacity: number; readonly perSecond: number } = Operation.writeBudget

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
  /**
   * When this completes (a signal: `Deferred.await`, a `SIGINT` handler), no rotation starts any more, the
   * running ones stop at their next safe point, the rest of the stream is counted as not started, and the
   * fleet returns its summary.
   */
  readonly stop?: Effect.Effect<void> | undefined
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
