import { Emulator } from "@effect-acs/emulator"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as TestClock from "effect/TestClock"
import { type Reply, resource, respond } from "./helpers.js"

const remaining = (reply: Extract<Reply, { _tag: "Response" }>) =>
  reply.headers["x-ms-ratelimit-remaining-subscription-writes"]

const otherSubscription = { ...resource, subscriptionId: "11111111-2222-3333-4444-555555555555" }

describe("Emulator: write throttling per subscription (driven by TestClock)", () => {
  it.scoped("an empty bucket answers 429 TooManyRequests with Retry-After until a token is refilled", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.make({ resources: [resource], throttle: { capacity: 2, refillPerSecond: 1 } })
      const first = yield* respond(emulator)
      assert.strictEqual(first.status, 200)
      assert.strictEqual(remaining(first), "1")
      const second = yield* respond(emulator, { operation: "listKeys" })
      assert.strictEqual(second.status, 200)
      assert.strictEqual(remaining(second), "0")

      const throttled = yield* respond(emulator)
      assert.strictEqual(throttled.status, 429)
      assert.strictEqual(throttled.body.error.code, "TooManyRequests")
      assert.strictEqual(throttled.headers["retry-after"], "1")
      assert.strictEqual(remaining(throttled), "0")
      assert.match(throttled.headers["x-ms-request-id"] ?? "", /^[0-9a-f-]{36}$/)

      yield* TestClock.adjust("999 millis")
      assert.strictEqual((yield* respond(emulator)).status, 429)
      yield* TestClock.adjust("1 millis")
      const refilled = yield* respond(emulator)
      assert.strictEqual(refilled.status, 200)
      assert.strictEqual(remaining(refilled), "0")

      // the bucket refills up to its capacity, not beyond
      yield* TestClock.adjust("1 hour")
      assert.strictEqual(remaining(yield* respond(emulator)), "1")
      assert.strictEqual(remaining(yield* respond(emulator)), "0")
      assert.strictEqual((yield* respond(emulator)).status, 429)
      assert.strictEqual((yield* emulator.stats).throttled, 3)
    }))

  it.scoped("Retry-After is the whole number of seconds until the next token, rounded up", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.make({ resources: [resource], throttle: { capacity: 1, refillPerSecond: 0.25 } })
      assert.strictEqual((yield* respond(emulator)).status, 200)
      assert.strictEqual((yield* respond(emulator)).headers["retry-after"], "4")
      yield* TestClock.adjust("2500 millis")
      assert.strictEqual((yield* respond(emulator)).headers["retry-after"], "2")
      yield* TestClock.adjust("1 second")
      assert.strictEqual((yield* respond(emulator)).headers["retry-after"], "1")
      yield* TestClock.adjust("500 millis")
      assert.strictEqual((yield* respond(emulator)).status, 200)
    }))

  it.scoped("each subscription has its own bucket", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.make({
        resources: [resource, otherSubscription],
        throttle: { capacity: 1, refillPerSecond: 1 }
      })
      assert.strictEqual((yield* respond(emulator)).status, 200)
      assert.strictEqual((yield* respond(emulator)).status, 429)
      const other = yield* respond(emulator, { ref: otherSubscription })
      assert.strictEqual(other.status, 200)
      assert.strictEqual(remaining(other), "0")
      // subscription ids compare case-insensitively, so they share a bucket
      const upper = { ...resource, subscriptionId: resource.subscriptionId.toUpperCase() }
      assert.strictEqual((yield* respond(emulator, { ref: upper })).status, 429)
    }))

  it.scoped("the default bucket holds 200 writes refilled at 10 per second", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.make({ resources: [resource] })
      assert.deepStrictEqual(Emulator.defaultThrottle, { capacity: 200, refillPerSecond: 10 })
      let last = yield* respond(emulator, { operation: "listKeys" })
      assert.strictEqual(remaining(last), "199")
      for (let i = 0; i < 4; i++) last = yield* respond(emulator, { operation: "listKeys" })
      assert.strictEqual(remaining(last), "195")
      // 200 ms refill two writes
      yield* TestClock.adjust("200 millis")
      assert.strictEqual(remaining(yield* respond(emulator, { operation: "listKeys" })), "196")
      // and never beyond 200
      yield* TestClock.adjust("1 hour")
      assert.strictEqual(remaining(yield* respond(emulator, { operation: "listKeys" })), "199")
    }))

  it.scoped("throttle: false turns throttling and its header off", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.make({ resources: [resource], throttle: false })
      for (let i = 0; i < 3; i++) {
        const reply = yield* respond(emulator)
        assert.strictEqual(reply.status, 200)
        assert.isUndefined(remaining(reply))
      }
    }))
})
