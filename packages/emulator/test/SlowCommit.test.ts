import { Emulator, EmulatorFaults } from "@effect-acs/emulator"
import { assert, describe, it } from "@effect/vitest"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as TestClock from "effect/TestClock"
import { awaitSleeps, resource, respond } from "./helpers.js"
import { raw } from "./raw.js"

const keysOf = (emulator: Emulator.Service) =>
  Effect.map(emulator.keys(resource), (keys) => ({
    primary: Redacted.value(keys.primaryKey),
    secondary: Redacted.value(keys.secondaryKey)
  }))

describe("Emulator: an accepted regeneration commits, whatever its client does (TestClock)", () => {
  it.scoped("a client that disconnects during the commit latency: the key changes later; meanwhile 409", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.make({
        resources: [resource],
        faults: { seed: 11, commitLatency: "30 seconds", operations: ["regenerateKey"] }
      })
      const before = yield* keysOf(emulator)
      // a node:http client; interrupting its fiber destroys its socket
      const client = yield* Effect.fork(raw(emulator))
      yield* emulator.awaitStats((s) => s.inFlight === 1)
      yield* awaitSleeps(1)
      yield* Fiber.interrupt(client)
      yield* emulator.awaitStats((s) => s.aborted === 1)

      // the regeneration is still pending: the resource is locked, the key not changed yet, reads answer at once
      const concurrent = yield* respond(emulator, { body: { keyType: "Secondary" } })
      assert.strictEqual(concurrent.status, 409)
      assert.strictEqual(concurrent.body.error.code, "Conflict")
      const listed = yield* respond(emulator, { operation: "listKeys" })
      assert.strictEqual(listed.status, 200)
      assert.strictEqual(listed.body.primaryKey, before.primary)
      assert.deepStrictEqual(yield* keysOf(emulator), before)
      assert.strictEqual((yield* emulator.stats).inFlight, 1)

      yield* TestClock.adjust("30 seconds")
      const stats = yield* emulator.awaitStats((s) => s.inFlight === 0)
      assert.strictEqual(stats.regenerations, 1)
      const after = yield* keysOf(emulator)
      assert.notStrictEqual(after.primary, before.primary)
      assert.strictEqual(after.secondary, before.secondary)
      // the 409 did not change anything; the lock is free again (the next regeneration takes its own latency)
      const next = yield* Effect.fork(respond(emulator, { body: { keyType: "Secondary" } }))
      yield* emulator.awaitStats((s) => s.inFlight === 1)
      yield* awaitSleeps(1)
      yield* TestClock.adjust("30 seconds")
      assert.strictEqual((yield* Fiber.join(next)).status, 200)
    }))

  it.scoped("a client with a per-attempt timeout gives up; the key changes when the drawn commit latency ends", () =>
    Effect.gen(function*() {
      const faults: EmulatorFaults.Options = {
        seed: "slow",
        commitLatency: { min: "10 seconds", max: "20 seconds" },
        operations: ["regenerateKey"]
      }
      const [first] = yield* EmulatorFaults.plan(faults, 1)
      const commitMillis = Duration.toMillis(first!.commitLatency)
      assert.isTrue(commitMillis >= 10_000 && commitMillis <= 20_000)
      const emulator = yield* Emulator.make({ resources: [resource], faults })
      const before = yield* keysOf(emulator)

      const client = yield* Effect.fork(Effect.timeout(respond(emulator), "5 seconds"))
      yield* emulator.awaitStats((s) => s.inFlight === 1)
      yield* awaitSleeps(2) // the client's timeout and the commit latency
      yield* TestClock.adjust("5 seconds")
      const outcome = yield* Effect.either(Fiber.join(client))
      assert.strictEqual(outcome._tag, "Left")
      yield* emulator.awaitStats((s) => s.aborted === 1)
      assert.deepStrictEqual(yield* keysOf(emulator), before)

      yield* TestClock.adjust(Duration.millis(commitMillis - 5_000 - 1))
      assert.strictEqual((yield* emulator.stats).inFlight, 1)
      assert.deepStrictEqual(yield* keysOf(emulator), before)
      yield* TestClock.adjust("1 millis")
      yield* emulator.awaitStats((s) => s.inFlight === 0)
      assert.notStrictEqual((yield* keysOf(emulator)).primary, before.primary)
    }))

  it.scoped("the commit latency is spent inside the lock: a refused regeneration answers 409 at once", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.make({ resources: [resource], faults: { commitLatency: "1 hour" } })
      const first = yield* Effect.fork(respond(emulator))
      yield* emulator.awaitStats((s) => s.inFlight === 1)
      yield* awaitSleeps(1)
      // without any clock adjustment: neither the 409 nor the read waits
      assert.strictEqual((yield* respond(emulator)).status, 409)
      assert.strictEqual((yield* respond(emulator, { operation: "listKeys" })).status, 200)
      assert.isTrue(Option.isNone(yield* Fiber.poll(first)))
      yield* TestClock.adjust("1 hour")
      assert.strictEqual((yield* Fiber.join(first)).status, 200)
      assert.strictEqual((yield* emulator.awaitStats((s) => s.inFlight === 0)).regenerations, 1)
    }))
})

