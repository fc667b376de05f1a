import { Rotation } from "@effect-acs/core"
import { Emulator } from "@effect-acs/emulator"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Schedule from "effect/Schedule"
import * as Stream from "effect/Stream"
import { emulatorAndClient, idOf, liveKey, publishedKeys, resources } from "./harness.js"

const [acs] = resources(1) as [ReturnType<typeof resources>[number]]

describe("rotation against the emulator", () => {
  it.live("rotates both keys: what was published is live, the old keys are gone", () =>
    Effect.gen(function*() {
      const before = { primary: yield* liveKey(acs, "Primary"), secondary: yield* liveKey(acs, "Secondary") }
      const published = publishedKeys()
      const report = yield* Rotation.rotate({ resourceId: idOf(acs) }, published)
      assert.deepStrictEqual(report.regenerated, ["Secondary", "Primary"])
      for (const keyType of ["Primary", "Secondary"] as const) {
        const live = yield* liveKey(acs, keyType)
        assert.strictEqual(published.get(idOf(acs), keyType), live)
        assert.match(live, /^[A-Za-z0-9+/]{86}==$/)
      }
      assert.notStrictEqual(yield* liveKey(acs, "Primary"), before.primary)
      assert.notStrictEqual(yield* liveKey(acs, "Secondary"), before.secondary)
    }).pipe(Effect.provide(emulatorAndClient({ resources: [acs] }))))

  for (const fault of [{ errorRate: 1 }, { dropRate: 1 }]) {
    it.live(`every regeneration failing after the key changed (${Object.keys(fault)[0]}): the live key is published`, () =>
      Effect.gen(function*() {
        const published = publishedKeys()
        // no regeneration is ever answered: after its recoveries the rotation reads the live key, publishes
        // it, and stops saying the outcome stayed unknown
        const error = yield* Effect.flip(
          Rotation.rotate({ resourceId: idOf(acs) }, {
            ...published,
            recoveryDelay: "10 millis",
            recoveryTimeout: "1 second"
          })
        )
        assert.strictEqual(error.step, "Recover")
        assert.strictEqual(error.keyType, "Secondary")
        assert.isTrue(error.livePublished)
        assert.strictEqual(published.get(idOf(acs), "Secondary"), yield* liveKey(acs, "Secondary"))
        assert.isUndefined(published.get(idOf(acs), "Primary"), "the other key was left alone")
      }).pipe(Effect.provide(emulatorAndClient({
        resources: [acs],
        faults: { seed: 7, ...fault, when: "after", operations: ["regenerateKey"] }
      }))))
  }

  it.live("a regeneration failing before the key changed: the live key is published and the rotation stops", () =>
    Effect.gen(function*() {
      const before = yield* liveKey(acs, "Secondary")
      const published = publishedKeys()
      const error = yield* Effect.flip(
        Rotation.rotate({ resourceId: idOf(acs) }, {
          ...published,
          recoveryDelay: "10 millis",
          recoveryTimeout: "1 second"
        })
      )
      assert.strictEqual(error.step, "Regenerate")
      assert.isTrue(error.livePublished)
      assert.strictEqual(yield* liveKey(acs, "Secondary"), before)
      assert.strictEqual(published.get(idOf(acs), "Secondary"), before)
    }).pipe(Effect.provide(emulatorAndClient({
      resources: [acs],
      faults: { seed: 7, errorRate: 1, when: "before", operations: ["regenerateKey"] }
    }))))

  it.live("a publish that keeps failing stops at Publish; listKeys returns the key it was given", () =>
    Effect.gen(function*() {
      const given: Array<string> = []
      const recorder = publishedKeys()
      const error = yield* Effect.flip(Rotation.rotate({ resourceId: idOf(acs) }, {
        publish: (key) => Effect.zipRight(recorder.publish(key), Effect.fail("vault refused")),
        publishRetry: Schedule.recurs(1)
      }))
      assert.strictEqual(error.step, "Publish")
      assert.strictEqual(error.keyType, "Secondary")
      given.push(recorder.get(idOf(acs), "Secondary")!)
      assert.strictEqual(given[0], yield* liveKey(acs, "Secondary"))
    }).pipe(Effect.provide(emulatorAndClient({ resources: [acs] }))))

  it.live("an interruption during publish still leaves the published key live", () =>
    Effect.gen(function*() {
      const published = publishedKeys()
      const fiber = yield* Effect.fork(Rotation.rotate({ resourceId: idOf(acs) }, {
        publish: (key) => Effect.zipRight(Effect.sleep("200 millis"), published.publish(key))
      }))
      yield* Effect.sleep("50 millis")
      yield* Fiber.interrupt(fiber)
      assert.strictEqual(published.get(idOf(acs), "Secondary"), yield* liveKey(acs, "Secondary"))
      assert.isUndefined(published.get(idOf(acs), "Primary"), "the interruption took effect before the next key")
    }).pipe(Effect.provide(emulatorAndClient({ resources: [acs] }))))

  it.live("a fleet under seeded 5xx and dropped connections loses no key", () =>
    Effect.gen(function*() {
      const fleet = resources(40, 4)
      const initial = new Map<string, string>()
      for (const resource of fleet) {
        for (const keyType of ["Primary", "Secondary"] as const) {
          initial.set(`${idOf(resource)}|${keyType}`, yield* liveKey(resource, keyType))
        }
      }
      const published = publishedKeys()
      const summary = yield* Rotation.rotateFleet(
        Stream.fromIterable(fleet.map((resource) => ({ resourceId: idOf(resource) }))),
        { ...published, concurrency: 8 }
      )
      assert.strictEqual(summary.total, 40)
      const stats = yield* Effect.flatMap(Emulator.Emulator, (emulator) => emulator.stats)
      assert.isAbove(stats.faults, 0, "faults were injected")
      for (const resource of fleet) {
        for (const keyType of ["Primary", "Secondary"] as const) {
          const live = yield* liveKey(resource, keyType)
          const given = published.get(idOf(resource), keyType)
          // every live key is either the one the caller already had, or one publish was given
          if (given === undefined) assert.strictEqual(live, initial.get(`${idOf(resource)}|${keyType}`))
          else assert.strictEqual(given, live, `${idOf(resource)} ${keyType}`)
        }
      }
    }).pipe(Effect.provide(emulatorAndClient({
      resources: resources(40, 4),
      faults: { seed: 42, errorRate: 0.15, dropRate: 0.1, when: "random" }
    }))))
})
