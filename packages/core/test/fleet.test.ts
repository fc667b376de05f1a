import { Rotation } from "@effect-acs/core"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Stream from "effect/Stream"
import * as TestClock from "effect/TestClock"
import { runOnTestClock, statefulArm } from "./stateful.js"

const fleet = (count: number, subscriptions: number) =>
  Array.from({ length: count }, (_, i) => ({
    resourceId: `/subscriptions/sub-${
      i % subscriptions
    }/resourceGroups/rg/providers/Microsoft.Communication/communicationServices/acs-${i}`
  }))

describe("Rotation.rotateFleet", () => {
  it.effect("stays within the write budget: no 429, and the time the budget allows", () =>
    Effect.gen(function*() {
      const budget = { capacity: 10, perSecond: 5 }
      const arm = statefulArm({ budget })
      const events: Array<Rotation.FleetEvent> = []
      const summary = yield* runOnTestClock(
        Rotation.rotateFleet(Stream.fromIterable(fleet(50, 2)), {
          publish: () => Effect.void,
          budget,
          concurrency: 8,
          onEvent: (event) => Effect.sync(() => events.push(event))
        }).pipe(Effect.provide(arm.layer()))
      )
      // 25 resources a subscription, 2 writes each (2 regenerations): (50 - 10) / 5 per second
      const minimum = ((25 * 2 - budget.capacity) / budget.perSecond) * 1000
      assert.strictEqual(summary.total, 50)
      assert.strictEqual(summary.rotated, 50)
      assert.strictEqual(summary.failed.length, 0)
      assert.strictEqual(summary.throttled, 0)
      assert.strictEqual(arm.throttled(), 0)
      assert.isAtLeast(summary.durationMillis, minimum)
      assert.isAtMost(summary.durationMillis, minimum * 1.1)
      assert.strictEqual(events.filter((event) => event._tag === "Rotated").length, 50)
    }))

  it.effect("keeps in step with the service's bucket when someone else has spent it", () =>
    Effect.gen(function*() {
      const budget = { capacity: 20, perSecond: 5 }
      const arm = statefulArm({ budget, spentByOthers: 15 })
      const summary = yield* runOnTestClock(
        Rotation.rotateFleet(Stream.fromIterable(fleet(10, 1)), {
          publish: () => Effect.void,
          budget,
          concurrency: 8
        }).pipe(Effect.provide(arm.layer()))
      )
      assert.strictEqual(summary.rotated, 10)
      assert.strictEqual(arm.throttled(), 0, "the remaining-writes header kept the fleet within the budget")
      // 20 writes against the 5 left: (20 - 5) / 5 per second at least
      assert.isAtLeast(summary.durationMillis, 3000)
    }))

  it.effect("slows a subscription down when it is throttled anyway, and finishes", () =>
    Effect.gen(function*() {
      const arm = statefulArm({ budget: { capacity: 5, perSecond: 5 } })
      const events: Array<Rotation.FleetEvent> = []
      const summary = yield* runOnTestClock(
        Rotation.rotateFleet(Stream.fromIterable(fleet(20, 1)), {
          publish: () => Effect.void,
          budget: { capacity: 50, perSecond: 50 },
          concurrency: 8,
          onEvent: (event) => Effect.sync(() => events.push(event))
        }).pipe(Effect.provide(arm.layer()))
      )
      assert.strictEqual(summary.rotated, 20)
      assert.isAbove(arm.throttled(), 0)
      assert.strictEqual(summary.throttled, arm.throttled())
      assert.isTrue(events.some((event) => event._tag === "Throttled" && event.subscriptionId === "sub-0"))
    }))

  it.effect("one resource failing does not stop the fleet", () =>
    Effect.gen(function*() {
      const arm = statefulArm({ missing: ["acs-3"] })
      const summary = yield* runOnTestClock(
        Rotation.rotateFleet(Stream.fromIterable(fleet(10, 2)), { publish: () => Effect.void }).pipe(
          Effect.provide(arm.layer())
        )
      )
      assert.strictEqual(summary.total, 10)
      assert.strictEqual(summary.rotated, 9)
      assert.strictEqual(summary.failed.length, 1)
      assert.include(summary.failed[0]!.resourceId, "acs-3")
      assert.strictEqual(summary.failed[0]!.error.step, "Regenerate")
      assert.isFalse(summary.failed[0]!.error.livePublished)
      assert.deepStrictEqual(summary.unpublished, [], "a refused regeneration changed nothing")
      assert.strictEqual((summary.failed[0]!.error.cause as { _tag: string })._tag, "NotFound")
    }))

  it.effect("never runs more rotations at once than its concurrency", () =>
    Effect.gen(function*() {
      const arm = statefulArm()
      let running = 0
      let peak = 0
      yield* runOnTestClock(
        Rotation.rotateFleet(Stream.fromIterable(fleet(30, 3)), {
          publish: () => Effect.void,
          verify: () =>
            Effect.acquireUseRelease(
              Effect.sync(() => peak = Math.max(peak, ++running)),
              () => Effect.sleep("1 second"),
              () => Effect.sync(() => running--)
            ),
          concurrency: 4,
          budget: false
        }).pipe(Effect.provide(arm.layer()))
      )
      assert.strictEqual(peak, 4)
    }))

  it.effect("rotates a resource listed twice (in any letter case) once, and reports the duplicate", () =>
    Effect.gen(function*() {
      const arm = statefulArm()
      const events: Array<Rotation.FleetEvent> = []
      const id = "/subscriptions/sub-1/resourceGroups/rg/providers/Microsoft.Communication/communicationServices/acs"
      const summary = yield* Rotation.rotateFleet(
        Stream.fromIterable([{ resourceId: id }, {
          resourceId: id.toUpperCase().replace("/SUBSCRIPTIONS", "/subscriptions")
        }]),
        { publish: () => Effect.void, budget: false, onEvent: (event) => Effect.sync(() => events.push(event)) }
      ).pipe(Effect.provide(arm.layer()))
      assert.strictEqual(summary.total, 2)
      assert.strictEqual(summary.rotated, 1)
      assert.strictEqual(summary.duplicates, 1)
      assert.deepStrictEqual(events.map((event) => event._tag).sort(), ["Rotated", "Skipped"])
      assert.strictEqual(arm.seen.filter((request) => request.url.includes("/regenerateKey")).length, 2)
    }))

  it.effect("a huge Retry-After is honoured up to a minute, and the wait can be interrupted", () =>
    Effect.gen(function*() {
      const arm = statefulArm({ faults: () => "throttleLong" })
      const events: Array<Rotation.FleetEvent> = []
      const fiber = yield* Effect.fork(
        Rotation.rotateFleet(Stream.fromIterable(fleet(1, 1)), {
          publish: () => Effect.void,
          budget: false,
          onEvent: (event) => Effect.sync(() => events.push(event))
        }).pipe(Effect.provide(arm.layer()))
      )
      yield* TestClock.adjust("61 seconds")
      const throttles = events.filter((event) => event._tag === "Throttled")
      assert.strictEqual(throttles.length, 1)
      assert.strictEqual(throttles[0]?._tag === "Throttled" ? throttles[0].waitMillis : 0, 60_000)
      const sent = arm.seen.length
      // interrupted during the second wait: it ends without advancing the clock, and nothing more is sent
      yield* Fiber.interrupt(fiber)
      assert.strictEqual(arm.seen.length, sent)
    }))
})
