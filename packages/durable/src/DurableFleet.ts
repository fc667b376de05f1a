/**
 * Fleet key rotation that survives a crash: each resource's rotation is a durable workflow of
 * `@effect/workflow`, run by `@effect/cluster`'s engine with its journal in SQL (SQLite in a file, or
 * PostgreSQL).
 *
 * A fleet run has an id (`runId`). Each resource's rotation is one workflow execution, keyed by the run id and
 * the resource id in any letter case, so a resource is rotated once per run however often the run is started
 * again; its two steps are activities, each one regeneration and one publish by core's `Rotation.rotate`
 * (mode `"alternate"`, `first` the step's key). When the process dies, starting the same run again with the
 * same journal resumes it: finished resources are left alone (0 writes), an unfinished rotation resumes after
 * its last finished step, and a step that was running when the process died runs again, recovering as core's
 * rotation recovers from an unknown outcome (the key is regenerated again until a regeneration is answered,
 * and that key is published; the live key is read with `listKeys` only when none is). The dead process's
 * regeneration may still reach the service later, so the first step of every rotation resumed is watched for
 * `settle` (`Rotation.rotate`'s `priorOutcomeUnknown`). Writes take a token of a write budget per subscription
 * (ARM's by default).
 *
 * The journal holds the run id, resource ids, subscription ids, step names, timings and failure messages:
 * never a key or a connection string (those go to `publish` only).
 *
 * @since 0.1.0
 */
import type { CommunicationServices, ResourceInput } from "@effect-acs/core/CommunicationServices"
import type * as Rotation from "@effect-acs/core/Rotation"
import type { MessageStorage } from "@effect/cluster/MessageStorage"
import type { Sharding } from "@effect/cluster/Sharding"
import type { ShardingConfig } from "@effect/cluster/ShardingConfig"
import type { WorkflowEngine } from "@effect/workflow/WorkflowEngine"
import * as Context from "effect/Context"
import type * as Duration from "effect/Duration"
import type * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import * as internal from "./internal/fleet.js"
import * as internalLayers from "./internal/layers.js"

/**
 * What the durable fleet runs on: the workflow engine, and the cluster's sharding and message storage (the
 * journal), as `layerSqlite` and `layerPg` provide them (or your own cluster does).
 *
 * @example
 * ```ts
 * import type { DurableFleet } from "@effect-acs/durable"
 * import type * as Layer from "effect/Layer"
 *
 * declare const mine: Layer.Layer<DurableFleet.Engine>
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type Engine = WorkflowEngine | Sharding | MessageStorage | ShardingConfig | RotationWorkflow

/**
 * The rotation workflow, registered with an engine for the engine's lifetime: `layerWorkflow` provides it (and
 * `layerSqlite` / `layerPg` include it). Its service is opaque.
 *
 * @example
 * ```ts
 * import { DurableFleet } from "@effect-acs/durable"
 *
 * DurableFleet.RotationWorkflow.key // "@effect-acs/durable/RotationWorkflow"
 * ```
 *
 * @since 0.1.0
 * @category tags
 */
export class RotationWorkflow extends Context.Tag("@effect-acs/durable/RotationWorkflow")<
  RotationWorkflow,
  { readonly _tag: "RotationWorkflow" }
>() {}

/**
 * Registers the rotation workflow with a workflow engine of your own (your cluster): provide it with the engine,
 * and `rotate` runs on it.
 *
 * @example
 * ```ts
 * import { DurableFleet } from "@effect-acs/durable"
 * import * as WorkflowEngine from "@effect/workflow/WorkflowEngine"
 * import * as Layer from "effect/Layer"
 *
 * // your cluster's engine (ClusterWorkflowEngine.layer) in production; an in-memory one here
 * const Rotations = DurableFleet.layerWorkflow.pipe(Layer.provideMerge(WorkflowEngine.layerMemory))
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layerWorkflow: Layer.Layer<RotationWorkflow, never, WorkflowEngine> = Layer.suspend(() =>
  internal.layerWorkflow
)

/**
 * What `status` reads: the cluster's message storage (the journal) and its configuration, without a runner;
 * `journalSqlite` and `journalPg` provide it (and so do `layerSqlite` and `layerPg`, with a runner).
 *
 * @example
 * ```ts
 * import type { DurableFleet } from "@effect-acs/durable"
 * import type * as Layer from "effect/Layer"
 *
 * declare const mine: Layer.Layer<DurableFleet.Journal>
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type Journal = MessageStorage | ShardingConfig

/**
 * The fleet could not be started: its run id, options or one of its entries is not valid. Nothing was sent and
 * nothing journaled.
 *
 * @example
 * ```ts
 * import { DurableFleet } from "@effect-acs/durable"
 *
 * new DurableFleet.InvalidFleet({ reason: "runId must be a non-empty string" }).message
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class InvalidFleet extends Schema.TaggedError<InvalidFleet>("@effect-acs/durable/InvalidFleet")(
  "InvalidFleet",
  { reason: Schema.String }
) {
  /**
   * @since 0.1.0
   */
  override get message(): string {
    return `The fleet cannot be rotated: ${this.reason}`
  }
}

