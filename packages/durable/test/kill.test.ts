import { DurableFleet } from "@effect-acs/durable"
import { Emulator } from "@effect-acs/emulator"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { writeFileSync } from "node:fs"
import { join } from "node:path"
import {
  assertRotatedAndPublished,
  ended,
  idOf,
  keysNow,
  logLines,
  prng,
  readPublished,
  regenerationsAnswered,
  resources,
  spawnRunner,
  tempDir
} from "./harness.js"

const fleetSize = 60
const iterations = 20

describe("DurableFleet killed with SIGKILL in a child process, then resumed", () => {
  it.live(
    `rotates each of ${fleetSize} resources exactly once over ${iterations} seeded kill runs`,
    () =>
      Effect.gen(function*() {
        const totals = { kills: 0, resumes: 0, doneAtKill: 0, runningAtKill: 0, rotatedOnce: 0, reRunSteps: 0 }
        for (let iteration = 0; iteration < iterations; iteration++) {
          const random = prng(1000 + iteration)
          const temp = tempDir()
          yield* Effect.addFinalizer(() => Effect.sync(temp.remove))
          const fleet = resources(fleetSize, 2)
          const emulator = yield* Emulator.make({
            resources: fleet,
            throttle: false,
            requestLogSize: 10_000,
            faults: { seed: iteration, latency: { min: "2 millis", max: "25 millis" } }
          })
          const seed = yield* keysNow(emulator, fleet)
          const ids = fleet.map(idOf)
          const fleetFile = join(temp.dir, "fleet.json")
          writeFileSync(fleetFile, JSON.stringify(ids))
          const journal = join(temp.dir, "journal.db")
          const log = join(temp.dir, "published.jsonl")
          const env = {
            EMULATOR_URL: emulator.url,
            JOURNAL: journal,
            FLEET_FILE: fleetFile,
            PUBLISH_LOG: log,
            RUN_ID: `kill-${iteration}`,
            CONCURRENCY: "8"
          }
          const inputs = ids.map((resourceId) => ({ resourceId }))
          // the resources the journal said were done at a kill, with the publish log's length and their answered
          // regenerations then
          const done = new Map<string, { readonly lines: number; readonly regenerations: number }>()
          // one or two kills, each once a seeded number of keys have been published (a random moment of the run)
          const kills = 1 + Math.floor(random() * 2)
          let finalSummary: DurableFleet.FleetSummary | undefined
          for (let attempt = 0; finalSummary === undefined; attempt++) {
            const publishedBefore = logLines(log)
            const child = spawnRunner(env)
            const exit = ended(child)
            if (attempt < kills) {
              const target = publishedBefore + Math.floor(random() * (2 * fleetSize - publishedBefore))
              const extraMillis = Math.floor(random() * 15)
              const killer = Effect.gen(function*() {
                while (logLines(log) < target && child.exitCode === null) yield* Effect.sleep("3 millis")
                yield* Effect.sleep(extraMillis)
                child.kill("SIGKILL")
              })
              const [, result] = yield* Effect.all([killer, exit], { concurrency: 2 })
              if (result.signal !== "SIGKILL") {
                // it finished before the kill: this run has no kill left to test, it counts as the final one
                assert.strictEqual(result.code, 0, result.stderr)
                finalSummary = JSON.parse(result.stdout.trim().split("\n").pop()!)
                continue
              }
              totals.kills++
              // what the journal says is done when the process died: none of these may be published again
              const status = yield* DurableFleet.status(inputs, { runId: env.RUN_ID, perResource: true }).pipe(
                Effect.provide(DurableFleet.journalSqlite({ filename: journal }))
              )
              assert.strictEqual(status.failed, 0)
              assert.strictEqual(status.done + status.running + status.notStarted, fleetSize)
              yield* emulator.awaitStats((stats) => stats.inFlight === 0)
              const lines = readPublished(log).length
              const answered = yield* regenerationsAnswered(emulator)
              for (const entry of status.resources!) {
                const id = entry.resourceId.toLowerCase()
                if (entry.state === "done" && !done.has(id)) {
                  done.set(id, { lines, regenerations: answered.get(id) ?? 0 })
                }
              }
              totals.doneAtKill += status.done
              totals.runningAtKill += status.running
              continue
            }
            const result = yield* exit
            assert.strictEqual(result.code, 0, result.stderr)
            totals.resumes++
            finalSummary = JSON.parse(result.stdout.trim().split("\n").pop()!)
          }
          assert.strictEqual(finalSummary.failed.length, 0)
          assert.strictEqual(finalSummary.rotated + finalSummary.alreadyDone, fleetSize)
          assert.isAtLeast(finalSummary.alreadyDone, done.size)

          const published = readPublished(log)
          assert.isAtLeast(published.length, 2 * fleetSize)
          // rotated, the live keys the last published
          const answered = yield* assertRotatedAndPublished(emulator, fleet, seed, published)
          for (const resource of fleet) {
            const id = idOf(resource).toLowerCase()
            const mine = published.filter((entry) => entry.resourceId === id)
            const regenerations = answered.get(id) ?? 0
            const atKill = done.get(id)
            if (atKill !== undefined) {
              // finished before a kill: not published again, not regenerated again
              const after = published.slice(atKill.lines).filter((entry) => entry.resourceId === id)
              assert.strictEqual(after.length, 0, `${id} was done and published again`)
              assert.strictEqual(regenerations, atKill.regenerations, `${id} was done and regenerated again`)
            }
            if (regenerations === 2 && mine.length === 2) totals.rotatedOnce++
            // only a step running at a kill runs again: at most one more regeneration per kill
            assert.isAtMost(regenerations, 2 + kills, id)
            totals.reRunSteps += regenerations - 2
          }
          temp.remove()
          process.stderr.write(`iteration ${iteration}: ${JSON.stringify(totals)}\n`)
        }
        assert.isAtLeast(totals.kills, iterations, "every iteration killed a runner at least once")
        // the kills hit rotations half-way (running in the journal) and left finished ones behind
        assert.isAbove(totals.runningAtKill, 0)
        assert.isAbove(totals.doneAtKill, 0)
        console.log(`durable kill test: ${JSON.stringify(totals)}`)
      }).pipe(Effect.scoped),
    600_000
  )
})
