import { CommunicationServices, Redaction, Rotation, WriteBudget } from "@effect-acs/core"
import type { KeysResponse, ResourceInput } from "@effect-acs/core/CommunicationServices"
import type { CommunicationServicesError } from "@effect-acs/core/Errors"
import type { KeyType } from "@effect-acs/schema"
import * as ClusterSchema from "@effect/cluster/ClusterSchema"
import * as EntityAddress from "@effect/cluster/EntityAddress"
import * as EntityId from "@effect/cluster/EntityId"
import * as EntityType from "@effect/cluster/EntityType"
import { MessageStorage } from "@effect/cluster/MessageStorage"
import * as ShardId from "@effect/cluster/ShardId"
import { ShardingConfig } from "@effect/cluster/ShardingConfig"
import * as Activity from "@effect/workflow/Activity"
import * as DurableClock from "@effect/workflow/DurableClock"
import * as Workflow from "@effect/workflow/Workflow"
import type { WorkflowEngine } from "@effect/workflow/WorkflowEngine"
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import type {
  Engine,
  FleetStatus,
  FleetSummary,
  Journal,
  Options,
  ResourceState,
  StatusOptions,
  SubscriptionStatus
} from "../DurableFleet.js"
import {
  InvalidFleet,
  JournalError,
  ResourceRotated,
  ResourceRotationFailed,
  RotationWorkflow
} from "../DurableFleet.js"
import * as Budget from "./budget.js"

const workflowName = "@effect-acs/durable/RotateResource"

/** What the journal holds for one resource: the run, the resource id and its subscription. Nothing secret. */
const Payload = Schema.Struct({
  runId: Schema.String,
  resourceId: Schema.String,
  subscriptionId: Schema.String,
  /** The key regenerated first: journaled, so that a resumed rotation keeps the order it began with. */
  first: Schema.Literal("Primary", "Secondary"),
  /** The wait between the two steps, in milliseconds (journaled, as `first`); absent for none. */
  drainMillis: Schema.optional(Schema.Number)
})

/**
 * One workflow for every fleet; its execution id is a digest of the run id and the lower-cased resource id.
 * Made on first use: its schemas live in the public module, which imports this one.
 */
let workflow: ReturnType<typeof makeWorkflow> | undefined
const makeWorkflow = () =>
  Workflow.make({
    name: workflowName,
    payload: Payload,
    success: ResourceRotated,
    error: ResourceRotationFailed,
    idempotencyKey: ({ resourceId, runId }) => `${runId}\n${resourceId.toLowerCase()}`
  })
const RotateResource = () => workflow ??= makeWorkflow()

const other = (keyType: KeyType.KeyType): KeyType.KeyType => keyType === "Primary" ? "Secondary" : "Primary"

/** What is journaled of a failure: the step, the key and the message (which core has already scrubbed). */
const journaled = (error: Rotation.RotationFailed) =>
  new ResourceRotationFailed({
    resourceId: error.resourceId,
    step: error.step,
    keyType: error.keyType,
    livePublished: error.livePublished,
    message: Redaction.untrusted(error.message)
  })

const maxThrottleWaitMillis = 60_000

/** The client, with every write first taking a token from its subscription's bucket. */
const budgeted = (
  client: CommunicationServices.CommunicationServicesService,
  bucket: Budget.Bucket | undefined,
  maxThrottles: number
): CommunicationServices.CommunicationServicesService => {
  const write = (call: Effect.Effect<KeysResponse, CommunicationServicesError>, throttles = 0): Effect.Effect<
    KeysResponse,
    CommunicationServicesError
  > =>
    (bucket === undefined ? call : Effect.acquireUseRelease(
      bucket.take,
      () => call,
      (_, exit) =>
        bucket.settle(
          Exit.isSuccess(exit)
            ? exit.value.remainingWrites
            : Exit.isFailure(exit) && exit.cause._tag === "Fail" && exit.cause.error._tag === "Throttled"
            ? 0
            : undefined
        )
    )).pipe(
      Effect.catchIf(
        (error) => error._tag === "Throttled" && throttles < maxThrottles,
        (error) => {
          const waitMillis = Math.min(
            error._tag === "Throttled" ? error.retryAfterMillis ?? 1000 : 1000,
            maxThrottleWaitMillis
          )
          return Effect.zipRight(
            bucket?.pause(waitMillis) ?? Effect.sleep(waitMillis),
            write(call, throttles + 1)
          )
        }
      )
    )
  return {
    ...client,
    regenerateKeyResponse: (input) => write(client.regenerateKeyResponse(input)),
    listKeysResponse: (input) => write(client.listKeysResponse(input)),
    regenerateKey: (input) => Effect.map(write(client.regenerateKeyResponse(input)), (response) => response.keys),
    listKeys: (input) => Effect.map(write(client.listKeysResponse(input)), (response) => response.keys)
  }
}

