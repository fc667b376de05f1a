import { CommunicationServices, Errors, Metrics, RetryPolicy } from "@effect-acs/core"
import { assert, describe, it } from "@effect/vitest"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Metric from "effect/Metric"
import * as Random from "effect/Random"
import * as Schedule from "effect/Schedule"
import * as ScheduleDecision from "effect/ScheduleDecision"
import * as ScheduleIntervals from "effect/ScheduleIntervals"
import * as TestClock from "effect/TestClock"
import { clientLayer, documentedSample, type Reply, resource } from "./fake.js"

const ok: Reply = { status: 200, body: documentedSample }
const unavailable: Reply = { status: 503, body: { error: { code: "ServiceUnavailable", message: "later" } } }

/** Starts a regeneration against the replies and returns what the test needs to step the clock. */
const start = (replies: ReadonlyArray<Reply>, options: CommunicationServices.Options = {}) =>
  Effect.gen(function*() {
    const { layer, seen } = clientLayer(replies, options)
    const fiber = yield* Effect.fork(
      Effect.flatMap(CommunicationServices.CommunicationServices, (client) =>
        Effect.either(client.regenerateKeyResponse({ ...resource, keyType: "Primary" }))).pipe(Effect.provide(layer))
    )
    // let the first attempt run
    yield* TestClock.adjust(0)
    return { seen, fiber }
  })

const attemptsAfter = (seen: ReadonlyArray<unknown>, millis: number) =>
  Effect.map(TestClock.adjust(Duration.millis(millis)), () => seen.length)

