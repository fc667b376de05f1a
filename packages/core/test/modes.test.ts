import { Metrics, Rotation } from "@effect-acs/core"
import { assertNoSecret } from "@effect-acs/testing"
import { assert, describe, it } from "@effect/vitest"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Metric from "effect/Metric"
import * as MetricLabel from "effect/MetricLabel"
import * as Redacted from "effect/Redacted"
import * as Schedule from "effect/Schedule"
import * as Stream from "effect/Stream"
import * as TestClock from "effect/TestClock"
import { runOnTestClock, statefulArm } from "./stateful.js"

const resourceId = (name: string, subscription = "sub-1") =>
  `/subscriptions/${subscription}/resourceGroups/rg/providers/Microsoft.Communication/communicationServices/${name}`

const operations = (arm: ReturnType<typeof statefulArm>) =>
  arm.seen.map((request) => request.url.split("/").at(-1)!.split("?")[0])

const given = () => {
  const keys: Array<string> = []
  return { keys, publish: (key: Rotation.PublishedKey) => Effect.sync(() => keys.push(Redacted.value(key.key))) }
}

describe("Rotation modes", () => {
  it.effect("alternate, run twice, replaces each key once, one write a run, and says which is next", () =>
    Effect.gen(function*() {
      const arm = statefulArm()
      const { keys, publish } = given()
      const first = yield* Rotation.rotate({ resourceId: resourceId("acs") }, { publish, mode: "alternate" }).pipe(
        Effect.provide(arm.layer())
      )
      assert.deepStrictEqual(first.regenerated, ["Secondary"])
      assert.strictEqual(first.next, "Primary")
      assert.strictEqual(arm.value("acs", "primary"), "acs-primary-1", "the key clients use was left alone")
      const second = yield* Rotation.rotate({ resourceId: resourceId("acs") }, {
        publish,
        mode: "alternate",
        first: first.next
      }).pipe(Effect.provide(arm.layer()))
      assert.deepStrictEqual(second.regenerated, ["Primary"])
      assert.strictEqual(second.next, "Secondary")
      assert.deepStrictEqual(keys, ["acs-secondary-2", "acs-primary-2"])
      assert.deepStrictEqual(operations(arm), ["regenerateKey", "regenerateKey"])
    }))

  it.effect("drain waits between the two keys after verify; an interruption while draining stops there", () =>
    Effect.gen(function*() {
      const arm = statefulArm()
      const { publish } = given()
      const rotation = Rotation.rotate({ resourceId: resourceId("acs") }, {
        publish,
        verify: () => Effect.void,
        drain: "10 minutes"
      }).pipe(Effect.provide(arm.layer()))
      const fiber = yield* Effect.fork(rotation)
      yield* TestClock.adjust("9 minutes")
      assert.strictEqual(arm.value("acs", "secondary"), "acs-secondary-2")
      assert.strictEqual(arm.value("acs", "primary"), "acs-primary-1", "still draining")
      yield* TestClock.adjust("1 minute")
      const report = yield* Fiber.join(fiber)
      assert.strictEqual(arm.value("acs", "primary"), "acs-primary-2")
      assert.deepStrictEqual(report.steps.map((step) => step.action), [
        "regenerateKey",
        "publish",
        "verify",
        "drain",
        "regenerateKey",
        "publish"
      ])

      const stopped = yield* Effect.fork(rotation)
      yield* TestClock.adjust("1 minute")
      yield* Fiber.interrupt(stopped)
      yield* TestClock.adjust("20 minutes")
      assert.strictEqual(arm.value("acs", "secondary"), "acs-secondary-3")
      assert.strictEqual(arm.value("acs", "primary"), "acs-primary-2", "interrupted while draining: not touched")
    }))

  it.effect("a verify that fails stops the rotation before the other key is touched", () =>
    Effect.gen(function*() {
      const arm = statefulArm()
      const { keys, publish } = given()
      const error = yield* Effect.flip(Rotation.rotate({ resourceId: resourceId("acs") }, {
        publish,
        verify: () => Effect.fail("clients still use the old key")
      })).pipe(Effect.provide(arm.layer()))
      assert.strictEqual(error.step, "Verify")
      assert.strictEqual(error.keyType, "Secondary")
      assert.isTrue(error.livePublished)
      assert.deepStrictEqual(keys, ["acs-secondary-2"])
      assert.strictEqual(arm.value("acs", "primary"), "acs-primary-1")
    }))

  it.effect("plan says what would be done, in order, in how many writes, and sends nothing", () =>
    Effect.gen(function*() {
      const both = yield* Rotation.plan({ resourceId: resourceId("acs") }, {
        verify: () => Effect.void,
        drain: "5 minutes"
      })
      assert.deepStrictEqual(both.steps.map((step) => `${step.action}:${step.keyType}`), [
        "regenerateKey:Secondary",
        "publish:Secondary",
        "verify:Secondary",
        "drain:Secondary",
        "regenerateKey:Primary",
        "publish:Primary"
      ])
      assert.strictEqual(both.writes, 2)
      assert.strictEqual(both.steps[3]!.duration, "5m")
      const alternate = yield* Rotation.plan({ resourceId: resourceId("acs") }, { mode: "alternate", first: "Primary" })
      assert.strictEqual(alternate.writes, 1)
      assert.strictEqual(alternate.next, "Secondary")
      assert.strictEqual((yield* Rotation.plan({ resourceId: resourceId("acs") }, { readKeys: true })).writes, 3)
      const invalid = yield* Effect.flip(
        Rotation.plan({ resourceId: resourceId("acs") }, { mode: "alternate", drain: "1 minute" })
      )
      assert.strictEqual(invalid.step, "ReadKeys")
      assert.include(invalid.message, "drain only in mode")
    }))

  it.effect("planFleet counts resources, duplicates and invalid entries, and the time the budget allows", () =>
    Effect.gen(function*() {
      const entries = [
        ...Array.from({ length: 30 }, (_, i) => ({ resourceId: resourceId(`acs-${i}`, `sub-${i % 2}`) })),
        { resourceId: resourceId("acs-0", "sub-0").toUpperCase().replace("/SUBSCRIPTIONS", "/subscriptions") },
        { resourceId: "not a resource" }
      ]
      const plan = yield* Rotation.planFleet(Stream.fromIterable(entries), { budget: { capacity: 10, perSecond: 5 } })
      assert.strictEqual(plan.total, 32)
      assert.strictEqual(plan.resources, 30)
      assert.strictEqual(plan.duplicates, 1)
      assert.strictEqual(plan.invalid.length, 1)
      assert.strictEqual(plan.subscriptions, 2)
      assert.strictEqual(plan.writes, 60)
      // 15 resources a subscription, 2 writes each: (30 - 10) / 5 per second
      assert.strictEqual(plan.minimumMillis, 4000)
    }))
})

