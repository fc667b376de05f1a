import * as CommunicationServiceKeys from "@effect-acs/schema/CommunicationServiceKeys"
import type * as KeyType from "@effect-acs/schema/KeyType"
import * as HttpRouter from "@effect/platform/HttpRouter"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Data from "effect/Data"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Fiber from "effect/Fiber"
import * as FiberSet from "effect/FiberSet"
import * as Ref from "effect/Ref"
import type * as Emulator from "../Emulator.js"
import type * as EmulatorFaults from "../EmulatorFaults.js"
import type * as EmulatorState from "../EmulatorState.js"
import * as ArmErrors from "./armError.js"
import type { ArmError } from "./armError.js"
import * as Checks from "./checks.js"
import * as DataPlane from "./dataPlane.js"
import type { Resolved } from "./options.js"
import type * as Stats from "./stats.js"
import * as Store from "./store.js"
import type * as Throttle from "./throttle.js"

/** What is learned about a request while it is answered: it goes into the response headers and the log. */
export interface Facts {
  readonly operation?: EmulatorFaults.Operation | undefined
  readonly subscriptionId?: string | undefined
  readonly rateLimitRemaining?: number | undefined
  readonly fault?: Emulator.RequestLogEntry["fault"] | undefined
}

/** An answer, and what was learned on the way to it. */
export interface Answered {
  readonly response: HttpServerResponse.HttpServerResponse
  readonly facts: Facts
}

/** A request refused with an ARM error, and what was learned before. */
export class Refused extends Data.TaggedError("Refused")<{ readonly error: ArmError; readonly facts: Facts }> {}

/** A request whose connection a fault drops: nobody is answered. */
export class Dropped extends Data.TaggedError("Dropped")<{ readonly facts: Facts }> {}

/**
 * The request being answered, as the server hands it to a route: its body (read, bounded, before it is
 * routed), and how an outcome is turned into the answer (headers, log entry) or a dropped connection.
 */
export interface RequestContext {
  readonly body: Buffer
  readonly finish: (outcome: Either.Either<Answered, Refused>) => Effect.Effect<HttpServerResponse.HttpServerResponse>
  readonly drop: (facts: Facts) => Effect.Effect<never>
}

export class CurrentRequest
  extends Context.Tag("@effect-acs/emulator/internal/CurrentRequest")<CurrentRequest, RequestContext>()
{}

/** A route: what it learns flows, as values, into the answer (or into the dropped connection's log entry). */
const route = <R>(body: Effect.Effect<Answered, Refused | Dropped, R>) =>
  Effect.flatMap(
    CurrentRequest,
    (request) =>
      Effect.flatMap(Effect.either(body), (outcome) =>
        Either.isLeft(outcome) && outcome.left._tag === "Dropped"
          ? request.drop(outcome.left.facts)
          : request.finish(outcome as Either.Either<Answered, Refused>))
  )

const resourcePath =
  "/subscriptions/:subscriptionId/resourceGroups/:resourceGroupName/providers/Microsoft.Communication/communicationServices/:communicationServiceName"

const noFault: EmulatorFaults.Decision = { _tag: "Pass", latency: Duration.zero, commitLatency: Duration.zero }

const refuse = (facts: Facts) => (error: ArmError) => new Refused({ error, facts })

const check = <A>(facts: Facts, either: Either.Either<A, ArmError>): Effect.Effect<A, Refused> =>
  Either.match(either, { onLeft: (error) => Effect.fail(refuse(facts)(error)), onRight: Effect.succeed })

const encodeKeys = HttpServerResponse.schemaJson(CommunicationServiceKeys.CommunicationServiceKeys)

/** What the routes need from the emulator. */
export interface Dependencies {
  readonly config: Resolved
  readonly store: Store.Store
  readonly recorder: Stats.Recorder
  readonly throttle: Throttle.Throttle | undefined
  readonly inFlight: Ref.Ref<ReadonlySet<string>>
  /** Where accepted regenerations run to their end, whatever happens to their request. */
  readonly commits: FiberSet.FiberSet<Store.Resource, Refused | Dropped>
  readonly keysOf: (resource: Store.Resource) => EmulatorState.ResourceKeys
}

