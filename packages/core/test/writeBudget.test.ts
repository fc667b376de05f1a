import { WriteBudget } from "@effect-acs/core"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as TestClock from "effect/TestClock"

/** The test clock's time when each of `count` takers got its write. */
const takeTimes = (bucket: WriteBudget.Bucket, count: number, remaining?: (i: number) => number) =>
  Effect.gen(function*() {
    const times: Array<number> = []
    const fiber = yield* Effect.fork(
      Effect.forEach(Array.from({ length: count }, (_, i) => i), (i) =>
        Effect.gen(function*() {
          yield* bucket.take
          times.push(yield* TestClock.currentTimeMillis)
          yield* bucket.settle(remaining?.(i))
        }), { concurrency: "unbounded" })
    )
    for (let second = 0; second < 30 && times.length < count; second++) yield* TestClock.adjust("100 millis")
    yield* Fiber.join(fiber)
    return times
  })

describe("WriteBudget", () => {
  it.effect("a bucket lets its capacity go at once, then one write per 1/perSecond", () =>
    Effect.gen(function*() {
      const times = yield* takeTimes(WriteBudget.make(3, 10), 6)
      assert.deepStrictEqual(times, [0, 0, 0, 100, 200, 300])
    }))

  it.effect("an answer saying fewer writes are left brings the bucket down to it", () =>
    Effect.gen(function*() {
      // the service says 0 left after the first write: the next waits for a refill, though the bucket had 4 more
      const times = yield* takeTimes(WriteBudget.make(5, 10), 3, () => 0)
      assert.deepStrictEqual(times, [0, 100, 200])
    }))

  it.effect("a pause holds every write until it has passed; keyed buckets are independent", () =>
    Effect.gen(function*() {
      const bySubscription = WriteBudget.keyed(2, 10)
      yield* bySubscription("a").pause(1000)
      const paused = yield* takeTimes(bySubscription("a"), 1)
      const other = yield* takeTimes(bySubscription("b"), 1)
      assert.isAtLeast(paused[0]!, 1000)
      assert.strictEqual(other[0], paused[0], "b was not paused: it went as soon as it asked")
      assert.strictEqual(bySubscription("a"), bySubscription("a"))
    }))
})