describe("Rotation metrics", () => {
  const outcome = (value: string) => Metric.value(Metric.tagged(Metrics.rotations, "outcome", value))
  const failures = (step: string, error: string) =>
    Metric.value(Metric.tagged(Metric.tagged(Metrics.rotationFailures, "step", step), "error", error))
  const rotatedAt = (id: string, key: string) =>
    Metric.value(Metric.taggedWithLabels(Metrics.keyRotatedAt, [
      MetricLabel.make("resource", id.slice(id.lastIndexOf("/") + 1)),
      MetricLabel.make("resource_id", id),
      MetricLabel.make("key", key)
    ]))

  it.effect("a rotation counts its outcome, its failure by step and error, and when each key was rotated", () =>
    Effect.gen(function*() {
      const before = { rotated: (yield* outcome("rotated")).count, failed: (yield* outcome("failed")).count }
      const refusedBefore = (yield* failures("Regenerate", "AuthorizationFailed")).count
      yield* TestClock.setTime(1_800_000_000_500)
      const id = resourceId("metrics-acs")
      yield* Rotation.rotate({ resourceId: id }, { publish: () => Effect.void }).pipe(
        Effect.provide(statefulArm().layer())
      )
      assert.strictEqual((yield* outcome("rotated")).count, before.rotated + 1)
      assert.strictEqual((yield* rotatedAt(id, "Secondary")).value, 1_800_000_000)
      assert.strictEqual((yield* rotatedAt(id, "Primary")).value, 1_800_000_000)

      yield* Effect.flip(Rotation.rotate({ resourceId: resourceId("refused") }, { publish: () => Effect.void })).pipe(
        Effect.provide(statefulArm({ faults: () => "refuse" }).layer())
      )
      assert.strictEqual((yield* outcome("failed")).count, before.failed + 1)
      assert.strictEqual((yield* failures("Regenerate", "AuthorizationFailed")).count, refusedBefore + 1)
      assert.strictEqual((yield* rotatedAt(resourceId("refused"), "Secondary")).value, 0, "never rotated")
    }))

  it.effect("the snapshot holds the documented names, and no tag holds a key", () =>
    Effect.gen(function*() {
      const arm = statefulArm()
      yield* Rotation.rotate({ resourceId: resourceId("snapshot-acs") }, { publish: () => Effect.void }).pipe(
        Effect.provide(arm.layer())
      )
      const snapshot = yield* Metric.snapshot
      const names = new Set(snapshot.map((pair) => pair.metricKey.name))
      for (const name of ["effect_acs.rotations", "effect_acs.key.rotated_at"]) assert.isTrue(names.has(name), name)
      const ours = snapshot.filter((pair) => pair.metricKey.name.startsWith("effect_acs."))
      const tags = ours.flatMap((pair) => pair.metricKey.tags.map((tag) => `${tag.key}=${tag.value}`))
      assert.include(tags, "key=Secondary")
      assert.include(tags, "resource=snapshot-acs")
      yield* assertNoSecret(tags, [arm.value("snapshot-acs", "primary"), arm.value("snapshot-acs", "secondary")])
    }))

  it.effect("an interrupted rotation counts as interrupted", () =>
    Effect.gen(function*() {
      const before = (yield* outcome("interrupted")).count
      const fiber = yield* Effect.fork(
        Rotation.rotate({ resourceId: resourceId("acs") }, { publish: () => Effect.void, drain: "1 hour" }).pipe(
          Effect.provide(statefulArm().layer())
        )
      )
      yield* TestClock.adjust("1 minute")
      yield* Fiber.interrupt(fiber)
      assert.strictEqual((yield* outcome("interrupted")).count, before + 1)
    }))
})

