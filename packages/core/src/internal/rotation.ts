import type { CommunicationServiceKeys, KeyType } from "@effect-acs/schema"
import * as KeyTypeSchema from "@effect-acs/schema/KeyType"
import * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Metric from "effect/Metric"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Schedule from "effect/Schedule"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import { CommunicationServices, type KeysResponse, type ResourceInput } from "../CommunicationServices.js"
import * as Errors from "../Errors.js"
import * as Metrics from "../Metrics.js"
import * as Redaction from "../Redaction.js"
import type {
  FleetOptions,
  FleetPlan,
  FleetSummary,
  Mode,
  PlannedStep,
  PublishedKey,
  RotateOptions,
  RotationPlan,
  RotationReport,
  Step
} from "../Rotation.js"
import { armWriteBudget, PublishTimedOut, RotationFailed } from "../Rotation.js"
import * as Budget from "./budget.js"
import * as input from "./input.js"
import * as KeyedLock from "./keyedLock.js"
import { SafePoint as CurrentSafePoint, type Stoppable } from "./safePoint.js"

const defaultPublishRetry = Schedule.exponential("500 millis").pipe(Schedule.intersect(Schedule.recurs(3)))

const defaultPublishTimeout = Duration.seconds(60)

/** How long, by default, a regeneration whose outcome is unknown is tried again before the live key is read. */
const defaultRecoveryTimeout = Duration.minutes(10)

/** How long, by default, the live key is watched after a step with an unknown outcome. */
const defaultSettle = Duration.minutes(1)

/** The longest wait between two recovery attempts (and at most 16 times `recoveryDelay`). */
const maxRecoveryWait = Duration.seconds(30)

/** The longest throttle wait honoured, whatever `Retry-After` says. */
const maxThrottleWaitMillis = 60_000

/** What names an invalid resource in errors and events: its id, or its parts as given, masked and bounded. */
const describeInvalid = (resource: ResourceInput): string => {
  const given = resource as Partial<Record<string, unknown>>
  const part = (value: unknown) => typeof value === "string" ? value : `(${value === null ? "null" : typeof value})`
  const text = "resourceId" in resource
    ? part(given.resourceId)
    : `/subscriptions/${part(given.subscriptionId)}/resourceGroups/${part(given.resourceGroupName)}` +
      `/providers/Microsoft.Communication/communicationServices/${part(given.communicationServiceName)}`
  // a connection string pasted where the resource belongs must not come back in a message
  return Redaction.matches(text).length > 0
    ? "(a resource that holds a secret)"
    : Redaction.untrusted(text, { maxLength: 300 })
}

const defaultRecoveryDelay = "2 seconds"

const decodeKeyType = Schema.decodeUnknownEither(KeyTypeSchema.KeyType)

const other = (keyType: KeyType.KeyType): KeyType.KeyType => keyType === "Primary" ? "Secondary" : "Primary"

const pick = (
  keys: CommunicationServiceKeys.CommunicationServiceKeys,
  keyType: KeyType.KeyType
): { readonly key: Redacted.Redacted<string>; readonly connectionString: Redacted.Redacted<string> } | undefined => {
  const key = keyType === "Primary" ? keys.primaryKey : keys.secondaryKey
  const connectionString = keyType === "Primary" ? keys.primaryConnectionString : keys.secondaryConnectionString
  return key === undefined || connectionString === undefined ? undefined : { key, connectionString }
}

const sameKey = (a: Redacted.Redacted<string> | undefined, b: Redacted.Redacted<string> | undefined) =>
  a !== undefined && b !== undefined && Redacted.value(a) === Redacted.value(b)

/**
 * What a step knows about itself: `safePoint` makes a wait stoppable while the step has changed nothing (the
 * fleet's write budget, a 429's pause: while the rotation is being stopped such a wait ends at once, and the
 * step with it); once a call's outcome is unknown (`changed`), no wait is a safe point any more, for the
 * rest of the step, and no later answer may be read as "nothing changed".
 */
interface StepState {
  readonly safePoint: Stoppable
  readonly changed: () => void
  readonly mayHaveChanged: () => boolean
}

/** Wraps every call the rotation makes to the service (the fleet adds its write budget here). */
type Write = (
  call: Effect.Effect<KeysResponse, Errors.CommunicationServicesError>,
  step: StepState
) => Effect.Effect<KeysResponse, Errors.CommunicationServicesError>