/** The resources checked before anything is sent: each valid, each once (in any letter case). */
const checkFleet = (
  resources: Iterable<ResourceInput>,
  options: Omit<Rotation.RotateOptions<unknown, unknown>, "publish" | "verify" | "mode"> & { readonly runId: string }
) =>
  Effect.gen(function*() {
    if (typeof options.runId !== "string" || options.runId.trim() === "" || options.runId.length > 200) {
      return yield* new InvalidFleet({ reason: "runId must be a non-empty string of at most 200 characters" })
    }
    // the run id is journaled: a secret pasted there must not be
    if (Redaction.matches(options.runId).length > 0) {
      return yield* new InvalidFleet({ reason: "runId looks like a secret; it is journaled, so it must not be one" })
    }
    const first = options.first ?? "Secondary"
    const drain = options.drain === undefined
      ? Option.some(undefined)
      : Duration.decodeUnknown(options.drain).pipe(Option.filter(Duration.isFinite))
    if (Option.isNone(drain)) return yield* new InvalidFleet({ reason: "drain must be a finite duration" })
    const drainMillis = drain.value === undefined ? undefined : Duration.toMillis(drain.value)
    const seen = new Set<string>()
    const checked: Array<typeof Payload.Type & { readonly input: ResourceInput }> = []
    let duplicates = 0
    for (const input of resources) {
      const planned = yield* Rotation.plan(input, {
        mode: "alternate",
        first: options.first,
        publishTimeout: options.publishTimeout,
        recoveryDelay: options.recoveryDelay,
        recoveryTimeout: options.recoveryTimeout,
        settle: options.settle
      }).pipe(
        Effect.mapError((error) =>
          new InvalidFleet({
            reason: `entry ${checked.length + duplicates + 1}: ${Redaction.untrusted(error.message)}`
          })
        )
      )
      const key = planned.resourceId.toLowerCase()
      if (seen.has(key)) {
        duplicates++
        continue
      }
      seen.add(key)
      const subscriptionId = planned.resourceId.split("/")[2]!.toLowerCase()
      checked.push({
        runId: options.runId,
        resourceId: planned.resourceId,
        subscriptionId,
        first,
        ...(drainMillis === undefined || drainMillis === 0 ? {} : { drainMillis }),
        input
      })
    }
    return { checked, duplicates }
  })

/** What a workflow's steps need from the `rotate` call that runs them: its publish, verify, budget and client. */
interface Running {
  readonly step: (
    payload: typeof Payload.Type,
    keyType: KeyType.KeyType,
    verify: boolean
  ) => Effect.Effect<{ readonly recovered: boolean }, Rotation.RotationFailed>
}

/**
 * The workflow is registered once per engine, by `layerWorkflow` (the cluster takes no second registration of an
 * entity once the first has ended); its steps run with the `rotate` call running now, and wait while none is (a
 * rotation the runner resumed between two calls). Calls on one engine take turns.
 */
export interface Registration {
  readonly _tag: "RotationWorkflow"
  readonly lock: Effect.Semaphore
  readonly ready: Effect.Latch
  current: Running | undefined
}

/** Drains longer than this are durable timers, journaled, which a crash does not restart. */
const durableDrainAbove = Duration.seconds(5)

/** The workflow's body: one activity per key, each a regenerate-and-publish by core's rotation. */
const body = (payload: typeof Payload.Type, registration: Registration) =>
  Effect.gen(function*() {
    const keys = [payload.first, other(payload.first)] as const
    let recovered = false
    for (const [index, keyType] of keys.entries()) {
      const step = yield* Activity.make({
        name: `regenerate-${keyType}`,
        success: Schema.Struct({ recovered: Schema.Boolean }),
        error: ResourceRotationFailed,
        execute: Effect.zipRight(
          registration.ready.await,
          Effect.suspend(() => Effect.mapError(registration.current!.step(payload, keyType, index === 0), journaled))
        )
      })
      recovered = recovered || step.recovered
      // clients reload the first key before the one they use is replaced: a durable timer past
      // `durableDrainAbove` (a crash does not restart it), an activity's sleep below (a crash runs it again)
      if (index === 0 && payload.drainMillis !== undefined && payload.drainMillis > 0) {
        yield* DurableClock.sleep({
          name: "drain",
          duration: Duration.millis(payload.drainMillis),
          inMemoryThreshold: durableDrainAbove
        })
      }
    }
    return new ResourceRotated({
      resourceId: payload.resourceId,
      regenerated: [...keys],
      recovered,
      finishedAt: yield* Clock.currentTimeMillis
    })
  })