/**
 * A resource's rotation finished: the keys regenerated (and published) in order, and whether a step had to
 * recover from an unknown outcome. What the journal keeps of it; nothing secret.
 *
 * @example
 * ```ts
 * import type { DurableFleet } from "@effect-acs/durable"
 *
 * const line = (rotated: DurableFleet.ResourceRotated) => `${rotated.resourceId}: ${rotated.regenerated.join(", ")}`
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export class ResourceRotated extends Schema.Class<ResourceRotated>("@effect-acs/durable/ResourceRotated")({
  resourceId: Schema.String,
  regenerated: Schema.Array(Schema.Literal("Primary", "Secondary")),
  recovered: Schema.Boolean,
  finishedAt: Schema.Number
}) {}

/**
 * A resource's rotation stopped, as the journal keeps it: the step and key of core's `RotationFailed`, whether
 * the live key was published (when `false`, publish it by hand: `listKeys` returns it) and its message, already
 * scrubbed of secrets. A failed rotation is not retried by a re-run of the same `runId`: start a new run.
 *
 * @example
 * ```ts
 * import type { DurableFleet } from "@effect-acs/durable"
 *
 * const line = (error: DurableFleet.ResourceRotationFailed) => `${error.resourceId} at ${error.step}: ${error.message}`
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class ResourceRotationFailed
  extends Schema.TaggedError<ResourceRotationFailed>("@effect-acs/durable/ResourceRotationFailed")(
    "ResourceRotationFailed",
    {
      resourceId: Schema.String,
      step: Schema.Literal("ReadKeys", "Regenerate", "Recover", "Publish", "Verify"),
      keyType: Schema.optional(Schema.Literal("Primary", "Secondary")),
      livePublished: Schema.Boolean,
      message: Schema.String
    }
  )
{}

/**
 * A fleet run's progress, as it happens in this process.
 *
 * @example
 * ```ts
 * import type { DurableFleet } from "@effect-acs/durable"
 * import * as Effect from "effect/Effect"
 *
 * const onEvent = (event: DurableFleet.FleetEvent) =>
 *   event._tag === "Failed" ? Effect.logError(event.error.message) : Effect.log(event.rotated.resourceId)
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type FleetEvent =
  | { readonly _tag: "Rotated"; readonly rotated: ResourceRotated }
  | { readonly _tag: "Failed"; readonly error: ResourceRotationFailed }

/**
 * How to rotate a fleet durably: the run id, where keys go, and the rotation and fleet options of core that
 * apply to a durable run.
 *
 * @example
 * ```ts
 * import type { DurableFleet } from "@effect-acs/durable"
 * import * as Effect from "effect/Effect"
 *
 * const options: DurableFleet.Options<never, never> = {
 *   runId: "2026-12-01",
 *   publish: (key) => Effect.log(`publish the ${key.keyType} key of ${key.resourceId}`),
 *   concurrency: 32
 * }
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface Options<E, R, E2 = never, R2 = never> {
  /**
   * The fleet run: the same id with the same journal resumes the run; a new id rotates every resource again.
   * Journaled: it must not be a secret.
   */
  readonly runId: string
  /** As `Rotation.RotateOptions.publish`. It may run again for the same key after a crash: make it idempotent. */
  readonly publish: (key: Rotation.PublishedKey) => Effect.Effect<void, E, R>
  /** As `Rotation.RotateOptions.verify`: run after the first key is published, in the same step. */
  readonly verify?: ((key: Rotation.PublishedKey) => Effect.Effect<void, E2, R2>) | undefined
  /** The key regenerated first, the one clients do not use now; default `"Secondary"`. */
  readonly first?: "Primary" | "Secondary" | undefined
  /**
   * As `Rotation.RotateOptions.drain`: how long to wait after the first key is published (and verified) before
   * the other is regenerated, so that clients reload. Journaled with each resource's rotation when it starts (a
   * resumed rotation keeps its drain). A drain longer than 5 seconds is a durable timer (`DurableClock`,
   * journaled, due within a second of its time): a crash during it does not restart it; a shorter one runs again
   * in full after a crash.
   */
  readonly drain?: Duration.DurationInput | undefined
  /** As `Rotation.RotateOptions`. */
  readonly publishTimeout?: Rotation.RotateOptions<E, R>["publishTimeout"]
  /** As `Rotation.RotateOptions`. */
  readonly publishRetry?: Rotation.RotateOptions<E, R>["publishRetry"]
  /** As `Rotation.RotateOptions`. */
  readonly recoveryDelay?: Rotation.RotateOptions<E, R>["recoveryDelay"]
  /** As `Rotation.RotateOptions`. */
  readonly recoveryTimeout?: Rotation.RotateOptions<E, R>["recoveryTimeout"]
  /** As `Rotation.RotateOptions`. */
  readonly settle?: Rotation.RotateOptions<E, R>["settle"]
  /** How many resources rotate at once in this process; default 16. */
  readonly concurrency?: number | undefined
  /**
   * The write budget per subscription (default `Rotation.armWriteBudget`), or `false`: in this process with
   * `layerSqlite`, in the database with `layerPg` (shared by every runner of the journal).
   */
  readonly budget?: { readonly capacity: number; readonly perSecond: number } | false | undefined
  /** How often one call may be throttled before its step fails; default 10. */
  readonly maxThrottles?: number | undefined
  /** Called with every rotation this process finishes or fails. */
  readonly onEvent?: ((event: FleetEvent) => Effect.Effect<void>) | undefined
}