describe("Rotation.rotateFleet stop", () => {
  it.effect("stop ends the fleet at the next safe point: rotated, stopped and not started add up, no key lost", () =>
    Effect.gen(function*() {
      const arm = statefulArm()
      const stop = yield* Deferred.make<void>()
      const published = new Map<string, string>()
      const names = Array.from({ length: 20 }, (_, i) => `acs-${i}`)
      const fiber = yield* Effect.fork(
        Rotation.rotateFleet(Stream.fromIterable(names.map((name) => ({ resourceId: resourceId(name) }))), {
          publish: (key) =>
            Effect.zipRight(
              Effect.sleep("1 second"),
              Effect.sync(() => published.set(`${key.resourceId}|${key.keyType}`, Redacted.value(key.key)))
            ),
          concurrency: 4,
          budget: false,
          stop: Deferred.await(stop)
        }).pipe(Effect.provide(arm.layer()))
      )
      yield* TestClock.adjust("5500 millis")
      yield* Deferred.succeed(stop, undefined)
      const summary = yield* runOnTestClock(Fiber.join(fiber))
      assert.strictEqual(summary.total, 20)
      assert.isAbove(summary.rotated, 0)
      assert.isAbove(summary.stopped, 0)
      assert.isAbove(summary.notStarted, 0)
      assert.strictEqual(summary.rotated + summary.stopped + summary.notStarted + summary.failed.length, 20)
      assert.deepStrictEqual(summary.unpublished, [])
      for (const name of names) {
        for (const keyType of ["primary", "secondary"] as const) {
          const live = arm.value(name, keyType)
          const key = published.get(`${resourceId(name)}|${keyType === "primary" ? "Primary" : "Secondary"}`)
          assert.strictEqual(key ?? `${name}-${keyType}-1`, live, `${name} ${keyType}`)
        }
      }
    }))

  it.effect("a key live but not published is listed in the summary", () =>
    Effect.gen(function*() {
      const summary = yield* Rotation.rotateFleet(Stream.make({ resourceId: resourceId("acs") }), {
        publish: () => Effect.fail("vault down"),
        publishRetry: Schedule.recurs(0),
        budget: false
      }).pipe(Effect.provide(statefulArm().layer()))
      assert.deepStrictEqual(summary.unpublished, [{ resourceId: resourceId("acs"), keyType: "Secondary" }])
      assert.strictEqual(summary.failed.length, 1)
    }))
})
