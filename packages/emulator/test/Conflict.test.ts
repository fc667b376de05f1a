import { Emulator } from "@effect-acs/emulator"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as TestClock from "effect/TestClock"
import { awaitSleeps, other, resource, respond } from "./helpers.js"

const latency = "10 seconds"

describe("Emulator: one regeneration per resource at a time (latency driven by TestClock)", () => {
  it.scoped("a regeneration while another is in flight for the same resource -> 409 Conflict", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.make({ resources: [resource, other], regenerateLatency: latency })
      const before = yield* emulator.keys(resource)
      const first = yield* Effect.fork(respond(emulator, { body: { keyType: "Primary" } }))
      yield* emulator.awaitStats((s) => s.inFlight === 1)
      yield* awaitSleeps(1)

      // either key type, any spelling of the names
      for (const keyType of ["Primary", "Secondary"]) {
        const second = yield* respond(emulator, {
          ref: { ...resource, resourceGroupName: "myresourcegroup" },
          body: { keyType }
        })
        assert.strictEqual(second.status, 409)
        assert.strictEqual(second.body.error.code, "Conflict")
        assert.match(second.headers["x-ms-request-id"] ?? "", /^[0-9a-f-]{36}$/)
      }
      // reads are not blocked, and see the keys as they were
      const listed = yield* respond(emulator, { operation: "listKeys" })
      assert.strictEqual(listed.status, 200)
      assert.strictEqual(listed.body.primaryKey, Redacted.value(before.primaryKey))
      assert.isTrue(Option.isNone(yield* Fiber.poll(first)))

      yield* TestClock.adjust(latency)
      const done = yield* Fiber.join(first)
      assert.strictEqual(done.status, 200)
      const after = yield* emulator.keys(resource)
      assert.strictEqual(Redacted.value(after.primaryKey), done.body.primaryKey)
      assert.strictEqual(Redacted.value(after.secondaryKey), Redacted.value(before.secondaryKey))
      const stats = yield* emulator.stats
      assert.strictEqual(stats.byStatus[409], 2)
      assert.strictEqual(stats.regenerations, 1)
      assert.strictEqual(stats.inFlight, 0)

      // once done, the resource takes a new regeneration
      const again = yield* Effect.fork(respond(emulator))
      yield* emulator.awaitStats((s) => s.inFlight === 1)
      yield* awaitSleeps(1)
      yield* TestClock.adjust(latency)
      assert.strictEqual((yield* Fiber.join(again)).status, 200)
    }))

  it.scoped("regenerations of two different resources run concurrently without 409", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.make({ resources: [resource, other], regenerateLatency: latency })
      const a = yield* Effect.fork(respond(emulator, { ref: resource }))
      const b = yield* Effect.fork(respond(emulator, { ref: other, body: { keyType: "Secondary" } }))
      const stats = yield* emulator.awaitStats((s) => s.inFlight === 2)
      assert.isUndefined(stats.byStatus[409])
      yield* awaitSleeps(2)
      yield* TestClock.adjust(latency)
      assert.strictEqual((yield* Fiber.join(a)).status, 200)
      assert.strictEqual((yield* Fiber.join(b)).status, 200)
      assert.strictEqual((yield* emulator.stats).regenerations, 2)
    }))

  it.scoped("a client that gives up does not stop an accepted regeneration: the lock holds, then the key changes", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.make({ resources: [resource], regenerateLatency: latency })
      const before = yield* emulator.keys(resource)
      const first = yield* Effect.fork(respond(emulator))
      yield* emulator.awaitStats((s) => s.inFlight === 1)
      yield* awaitSleeps(1)
      // the client goes away (its connection is closed) while the regeneration is in its latency window
      yield* Fiber.interrupt(first)
      yield* emulator.awaitStats((s) => s.aborted === 1)
      assert.strictEqual((yield* emulator.stats).inFlight, 1)
      // the resource stays locked until the commit
      const second = yield* respond(emulator, { body: { keyType: "Secondary" } })
      assert.strictEqual(second.status, 409)
      assert.strictEqual(second.body.error.code, "Conflict")
      assert.strictEqual(Redacted.value((yield* emulator.keys(resource)).primaryKey), Redacted.value(before.primaryKey))

      yield* TestClock.adjust(latency)
      const stats = yield* emulator.awaitStats((s) => s.inFlight === 0)
      assert.strictEqual(stats.regenerations, 1)
      const after = yield* emulator.keys(resource)
      assert.notStrictEqual(Redacted.value(after.primaryKey), Redacted.value(before.primaryKey))
      assert.strictEqual(Redacted.value(after.secondaryKey), Redacted.value(before.secondaryKey))
    }))
})