describe("EmulatorFaults: commitLatency", () => {
  const faults: EmulatorFaults.Options = { seed: 42, errorRate: 0.3, dropRate: 0.2, when: "random" }
  const outcomes = (plan: ReadonlyArray<EmulatorFaults.Decision>) =>
    plan.map((
      d
    ) => [d._tag, d._tag === "Error" ? d.status : 0, d._tag === "Pass" ? "" : d.when, Duration.toMillis(d.latency)])

  it.effect("is drawn per decision, deterministically per seed, within its range, without changing the faults", () =>
    Effect.gen(function*() {
      const slow: EmulatorFaults.Options = { ...faults, commitLatency: { min: "100 millis", max: "900 millis" } }
      const plan = yield* EmulatorFaults.plan(slow, 60)
      assert.deepStrictEqual(yield* EmulatorFaults.plan(slow, 60), plan)
      const millis = plan.map((d) => Duration.toMillis(d.commitLatency))
      assert.isTrue(millis.every((ms) => ms >= 100 && ms <= 900))
      assert.isAbove(new Set(millis).size, 20)
      assert.deepStrictEqual(outcomes(plan), outcomes(yield* EmulatorFaults.plan(faults, 60)))
      // another seed, other draws
      const other = yield* EmulatorFaults.plan({ ...slow, seed: 43 }, 60)
      assert.notDeepEqual(other.map((d) => Duration.toMillis(d.commitLatency)), millis)
      // a fixed duration, and none without the option
      const fixed = yield* EmulatorFaults.plan({ commitLatency: "2 seconds" }, 5)
      assert.deepStrictEqual(fixed.map((d) => Duration.toMillis(d.commitLatency)), [2000, 2000, 2000, 2000, 2000])
      const none = yield* EmulatorFaults.plan(faults, 5)
      assert.isTrue(none.every((d) => Duration.toMillis(d.commitLatency) === 0))
    }))

  it.effect("is validated like latency", () =>
    Effect.gen(function*() {
      const cases: ReadonlyArray<readonly [EmulatorFaults.Options["commitLatency"], string]> = [
        ["nonsense" as Duration.DurationInput, "faults.commitLatency"],
        [Duration.infinity, "faults.commitLatency"],
        [{ min: "2 seconds", max: "1 second" }, "faults.commitLatency"],
        [{ min: "soon" as Duration.DurationInput, max: "1 second" }, "faults.commitLatency.min"]
      ]
      for (const [commitLatency, option] of cases) {
        const error = yield* Effect.flip(EmulatorFaults.makeDecider({ commitLatency }))
        assert.strictEqual(error.option, option)
        const started = yield* Effect.flip(Effect.scoped(Emulator.make({ faults: { commitLatency } })))
        assert.strictEqual(started._tag, "InvalidOptionsError")
      }
    }))
})
