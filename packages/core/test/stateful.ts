import { AzureCredential, CommunicationServices } from "@effect-acs/core"
import * as Clock from "effect/Clock"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as TestClock from "effect/TestClock"
import { fakeArm, type Reply, type Seen } from "./fake.js"

/** What the fake does with one regenerateKey request. */
export type Fault =
  | "none"
  | "failBefore"
  | "failAfter"
  | "dropAfter"
  | "refuse"
  | "hang"
  | "lateChange"
  | "delayed"
  | "slowCommit"
  | "noKey"
  | "throttleLong"

const action =
  /\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/Microsoft\.Communication\/communicationServices\/([^/]+)\/(regenerateKey|listKeys)/i

/**
 * A stateful in-memory Resource Manager for rotation tests: every resource exists, keys are
 * `{name}-{primary|secondary}-{generation}`, a regeneration bumps one key, and `faults` decides per
 * regeneration whether it fails before or after the key changes. With `budget`, each subscription has a
 * write bucket (on the test clock) and answers 429 when it is empty.
 */
export const statefulArm = (options: {
  readonly faults?: (keyType: string, index: number) => Fault
  readonly budget?: { readonly capacity: number; readonly perSecond: number }
  readonly missing?: ReadonlyArray<string>
  readonly listKeysFails?: (index: number) => boolean
  /** Writes another client has already spent from each subscription's bucket. */
  readonly spentByOthers?: number
} = {}) => {
  let lists = 0
  const keys = new Map<string, { primary: number; secondary: number }>()
  const buckets = new Map<string, { tokens: number; at: number }>()
  let regenerations = 0
  let throttled = 0
  /** Resources with a regeneration still in progress (the service answers 409 to another one meanwhile). */
  const busy = new Set<string>()
  const live = (name: string) => {
    let entry = keys.get(name)
    if (entry === undefined) {
      entry = { primary: 1, secondary: 1 }
      keys.set(name, entry)
    }
    return entry
  }
  const value = (name: string, keyType: "primary" | "secondary") => `${name}-${keyType}-${live(name)[keyType]}`
  const pair = (name: string, keyType: "primary" | "secondary") => ({
    [`${keyType}Key`]: value(name, keyType),
    [`${keyType}ConnectionString`]: `endpoint=https://${name}.communication.azure.com/;accesskey=${
      value(name, keyType)
    }`
  })
  const spend = (subscription: string, now: number): boolean => {
    if (options.budget === undefined) return true
    const { capacity, perSecond } = options.budget
    const bucket = buckets.get(subscription) ?? { tokens: capacity - (options.spentByOthers ?? 0), at: now }
    bucket.tokens = Math.min(capacity, bucket.tokens + ((now - bucket.at) * perSecond) / 1000)
    bucket.at = now
    buckets.set(subscription, bucket)
    if (bucket.tokens < 1) return false
    bucket.tokens -= 1
    return true
  }
  const withRemaining = (subscription: string, reply: Reply): Reply => {
    const tokens = buckets.get(subscription)?.tokens
    return "status" in reply && tokens !== undefined
      ? {
        ...reply,
        headers: { ...reply.headers, "x-ms-ratelimit-remaining-subscription-writes": String(Math.floor(tokens)) }
      }
      : reply
  }
  const reply = (seen: Seen): Reply => ({
    effect: Effect.map(Clock.currentTimeMillis, (now): Reply => {
      const subscription = action.exec(seen.url)![1]!
      return withRemaining(subscription, answer(seen, now))
    })
  })
  /** A regeneration the service commits `after` a while, whatever the client does; 409 to others meanwhile. */
  const commitLater = (name: string, keyType: "primary" | "secondary", after: Duration.DurationInput) => {
    busy.add(name)
    return Effect.forkDaemon(Effect.delay(
      Effect.sync(() => {
        live(name)[keyType]++
        busy.delete(name)
      }),
      after
    ))
  }
  const answer = (seen: Seen, now: number): Reply => {
    const match = action.exec(seen.url)!
    const [, subscription, , name, operation] = match as unknown as [string, string, string, string, string]
    if (!spend(subscription, now)) {
      throttled++
      return { status: 429, headers: { "retry-after": "1" }, body: { error: { code: "TooManyRequests" } } }
    }
    if (options.missing?.includes(name)) {
      return { status: 404, body: { error: { code: "ResourceNotFound", message: `${name} not found` } } }
    }
    if (operation === "listKeys" && options.listKeysFails?.(lists++)) return { fail: "ECONNRESET" }
    if (operation === "listKeys") {
      return { status: 200, body: { ...pair(name, "primary"), ...pair(name, "secondary") } }
    }
    const keyType = (JSON.parse(seen.body) as { keyType: string }).keyType.toLowerCase() as "primary" | "secondary"
    if (busy.has(name)) {
      return { status: 409, body: { error: { code: "Conflict", message: "A key regeneration is in progress." } } }
    }
    const fault = options.faults?.(keyType, regenerations++) ?? "none"
    const unavailable: Reply = { status: 503, body: { error: { code: "ServiceUnavailable" } } }
    switch (fault) {
      case "hang":
        return { effect: Effect.never }
      case "lateChange":
        // the service goes on after the client gave up: the key changes 6 seconds later, and until then
        // another regeneration of the resource is refused with 409
        return { effect: Effect.zipRight(commitLater(name, keyType, "6 seconds"), Effect.never) }
      case "delayed":
        // the request is still on its way when the client gives up: the service receives it 20 seconds
        // later and regenerates then, after any regeneration answered meanwhile (nothing says it is coming)
        return {
          effect: Effect.zipRight(
            Effect.forkDaemon(Effect.delay(Effect.sync(() => live(name)[keyType]++), "20 seconds")),
            Effect.never
          )
        }
      case "slowCommit":
        // the service commits 1 second later whether or not the client is still there, then answers
        return {
          effect: Effect.zipRight(
            commitLater(name, keyType, "1 second"),
            Effect.delay(Effect.sync((): Reply => ({ status: 200, body: pair(name, keyType) })), "1001 millis")
          )
        }
      case "noKey":
        live(name)[keyType]++
        return { status: 200, body: {} }
      case "throttleLong":
        return { status: 429, headers: { "retry-after": "99999999" }, body: { error: { code: "TooManyRequests" } } }
      case "refuse":
        return { status: 403, body: { error: { code: "AuthorizationFailed" } } }
      case "failBefore":
        return unavailable
      case "failAfter":
        live(name)[keyType]++
        return unavailable
      case "dropAfter":
        live(name)[keyType]++
        return { fail: "ECONNRESET" }
      case "none":
        live(name)[keyType]++
        return { status: 200, body: pair(name, keyType) }
    }
  }
  const fake = fakeArm(reply)
  return {
    seen: fake.seen,
    value,
    throttled: () => throttled,
    layer: (clientOptions: CommunicationServices.Options = { retry: false }) =>
      CommunicationServices.layer(clientOptions).pipe(
        Layer.provide(AzureCredential.static("token")),
        Layer.provide(fake.http)
      )
  }
}

/**
 * Runs the effect while the test clock advances, until it completes: to the next time a fiber sleeps until
 * (at least 1 ms: as if the clock went on in fine steps, without the steps), or by 100 ms when none sleeps.
 */
export const runOnTestClock = <A, E>(effect: Effect.Effect<A, E>) =>
  Effect.gen(function*() {
    const fiber = yield* Effect.fork(effect)
    for (let step = 0; step < 100_000; step++) {
      const done = yield* Fiber.poll(fiber)
      if (Option.isSome(done)) return yield* Fiber.join(fiber)
      const now = yield* Clock.currentTimeMillis
      const next = Math.min(...(yield* TestClock.sleeps()))
      yield* TestClock.adjust(Number.isFinite(next) ? Math.max(1, Math.ceil(next - now)) : 100)
    }
    return yield* Effect.die("the effect did not finish")
  })
