import type { CommunicationServiceKeys, KeyType } from "@effect-acs/schema"
import * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Exit from "effect/Exit"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Schedule from "effect/Schedule"
import * as Stream from "effect/Stream"
import { CommunicationServices, type KeysResponse, type ResourceInput } from "../CommunicationServices.js"
import * as Errors from "../Errors.js"
import type { FleetOptions, FleetSummary, PublishedKey, RotateOptions, RotationReport, Step } from "../Rotation.js"
import { armWriteBudget, RotationFailed } from "../Rotation.js"
import * as Budget from "./budget.js"
import * as input from "./input.js"

/** Wraps every call the rotation makes to the service (the fleet adds its write budget here). */
type Write = (
  call: Effect.Effect<KeysResponse, Errors.CommunicationServicesError>
) => Effect.Effect<KeysResponse, Errors.CommunicationServicesError>

const defaultPublishRetry = Schedule.exponential("500 millis").pipe(Schedule.intersect(Schedule.recurs(3)))

/** What names an invalid resource in errors and events: its id, or its parts as given. */
const describeInvalid = (resource: ResourceInput): string => {
  const given = resource as Partial<Record<string, unknown>>
  return "resourceId" in resource
    ? String(given.resourceId)
    : `/subscriptions/${String(given.subscriptionId)}/resourceGroups/${String(given.resourceGroupName)}` +
      `/providers/Microsoft.Communication/communicationServices/${String(given.communicationServiceName)}`
}

const defaultRecoveryDelay = "2 seconds"

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