/**
 * How a fleet run ended for this call: `rotated`, the rotations that finished while it ran (in this process, or in
 * another runner sharing the journal), `alreadyDone`, those finished before it started (not touched), and the
 * failures (journaled ones included). No secret, and no per-resource report.
 *
 * @example
 * ```ts
 * import type { DurableFleet } from "@effect-acs/durable"
 *
 * const line = (summary: DurableFleet.FleetSummary) =>
 *   `${summary.rotated} rotated, ${summary.alreadyDone} already done, ${summary.failed.length} failed`
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface FleetSummary {
  readonly runId: string
  /** Entries given, duplicates included. */
  readonly total: number
  /** Distinct resources (in any letter case). */
  readonly resources: number
  readonly duplicates: number
  readonly rotated: number
  readonly alreadyDone: number
  readonly failed: ReadonlyArray<ResourceRotationFailed>
  readonly durationMillis: number
}

/**
 * Rotates every resource of the fleet once in the run `options.runId`, resuming what the journal says is
 * unfinished. Fails with `InvalidFleet` (before anything is sent) when the run id, the options or an entry is
 * not valid; a repeated entry is counted once. It runs on the workflow `layerWorkflow` registered with the
 * engine; `rotate` calls on the same engine take turns. Runners sharing a PostgreSQL journal share the work and
 * one write budget per subscription, kept in the database (give them all the same `budget`).
 *
 * @example
 * ```ts
 * import { DurableFleet } from "@effect-acs/durable"
 * import * as Effect from "effect/Effect"
 *
 * const ids = ["/subscriptions/s/resourceGroups/rg/providers/Microsoft.Communication/communicationServices/a"]
 * const run = DurableFleet.rotate(ids.map((resourceId) => ({ resourceId })), {
 *   runId: "2026-12-01",
 *   publish: (key) => Effect.log(`publish the ${key.keyType} key of ${key.resourceId}`)
 * }).pipe(Effect.provide(DurableFleet.layerSqlite({ filename: "rotation.db" })))
 * ```
 *
 * @since 0.1.0
 * @category combinators
 */
export const rotate: <E, R, E2 = never, R2 = never>(
  resources: Iterable<ResourceInput>,
  options: Options<E, R, E2, R2>
) => Effect.Effect<FleetSummary, InvalidFleet, Engine | CommunicationServices | R | R2> = internal.rotate

/**
 * Where one resource's rotation stands in a run.
 *
 * @example
 * ```ts
 * import type { DurableFleet } from "@effect-acs/durable"
 *
 * const state: DurableFleet.ResourceState["state"] = "notStarted"
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface ResourceState {
  readonly resourceId: string
  readonly subscriptionId: string
  readonly state: "done" | "running" | "failed" | "notStarted"
}

/**
 * A run's counts for one subscription (lower-cased).
 *
 * @example
 * ```ts
 * import type { DurableFleet } from "@effect-acs/durable"
 *
 * const line = (s: DurableFleet.SubscriptionStatus) => `${s.subscriptionId}: ${s.done} done, ${s.notStarted} to go`
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface SubscriptionStatus {
  readonly subscriptionId: string
  readonly done: number
  readonly running: number
  readonly failed: number
  readonly notStarted: number
}

/**
 * Where a run stands, read from the journal: done, running (started, not finished: it resumes when the run
 * is started again), failed and not started, in all and per subscription. No secret.
 *
 * @example
 * ```ts
 * import type { DurableFleet } from "@effect-acs/durable"
 *
 * const line = (status: DurableFleet.FleetStatus) => `${status.runId}: ${status.done} done, ${status.running} running`
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface FleetStatus {
  readonly runId: string
  readonly done: number
  readonly running: number
  readonly failed: number
  readonly notStarted: number
  readonly subscriptions: ReadonlyArray<SubscriptionStatus>
  /** Each resource's state, when `perResource` is set. */
  readonly resources: ReadonlyArray<ResourceState> | undefined
}

