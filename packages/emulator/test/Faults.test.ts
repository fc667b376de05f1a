import { Emulator, EmulatorFaults } from "@effect-acs/emulator"
import { assert, describe, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Redacted from "effect/Redacted"
import * as TestClock from "effect/TestClock"
import { awaitSleeps, outcome, resource, respond, send } from "./helpers.js"

const faults: EmulatorFaults.Options = { seed: 42, errorRate: 0.3, dropRate: 0.2, when: "random" }

/** Runs `count` sequential listKeys calls against a fresh emulator and gives their outcomes. */
const run = (options: EmulatorFaults.Options, count: number) =>
  Effect.scoped(Effect.gen(function*() {
    const emulator = yield* Emulator.make({ resources: [resource], faults: options })
    const outcomes: Array<string> = []
    for (let i = 0; i < count; i++) outcomes.push(outcome(yield* send(emulator, { operation: "listKeys" })))
    return { outcomes, stats: yield* emulator.stats }
  }))

const expectedOutcome = (decision: EmulatorFaults.Decision) =>
  decision._tag === "Pass" ? "200" : decision._tag === "Drop" ? "dropped" : String(decision.status)

const primaryKey = (emulator: Emulator.Service) =>
  Effect.map(emulator.keys(resource), (keys) => Redacted.value(keys.primaryKey))

describe("Emulator: fault injection from a seeded PRNG", () => {
  it.effect("the same seed gives the same sequence of outcomes, the one EmulatorFaults.plan predicts", () =>
    Effect.gen(function*() {
      const first = yield* run(faults, 30)
      const second = yield* run(faults, 30)
      assert.deepStrictEqual(second.outcomes, first.outcomes)
      const plan = yield* EmulatorFaults.plan(faults, 30)
      assert.deepStrictEqual(first.outcomes, plan.map(expectedOutcome))
      // the seed makes a mix of every outcome
      assert.includeMembers(first.outcomes, ["200", "dropped"])
      assert.isTrue(first.outcomes.includes("500") || first.outcomes.includes("503"))
      assert.strictEqual(first.stats.dropped, first.outcomes.filter((o) => o === "dropped").length)
      assert.strictEqual(first.stats.faults, first.outcomes.filter((o) => o !== "200").length)

      const other = yield* run({ ...faults, seed: 43 }, 30)
      assert.notDeepEqual(other.outcomes, first.outcomes)
      const named = yield* EmulatorFaults.plan({ ...faults, seed: "a string seed" }, 40)
      assert.deepStrictEqual(named, yield* EmulatorFaults.plan({ ...faults, seed: "a string seed" }, 40))
    }))

  it.scoped("an error fault 'before' answers 500 or 503 and leaves the key unchanged", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.make({ resources: [resource], faults: { errorRate: 1, when: "before" } })
      const before = yield* primaryKey(emulator)
      for (let i = 0; i < 6; i++) {
        const reply = yield* respond(emulator)
        assert.include([500, 503], reply.status)
        assert.strictEqual(reply.body.error.code, reply.status === 500 ? "InternalServerError" : "ServiceUnavailable")
        assert.match(reply.headers["x-ms-request-id"] ?? "", /^[0-9a-f-]{36}$/)
      }
      assert.strictEqual(yield* primaryKey(emulator), before)
      const log = yield* emulator.requestLog
      assert.isTrue(log.every((e) => e.fault === "error-before"))
      assert.strictEqual((yield* emulator.stats).regenerations, 0)
    }))

  it.scoped("an error fault 'after' answers 5xx although the key has changed", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.make({
        resources: [resource],
        faults: { errorRate: 1, errorStatuses: [503], when: "after" }
      })
      const before = yield* emulator.keys(resource)
      const reply = yield* respond(emulator)
      assert.strictEqual(reply.status, 503)
      assert.strictEqual(reply.body.error.code, "ServiceUnavailable")
      const after = yield* emulator.keys(resource)
      assert.notStrictEqual(Redacted.value(after.primaryKey), Redacted.value(before.primaryKey))
      assert.strictEqual(Redacted.value(after.secondaryKey), Redacted.value(before.secondaryKey))
      assert.strictEqual((yield* emulator.requestLog)[0]?.fault, "error-after")
      assert.strictEqual((yield* emulator.stats).regenerations, 1)
    }))

  it.scoped("a drop 'before' destroys the connection without a response and leaves the key unchanged", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.make({ resources: [resource], faults: { dropRate: 1, when: "before" } })
      const before = yield* primaryKey(emulator)
      assert.strictEqual(outcome(yield* send(emulator)), "dropped")
      assert.strictEqual(outcome(yield* send(emulator, { operation: "listKeys" })), "dropped")
      assert.strictEqual(yield* primaryKey(emulator), before)
      const stats = yield* emulator.stats
      assert.strictEqual(stats.dropped, 2)
      assert.strictEqual(stats.inFlight, 0)
      assert.deepStrictEqual((yield* emulator.requestLog).map((e) => [e.status, e.fault]), [
        ["dropped", "drop-before"],
        ["dropped", "drop-before"]
      ])
    }))

  it.scoped("a drop 'after' destroys the connection once the key has changed", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.make({ resources: [resource], faults: { dropRate: 1, when: "after" } })
      const before = yield* primaryKey(emulator)
      assert.strictEqual(outcome(yield* send(emulator)), "dropped")
      assert.notStrictEqual(yield* primaryKey(emulator), before)
      // the server keeps serving after a drop
      const emulatorStats = yield* emulator.stats
      assert.strictEqual(emulatorStats.dropped, 1)
      assert.strictEqual(emulatorStats.regenerations, 1)
    }))

  it.scoped("when: 'random' picks before or after per request, as the plan says", () =>
    Effect.gen(function*() {
      const options: EmulatorFaults.Options = { seed: 7, errorRate: 1, when: "random" }
      const emulator = yield* Emulator.make({ resources: [resource], faults: options })
      const plan = yield* EmulatorFaults.plan(options, 12)
      const whens = new Set<string>()
      for (const decision of plan) {
        assert.strictEqual(decision._tag, "Error")
        if (decision._tag !== "Error") continue
        whens.add(decision.when)
        const before = yield* primaryKey(emulator)
        const reply = yield* respond(emulator)
        assert.strictEqual(reply.status, decision.status)
        assert.strictEqual((yield* primaryKey(emulator)) !== before, decision.when === "after", decision.when)
      }
      assert.deepStrictEqual([...whens].sort(), ["after", "before"])
    }))

  it.scoped("operations limits faults to the operations named", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.make({
        resources: [resource],
        faults: { errorRate: 1, operations: ["regenerateKey"] }
      })
      assert.strictEqual((yield* respond(emulator, { operation: "listKeys" })).status, 200)
      assert.include([500, 503], (yield* respond(emulator)).status)
    }))

  it.scoped("faults apply only to requests that pass validation", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.make({ resources: [resource], faults: { dropRate: 1 } })
      assert.strictEqual((yield* respond(emulator, { token: null })).status, 401)
      assert.strictEqual((yield* respond(emulator, { body: {} })).status, 400)
      assert.strictEqual((yield* emulator.stats).dropped, 0)
    }))

  it.scoped("latency is added before the answer (driven by TestClock)", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.make({ resources: [resource], faults: { latency: "5 seconds" } })
      const start = yield* TestClock.currentTimeMillis
      const fiber = yield* Effect.fork(respond(emulator, { operation: "listKeys" }))
      yield* awaitSleeps(1)
      assert.deepStrictEqual(Chunk.toReadonlyArray(yield* TestClock.sleeps()), [start + 5000])
      yield* TestClock.adjust("4999 millis")
      assert.strictEqual((yield* emulator.stats).requests, 0)
      yield* TestClock.adjust("1 millis")
      assert.strictEqual((yield* Fiber.join(fiber)).status, 200)
    }))

  it.effect("a latency range draws each latency within [min, max]", () =>
    Effect.gen(function*() {
      const plan = yield* EmulatorFaults.plan({ seed: 3, latency: { min: "10 millis", max: "50 millis" } }, 50)
      const latencies = plan.map((d) => Duration.toMillis(d.latency))
      assert.isTrue(latencies.every((ms) => ms >= 10 && ms <= 50))
      assert.isAbove(new Set(latencies).size, 10)
      assert.isTrue(plan.every((d) => d._tag === "Pass"))
    }))
})