describe("retries", () => {
  it.effect("back off exponentially with jitter, keeping one client request id", () =>
    Effect.gen(function*() {
      const { fiber, seen } = yield* start([unavailable, unavailable, ok])
      assert.strictEqual(seen.length, 1)
      // first retry after 800 ms * [0.5, 1)
      assert.strictEqual(yield* attemptsAfter(seen, 399), 1)
      assert.strictEqual(yield* attemptsAfter(seen, 401), 2)
      // second retry after 1600 ms * [0.5, 1), counted from the second attempt (at most 800 ms ago)
      assert.strictEqual(yield* attemptsAfter(seen, 0), 2)
      assert.strictEqual(yield* attemptsAfter(seen, 1600), 3)
      const result = yield* Fiber.join(fiber)
      assert.isTrue(result._tag === "Right")
      if (result._tag === "Right") {
        assert.strictEqual(result.right.attempts, 3)
        // a 503 to a regeneration may have changed the keys: the answer says an earlier attempt may still land
        assert.isTrue(result.right.priorOutcomeUnknown)
      }
      const ids = new Set(
        seen.map((request) => (request as { headers: Record<string, string> }).headers["x-ms-client-request-id"])
      )
      assert.strictEqual(ids.size, 1)
    }))

  const transient = new Errors.TransportError({
    reason: "Connection",
    description: "reset",
    operation: "listKeys",
    resourceId: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Communication/communicationServices/acs",
    outcomeUnknown: false,
    attempts: 1
  })
  const notFound = new Errors.NotFound({
    status: 404,
    missing: "Resource",
    operation: "listKeys",
    resourceId: transient.resourceId,
    outcomeUnknown: false,
    attempts: 1
  })

  /**
   * The delays a policy's schedule gives, failure after failure, until it says stop (as the client steps it),
   * with these random numbers for its jitter.
   */
  const delays = (
    policy: RetryPolicy.RetryPolicy,
    failures: ReadonlyArray<Errors.CommunicationServicesError>,
    randoms: readonly [number, ...Array<number>]
  ) =>
    Effect.gen(function*() {
      const out: Array<number> = []
      let state = policy.schedule.initial
      let now = 0
      for (const failure of failures) {
        const [next, , decision] = yield* policy.schedule.step(now, failure, state)
        if (ScheduleDecision.isDone(decision)) break
        const at = ScheduleIntervals.start(decision.intervals)
        out.push(at - now)
        state = next
        now = at
      }
      return out
    }).pipe(Effect.withRandom(Random.fixed([...randoms])))

  it.effect("exponential backoff: base * 2^(n-1), capped, scaled into [0.5, 1), for maxRetries retries", () =>
    Effect.gen(function*() {
      const policy = RetryPolicy.exponential({ baseDelay: "1 second", maxDelay: "5 seconds", maxRetries: 4 })
      const five = Array.from({ length: 5 }, () => transient)
      // the fifth failure is past maxRetries: the schedule stops, so it yields 4 delays
      assert.deepStrictEqual(yield* delays(policy, five, [0, 0, 0, 0]), [500, 1000, 2000, 2500])
      assert.deepStrictEqual(yield* delays(policy, [transient], [0.999999]), [999.9995])
      assert.deepStrictEqual(yield* delays(RetryPolicy.defaultPolicy, five, [1, 1, 1, 1]), [800, 1600, 3200])
      const long = RetryPolicy.exponential({ maxRetries: 20 })
      const many = Array.from({ length: 20 }, () => transient)
      assert.strictEqual((yield* delays(long, many, [1])).at(-1), 60_000)
      // a failure that is not transient is not retried
      assert.deepStrictEqual(yield* delays(RetryPolicy.defaultPolicy, [notFound], [0]), [])
      assert.deepStrictEqual(yield* delays(RetryPolicy.none, [transient], [0]), [])
    }))

  it.effect("stop after 3 retries, with the attempt count and unknown outcome in the error", () =>
    Effect.gen(function*() {
      const { fiber, seen } = yield* start([unavailable])
      yield* TestClock.adjust("10 minutes")
      const result = yield* Fiber.join(fiber)
      assert.strictEqual(seen.length, 4)
      assert.isTrue(result._tag === "Left")
      if (result._tag === "Left") {
        assert.strictEqual(result.left._tag, "ServiceError")
        assert.strictEqual((result.left as Errors.ServiceError).attempts, 4)
        assert.isTrue(Errors.isOutcomeUnknown(result.left))
      }
    }))

  it.effect("every 429 counts in Metrics.throttled, tagged with its operation", () =>
    Effect.gen(function*() {
      const counter = Metric.tagged(Metrics.throttled, "operation", "regenerateKey")
      const before = (yield* Metric.value(counter)).count
      const throttled: Reply = {
        status: 429,
        headers: { "retry-after": "1" },
        body: { error: { code: "TooManyRequests" } }
      }
      const { fiber } = yield* start([throttled, throttled, ok])
      yield* TestClock.adjust("1 minute")
      assert.isTrue((yield* Fiber.join(fiber))._tag === "Right")
      assert.strictEqual((yield* Metric.value(counter)).count - before, 2)
    }))

  const retryAfterCases: ReadonlyArray<readonly [string, Record<string, string>, number]> = [
    ["retry-after-ms", { "retry-after-ms": "1500" }, 1500],
    ["x-ms-retry-after-ms", { "x-ms-retry-after-ms": "2500" }, 2500],
    ["Retry-After seconds", { "retry-after": "3" }, 3000],
    ["Retry-After HTTP date", { "retry-after": new Date(7000).toUTCString() }, 7000],
    ["Retry-After date in the past (now)", { "retry-after": new Date(0).toUTCString() }, 0],
    ["Retry-After beyond the cap (60 s)", { "retry-after": "3600" }, 60_000]
  ]
  for (const [name, headers, wait] of retryAfterCases) {
    it.effect(`honour ${name}`, () =>
      Effect.gen(function*() {
        const throttled: Reply = { status: 429, headers, body: { error: { code: "TooManyRequests" } } }
        const { fiber, seen } = yield* start([throttled, ok])
        if (wait > 0) assert.strictEqual(yield* attemptsAfter(seen, wait - 1), 1)
        assert.strictEqual(yield* attemptsAfter(seen, wait > 0 ? 1 : 0), 2)
        const result = yield* Fiber.join(fiber)
        assert.isTrue(result._tag === "Right")
        // a 429 changed nothing
        if (result._tag === "Right") assert.isFalse(result.right.priorOutcomeUnknown)
      }))
  }

  it.effect("the cap on Retry-After is the policy's", () =>
    Effect.gen(function*() {
      const throttled: Reply = { status: 429, headers: { "retry-after": "3600" }, body: {} }
      const { fiber, seen } = yield* start([throttled, ok], {
        retry: RetryPolicy.exponential({ maxRetryAfter: "5 seconds" })
      })
      assert.strictEqual(yield* attemptsAfter(seen, 4999), 1)
      assert.strictEqual(yield* attemptsAfter(seen, 1), 2)
      yield* Fiber.join(fiber)
    }))

  it.effect("503 with Retry-After waits as told; transport failures are retried", () =>
    Effect.gen(function*() {
      const { fiber, seen } = yield* start([
        { ...unavailable, headers: { "retry-after": "2" } },
        { fail: "ECONNRESET" },
        ok
      ])
      assert.strictEqual(yield* attemptsAfter(seen, 1999), 1)
      assert.strictEqual(yield* attemptsAfter(seen, 1), 2)
      // the second retry backs off 1600 ms * [0.5, 1)
      assert.strictEqual(yield* attemptsAfter(seen, 799), 2)
      assert.strictEqual(yield* attemptsAfter(seen, 801), 3)
      assert.isTrue((yield* Fiber.join(fiber))._tag === "Right")
    }))

  it.effect("refusals (400, 401, 403, 404, 409) are not retried", () =>
    Effect.gen(function*() {
      for (const status of [400, 401, 403, 404, 409]) {
        const { fiber, seen } = yield* start([{ status, body: { error: { code: "X" } } }, ok])
        yield* TestClock.adjust("10 minutes")
        const result = yield* Fiber.join(fiber)
        assert.strictEqual(seen.length, 1, String(status))
        assert.isTrue(result._tag === "Left")
      }
    }))

  it.effect("an unknown outcome stays unknown when a later attempt fails otherwise", () =>
    Effect.gen(function*() {
      const { fiber } = yield* start([unavailable, { status: 429, headers: { "retry-after": "1" }, body: {} }])
      yield* TestClock.adjust("10 minutes")
      const result = yield* Fiber.join(fiber)
      assert.isTrue(result._tag === "Left")
      if (result._tag === "Left") {
        assert.strictEqual(result.left._tag, "Throttled")
        assert.isTrue(Errors.isOutcomeUnknown(result.left))
      }
    }))

  it.effect("the policy is replaceable, or off", () =>
    Effect.gen(function*() {
      const conflict: Reply = { status: 409, body: { error: { code: "Conflict" } } }
      const custom = yield* start([conflict, conflict, ok], {
        // any Schedule of failures is a policy
        retry: Schedule.spaced("1 second").pipe(
          Schedule.intersect(Schedule.recurs(5)),
          Schedule.whileInput((error: Errors.CommunicationServicesError) => error._tag === "Conflict")
        )
      })
      yield* TestClock.adjust("2 seconds")
      assert.strictEqual(custom.seen.length, 3)
      assert.isTrue((yield* Fiber.join(custom.fiber))._tag === "Right")
      const off = yield* start([unavailable, ok], { retry: false })
      yield* TestClock.adjust("10 minutes")
      assert.strictEqual(off.seen.length, 1)
      assert.isTrue(Exit.isSuccess(yield* Fiber.await(off.fiber)))
    }))
})