/** The workflow registered with the engine, for the engine's lifetime (the layer's). */
export const layerWorkflow: Layer.Layer<RotationWorkflow, never, WorkflowEngine> = Layer.unwrapEffect(
  Effect.sync(() => {
    const registration: Registration = {
      _tag: "RotationWorkflow",
      lock: Effect.unsafeMakeSemaphore(1),
      ready: Effect.unsafeMakeLatch(false),
      current: undefined
    }
    return Layer.merge(
      Layer.succeed(RotationWorkflow, registration),
      RotateResource().toLayer((payload) => body(payload, registration))
    )
  })
)

export const rotate = <E, R, E2 = never, R2 = never>(
  resources: Iterable<ResourceInput>,
  options: Options<E, R, E2, R2>
): Effect.Effect<FleetSummary, InvalidFleet, Engine | CommunicationServices.CommunicationServices | R | R2> =>
  Effect.gen(function*() {
    const startedAt = yield* Clock.currentTimeMillis
    const concurrency = options.concurrency ?? 16
    if (!Number.isInteger(concurrency) || concurrency < 1) {
      return yield* new InvalidFleet({ reason: "concurrency must be a positive integer" })
    }
    const budget = options.budget === false ? undefined : options.budget ?? Rotation.armWriteBudget
    if (budget !== undefined && !(budget.capacity >= 1 && budget.perSecond > 0)) {
      return yield* new InvalidFleet({ reason: "budget must have a capacity of at least 1 and a positive rate" })
    }
    const { checked, duplicates } = yield* checkFleet(resources, options)
    // in the journal's database when it has one all runners share (PostgreSQL), else in this process
    const shared = yield* Effect.serviceOption(Budget.Shared)
    const buckets: Budget.Buckets | undefined = budget === undefined
      ? undefined
      : Option.isSome(shared)
      ? shared.value.keyed(budget.capacity, budget.perSecond)
      : WriteBudget.keyed(budget.capacity, budget.perSecond)
    const client = yield* CommunicationServices.CommunicationServices
    const context = yield* Effect.context<R | R2>()
    const maxThrottles = options.maxThrottles ?? 10

    // the resources whose rotation a runner had started and not finished: a regeneration of the step it was
    // running may still be on its way, so the first step run now is watched as after an unknown outcome
    const resumed = new Set<string>()
    const step = (payload: typeof Payload.Type, keyType: KeyType.KeyType, verify: boolean) =>
      Rotation.rotate({ resourceId: payload.resourceId }, {
        mode: "alternate",
        first: keyType,
        publish: options.publish,
        verify: verify ? options.verify : undefined,
        publishTimeout: options.publishTimeout,
        publishRetry: options.publishRetry,
        recoveryDelay: options.recoveryDelay,
        recoveryTimeout: options.recoveryTimeout,
        settle: options.settle,
        priorOutcomeUnknown: resumed.delete(payload.resourceId)
      }).pipe(
        Effect.map((report) => ({ recovered: report.recovered })),
        Effect.provideService(
          CommunicationServices.CommunicationServices,
          budgeted(client, buckets?.(payload.subscriptionId), maxThrottles)
        ),
        Effect.provide(context)
      )

    // read before the engine may resume them (once `ready` opens); a journal that cannot say counts as started:
    // watching costs a few reads, missing a late regeneration a key
    yield* Effect.forEach(checked, ({ input: _, ...payload }) =>
      RotateResource().executionId(payload).pipe(
        Effect.flatMap(stateOf),
        Effect.orElseSucceed(() => "running" as const),
        Effect.map((state) => {
          if (state === "running") resumed.add(payload.resourceId)
        })
      ), { concurrency: 8, discard: true })

    const registration = (yield* RotationWorkflow) as Registration
    // this call's steps are the ones the registered workflow runs, until it ends (the lock is held around it)
    yield* Effect.acquireRelease(
      Effect.zipRight(
        Effect.sync(() => {
          registration.current = { step }
        }),
        registration.ready.open
      ),
      () =>
        Effect.zipRight(
          registration.ready.close,
          Effect.sync(() => {
            registration.current = undefined
          })
        )
    )

    const counts = { rotated: 0, alreadyDone: 0, failed: [] as Array<ResourceRotationFailed> }
    yield* Effect.forEach(checked, (entry) =>
      Effect.gen(function*() {
        const { input: _, ...payload } = entry
        const executionId = yield* RotateResource().executionId(payload)
        const before = yield* RotateResource().poll(executionId)
        const done = before !== undefined && before._tag === "Complete"
        const exit = done ? before.exit : yield* Effect.exit(RotateResource().execute(payload))
        if (Exit.isSuccess(exit)) {
          if (done) counts.alreadyDone++
          else counts.rotated++
          if (!done && options.onEvent) yield* options.onEvent({ _tag: "Rotated", rotated: exit.value })
          return
        }
        const failure = exit.cause._tag === "Fail" ? Option.some(exit.cause.error) : Option.none()
        const error = Option.getOrElse(
          failure,
          () =>
            new ResourceRotationFailed({
              resourceId: entry.resourceId,
              step: "Regenerate",
              keyType: undefined,
              livePublished: false,
              message: "the rotation ended without a result (the engine or its journal failed): run the fleet again"
            })
        )
        counts.failed.push(error)
        if (!done && options.onEvent) yield* options.onEvent({ _tag: "Failed", error })
      }), { concurrency, discard: true })

    return {
      runId: options.runId,
      total: checked.length + duplicates,
      resources: checked.length,
      duplicates,
      rotated: counts.rotated,
      alreadyDone: counts.alreadyDone,
      failed: counts.failed,
      durationMillis: (yield* Clock.currentTimeMillis) - startedAt
    }
  }).pipe(
    Effect.scoped,
    // calls on one engine take turns (a caller waiting for its turn can be interrupted)
    (rotation) =>
      Effect.flatMap(RotationWorkflow, (registration) => (registration as Registration).lock.withPermits(1)(rotation))
  )