/** A step without safe points, for calls outside the protected steps (the first read of the keys). */
const unprotected: StepState = { safePoint: (wait) => wait, changed: () => {}, mayHaveChanged: () => false }

/**
 * Runs a step that must not be abandoned half-way: in a fiber of its own, which an interruption of the
 * rotation does not reach (Effect passes an interruption on to the forked children of a fiber, such as the
 * ones a timeout forks, even inside an uninterruptible region). An interruption asks the step to stop at
 * its next safe point and waits for it to end; the step's failure, if any, is kept in the cause.
 */
const runToCompletion = <A, E, R>(body: (step: StepState) => Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  Effect.uninterruptibleMask((restore) =>
    Effect.gen(function*() {
      const stopping = yield* Deferred.make<void>()
      let changed = false
      const step: StepState = {
        safePoint: <A, E, R>(wait: Effect.Effect<A, E, R>) =>
          Effect.suspend(() =>
            changed ? wait : Effect.raceFirst(
              // both sides interruptible, so that the loser can be stopped even where the wait is
              // uninterruptible (the acquisition of a write from the budget)
              Effect.interruptible(Effect.asSome(wait)),
              Effect.interruptible(Effect.as(Deferred.await(stopping), Option.none<A>()))
            ).pipe(
              Effect.flatMap((waited): Effect.Effect<A> =>
                Option.isSome(waited) ? Effect.succeed(waited.value) : Effect.interrupt
              )
            )
          ),
        changed: () => {
          changed = true
        },
        mayHaveChanged: () => changed
      }
      // interruptible inside, so that its own timeouts (per attempt, per publish) can cut its waits short
      const fiber = yield* Effect.forkDaemon(Effect.interruptible(body(step)))
      const exit = yield* restore(Fiber.await(fiber)).pipe(
        Effect.onInterrupt(() => Deferred.succeed(stopping, undefined)),
        Effect.catchAllCause(() => Fiber.await(fiber))
      )
      return yield* exit
    })
  )

/** The failures after which regenerating again cannot succeed (when their outcome is known): the request is refused. */
const refusals: ReadonlySet<string> = new Set([
  "InvalidInput",
  "AuthenticationFailed",
  "AuthorizationFailed",
  "NotFound",
  "BadRequest",
  "UnexpectedResponse"
])

/**
 * What the caller's `publish` or `verify` failed with, fit to keep in `RotationFailed.cause`: the error itself
 * (so `instanceof` and its fields still serve), unless it shows the key it was given (an SDK error may carry
 * the request it failed on, whose body is the key); then a copy of its plain fields with the key masked.
 */
const safeCause = (cause: unknown, key: PublishedKey): unknown => {
  const known = [key.key, key.connectionString]
  const shows = (text: string) => Redaction.matches(text, known).some((match) => match.kind === "Known")
  if (typeof cause === "string") return shows(cause) ? Redaction.mask(cause, known) : cause
  if (typeof cause !== "object" || cause === null) return cause
  let clean: boolean
  try {
    clean = !shows(`${cause instanceof Error ? cause.message : ""} ${JSON.stringify(cause) ?? ""}`)
  } catch {
    clean = false // a cycle, or a throwing toJSON: what it shows is unknown, so it is copied
  }
  if (clean) return cause
  const copy: Record<string, unknown> = {}
  for (const [name, value] of Object.entries(cause)) {
    copy[name] = typeof value === "string"
      ? Redaction.mask(value, known)
      : typeof value === "number" || typeof value === "boolean"
      ? value
      : undefined
  }
  if (cause instanceof Error) {
    copy.name = cause.name
    copy.message = Redaction.mask(cause.message, known)
  }
  return copy
}

/**
 * One lock per client and resource, held across each regenerate-and-publish: two rotations of the same
 * resource (two `rotate` calls, two fleets) never interleave a step, so the key published last is the live
 * one. (The client's own lock serialises the regenerations only.)
 */
const stepLocks = new WeakMap<object, ReturnType<typeof KeyedLock.make>>()
const stepLockFor = (client: object) => {
  let lock = stepLocks.get(client)
  if (lock === undefined) {
    lock = KeyedLock.make()
    stepLocks.set(client, lock)
  }
  return lock
}

/** The options of a rotation, checked once: what `rotate` and `plan` both go by. */
interface Resolved {
  readonly mode: Mode
  readonly first: KeyType.KeyType
  readonly publishTimeout: Duration.Duration
  readonly recoveryDelay: Duration.Duration
  readonly recoveryTimeout: Duration.Duration
  readonly settle: Duration.Duration
  readonly drain: Duration.Duration | undefined
  readonly readKeys: boolean
  readonly verify: boolean
}

const invalidOptions = "the options are not valid: mode must be \"both\" or \"alternate\", first \"Primary\" or " +
  "\"Secondary\", publishTimeout a positive duration, recoveryDelay a duration, recoveryTimeout, settle and " +
  "drain finite ones (and drain only in mode \"both\")"

const resolveOptions = (
  options: Omit<RotateOptions<unknown, unknown, unknown, unknown>, "publish">
): Resolved | undefined => {
  const mode = options.mode ?? "both"
  const first = options.first === undefined ? "Secondary" : Either.getOrUndefined(decodeKeyType(options.first))
  const publishTimeout = Duration.decodeUnknown(options.publishTimeout ?? defaultPublishTimeout).pipe(
    Option.filter((duration) => Duration.toMillis(duration) > 0)
  )
  const recoveryDelay = Duration.decodeUnknown(options.recoveryDelay ?? defaultRecoveryDelay)
  const recoveryTimeout = Duration.decodeUnknown(options.recoveryTimeout ?? defaultRecoveryTimeout).pipe(
    Option.filter(Duration.isFinite)
  )
  const settle = Duration.decodeUnknown(options.settle ?? defaultSettle).pipe(Option.filter(Duration.isFinite))
  const drain = options.drain === undefined
    ? Option.some(undefined)
    : Duration.decodeUnknown(options.drain).pipe(Option.filter(Duration.isFinite))
  if (
    (mode !== "both" && mode !== "alternate") || first === undefined || Option.isNone(publishTimeout) ||
    Option.isNone(recoveryDelay) || Option.isNone(recoveryTimeout) || Option.isNone(settle) || Option.isNone(drain) ||
    (mode === "alternate" && drain.value !== undefined)
  ) return undefined
  return {
    mode,
    first,
    publishTimeout: publishTimeout.value,
    recoveryDelay: recoveryDelay.value,
    recoveryTimeout: recoveryTimeout.value,
    settle: settle.value,
    drain: drain.value,
    readKeys: options.readKeys === true,
    verify: options.verify !== undefined
  }
}

/** What a rotation with these options does, in order, when every call is answered. */
const plannedSteps = (resolved: Resolved): Array<PlannedStep> => {
  const replace = (keyType: KeyType.KeyType): Array<PlannedStep> => [
    { action: "regenerateKey", keyType, write: true },
    { action: "publish", keyType, write: false }
  ]
  const steps: Array<PlannedStep> = resolved.readKeys ? [{ action: "listKeys", write: true }] : []
  steps.push(...replace(resolved.first))
  if (resolved.verify) steps.push({ action: "verify", keyType: resolved.first, write: false })
  if (resolved.mode === "both") {
    if (resolved.drain !== undefined) {
      steps.push({ action: "drain", keyType: resolved.first, write: false, duration: Duration.format(resolved.drain) })
    }
    steps.push(...replace(other(resolved.first)))
  }
  return steps
}

/** The key to regenerate first next time: the one clients do not use once this rotation is done. */
const nextFirst = (resolved: Resolved) => resolved.mode === "both" ? resolved.first : other(resolved.first)

/** Updates the rotation metrics with how a rotation ended. */
const recordOutcome = (exit: Exit.Exit<RotationReport, RotationFailed>) => {
  if (Exit.isSuccess(exit)) return Metric.increment(Metric.tagged(Metrics.rotations, "outcome", "rotated"))
  const failure = Cause.failureOption(exit.cause)
  if (Option.isNone(failure)) return Metric.increment(Metric.tagged(Metrics.rotations, "outcome", "interrupted"))
  const cause = failure.value.cause
  const tag = typeof cause === "object" && cause !== null && "_tag" in cause && typeof cause._tag === "string"
    ? cause._tag
    : "unknown"
  return Effect.zipRight(
    Metric.increment(Metric.tagged(Metrics.rotations, "outcome", "failed")),
    Metric.increment(Metric.tagged(Metric.tagged(Metrics.rotationFailures, "step", failure.value.step), "error", tag))
  )
}

/** The resource and the options checked as `rotate` and `plan` both need them; a failure at `ReadKeys` otherwise. */
const checked = (
  resource: ResourceInput,
  options: Omit<RotateOptions<unknown, unknown, unknown, unknown>, "publish">
) => {
  const target = input.resource(resource)
  const invalid = (reason: string, cause: unknown) =>
    Either.left(
      new RotationFailed({
        resourceId: Either.isRight(target) ? target.right.id : describeInvalid(resource),
        step: "ReadKeys",
        keyType: undefined,
        livePublished: false,
        reason,
        cause
      })
    )
  if (Either.isLeft(target)) return invalid("the resource is not valid", target.left)
  const resolved = resolveOptions(options)
  // nothing was done: reported where nothing was done yet
  if (resolved === undefined) return invalid(invalidOptions, undefined)
  return Either.right({ target: target.right, resolved })
}

const rotateWith = <E, R, E2, R2>(
  resource: ResourceInput,
  options: RotateOptions<E, R, E2, R2>,
  write: Write
): Effect.Effect<RotationReport, RotationFailed, CommunicationServices | R | R2> =>
  Effect.gen(function*() {
    const client = yield* CommunicationServices
    const startedAt = yield* Clock.currentTimeMillis
    const valid = checked(resource, options)
    if (Either.isLeft(valid)) return yield* valid.left
    const { resolved, target } = valid.right
    const resourceId = target.id
    const steps: Array<Step> = []
    const regenerated: Array<KeyType.KeyType> = []
    const published: Array<KeyType.KeyType> = []
    const verified: Array<KeyType.KeyType> = []
    let recovered = false
    const failed = (
      step: RotationFailed["step"],
      keyType: KeyType.KeyType | undefined,
      livePublished: boolean,
      reason: string,
      cause: unknown
    ) => new RotationFailed({ resourceId, step, keyType, livePublished, reason, cause })
    const record = (step: Omit<Step, "at">, response?: KeysResponse) =>
      Effect.map(Clock.currentTimeMillis, (at) => {
        steps.push(
          response === undefined ? { ...step, at } : {
            ...step,
            at,
            requestId: response.requestId,
            clientRequestId: response.clientRequestId,
            attempts: response.attempts
          }
        )
      })

    const { first, publishTimeout, recoveryDelay, recoveryTimeout, settle } = resolved
    const longestWait = Duration.min(maxRecoveryWait, Duration.times(recoveryDelay, 16))

    /** Hands a key to `publish`, each attempt bounded by `publishTimeout`, retried per `publishRetry`. */
    const publish = (keyType: KeyType.KeyType, value: NonNullable<ReturnType<typeof pick>>) => {
      const key: PublishedKey = { resourceId, keyType, ...value }
      return Effect.suspend(() => options.publish(key)).pipe(
        // a publish that dies (a thrown exception, a rejected Effect.promise) failed like any other: retried,
        // then reported with the key that is live and not published
        Effect.catchAllDefect((defect) => Effect.fail(defect)),
        Effect.timeoutFail({
          duration: publishTimeout,
          onTimeout: () => new PublishTimedOut({ timeout: Duration.format(publishTimeout) })
        }),
        Effect.retry(options.publishRetry ?? defaultPublishRetry),
        Effect.mapError((error) =>
          failed(
            "Publish",
            keyType,
            false,
            `the ${keyType} key is live but could not be published; listKeys returns it`,
            safeCause(error, key)
          )
        ),
        Effect.zipRight(record({ action: "publish", keyType })),
        Effect.map(() => {
          published.push(keyType)
          return key
        })
      )
    }

    /** Publishes the key a regeneration answered, and records when it was rotated. */
    const publishRegenerated = (keyType: KeyType.KeyType, value: NonNullable<ReturnType<typeof pick>>) =>
      Effect.tap(
        publish(keyType, value),
        () => Effect.flatMap(Clock.currentTimeMillis, (now) => Metrics.recordKeyRotated(resourceId, keyType, now))
      )

    const listKeys = (step: StepState) => write(client.listKeysResponse(resource), step)

    /**
     * Watches the live key for `settle` once `key` is published, after a step with an unknown outcome: a
     * regeneration the client gave up on may reach the service after the one answered, and replace the key.
     * The keys are read after `recoveryDelay`, doubling, and a last time when `settle` has passed (that last
     * read is tried again for up to `recoveryTimeout` if it fails); each new key seen is published. The key
     * published last is returned, unless no last read succeeded.
     */
    const watch = (keyType: KeyType.KeyType, key: PublishedKey, step: StepState) =>
      Effect.gen(function*() {
        const until = (yield* Clock.currentTimeMillis) + Duration.toMillis(settle)
        const giveUp = until + Duration.toMillis(recoveryTimeout)
        const longest = Math.max(1, Duration.toMillis(longestWait))
        let wait = Math.max(1, Duration.toMillis(recoveryDelay))
        let latest = key
        let unread: unknown = undefined
        for (
          let now = yield* Clock.currentTimeMillis;
          now < until || (unread !== undefined && now < giveUp);
          now = yield* Clock.currentTimeMillis
        ) {
          yield* Effect.sleep(Duration.millis(Math.min(wait, (now < until ? until : giveUp) - now)))
          wait = Math.min(wait * 2, longest)
          const read = yield* Effect.either(listKeys(step))
          if (Either.isLeft(read)) {
            unread = read.left
            continue
          }
          yield* record({ action: "listKeys" }, read.right)
          const live = pick(read.right.keys, keyType)
          unread = live === undefined ? `listKeys did not return the ${keyType} key` : undefined
          if (live !== undefined && !sameKey(live.key, latest.key)) latest = yield* publishRegenerated(keyType, live)
        }
        if (unread !== undefined) {
          return yield* failed(
            "Recover",
            keyType,
            false,
            `the ${keyType} key was published, but the live keys could not be read after it (a regeneration given up on may still have replaced it): call listKeys and publish the live ${keyType} key if it differs`,
            unread
          )
        }
        return latest
      })

    /**
     * Regenerates one key and publishes it. When the outcome is unknown (the service may have regenerated
     * the key, or may still be doing so), the same key is regenerated again until a regeneration is answered:
     * the service regenerates one key of a resource at a time (it answers 409 while one is in progress), so
     * a regeneration that is answered is the one whose key is live, unless an earlier request reaches the
     * service later: that is what `watch` is for. Only when none is answered within `recoveryTimeout` are the
     * live keys read and the live key published.
     */
    const regenerateAndPublish = (
      keyType: KeyType.KeyType,
      before: CommunicationServiceKeys.CommunicationServiceKeys | undefined,
      step: StepState,
      priorOutcomeUnknown: boolean
    ) =>
      Effect.gen(function*() {
        // whether a regeneration of this step had an unknown outcome: then one may still reach the service
        let unknown = priorOutcomeUnknown
        // an earlier run's regeneration may have changed the key: no answer here can say nothing changed
        if (priorOutcomeUnknown) step.changed()
        const settled = (key: PublishedKey) => unknown ? watch(keyType, key, step) : Effect.succeed(key)
        // the client's own waits (a 429's Retry-After) are safe points exactly where the step's are
        const regenerate = write(
          client.regenerateKeyResponse({ ...resource, keyType }).pipe(
            Effect.provideService(CurrentSafePoint, step.safePoint),
            Effect.tap((response) => {
              if (response.priorOutcomeUnknown) unknown = true
            }),
            Effect.tapError((error) =>
              Effect.sync(() => {
                if (Errors.isOutcomeUnknown(error)) {
                  unknown = true
                  step.changed()
                }
              })
            )
          ),
          step
        )
        let attempt = yield* Effect.either(regenerate)
        if (Either.isLeft(attempt) && !step.mayHaveChanged()) {
          return yield* failed("Regenerate", keyType, false, `the ${keyType} key was not regenerated`, attempt.left)
        }
        // from here on no wait is a safe point: a key may be live that nobody has
        step.changed()
        const deadline = (yield* Clock.currentTimeMillis) + Duration.toMillis(recoveryTimeout)
        let wait = recoveryDelay
        const refused = (error: Errors.CommunicationServicesError) =>
          refusals.has(error._tag) && !Errors.isOutcomeUnknown(error)
        for (let recovery = 1; Either.isLeft(attempt) && !refused(attempt.left); recovery++) {
          // an unknown outcome, a regeneration in progress (409), a throttled or unsent attempt: try again,
          // at once the first time, until one is answered
          if (recovery > 1) {
            if ((yield* Clock.currentTimeMillis) + Duration.toMillis(wait) > deadline) break
            yield* Effect.sleep(wait)
            wait = Duration.min(Duration.times(wait, 2), longestWait)
          }
          recovered = true
          attempt = yield* Effect.either(regenerate)
          yield* record({ action: "recover", keyType }, Either.getOrUndefined(attempt))
        }
        if (Either.isRight(attempt)) {
          yield* record({ action: "regenerateKey", keyType }, attempt.right)
          regenerated.push(keyType)
          const fresh = pick(attempt.right.keys, keyType)
          if (fresh !== undefined) return yield* settled(yield* publishRegenerated(keyType, fresh))
          // the answer holds the key (the client makes sure) but no connection string: the pair is read, and
          // only the key that was answered is published
          const answered = keyType === "Primary" ? attempt.right.keys.primaryKey : attempt.right.keys.secondaryKey
          const read = yield* listKeys(step).pipe(
            Effect.mapError((error) =>
              failed(
                "Recover",
                keyType,
                false,
                `the ${keyType} key was regenerated without its connection string and listKeys failed: call listKeys and publish the live ${keyType} key`,
                error
              )
            )
          )
          const pair = pick(read.keys, keyType)
          if (pair === undefined || !sameKey(pair.key, answered)) {
            return yield* failed(
              "Recover",
              keyType,
              false,
              `the ${keyType} key was regenerated without its connection string, and listKeys did not return it: call listKeys and publish the live ${keyType} key`,
              undefined
            )
          }
          return yield* settled(yield* publishRegenerated(keyType, pair))
        }
        // no regeneration was answered: what is live now is the best there is, published before anything else
        const cause = attempt.left
        const live = yield* listKeys(step).pipe(
          Effect.mapError((error) =>
            failed(
              "Recover",
              keyType,
              false,
              `the outcome of regenerating the ${keyType} key is unknown and listKeys failed: call listKeys and publish the live ${keyType} key`,
              error
            )
          ),
          Effect.tap((live) => record({ action: "recover", keyType }, live))
        )
        const value = pick(live.keys, keyType)
        if (value === undefined) {
          return yield* failed("Recover", keyType, false, `listKeys did not return the ${keyType} key`, cause)
        }
        const latest = yield* settled(yield* publish(keyType, value))
        const previous = before === undefined
          ? undefined
          : keyType === "Primary"
          ? before.primaryKey
          : before.secondaryKey
        if (previous === undefined) {
          // the keys were not read before (the default: 2 writes), so whether the live key changed is unknown
          return yield* failed(
            "Recover",
            keyType,
            true,
            `no regeneration of the ${keyType} key was answered; the live key was published (rotate again if the service still completes one)`,
            cause
          )
        }
        return yield* sameKey(latest.key, previous)
          ? failed(
            "Regenerate",
            keyType,
            true,
            `no regeneration of the ${keyType} key was answered and the live key is unchanged; it was published`,
            cause
          )
          : failed(
            "Recover",
            keyType,
            true,
            `the ${keyType} key changed but no regeneration was answered; the live key was published (rotate again if the service still completes one)`,
            cause
          )
      })

    // the keys are read first only when the caller asks (each listKeys is a write): then a recovery can tell
    // an unchanged key from a changed one
    let before: CommunicationServiceKeys.CommunicationServiceKeys | undefined = undefined
    if (resolved.readKeys) {
      const current = yield* listKeys(unprotected).pipe(
        Effect.mapError((error) => failed("ReadKeys", undefined, false, "the current keys could not be read", error))
      )
      yield* record({ action: "listKeys" }, current)
      before = current.keys
    }
    const lock = stepLockFor(client)
    const firstKey = yield* lock(
      target.lockKey,
      runToCompletion((step) => regenerateAndPublish(first, before, step, options.priorOutcomeUnknown === true))
    )
    if (options.verify !== undefined) {
      yield* options.verify(firstKey).pipe(
        Effect.mapError((error) =>
          failed(
            "Verify",
            first,
            true,
            `the new ${first} key could not be verified`,
            safeCause(error, firstKey)
          )
        ),
        Effect.zipRight(record({ action: "verify", keyType: first }))
      )
      verified.push(first)
    }
    if (resolved.mode === "both") {
      if (resolved.drain !== undefined) {
        // clients finish with the old key: a safe point (nothing is in flight)
        yield* Effect.sleep(resolved.drain)
        yield* record({ action: "drain", keyType: first })
      }
      yield* lock(target.lockKey, runToCompletion((step) => regenerateAndPublish(other(first), before, step, false)))
    }
    return {
      resourceId,
      mode: resolved.mode,
      startedAt,
      finishedAt: yield* Clock.currentTimeMillis,
      regenerated,
      published,
      verified,
      next: nextFirst(resolved),
      recovered,
      steps
    }
  }).pipe(Effect.onExit(recordOutcome))

export const rotate = <E, R, E2 = never, R2 = never>(
  resource: ResourceInput,
  options: RotateOptions<E, R, E2, R2>
): Effect.Effect<RotationReport, RotationFailed, CommunicationServices | R | R2> =>
  rotateWith(resource, options, (call) => call)

/** Checks the resource and the options and says what `rotate` would do; nothing is sent. */
const planOne = (
  resource: ResourceInput,
  options: Omit<RotateOptions<unknown, unknown, unknown, unknown>, "publish">
): Either.Either<RotationPlan & { readonly subscriptionId: string; readonly lockKey: string }, RotationFailed> =>
  Either.map(checked(resource, options), ({ resolved, target }) => {
    const steps = plannedSteps(resolved)
    return {
      resourceId: target.id,
      mode: resolved.mode,
      steps,
      writes: steps.filter((step) => step.write).length,
      next: nextFirst(resolved),
      subscriptionId: target.parts.subscriptionId.toLowerCase(),
      lockKey: target.lockKey
    }
  })

export const plan = (
  resource: ResourceInput,
  options: Omit<RotateOptions<unknown, unknown, unknown, unknown>, "publish">
): Effect.Effect<RotationPlan, RotationFailed> =>
  Effect.suspend(() => {
    const planned = planOne(resource, options)
    return Either.isLeft(planned)
      ? Effect.fail(planned.left)
      : Effect.succeed({
        resourceId: planned.right.resourceId,
        mode: planned.right.mode,
        steps: planned.right.steps,
        writes: planned.right.writes,
        next: planned.right.next
      })
  })

export const planFleet = <EIn, RIn>(
  resources: Stream.Stream<ResourceInput, EIn, RIn>,
  options: Omit<FleetOptions<unknown, unknown, unknown, unknown>, "publish">
): Effect.Effect<FleetPlan, EIn, RIn> =>
  Effect.gen(function*() {
    const budget = options.budget === false ? undefined : options.budget ?? armWriteBudget
    const seen = new Set<string>()
    const perSubscription = new Map<string, number>()
    const invalid: Array<RotationFailed> = []
    let total = 0
    let duplicates = 0
    let writesPerResource = 0
    let steps: ReadonlyArray<PlannedStep> = []
    yield* Stream.runForEach(resources, (resource) =>
      Effect.sync(() => {
        total++
        const planned = planOne(resource, options)
        if (Either.isLeft(planned)) {
          invalid.push(planned.left)
          return
        }
        if (seen.has(planned.right.lockKey)) {
          duplicates++
          return
        }
        seen.add(planned.right.lockKey)
        writesPerResource = planned.right.writes
        steps = planned.right.steps
        const id = planned.right.subscriptionId
        perSubscription.set(id, (perSubscription.get(id) ?? 0) + planned.right.writes)
      }))
    const busiest = Math.max(0, ...perSubscription.values())
    return {
      total,
      resources: seen.size,
      duplicates,
      invalid,
      subscriptions: perSubscription.size,
      steps,
      writesPerResource,
      writes: seen.size * writesPerResource,
      budget: budget ?? false,
      minimumMillis: budget === undefined
        ? 0
        : Math.ceil((Math.max(0, busiest - budget.capacity) / budget.perSecond) * 1000)
    }
  })
export const rotateFleet = <EIn, RIn, E, R, E2 = never, R2 = never>(
  resources: Stream.Stream<ResourceInput, EIn, RIn>,
  options: FleetOptions<E, R, E2, R2>
): Effect.Effect<FleetSummary, EIn, CommunicationServices | RIn | R | R2> =>
  Effect.gen(function*() {
    const startedAt = yield* Clock.currentTimeMillis
    const budget = options.budget === false ? undefined : options.budget ?? armWriteBudget
    const buckets = budget === undefined ? undefined : Budget.keyed(budget.capacity, budget.perSecond)
    const maxThrottles = options.maxThrottles ?? 10
    const emit = options.onEvent ?? (() => Effect.void)
    let throttled = 0
    let duplicates = 0

    const writeFor = (subscriptionId: string): Write => {
      const bucket = buckets?.(subscriptionId)
      const attempt = (
        call: Effect.Effect<KeysResponse, Errors.CommunicationServicesError>,
        step: StepState,
        throttles: number
      ): Effect.Effect<KeysResponse, Errors.CommunicationServicesError> =>
        (bucket === undefined ? call : Effect.acquireUseRelease(
          // waiting for the budget sends nothing: a safe point, as long as the step has changed nothing
          step.safePoint(bucket.take),
          () => call,
          // settled only for a write that took a token, whatever became of it
          (_, exit) =>
            bucket.settle(
              Exit.isSuccess(exit)
                ? exit.value.remainingWrites
                : Cause.failureOption(exit.cause).pipe(Option.exists((e) => e._tag === "Throttled"))
                ? 0
                : undefined
            )
        )).pipe(
          Effect.catchIf(
            (error): error is Errors.Throttled => error._tag === "Throttled" && throttles < maxThrottles,
            (error) => {
              throttled++
              // a 429 after an unknown outcome (in the client's own retries) leaves the step changed
              if (error.outcomeUnknown) step.changed()
              // the service's hint is honoured up to a minute, whatever it asked for
              const waitMillis = Math.min(error.retryAfterMillis ?? 1000, maxThrottleWaitMillis)
              return step.safePoint(bucket?.pause(waitMillis) ?? Effect.sleep(waitMillis)).pipe(
                Effect.zipRight(emit({ _tag: "Throttled", subscriptionId, waitMillis })),
                Effect.zipRight(attempt(call, step, throttles + 1))
              )
            }
          )
        )
      return (call, step) => attempt(call, step, 0)
    }

    // once `stop` completes, no rotation starts and the running ones stop at their next safe point
    const stopping = yield* Deferred.make<void>()
    if (options.stop !== undefined) {
      yield* Effect.forkScoped(Effect.zipRight(options.stop, Deferred.succeed(stopping, undefined)))
    }
    const counts = {
      total: 0,
      rotated: 0,
      notStarted: 0,
      stopped: 0,
      failed: [] as Array<{ readonly resourceId: string; readonly error: RotationFailed }>,
      unpublished: [] as Array<{ readonly resourceId: string; readonly keyType: KeyType.KeyType }>
    }

    // each resource once: a second entry for the same resource (in any letter case) is skipped, so the key
    // published last for it is the live one (costs one short string per distinct resource)
    const seen = new Set<string>()
    const one = (resource: ResourceInput) =>
      Effect.gen(function*() {
        counts.total++
        if (yield* Deferred.isDone(stopping)) {
          counts.notStarted++
          return
        }
        const target = input.resource(resource)
        if (Either.isRight(target)) {
          if (seen.has(target.right.lockKey)) {
            duplicates++
            yield* emit({ _tag: "Skipped", resourceId: target.right.id, reason: "Duplicate" })
            return
          }
          seen.add(target.right.lockKey)
        }
        const subscriptionId = Either.isRight(target) ? target.right.parts.subscriptionId.toLowerCase() : ""
        const rotation = yield* Effect.fork(rotateWith(resource, options, writeFor(subscriptionId)))
        // stopped: interrupted, so that it ends at its next safe point (its step runs to its end)
        const exit = yield* Effect.race(
          Fiber.await(rotation),
          Effect.zipRight(Deferred.await(stopping), Fiber.interrupt(rotation))
        ).pipe(
          // the fleet interrupted: the rotation stops at its next safe point, and is waited for
          Effect.onInterrupt(() => Fiber.interrupt(rotation))
        )
        if (Exit.isSuccess(exit)) {
          counts.rotated++
          yield* emit({ _tag: "Rotated", resourceId: exit.value.resourceId, report: exit.value })
          return
        }
        const error = Cause.failureOption(exit.cause)
        if (Option.isNone(error)) {
          // stopped at a safe point: every key it made was published
          counts.stopped++
          return
        }
        counts.failed.push({ resourceId: error.value.resourceId, error: error.value })
        if (!error.value.livePublished && error.value.keyType !== undefined && error.value.step !== "Regenerate") {
          counts.unpublished.push({ resourceId: error.value.resourceId, keyType: error.value.keyType })
        }
        yield* emit({ _tag: "Failed", resourceId: error.value.resourceId, error: error.value })
      })

    yield* resources.pipe(
      Stream.mapEffect(one, { concurrency: options.concurrency ?? 16, unordered: true }),
      Stream.runDrain
    )
    return { ...counts, duplicates, throttled, durationMillis: (yield* Clock.currentTimeMillis) - startedAt }
  }).pipe(Effect.scoped)
