/**
 * Class 1 of issue 11: no key lost under interruption and slowness. Against a stateful hostile ARM (arm.ts),
 * a rotation interrupted at random points (`Fiber.interrupt`, `Effect.timeout` around it) while regenerations
 * are on the wire, a service that commits a regeneration long after the client gave up, a 200 without the
 * requested key, and the same resource twice in a fleet: after the server has nothing pending, every live key
 * is one the resource started with or one `publish` was given. Randomness is seeded; nothing is printed.
 */
import { Rotation } from "@effect-acs/core"
import { assertNoLeak, makeSpanRecorder } from "@effect-acs/testing"
import { assert, describe, it } from "@effect/vitest"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Redacted from "effect/Redacted"
import * as Stream from "effect/Stream"
import * as Arm from "./arm.js"
import { clientLayer, describeExit, fastRetry, newToken, prng, type Transport, transports } from "./support.js"

const iterations = 50

/** The rotation options of these attacks: publish records what it is given (after `publishDelay` ms). */
const rotateOptions = (
  published: ReturnType<typeof Arm.publications>,
  publishDelay: () => number = () => 0
): Rotation.RotateOptions<never, never> => ({
  publish: (key) =>
    Effect.sleep(Duration.millis(publishDelay())).pipe(
      Effect.zipRight(Effect.sync(() => published.record(key.resourceId, key.keyType, Redacted.value(key.key))))
    ),
  recoveryDelay: "20 millis",
  // a request given up on can reach the loopback server hundreds of milliseconds late on a loaded machine
  settle: "2 seconds"
})

/** A client for `arm` over `transport`: a short per-attempt timeout and fast retries. */
const client = (transport: Transport, arm: Arm.Arm, timeout: Duration.DurationInput = "150 millis") =>
  clientLayer(transport, arm.url, newToken(), { retry: fastRetry, timeout })

/** Asserts the guarantee for every resource, once the server has nothing pending. */
const assertNoneLost = (
  arm: Arm.Arm,
  published: ReturnType<typeof Arm.publications>,
  resourceIds: ReadonlyArray<string>,
  what: string
) =>
  Effect.gen(function*() {
    yield* arm.server.idle
    const lost = resourceIds.flatMap((id) => Arm.unpublishedLive(arm, published, id))
    assert.deepStrictEqual(lost, [], `${what}: live keys that publish was never given`)
  })

const randomBehaviour = (random: () => number): Arm.Behaviour => ({
  _tag: "Normal",
  delay: 5 + Math.floor(random() * 55)
})