/**
 * Which run `status` reads, and whether to list each resource.
 *
 * @example
 * ```ts
 * import type { DurableFleet } from "@effect-acs/durable"
 *
 * const options: DurableFleet.StatusOptions = { runId: "2026-12-01", perResource: true }
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface StatusOptions {
  readonly runId: string
  readonly perResource?: boolean | undefined
}

/**
 * Reads where a run stands for these resources, from the journal only: it sends nothing to the service, changes
 * nothing and runs no runner (with `journalSqlite` / `journalPg`, it can be read while a run is going on).
 *
 * @example
 * ```ts
 * import { DurableFleet } from "@effect-acs/durable"
 * import * as Effect from "effect/Effect"
 *
 * const ids = ["/subscriptions/s/resourceGroups/rg/providers/Microsoft.Communication/communicationServices/a"]
 * const report = DurableFleet.status(ids.map((resourceId) => ({ resourceId })), { runId: "2026-12-01" }).pipe(
 *   Effect.provide(DurableFleet.journalSqlite({ filename: "rotation.db" }))
 * )
 * ```
 *
 * @since 0.1.0
 * @category combinators
 */
export const status: (
  resources: Iterable<ResourceInput>,
  options: StatusOptions
) => Effect.Effect<FleetStatus, InvalidFleet | JournalError, Journal> = internal.status

/**
 * The engine on a single runner with its journal in a SQLite file (created if missing): one runner at a time
 * per file, held by a lock file beside it (`<filename>.lock`) for the layer's lifetime. A second runner on the file
 * fails with `JournalError`; a lock left by a process that died is taken over.
 *
 * @example
 * ```ts
 * import { DurableFleet } from "@effect-acs/durable"
 *
 * const Journal = DurableFleet.layerSqlite({ filename: "rotation.db" })
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layerSqlite: (options: { readonly filename: string }) => Layer.Layer<Engine, JournalError> =
  internalLayers.layerSqlite

/**
 * The engine with its journal in PostgreSQL. Several processes may share one database.
 *
 * @example
 * ```ts
 * import { DurableFleet } from "@effect-acs/durable"
 * import * as Redacted from "effect/Redacted"
 *
 * const Journal = DurableFleet.layerPg({ url: Redacted.make("postgres://rotation@db.internal:5432/rotation") })
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layerPg: (options: { readonly url: Redacted.Redacted<string> }) => Layer.Layer<Engine, JournalError> =
  internalLayers.layerPg

/**
 * The journal alone, in a SQLite file, for `status`: no runner, so it is safe to read while a run goes on.
 *
 * @example
 * ```ts
 * import { DurableFleet } from "@effect-acs/durable"
 *
 * const Journal = DurableFleet.journalSqlite({ filename: "rotation.db" })
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const journalSqlite: (options: { readonly filename: string }) => Layer.Layer<Journal, JournalError> =
  internalLayers.journalSqlite

/**
 * The journal alone, in PostgreSQL, for `status`.
 *
 * @example
 * ```ts
 * import { DurableFleet } from "@effect-acs/durable"
 * import * as Redacted from "effect/Redacted"
 *
 * const Journal = DurableFleet.journalPg({ url: Redacted.make("postgres://rotation@db.internal:5432/rotation") })
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const journalPg: (options: { readonly url: Redacted.Redacted<string> }) => Layer.Layer<Journal, JournalError> =
  internalLayers.journalPg

/**
 * The journal could not be opened (a file that cannot be created, a database that cannot be reached).
 *
 * @example
 * ```ts
 * import { DurableFleet } from "@effect-acs/durable"
 *
 * new DurableFleet.JournalError({ reason: "the file cannot be opened" }).message
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class JournalError extends Schema.TaggedError<JournalError>("@effect-acs/durable/JournalError")(
  "JournalError",
  { reason: Schema.String }
) {
  /**
   * @since 0.1.0
   */
  override get message(): string {
    return `The rotation journal cannot be opened: ${this.reason}`
  }
}