const rotateWith = <E, R, E2, R2>(
  resource: ResourceInput,
  options: RotateOptions<E, R, E2, R2>,
  write: Write
): Effect.Effect<RotationReport, RotationFailed, CommunicationServices | R | R2> =>
  Effect.gen(function*() {
    const client = yield* CommunicationServices
    const startedAt = yield* Clock.currentTimeMillis
    const target = input.resource(resource)
    const resourceId = Either.isRight(target) ? target.right.id : describeInvalid(resource)
    const steps: Array<Step> = []
    const regenerated: Array<KeyType.KeyType> = []
    const published: Array<KeyType.KeyType> = []
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

    if (Either.isLeft(target)) {
      return yield* failed("ReadKeys", undefined, false, "the resource is not valid", target.left)
    }

    const publish = (keyType: KeyType.KeyType, value: NonNullable<ReturnType<typeof pick>>) => {
      const key: PublishedKey = { resourceId, keyType, ...value }
      return Effect.suspend(() => options.publish(key)).pipe(
        Effect.retry(options.publishRetry ?? defaultPublishRetry),
        Effect.mapError((error) =>
          failed(
            "Publish",
            keyType,
            false,
            `the ${keyType} key is live but could not be published; listKeys returns it`,
            error
          )
        ),
        Effect.zipRight(record({ action: "publish", keyType })),
        Effect.map(() => {
          published.push(keyType)
          return key
        })
      )
    }

    const listKeys = write(client.listKeysResponse(resource))

    /** Regenerates one key and publishes it; on an unknown outcome, publishes what is live. Uninterruptible. */
    const regenerateAndPublish = (
      keyType: KeyType.KeyType,
      before: CommunicationServiceKeys.CommunicationServiceKeys
    ) =>
      Effect.gen(function*() {
        const attempt = yield* Effect.either(write(client.regenerateKeyResponse({ ...resource, keyType })))
        const fresh = Either.isRight(attempt) ? pick(attempt.right.keys, keyType) : undefined
        if (Either.isRight(attempt) && fresh !== undefined) {
          yield* record({ action: "regenerateKey", keyType }, attempt.right)
          regenerated.push(keyType)
          return yield* publish(keyType, fresh)
        }
        // the key may have changed without our seeing it: read what is live and publish that
        const cause = Either.isLeft(attempt) ? attempt.left : undefined
        if (cause !== undefined && !Errors.isOutcomeUnknown(cause)) {
          return yield* failed("Regenerate", keyType, false, `the ${keyType} key was not regenerated`, cause)
        }
        const previous = keyType === "Primary" ? before.primaryKey : before.secondaryKey
        const readLive = listKeys.pipe(
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
        recovered = true
        let live = yield* readLive
        // the service may still be working on a regeneration whose response was lost: an unchanged key is
        // read once more, after a while, before it is taken as "not regenerated"
        if (sameKey(pick(live.keys, keyType)?.key, previous)) {
          yield* Effect.sleep(options.recoveryDelay ?? defaultRecoveryDelay)
          live = yield* readLive
        }
        const value = pick(live.keys, keyType)
        if (value === undefined) {
          return yield* failed("Recover", keyType, false, `listKeys did not return the ${keyType} key`, cause)
        }
        const key = yield* publish(keyType, value)
        const changed = !sameKey(value.key, previous)
        if (!changed) {
          return yield* failed(
            "Regenerate",
            keyType,
            true,
            `the ${keyType} key was not regenerated (the live key is unchanged, and was published)`,
            cause
          )
        }
        regenerated.push(keyType)
        return key
      }).pipe(Effect.uninterruptible)

    const first = options.first ?? "Secondary"
    const current = yield* listKeys.pipe(
      Effect.mapError((error) => failed("ReadKeys", undefined, false, "the current keys could not be read", error))
    )
    yield* record({ action: "listKeys" }, current)
    const firstKey = yield* regenerateAndPublish(first, current.keys)
    if (options.verify !== undefined) {
      yield* options.verify(firstKey).pipe(
        Effect.mapError((error) =>
          failed("Verify", first, true, `clients could not be verified to use the new ${first} key`, error)
        ),
        Effect.zipRight(record({ action: "verify", keyType: first }))
      )
    }
    yield* regenerateAndPublish(other(first), current.keys)
    return {
      resourceId,
      startedAt,
      finishedAt: yield* Clock.currentTimeMillis,
      regenerated,
      published,
      recovered,
      steps
    }
  })

export const rotate = <E, R, E2 = never, R2 = never>(
  resource: ResourceInput,
  options: RotateOptions<E, R, E2, R2>
): Effect.Effect<RotationReport, RotationFailed, CommunicationServices | R | R2> =>
  rotateWith(resource, options, (call) => call)

const subscriptionOf = (resource: ResourceInput): string => {
  const target = input.resource(resource)
  return Either.isRight(target) ? target.right.parts.subscriptionId.toLowerCase() : ""
}

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

    const writeFor = (subscriptionId: string): Write => {
      const bucket = buckets?.(subscriptionId)
      const attempt = (
        call: Effect.Effect<KeysResponse, Errors.CommunicationServicesError>,
        throttles: number
      ): Effect.Effect<KeysResponse, Errors.CommunicationServicesError> =>
        (bucket === undefined ? call : Effect.acquireUseRelease(
          bucket.take,
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
              const waitMillis = error.retryAfterMillis ?? 1000
              return (bucket?.pause(waitMillis) ?? Effect.sleep(waitMillis)).pipe(
                Effect.zipRight(emit({ _tag: "Throttled", subscriptionId, waitMillis })),
                Effect.zipRight(attempt(call, throttles + 1))
              )
            }
          )
        )
      return (call) => attempt(call, 0)
    }

    const one = (resource: ResourceInput) =>
      Effect.gen(function*() {
        const report = yield* Effect.either(rotateWith(resource, options, writeFor(subscriptionOf(resource))))
        if (Either.isRight(report)) {
          yield* emit({ _tag: "Rotated", resourceId: report.right.resourceId, report: report.right })
          return undefined
        }
        yield* emit({ _tag: "Failed", resourceId: report.left.resourceId, error: report.left })
        return report.left
      })

    const counts = yield* resources.pipe(
      Stream.mapEffect(one, { concurrency: options.concurrency ?? 16, unordered: true }),
      Stream.runFold(
        { total: 0, rotated: 0, failed: [] as Array<{ readonly resourceId: string; readonly error: RotationFailed }> },
        (summary, error) => {
          summary.total++
          if (error === undefined) summary.rotated++
          else summary.failed.push({ resourceId: error.resourceId, error })
          return summary
        }
      )
    )
    return { ...counts, throttled, durationMillis: (yield* Clock.currentTimeMillis) - startedAt }
  })
