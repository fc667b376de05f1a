/**
 * Chaos: hundreds of rotations against the emulator over real loopback HTTP, with seeded 5xx, dropped
 * connections, slow commits (a regeneration that commits after the client gave up) and interruptions at
 * random moments (`Fiber.interrupt`, `Effect.timeout` around the rotation), over single resources and over
 * fleets that list resources twice. The rotations take the 2-write order (no listKeys first) in both modes:
 * `both`, with the new key verified on the emulator's data plane (`DataPlane.verify`) and a drain between
 * the keys for some, so that interruptions also land while verifying and draining; `alternate` for others;
 * `readKeys` for a few. Fleets are stopped (`stop`) at random moments too. After each run, once the emulator
 * has no regeneration pending, every live key must be one the caller had before or was given by `publish`:
 * no key lost.
 */
import { AzureCredential, CommunicationServices, DataPlane, RetryPolicy, Rotation } from "@effect-acs/core"
import { Emulator } from "@effect-acs/emulator"
import type { EmulatorState } from "@effect-acs/emulator"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import type * as HttpClient from "@effect/platform/HttpClient"
import { assert, describe, it } from "@effect/vitest"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Stream from "effect/Stream"
import { idOf, resources } from "./harness.js"

/** mulberry32: a small seeded PRNG, so that every run is the same run. */
const prng = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296
}

type Stop = "none" | "interrupt" | "timeout"

/** How one rotation of the chaos runs: its mode, and for `both` whether it verifies and drains. */
const rotationOptions = (
  random: () => number
): Omit<Rotation.RotateOptions<never, never, DataPlane.VerifyError, HttpClient.HttpClient>, "publish"> => {
  const draw = random()
  const common = {
    recoveryDelay: "40 millis",
    recoveryTimeout: "20 seconds",
    settle: "1 second",
    readKeys: random() < 0.15
  } as const
  if (draw < 0.3) return { ...common, mode: "alternate", first: random() < 0.5 ? "Primary" : "Secondary" }
  if (draw < 0.65) return { ...common, verify: DataPlane.verify, drain: `${Math.floor(random() * 150)} millis` }
  return common
}

interface Counts {
  runs: number
  rotations: number
  interruptions: number
  unknownOutcomes: number
  failed: number
  lost: number
  stops: number
  stopped: number
  notStarted: number
}

const chaosEmulator = (seed: number, count: number) =>
  Emulator.make({
    resources: resources(count, 3),
    throttle: false,
    dataPlane: true,
    faults: {
      seed,
      errorRate: 0.12,
      dropRate: 0.08,
      when: "random",
      latency: { min: "0 millis", max: "20 millis" },
      // a client gives up after 120 ms: about a third of the regenerations commit after it did
      commitLatency: { min: "0 millis", max: "250 millis" }
    }
  })

const clientFor = (emulator: Emulator.Service) =>
  CommunicationServices.layer({
    endpoint: emulator.url,
    allowInsecureLoopback: true,
    timeout: "120 millis",
    retry: RetryPolicy.exponential({ maxRetries: 2, baseDelay: "5 millis", maxDelay: "20 millis" })
  }).pipe(
    Layer.provide(AzureCredential.static(Emulator.defaultToken)),
    // the data plane's verification uses the same transport
    Layer.provideMerge(NodeHttpClient.layer)
  )

/** A publish that keeps every key it was given, per resource. */
const recorder = () => {
  const given = new Map<string, Set<string>>()
  return {
    given,
    publish: (key: Rotation.PublishedKey) =>
      Effect.sync(() => {
        const id = key.resourceId.toLowerCase()
        const keys = given.get(id) ?? new Set<string>()
        keys.add(Redacted.value(key.key))
        given.set(id, keys)
      })
  }
}

const liveKeys = (emulator: Emulator.Service, resource: EmulatorState.ResourceRef) =>
  Effect.map(emulator.keys(resource), (keys) => [Redacted.value(keys.primaryKey), Redacted.value(keys.secondaryKey)])

/** Runs `effect`, stopping it the way `stop` says after `delayMillis`; never fails. */
const runStopped = <A, E, R>(effect: Effect.Effect<A, E, R>, stop: Stop, delayMillis: number) =>
  Effect.gen(function*() {
    const running = stop === "timeout" ? Effect.timeout(effect, `${delayMillis} millis`) : effect
    const fiber = yield* Effect.fork(running)
    if (stop === "interrupt") {
      yield* Effect.sleep(`${delayMillis} millis`)
      yield* Fiber.interrupt(fiber)
    }
    return yield* Fiber.await(fiber)
  })

