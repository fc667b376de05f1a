import { CommunicationServices } from "@effect-acs/core"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as TestClock from "effect/TestClock"
import { bothKeys, clientLayer, type Reply, resource, resourceId } from "./fake.js"

/** Replies after a 100 ms (test clock) delay, and records how many requests were in flight at once. */
const slow = () => {
  let inFlight = 0
  const peaks: Array<number> = []
  const reply: Reply = {
    effect: Effect.gen(function*() {
      inFlight++
      peaks.push(inFlight)
      yield* Effect.sleep("100 millis")
      inFlight--
      return { status: 200, body: bothKeys }
    })
  }
  return { reply, peaks }
}

/** Runs the effect in a fiber while the test clock moves a second ahead. */
const settle = <A, E>(effect: Effect.Effect<A, E>) =>
  Effect.gen(function*() {
    const fiber = yield* Effect.fork(effect)
    yield* TestClock.adjust("1 second")
    return yield* Fiber.join(fiber)
  })

describe("one regeneration per resource at a time", () => {
  it.effect("two regenerations of one resource (named differently) never overlap", () =>
    Effect.gen(function*() {
      const { peaks, reply } = slow()
      const { layer, seen } = clientLayer([reply])
      yield* Effect.all([
        CommunicationServices.regenerateKey({ ...resource, keyType: "Primary" }),
        CommunicationServices.regenerateKey({ resourceId: resourceId.toUpperCase(), keyType: "Secondary" }),
        CommunicationServices.regenerateKey({ resourceId, keyType: "Primary" })
      ], { concurrency: "unbounded" }).pipe(Effect.provide(layer), settle)
      assert.strictEqual(seen.length, 3)
      assert.strictEqual(Math.max(...peaks), 1)
    }))

  it.effect("regenerations of different resources run concurrently", () =>
    Effect.gen(function*() {
      const { peaks, reply } = slow()
      const { layer, seen } = clientLayer([reply])
      yield* Effect.all(
        ["a", "b", "c"].map((name) =>
          CommunicationServices.regenerateKey({ ...resource, communicationServiceName: name, keyType: "Primary" })
        ),
        { concurrency: "unbounded" }
      ).pipe(Effect.provide(layer), settle)
      assert.strictEqual(seen.length, 3)
      assert.strictEqual(Math.max(...peaks), 3)
    }))
})
