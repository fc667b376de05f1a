import { DataPlane, Rotation } from "@effect-acs/core"
import { Emulator } from "@effect-acs/emulator"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Redacted from "effect/Redacted"
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

  it.live("a rotation makes exactly 2 requests, both regenerations", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.Emulator
      const published = publishedKeys()
      const report = yield* Rotation.rotate({ resourceId: idOf(acs) }, published)
      const log = yield* emulator.requestLog
      assert.deepStrictEqual(log.map((entry) => `${entry.operation}:${entry.status}`), [
        "regenerateKey:200",
        "regenerateKey:200"
      ])
      assert.strictEqual((yield* emulator.stats).requests, 2)
      assert.deepStrictEqual(report.published, ["Secondary", "Primary"])
      assert.strictEqual(published.get(idOf(acs), "Primary"), yield* liveKey(acs, "Primary"))
    }).pipe(Effect.provide(emulatorAndClient({ resources: [acs] }))))

  it.live("with the data plane, DataPlane.verify proves the new key; the key it replaced is refused", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.Emulator
      const before = yield* emulator.keys(acs)
      const replaced: Rotation.PublishedKey = {
        resourceId: idOf(acs),
        keyType: "Secondary",
        key: before.secondaryKey,
        connectionString: before.secondaryConnectionString
      }
      // the key clients have now works, before the rotation
      yield* DataPlane.verify(replaced)
      const published = publishedKeys()
      const verified: Array<string> = []
      const report = yield* Rotation.rotate({ resourceId: idOf(acs) }, {
        ...published,
        verify: (key) =>
          Effect.tap(DataPlane.verify(key), () => Effect.sync(() => verified.push(Redacted.value(key.key))))
      })
      assert.deepStrictEqual(report.verified, ["Secondary"])
      assert.deepStrictEqual(verified, [published.get(idOf(acs), "Secondary")!])
      const error = yield* Effect.flip(DataPlane.verify(replaced))
      assert.strictEqual(error._tag, "KeyRejected")
      assert.notInclude(error.message, Redacted.value(before.secondaryKey))
      // 2 writes; the data-plane probes are not ARM requests
      const log = yield* emulator.requestLog
      assert.strictEqual(log.filter((entry) => entry.operation !== undefined).length, 2)
      assert.strictEqual(log.filter((entry) => entry.path.endsWith("/phoneNumbers")).length, 3)
    }).pipe(
      Effect.provide(emulatorAndClient({ resources: [acs], dataPlane: true })),
      Effect.provide(NodeHttpClient.layer)
    ))

  it.live("a verify that fails stops the rotation: the other key is left alone", () =>
    Effect.gen(function*() {
      const before = yield* liveKey(acs, "Primary")
      const published = publishedKeys()
      // without the emulator's data plane the connection string points at the service: verification cannot
      // succeed, and the Primary key clients use is kept
      const error = yield* Effect.flip(Rotation.rotate({ resourceId: idOf(acs) }, {
        ...published,
        verify: (key) =>
          DataPlane.verify({ ...key, connectionString: Redacted.make("endpoint=http://example.com/;accesskey=a2V5") })
      }))
      assert.strictEqual(error.step, "Verify")
      assert.strictEqual((error.cause as { _tag: string })._tag, "InvalidConnectionString")
      assert.strictEqual(yield* liveKey(acs, "Primary"), before)
      assert.strictEqual(published.get(idOf(acs), "Secondary"), yield* liveKey(acs, "Secondary"))
    }).pipe(Effect.provide(emulatorAndClient({ resources: [acs] })), Effect.provide(NodeHttpClient.layer)))

  it.live("alternate, run twice, replaces each key once", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.Emulator
      const before = { primary: yield* liveKey(acs, "Primary"), secondary: yield* liveKey(acs, "Secondary") }
      const published = publishedKeys()
      const first = yield* Rotation.rotate({ resourceId: idOf(acs) }, { ...published, mode: "alternate" })
      assert.deepStrictEqual(first.regenerated, ["Secondary"])
      assert.strictEqual(yield* liveKey(acs, "Primary"), before.primary)
      const second = yield* Rotation.rotate({ resourceId: idOf(acs) }, {
        ...published,
        mode: "alternate",
        first: first.next
      })
      assert.deepStrictEqual(second.regenerated, ["Primary"])
      assert.notStrictEqual(yield* liveKey(acs, "Secondary"), before.secondary)
      assert.notStrictEqual(yield* liveKey(acs, "Primary"), before.primary)
      assert.strictEqual(published.get(idOf(acs), "Primary"), yield* liveKey(acs, "Primary"))
      assert.strictEqual(published.get(idOf(acs), "Secondary"), yield* liveKey(acs, "Secondary"))
      assert.strictEqual((yield* emulator.stats).regenerations, 2)
      assert.strictEqual((yield* emulator.stats).requests, 2)
    }).pipe(Effect.provide(emulatorAndClient({ resources: [acs] }))))

  it.live("plan and planFleet make 0 requests", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.Emulator
      const plan = yield* Rotation.plan({ resourceId: idOf(acs) }, { verify: () => Effect.void })
      assert.strictEqual(plan.writes, 2)
      const fleet = yield* Rotation.planFleet(
        Stream.fromIterable(resources(10, 2).map((resource) => ({ resourceId: idOf(resource) }))),
        {}
      )
      assert.strictEqual(fleet.writes, 20)
      assert.strictEqual((yield* emulator.stats).requests, 0)
    }).pipe(Effect.provide(emulatorAndClient({ resources: resources(10, 2) }))))

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
            recoveryTimeout: "1 second",
            settle: "200 millis"
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
          readKeys: true,
          recoveryDelay: "10 millis",
          recoveryTimeout: "1 second",
          settle: "200 millis"
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
        { ...published, concurrency: 8, recoveryDelay: "10 millis", settle: "200 millis" }
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