/** The cluster's hash of an entity id (`@effect/cluster/internal/hash.js`, not exported), which picks its shard. */
const hashString = (text: string) => {
  let h = 5381
  for (let i = text.length; i > 0;) h = (h * 33) ^ text.charCodeAt(--i)
  return (h & 0xbfffffff) | ((h >>> 1) & 0x40000000)
}

/**
 * Where a resource's rotation stands, read from the message storage alone as the engine's own `poll` reads it:
 * the reply to the workflow's `run` request (complete, or suspended), or only the request (started), or nothing.
 */
const stateOf = (executionId: string) =>
  Effect.gen(function*() {
    const storage = yield* MessageStorage
    const config = yield* ShardingConfig
    const group = Context.get(RotateResource().annotations, ClusterSchema.ShardGroup)(executionId as EntityId.EntityId)
    const entityId = EntityId.make(executionId)
    const address = new EntityAddress.EntityAddress({
      entityType: EntityType.EntityType.make(`Workflow/${workflowName}`),
      entityId,
      shardId: ShardId.make(group, Math.abs(hashString(entityId) % config.shardsPerGroup) + 1)
    })
    const requestId = yield* storage.requestIdForPrimaryKey({ address, tag: "run", id: "" })
    if (Option.isNone(requestId)) return "notStarted" as const
    const replies = yield* storage.repliesForUnfiltered([requestId.value])
    const last = replies.at(-1) as { readonly _tag: string; readonly exit?: unknown } | undefined
    const exit = last?._tag === "WithExit" ? last.exit as { _tag?: unknown; value?: unknown } : undefined
    const result = exit?._tag === "Success" ? exit.value as { _tag?: unknown; exit?: { _tag?: unknown } } : undefined
    if (result?._tag !== "Complete") return "running" as const
    return result.exit?._tag === "Success" ? "done" as const : "failed" as const
  }).pipe(
    Effect.mapError(() => new JournalError({ reason: "the journal could not be read" }))
  )

export const status = (
  resources: Iterable<ResourceInput>,
  options: StatusOptions
): Effect.Effect<FleetStatus, InvalidFleet | JournalError, Journal> =>
  Effect.gen(function*() {
    const { checked } = yield* checkFleet(resources, options)
    const bySubscription = new Map<string, { -readonly [K in keyof SubscriptionStatus]: SubscriptionStatus[K] }>()
    const states = yield* Effect.forEach(checked, (entry) =>
      Effect.gen(function*() {
        const { input: _, ...payload } = entry
        const executionId = yield* RotateResource().executionId(payload)
        const state: ResourceState["state"] = yield* stateOf(executionId)
        return { resourceId: entry.resourceId, subscriptionId: entry.subscriptionId, state }
      }), { concurrency: 8 })
    for (const { state, subscriptionId } of states) {
      const counts = bySubscription.get(subscriptionId) ??
        { subscriptionId, done: 0, running: 0, failed: 0, notStarted: 0 }
      counts[state]++
      bySubscription.set(subscriptionId, counts)
    }
    const total = (state: ResourceState["state"]) => states.filter((entry) => entry.state === state).length
    return {
      runId: options.runId,
      done: total("done"),
      running: total("running"),
      failed: total("failed"),
      notStarted: total("notStarted"),
      subscriptions: [...bySubscription.values()],
      resources: options.perResource === true ? states : undefined
    }
  })