describe("chaos: no key lost under faults, slow commits and interruptions", () => {
  it.live("208 single-resource rotations, 40 fleets with duplicates", () =>
    Effect.gen(function*() {
      const counts: Counts = {
        runs: 0,
        rotations: 0,
        interruptions: 0,
        unknownOutcomes: 0,
        failed: 0,
        lost: 0,
        stops: 0,
        stopped: 0,
        notStarted: 0
      }
      const random = prng(20261201)
      const pickStop = (): Stop => {
        const draw = random()
        return draw < 0.4 ? "none" : draw < 0.8 ? "interrupt" : "timeout"
      }

      // every resource's live keys are checked against what the caller had and was given
      const check = (
        emulator: Emulator.Service,
        targets: ReadonlyArray<EmulatorState.ResourceRef>,
        had: Map<string, ReadonlyArray<string>>,
        given: Map<string, Set<string>>,
        note: (id: string) => string = () => ""
      ) =>
        Effect.gen(function*() {
          // nothing may still change a key: wait until the emulator has no regeneration pending
          yield* emulator.awaitStats((stats) => stats.inFlight === 0)
          for (const target of targets) {
            const id = idOf(target).toLowerCase()
            const allowed = new Set([...(had.get(id) ?? []), ...(given.get(id) ?? [])])
            for (const key of yield* liveKeys(emulator, target)) {
              if (!allowed.has(key)) {
                counts.lost++
                if (process.env.CHAOS_DEBUG) console.log("LOST", id.slice(-8), note(id))
              }
            }
          }
        })

      // single resources: 16 at a time, each its own resource, on one emulator per batch
      for (let batch = 0; batch < 13; batch++) {
        yield* Effect.scoped(Effect.gen(function*() {
          const emulator = yield* chaosEmulator(batch, 16)
          const targets = resources(16, 3)
          const had = new Map<string, ReadonlyArray<string>>()
          for (const target of targets) had.set(idOf(target).toLowerCase(), yield* liveKeys(emulator, target))
          const { given, publish } = recorder()
          const notes = new Map<string, string>()
          yield* Effect.forEach(targets, (target) => {
            const stop = pickStop()
            const delay = Math.floor(random() * 600)
            if (stop !== "none") counts.interruptions++
            counts.runs++
            counts.rotations++
            const options = rotationOptions(random)
            return runStopped(Rotation.rotate({ resourceId: idOf(target) }, { ...options, publish }), stop, delay).pipe(
              Effect.tap((exit) =>
                Effect.sync(() => {
                  notes.set(
                    idOf(target).toLowerCase(),
                    `${stop} ${delay} ${exit._tag} ${exit._tag === "Failure" ? String(exit.cause).slice(0, 300) : ""}`
                  )
                  if (exit._tag === "Failure") counts.failed++
                  if (exit._tag === "Success" && exit.value !== undefined && "recovered" in exit.value) {
                    if (exit.value.recovered) counts.unknownOutcomes++
                  }
                })
              )
            )
          }, { concurrency: "unbounded", discard: true }).pipe(Effect.provide(clientFor(emulator)))
          yield* check(emulator, targets, had, given, (id) => notes.get(id) ?? "")
        }))
      }

      // fleets of 6 entries over 4 resources: two listed twice, once in another letter case; 5 fleets at a
      // time, each against an emulator of its own
      yield* Effect.forEach(Array.from({ length: 40 }, (_, fleet) => fleet), (fleet) =>
        Effect.scoped(Effect.gen(function*() {
          const emulator = yield* chaosEmulator(1000 + fleet, 4)
          const targets = resources(4, 3)
          const had = new Map<string, ReadonlyArray<string>>()
          for (const target of targets) {
            had.set(idOf(target).toLowerCase(), yield* liveKeys(emulator, target))
          }
          const ids = targets.map(idOf)
          const entries = [ids[0]!, ids[1]!, ids[0]!.toLowerCase(), ids[2]!, ids[3]!, ids[1]!]
          const { given, publish } = recorder()
          const stop = pickStop()
          const delay = Math.floor(random() * 900)
          if (stop !== "none") {
            counts.interruptions++
          }
          counts.runs++
          // a third of the fleets are also stopped gracefully, at a random moment
          const stopped = yield* Deferred.make<void>()
          if (random() < 0.33) {
            counts.stops++
            yield* Effect.forkScoped(
              Effect.delay(Deferred.succeed(stopped, undefined), `${Math.floor(random() * 600)} millis`)
            )
          }
          const exit = yield* runStopped(
            Rotation.rotateFleet(Stream.fromIterable(entries.map((resourceId) => ({ resourceId }))), {
              ...rotationOptions(random),
              publish,
              stop: Deferred.await(stopped),
              concurrency: 3,
              budget: false,
              onEvent: (event) =>
                Effect.sync(() => {
                  if (event._tag === "Rotated") {
                    counts.rotations++
                    if (event.report.recovered) {
                      counts.unknownOutcomes++
                    }
                  }
                  if (event._tag === "Failed") {
                    counts.failed++
                  }
                })
            }),
            stop,
            delay
          ).pipe(Effect.provide(clientFor(emulator)))
          if (exit._tag === "Success" && exit.value !== undefined && "duplicates" in exit.value) {
            const summary = exit.value
            if (summary.notStarted === 0) {
              assert.strictEqual(summary.duplicates, 2, "each resource listed twice was rotated once")
            }
            assert.strictEqual(
              summary.rotated + summary.failed.length + summary.stopped + summary.notStarted + summary.duplicates,
              summary.total,
              "every entry is accounted for"
            )
            counts.notStarted += summary.notStarted
            counts.stopped += summary.stopped
          }
          yield* check(emulator, targets, had, given, () =>
            `fleet ${stop} ${delay} ${exit._tag}`)
        })), { concurrency: 5, discard: true })

      // the counts the closing note quotes
      console.log(
        `chaos: ${counts.runs} runs, ${counts.rotations} rotations started or finished, ${counts.interruptions} interrupted, ` +
          `${counts.unknownOutcomes} recovered from an unknown outcome, ${counts.failed} ended failed or interrupted (RotationFailed, TimeoutException, interruption), ` +
          `${counts.stops} fleets stopped (${counts.stopped} rotations stopped at a safe point, ${counts.notStarted} entries not started), ` +
          `${counts.lost} keys lost`
      )
      assert.strictEqual(counts.lost, 0)
      assert.isAtLeast(counts.runs, 248)
      assert.isAbove(counts.interruptions, 100, "interruptions happened")
      assert.isAbove(counts.unknownOutcomes, 10, "unknown outcomes happened and were recovered")
      assert.isAbove(counts.stopped + counts.notStarted, 0, "fleets were stopped while running")
    }), { timeout: 600_000 })
})
