import { assert, describe, it } from "@effect/vitest"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Random from "effect/Random"
import * as KeyedLock from "../src/internal/keyedLock.js"

describe("KeyedLock", () => {
  it.effect("one holder per key, in the order asked; other keys run meanwhile", () =>
    Effect.gen(function*() {
      const lock = KeyedLock.make()
      const order: Array<string> = []
      const gate = yield* Deferred.make<void>()
      const first = yield* Effect.fork(
        lock("a", Effect.zipRight(Deferred.await(gate), Effect.sync(() => order.push("a1"))))
      )
      yield* Effect.yieldNow()
      const second = yield* Effect.fork(lock("a", Effect.sync(() => order.push("a2"))))
      const third = yield* Effect.fork(lock("a", Effect.sync(() => order.push("a3"))))
      yield* Effect.yieldNow()
      yield* lock("b", Effect.sync(() => order.push("b")))
      assert.deepStrictEqual(order, ["b"])
      yield* Deferred.succeed(gate, undefined)
      yield* Fiber.join(Fiber.zip(Fiber.zip(first, second), third))
      assert.deepStrictEqual(order, ["b", "a1", "a2", "a3"])
    }))

  it.effect("a waiter interrupted before its turn leaves the queue; the key still passes on", () =>
    Effect.gen(function*() {
      const lock = KeyedLock.make()
      const gate = yield* Deferred.make<void>()
      const ran: Array<string> = []
      const holder = yield* Effect.fork(lock("k", Deferred.await(gate)))
      yield* Effect.yieldNow()
      const quitter = yield* Effect.fork(lock("k", Effect.sync(() => ran.push("quitter"))))
      const next = yield* Effect.fork(lock("k", Effect.sync(() => ran.push("next"))))
      yield* Effect.yieldNow()
      yield* Fiber.interrupt(quitter)
      yield* Deferred.succeed(gate, undefined)
      yield* Fiber.join(holder)
      yield* Fiber.join(next)
      assert.deepStrictEqual(ran, ["next"])
      // the key is free again: taken at once
      yield* lock("k", Effect.sync(() => ran.push("after")))
      assert.deepStrictEqual(ran, ["next", "after"])
    }))

  it.effect("random interruptions of holders and waiters never let two hold a key, nor lose it (seeded)", () =>
    Effect.gen(function*() {
      for (let run = 0; run < 50; run++) {
        const lock = KeyedLock.make()
        let holding = 0
        let most = 0
        let done = 0
        const body = Effect.gen(function*() {
          holding++
          most = Math.max(most, holding)
          yield* Effect.yieldNow()
          yield* Effect.yieldNow()
          holding--
          done++
        }).pipe(Effect.onInterrupt(() => Effect.sync(() => holding--)))
        const fibers = yield* Effect.forEach(Array.from({ length: 12 }), () => Effect.fork(lock("k", body)))
        for (const fiber of fibers) {
          if ((yield* Random.nextIntBetween(0, 3)) === 0) yield* Effect.fork(Fiber.interrupt(fiber))
          if ((yield* Random.nextBoolean)) yield* Effect.yieldNow()
        }
        yield* Effect.forEach(fibers, Fiber.await)
        assert.strictEqual(most, 1, `run ${run}: two holders at once`)
        assert.strictEqual(holding, 0)
        assert.isAbove(done, 0)
        // nothing left holding the key
        yield* lock("k", Effect.void)
      }
    }).pipe(Effect.withRandom(Random.make("keyed-lock"))))
})