describe.each(transports)("rotation under interruption over $name", (transport) => {
  it.live(`Fiber.interrupt at random points (${iterations} seeded runs) never leaves a live key unpublished`, () =>
    Effect.scoped(Effect.gen(function*() {
      const randoms = Array.from({ length: iterations }, (_, i) => prng(1000 + i))
      const arm = yield* Arm.make({
        seed: 1,
        behaviour: (id) => randomBehaviour(randoms[Number(id.split("-").pop())]!),
        listDelay: () => 2
      })
      const published = Arm.publications()
      const ids = Array.from({ length: iterations }, (_, i) => arm.add(`acs-int-${i}`).resourceId)
      let onTheWire = 0
      yield* Effect.forEach(ids, (resourceId, i) =>
        Effect.gen(function*() {
          const random = prng(2000 + i)
          const fiber = yield* Effect.fork(
            Rotation.rotate({ resourceId }, rotateOptions(published, () => Math.floor(random() * 5)))
          )
          const delay = Math.floor(random() * 90)
          if (i % 2 === 0) {
            // every other run is interrupted exactly while its regeneration is on the wire (waited for, a
            // bounded while), so that this case never depends on the machine's timing
            for (let polls = 0; polls < 500 && arm.state(resourceId).inFlight === 0; polls++) {
              yield* Effect.sleep("1 millis")
            }
          } else {
            yield* Effect.sleep(Duration.millis(delay))
          }
          if (arm.state(resourceId).inFlight > 0) onTheWire++
          yield* Fiber.interrupt(fiber)
        }), { concurrency: 10, discard: true }).pipe(Effect.provide(client(transport, arm)))
      yield* assertNoneLost(arm, published, ids, `${iterations} interrupted rotations`)
      assert.isAbove(onTheWire, 0, "some interruptions landed while a regeneration was on the wire")
    })))

  it.live(`Effect.timeout around rotate (${iterations} seeded runs) never leaves a live key unpublished`, () =>
    Effect.scoped(Effect.gen(function*() {
      const randoms = Array.from({ length: iterations }, (_, i) => prng(3000 + i))
      const arm = yield* Arm.make({
        seed: 2,
        behaviour: (id) => randomBehaviour(randoms[Number(id.split("-").pop())]!),
        listDelay: () => 2
      })
      const published = Arm.publications()
      const ids = Array.from({ length: iterations }, (_, i) => arm.add(`acs-tmo-${i}`).resourceId)
      let timedOut = 0
      yield* Effect.forEach(ids, (resourceId, i) =>
        Effect.gen(function*() {
          const random = prng(4000 + i)
          const exit = yield* Effect.exit(
            Rotation.rotate({ resourceId }, rotateOptions(published, () => Math.floor(random() * 5))).pipe(
              Effect.timeout(Duration.millis(Math.floor(random() * 90)))
            )
          )
          if (Exit.isFailure(exit)) timedOut++
        }), { concurrency: 10, discard: true }).pipe(Effect.provide(client(transport, arm)))
      yield* assertNoneLost(arm, published, ids, `${iterations} rotations under Effect.timeout`)
      assert.isAbove(timedOut, 0, "some rotations were cut by the timeout")
    })))

  it.live(`seeded chaos (${iterations} runs: slow, late, keyless, failing and dropped commits, interruptions)`, () =>
    Effect.scoped(Effect.gen(function*() {
      const randoms = Array.from({ length: iterations }, (_, i) => prng(5000 + i))
      const behaviour = (id: string): Arm.Behaviour => {
        const random = randoms[Number(id.split("-").pop())]!
        const delay = 2 + Math.floor(random() * 20)
        const pick = random()
        if (pick < 0.4) return { _tag: "Normal", delay }
        if (pick < 0.5) return { _tag: "LateCommit", commitAfter: 160 + Math.floor(random() * 250) }
        if (pick < 0.6) return { _tag: "WithoutKey", delay, commit: random() < 0.5, body: "empty" }
        if (pick < 0.7) return { _tag: "WithoutKey", delay, commit: random() < 0.5, body: "other" }
        if (pick < 0.8) return { _tag: "ErrorAfterCommit", delay, status: 500 }
        if (pick < 0.9) return { _tag: "ErrorBeforeCommit", delay, status: 503 }
        return { _tag: "DropAfterCommit", delay }
      }
      const arm = yield* Arm.make({ seed: 3, behaviour, listDelay: () => 2 })
      const published = Arm.publications()
      const ids = Array.from({ length: iterations }, (_, i) => arm.add(`acs-chaos-${i}`).resourceId)
      const failures: Array<Rotation.RotationFailed> = []
      yield* Effect.forEach(ids, (resourceId, i) =>
        Effect.gen(function*() {
          const random = prng(6000 + i)
          const rotation = Rotation.rotate({ resourceId }, rotateOptions(published, () => Math.floor(random() * 5)))
          const mode = random()
          const cut = Duration.millis(Math.floor(random() * 200))
          if (mode < 0.35) {
            const fiber = yield* Effect.fork(rotation)
            yield* Effect.sleep(cut)
            yield* Fiber.interrupt(fiber)
          } else {
            const exit = yield* Effect.exit(mode < 0.7 ? Effect.timeout(rotation, cut) : rotation)
            if (Exit.isFailure(exit)) {
              const error = exit.cause._tag === "Fail" ? exit.cause.error : undefined
              if (error !== undefined && error._tag === "RotationFailed") failures.push(error)
            }
          }
        }), { concurrency: 10, discard: true }).pipe(Effect.provide(client(transport, arm)))
      yield* assertNoneLost(arm, published, ids, `${iterations} chaotic rotations`)
      for (const error of failures) yield* assertNoLeak(error, arm.allKeys())
    })))

  for (const [keyType, commitAfter] of [["Secondary", 600], ["Primary", 600], ["Secondary", 250]] as const) {
    it.live(
      `a ${keyType} regeneration committed ${commitAfter} ms after the client gave up (timeout 100 ms, recoveryDelay 20 ms) ends published`,
      () =>
        Effect.scoped(Effect.gen(function*() {
          let late = 0
          const arm = yield* Arm.make({
            seed: 4,
            // the first regeneration of that key commits late; the service answers 409 to any other meanwhile
            behaviour: (_, type) =>
              type === keyType && late++ === 0 ? { _tag: "LateCommit", commitAfter } : { _tag: "Normal", delay: 5 }
          })
          const published = Arm.publications()
          const { resourceId } = arm.add("acs-late")
          const recorder = makeSpanRecorder()
          const exit = yield* Effect.exit(
            Rotation.rotate({ resourceId }, rotateOptions(published)).pipe(
              Effect.provide(client(transport, arm, "100 millis")),
              Effect.provide(recorder.layer)
            )
          )
          yield* assertNoneLost(arm, published, [resourceId], "after a late commit")
          assert.isAbove(arm.state(resourceId).lateCommits, 0, "the server did commit late")
          if (Exit.isFailure(exit) && exit.cause._tag === "Fail") {
            yield* assertNoLeak(exit.cause.error, arm.allKeys(), recorder)
          }
          assert.isTrue(Exit.isSuccess(exit), `the rotation recovers and completes, got ${describeExit(exit)}`)
          if (Exit.isSuccess(exit)) assert.deepStrictEqual([...exit.value.regenerated].sort(), ["Primary", "Secondary"])
        }))
    )
  }

  const keyless: ReadonlyArray<readonly [string, Extract<Arm.Behaviour, { _tag: "WithoutKey" }>]> = [
    ["committed, answered {}", { _tag: "WithoutKey", delay: 5, commit: true, body: "empty" }],
    ["committed, answered with the other key only", { _tag: "WithoutKey", delay: 5, commit: true, body: "other" }],
    ["not committed, answered {}", { _tag: "WithoutKey", delay: 5, commit: false, body: "empty" }],
    ["not committed, answered with the other key only", { _tag: "WithoutKey", delay: 5, commit: false, body: "other" }]
  ]
  for (const [name, withoutKey] of keyless) {
    it.live(`a 200 without the requested key (${name}) is an unknown outcome: recovered, never a success`, () =>
      Effect.scoped(Effect.gen(function*() {
        const arm = yield* Arm.make({
          seed: 5,
          behaviour: (_, type, n) => type === "Secondary" && n === 1 ? withoutKey : { _tag: "Normal", delay: 5 }
        })
        const published = Arm.publications()
        const { resourceId } = arm.add("acs-keyless")
        const recorder = makeSpanRecorder()
        const exit = yield* Effect.exit(
          Rotation.rotate({ resourceId }, rotateOptions(published)).pipe(
            Effect.provide(client(transport, arm)),
            Effect.provide(recorder.layer)
          )
        )
        yield* assertNoneLost(arm, published, [resourceId], "after a keyless 200")
        const state = arm.state(resourceId)
        if (Exit.isFailure(exit) && exit.cause._tag === "Fail") {
          yield* assertNoLeak(exit.cause.error, arm.allKeys(), recorder)
        }
        assert.isTrue(Exit.isSuccess(exit), `the rotation recovers and completes, got ${describeExit(exit)}`)
        if (Exit.isSuccess(exit)) {
          assert.isTrue(exit.value.recovered, "the keyless 200 was recovered as an unknown outcome")
          for (const keyType of exit.value.regenerated) {
            const live = keyType === "Primary" ? state.primary : state.secondary
            assert.notStrictEqual(live, state.initial[keyType], `${keyType} is counted regenerated only if it changed`)
            assert.strictEqual(published.of(resourceId, keyType).at(-1), live, `the last ${keyType} published is live`)
          }
        }
      })))
  }

  /** `resourceId` with the resource group and the resource name in upper case: the same resource. */
  const shouting = (resourceId: string) =>
    resourceId.replace(/(resourceGroups\/)([^/]+)/, (_, a, b: string) => a + b.toUpperCase())
      .replace(/(communicationServices\/)([^/]+)$/, (_, a, b: string) => a + b.toUpperCase())

  for (
    const [name, twice] of [["the same id twice", (id: string) => id], ["differing in letter case", shouting]] as const
  ) {
    it.live(`the same resource twice in one rotateFleet (${name}) is rotated once; the last key published is live`, () =>
      Effect.scoped(Effect.gen(function*() {
        const arm = yield* Arm.make({ seed: 6, behaviour: () => ({ _tag: "Normal", delay: 10 }) })
        const published = Arm.publications()
        const { resourceId } = arm.add("acs-dup")
        const events: Array<Rotation.FleetEvent> = []
        const summary = yield* Rotation.rotateFleet(
          Stream.make({ resourceId }, { resourceId: twice(resourceId) }),
          {
            ...rotateOptions(published),
            concurrency: 4,
            budget: false,
            onEvent: (event) => Effect.sync(() => events.push(event))
          }
        ).pipe(Effect.provide(client(transport, arm, "2 seconds")))
        yield* assertNoneLost(arm, published, [resourceId], "a fleet with a duplicate")
        const state = arm.state(resourceId)
        for (const keyType of ["Primary", "Secondary"] as const) {
          const live = keyType === "Primary" ? state.primary : state.secondary
          assert.strictEqual(published.of(resourceId, keyType).at(-1), live, `the last ${keyType} published is live`)
        }
        assert.strictEqual(state.regenerations, 2, "rotated once: one regeneration per key")
        const about = events.filter((event) =>
          "resourceId" in event && event.resourceId.toLowerCase() === resourceId.toLowerCase()
        )
        assert.strictEqual(about.filter((event) => event._tag === "Rotated").length, 1, "one Rotated event")
        assert.strictEqual(about.length, 2, "the duplicate is reported (an event of its own)")
        assert.strictEqual(summary.rotated, 1)
      })))
  }

  it.live(`fleets with duplicates in any letter case (${iterations} seeded runs): the last key published is live`, () =>
    Effect.scoped(Effect.gen(function*() {
      const random = prng(7000)
      const arm = yield* Arm.make({
        seed: 7,
        behaviour: () => ({ _tag: "Normal", delay: Math.floor(random() * 8) })
      })
      const published = Arm.publications()
      const all: Array<string> = []
      const doubled: Array<string> = []
      yield* Effect.forEach(Array.from({ length: iterations }, (_, i) => i), (i) =>
        Effect.gen(function*() {
          const ids = [0, 1, 2].map((j) => arm.add(`acs-fleet-${i}-${j}`).resourceId)
          all.push(...ids)
          const entries = [...ids, ...ids.filter(() => random() < 0.6).map((id) => random() < 0.5 ? id : shouting(id))]
            .map((id) => ({ id, order: random() }))
            .sort((a, b) => a.order - b.order)
            .map(({ id }) => ({ resourceId: id }))
          doubled.push(...entries.map((entry) => entry.resourceId))
          yield* Rotation.rotateFleet(Stream.fromIterable(entries), {
            ...rotateOptions(published),
            concurrency: 4,
            budget: false
          })
        }), { discard: true }).pipe(Effect.provide(client(transport, arm, "2 seconds")))
      yield* assertNoneLost(arm, published, all, `${iterations} fleets`)
      const stale = all.filter((id) => {
        const state = arm.state(id)
        return published.of(id, "Primary").at(-1) !== state.primary ||
          published.of(id, "Secondary").at(-1) !== state.secondary
      })
      assert.isAbove(doubled.length, all.length, "the fleets had duplicates")
      assert.deepStrictEqual(stale, [], "resources whose last published key is not live")
      assert.deepStrictEqual(
        all.filter((id) => arm.state(id).regenerations !== 2),
        [],
        "resources regenerated more than once per key"
      )
    })))
})
