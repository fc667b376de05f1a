import { Rotation } from "@effect-acs/core"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import * as TestClock from "effect/TestClock"
import { statefulArm } from "./stateful.js"

const fleet = (count: number, subscriptions: number) =>
  Array.from({ length: count }, (_, i) => ({
    resourceId: `/subscriptions/sub-${
      i % subscriptions
    }/resourceGroups/rg/providers/Microsoft.Communication/communicationServices/acs-${i}`
  }))

/** Runs the effect while the test clock advances in 100 ms steps, until it completes. */
const runOnTestClock = <A, E>(effect: Effect.Effect<A, E>) =>
  Effect.gen(function*() {
    const fiber = yield* Effect.fork(effect)
    for (let step = 0; step < 100_000; step++) {
      const done = yield* Fiber.poll(fiber)
      if (Option.isSome(done)) return yield* Fiber.join(fiber)
      yield* TestClock.adjust("100 millis")
    }
    return yield* Effect.die("the fleet did not finish")
  })

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
      // 25 resources a subscription, 3 writes each (listKeys + 2 regenerations): (75 - 10) / 5 per second
      const minimum = ((25 * 3 - budget.capacity) / budget.perSecond) * 1000
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
      // 30 writes against the 5 left: (30 - 5) / 5 per second at least
      assert.isAtLeast(summary.durationMillis, 5000)
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
      assert.strictEqual(summary.failed[0]!.error.step, "ReadKeys")
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
})