/** The routes: the two ARM actions, and (with `dataPlane`) each resource's data-plane probe. */
export const make = (deps: Dependencies) => {
  const { config, inFlight, recorder, store, throttle } = deps

  const respondKeys = (resource: Store.Resource, keyTypes: ReadonlyArray<KeyType.KeyType>) => {
    const keys = deps.keysOf(resource)
    return encodeKeys(
      new CommunicationServiceKeys.CommunicationServiceKeys({
        ...(keyTypes.includes("Primary")
          ? { primaryKey: keys.primaryKey, primaryConnectionString: keys.primaryConnectionString }
          : {}),
        ...(keyTypes.includes("Secondary")
          ? { secondaryKey: keys.secondaryKey, secondaryConnectionString: keys.secondaryConnectionString }
          : {})
      }),
      { status: 200, contentType: "application/json; charset=utf-8" }
    ).pipe(Effect.orDie)
  }

  /** An injected fault, in its phase: an error answered, or the connection dropped. */
  const fault = (
    decision: EmulatorFaults.Decision,
    phase: "before" | "after",
    facts: Facts
  ): Effect.Effect<void, Refused | Dropped> =>
    decision._tag === "Pass" || decision.when !== phase
      ? Effect.void
      : decision._tag === "Drop"
      ? Effect.fail(new Dropped({ facts: { ...facts, fault: `drop-${phase}` } }))
      : Effect.fail(
        new Refused({
          error: decision.status === 500 ? ArmErrors.internalError : ArmErrors.unavailable,
          facts: { ...facts, fault: `error-${phase}` }
        })
      )

  const acquire = (key: string, name: string) =>
    Effect.flatMap(
      Ref.modify(inFlight, (set): readonly [boolean, ReadonlySet<string>] =>
        set.has(key) ? [false, set] : [true, new Set(set).add(key)]),
      (acquired) =>
        acquired
          ? recorder.update((s) => ({ ...s, inFlight: s.inFlight + 1 }))
          : Effect.fail(ArmErrors.conflict(name))
    )

  const release = (key: string) =>
    Effect.zipRight(
      Ref.update(inFlight, (set) => {
        const next = new Set(set)
        next.delete(key)
        return next
      }),
      recorder.update((s) => ({ ...s, inFlight: s.inFlight - 1 }))
    )

  /** The write budget of the subscription: a write taken (its remaining count a fact), or a 429. */
  const takeWrite = (subscriptionId: string, facts: Facts): Effect.Effect<Facts, Refused> =>
    throttle === undefined ? Effect.succeed(facts) : Effect.flatMap(
      throttle.take(Store.subscriptionKey(subscriptionId)),
      (take) => {
        const counted = { ...facts, rateLimitRemaining: take.remaining }
        return take.allowed
          ? Effect.succeed(counted)
          : Effect.fail(refuse(counted)(ArmErrors.tooManyRequests(subscriptionId, take.retryAfterSeconds)))
      }
    )

  /** One ARM action, its checks in the order ARM's front door and then the resource provider run them. */
  const operation = (op: EmulatorFaults.Operation) =>
    Effect.gen(function*() {
      const request = yield* HttpServerRequest.HttpServerRequest
      const named: Facts = { operation: op }
      if (request.method !== "POST") return yield* refuse(named)(ArmErrors.methodNotAllowed(request.method))
      const principal = yield* check(named, Checks.authenticate(request.headers["authorization"], config))
      yield* check(named, Checks.apiVersion(yield* HttpServerRequest.ParsedSearchParams, config))
      const ref = yield* check(named, Checks.resourceRef(yield* HttpRouter.params))
      if (!(yield* store.hasSubscription(ref.subscriptionId))) {
        return yield* refuse(named)(ArmErrors.subscriptionNotFound(ref.subscriptionId))
      }
      const facts = yield* takeWrite(ref.subscriptionId, { ...named, subscriptionId: ref.subscriptionId })
      if (!principal.permitted) return yield* refuse(facts)(ArmErrors.authorizationFailed(op, ref))
      const found = yield* store.lookup(ref)
      switch (found._tag) {
        case "SubscriptionNotFound":
          return yield* refuse(facts)(ArmErrors.subscriptionNotFound(ref.subscriptionId))
        case "ResourceGroupNotFound":
          return yield* refuse(facts)(ArmErrors.resourceGroupNotFound(ref.resourceGroupName))
        case "ResourceNotFound":
          return yield* refuse(facts)(ArmErrors.resourceNotFound(ref))
      }
      const keyType = op === "regenerateKey"
        ? yield* Checks.keyType((yield* CurrentRequest).body).pipe(Effect.mapError(refuse(facts)))
        : undefined

      const decision = config.faults !== undefined && config.faults.operations.has(op)
        ? config.faults.next()
        : noFault
      if (Duration.greaterThan(decision.latency, Duration.zero)) yield* Effect.sleep(decision.latency)

      if (keyType === undefined) {
        yield* fault(decision, "before", facts)
        const resource = yield* store.get(ref).pipe(
          Effect.mapError(() => refuse(facts)(ArmErrors.resourceNotFound(ref)))
        )
        yield* fault(decision, "after", facts)
        return { response: yield* respondKeys(resource, ["Primary", "Secondary"]), facts }
      }

      const key = Store.resourceKey(ref)
      const commit = Effect.gen(function*() {
        yield* fault(decision, "before", facts)
        if (Duration.greaterThan(config.regenerateLatency, Duration.zero)) yield* Effect.sleep(config.regenerateLatency)
        if (Duration.greaterThan(decision.commitLatency, Duration.zero)) yield* Effect.sleep(decision.commitLatency)
        const updated = yield* store.regenerate(ref, keyType).pipe(
          Effect.catchTags({
            UnknownResourceError: () => Effect.fail(refuse(facts)(ArmErrors.resourceNotFound(ref))),
            StateFileError: () => Effect.fail(refuse(facts)(ArmErrors.saveFailed))
          })
        )
        yield* recorder.update((s) => ({ ...s, regenerations: s.regenerations + 1 }))
        return updated
      })
      // once the lock is taken, the regeneration is accepted: it runs to its end in a fiber of its own (which
      // releases the lock), whatever happens to this request; the request only waits for it
      const resource = yield* Effect.uninterruptibleMask((restore) =>
        Effect.zipRight(
          Effect.mapError(acquire(key, ref.communicationServiceName), refuse(facts)),
          FiberSet.run(deps.commits, Effect.ensuring(Effect.interruptible(commit), release(key)))
        ).pipe(Effect.flatMap((fiber) => restore(Fiber.join(fiber))))
      )
      yield* fault(decision, "after", facts)
      return { response: yield* respondKeys(resource, [keyType]), facts }
    })

  /** A resource's data-plane probe: `200` when one of its live keys signed it (and recently), else `401`. */
  const dataPlane = Effect.gen(function*() {
    const request = yield* HttpServerRequest.HttpServerRequest
    const none: Facts = {}
    const ref = yield* check(none, Checks.resourceRef(yield* HttpRouter.params))
    const resource = yield* store.get(ref).pipe(Effect.mapError(() => refuse(none)(ArmErrors.resourceNotFound(ref))))
    const header = (name: string) => request.headers[name]
    const refusal = DataPlane.check(
      {
        method: request.method,
        pathAndQuery: request.originalUrl,
        host: header("host"),
        date: header("x-ms-date") ?? header("date"),
        contentHash: header("x-ms-content-sha256"),
        authorization: header("authorization"),
        body: (yield* CurrentRequest).body
      },
      [resource.primaryKey, resource.secondaryKey],
      yield* Clock.currentTimeMillis
    )
    if (refusal !== undefined) return yield* refuse(none)(ArmErrors.denied)
    return {
      response: HttpServerResponse.unsafeJson({ phoneNumbers: [] }, { status: 200 }),
      facts: none
    }
  })

  const router = HttpRouter.empty.pipe(
    HttpRouter.all(`${resourcePath}/regenerateKey`, route(operation("regenerateKey"))),
    HttpRouter.all(`${resourcePath}/listKeys`, route(operation("listKeys"))),
    config.dataPlane ? HttpRouter.get(DataPlane.route, route(dataPlane)) : (router) => router
  )
  return HttpRouter.toHttpApp(router).pipe(
    // find-my-way matches static segments case-insensitively by default; keep long names routable, so
    // that a too long name is answered 400 by the parameter schemas rather than 404
    HttpRouter.withRouterConfig({ maxParamLength: 4096 })
  )
}
