/**
 * `acs-keys rotate --journal` and `acs-keys status` as a user runs them: the real command in a child process,
 * killed with SIGKILL at seeded moments of a fleet run against the emulator (in this process, with seeded
 * latency), then started again with the same command line until it finishes.
 */
import { Emulator } from "@effect-acs/emulator"
import { assert, describe, inject, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { readFileSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { idOf, plain, prng, readPublished, resources, tempDir } from "../../durable/test/harness.js"
import { exitOf, spawnCli } from "./processes.js"

const fleetSize = 50
const iterations = 20

/** A publish command that appends what it is given to `log` as one JSON line (the test's secret store). */
const publishTo = (log: string) =>
  `cs="$(cat)"; key="\${cs##*accesskey=}"; key="\${key%%;*}"; ` +
  `printf '{"resourceId":"%s","keyType":"%s","key":"%s"}\\n' ` +
  `"$(printf %s "$ACS_RESOURCE_ID" | tr A-Z a-z)" "$ACS_KEY_TYPE" "$key" >> '${log}'`

const lines = (file: string) => {
  try {
    return readFileSync(file, "utf8").split("\n").filter((line) => line !== "").length
  } catch {
    return 0
  }
}

/** The last line of standard output, as JSON (the summary of `--json`). */
const lastJson = (stdout: string) => JSON.parse(stdout.trim().split("\n").pop()!)

describe("acs-keys rotate --journal, killed with SIGKILL and run again", () => {
  it.live(
    `rotates each of ${fleetSize} resources exactly once over ${iterations} seeded kill runs`,
    () =>
      Effect.gen(function*() {
        const totals = { kills: 0, finishedBeforeKill: 0, resumes: 0, doneAtKill: 0, runningAtKill: 0, reRunSteps: 0 }
        for (let iteration = 0; iteration < iterations; iteration++) {
          const random = prng(2000 + iteration)
          const temp = tempDir()
          yield* Effect.addFinalizer(() => Effect.sync(temp.remove))
          const fleet = resources(fleetSize, 2)
          const emulator = yield* Emulator.make({
            resources: fleet,
            throttle: false,
            requestLogSize: 10_000,
            faults: { seed: 100 + iteration, latency: { min: "2 millis", max: "30 millis" } }
          })
          const seed = new Map<string, { primary: string; secondary: string }>()
          for (const resource of fleet) seed.set(idOf(resource).toLowerCase(), plain(yield* emulator.keys(resource)))
          const fleetFile = join(temp.dir, "ids.txt")
          writeFileSync(fleetFile, fleet.map(idOf).join("\n") + "\n")
          const journal = join(temp.dir, "rotation.db")
          const log = join(temp.dir, "published.jsonl")
          const runId = `kill-${iteration}`
          const journalArgs = ["--journal", journal, "--from-file", fleetFile, "--run-id", runId]
          const rotate = [
            "rotate",
            ...journalArgs,
            "--endpoint",
            emulator.url,
            "--concurrency",
            "8",
            "--publish-command",
            publishTo(log),
            "--json"
          ]
          const answeredNow = () =>
            Effect.map(emulator.requestLog, (entries) => {
              const answered = new Map<string, number>()
              for (const entry of entries) {
                if (entry.operation === "regenerateKey" && entry.status === 200) {
                  const id = entry.path.toLowerCase().replace(/\/regeneratekey$/, "")
                  answered.set(id, (answered.get(id) ?? 0) + 1)
                }
              }
              return answered
            })
          // the resources `acs-keys status` said were done at a kill: the publish log's length and their answered
          // regenerations then
          const done = new Map<string, { readonly lines: number; readonly regenerations: number }>()
          const kills = 1 + Math.floor(random() * 2)
          let summary: { rotated: number; alreadyDone: number; failed: ReadonlyArray<unknown> } | undefined
          for (let attempt = 0; summary === undefined; attempt++) {
            const before = lines(log)
            const cli = yield* spawnCli(rotate)
            if (attempt < kills) {
              // a seeded moment: once a seeded number of keys are published, and a few milliseconds more
              const target = before + Math.floor(random() * (2 * fleetSize - before))
              const extraMillis = Math.floor(random() * 20)
              while (lines(log) < target && !cli.hasExited()) yield* Effect.sleep("3 millis")
              yield* Effect.sleep(extraMillis)
              if (!cli.hasExited()) cli.signal("SIGKILL")
              const result = yield* exitOf(cli)
              if (result.signal !== "SIGKILL") {
                // it finished first: this is the final run
                assert.strictEqual(result.code, 0, cli.stderr())
                totals.finishedBeforeKill++
                summary = lastJson(cli.stdout())
                continue
              }
              totals.kills++
              yield* emulator.awaitStats((stats) => stats.inFlight === 0)
              const statusCli = yield* spawnCli(["status", ...journalArgs, "--json"])
              const statusExit = yield* exitOf(statusCli)
              assert.strictEqual(statusExit.code, 0, statusCli.stderr())
              const status = JSON.parse(statusCli.stdout()) as {
                done: number
                running: number
                failed: number
                notStarted: number
                resources: ReadonlyArray<{ resourceId: string; state: string }>
              }
              assert.strictEqual(status.failed, 0)
              assert.strictEqual(status.done + status.running + status.notStarted, fleetSize)
              const published = lines(log)
              const answered = yield* answeredNow()
              for (const entry of status.resources) {
                const id = entry.resourceId.toLowerCase()
                if (entry.state === "done" && !done.has(id)) {
                  done.set(id, { lines: published, regenerations: answered.get(id) ?? 0 })
                }
              }
              totals.doneAtKill += status.done
              totals.runningAtKill += status.running
              continue
            }
            const result = yield* exitOf(cli)
            assert.strictEqual(result.code, 0, cli.stderr())
            totals.resumes++
            summary = lastJson(cli.stdout())
          }
          assert.strictEqual(summary.failed.length, 0)
          assert.strictEqual(summary.rotated + summary.alreadyDone, fleetSize)
          assert.isAtLeast(summary.alreadyDone, done.size)

          yield* emulator.awaitStats((stats) => stats.inFlight === 0)
          const published = readPublished(log)
          const answered = yield* answeredNow()
          for (const resource of fleet) {
            const id = idOf(resource).toLowerCase()
            const live = plain(yield* emulator.keys(resource))
            assert.notStrictEqual(live.primary, seed.get(id)!.primary, `${id} Primary not rotated`)
            assert.notStrictEqual(live.secondary, seed.get(id)!.secondary, `${id} Secondary not rotated`)
            const mine = published.filter((entry) => entry.resourceId === id)
            assert.strictEqual(mine.filter((e) => e.keyType === "Primary").at(-1)?.key, live.primary, id)
            assert.strictEqual(mine.filter((e) => e.keyType === "Secondary").at(-1)?.key, live.secondary, id)
            const regenerations = answered.get(id) ?? 0
            const atKill = done.get(id)
            if (atKill !== undefined) {
              const after = readPublished(log).slice(atKill.lines).filter((entry) => entry.resourceId === id)
              assert.strictEqual(after.length, 0, `${id} was done at a kill and published again`)
              assert.strictEqual(regenerations, atKill.regenerations, `${id} was done at a kill and regenerated again`)
            }
            // only a step running at a kill runs again
            assert.isAtMost(regenerations, 2 + kills, id)
            totals.reRunSteps += regenerations - 2
          }
          // the finished run, run again: nothing to do, nothing sent
          const requests = (yield* emulator.stats).requests
          const again = yield* spawnCli(rotate)
          assert.strictEqual((yield* exitOf(again)).code, 0, again.stderr())
          assert.deepInclude(lastJson(again.stdout()), { rotated: 0, alreadyDone: fleetSize })
          assert.strictEqual((yield* emulator.stats).requests, requests)
          temp.remove()
        }
        assert.isAtLeast(totals.kills, iterations, "every iteration killed the command at least once")
        assert.isAbove(totals.runningAtKill, 0, "kills hit rotations half-way")
        assert.isAbove(totals.doneAtKill, 0)
        console.log(`acs-keys journal kill test: ${JSON.stringify(totals)}`)
      }).pipe(Effect.scoped),
    900_000
  )
})

describe("acs-keys rotate --journal postgres://...", () => {
  it.live(
    "two commands share a fleet; one killed mid-way, the other finishes: each resource rotated once, 0 responses 429",
    () =>
      Effect.gen(function*() {
        const provided = inject("postgres")
        const url = process.env.ACS_DURABLE_PG_URL || ("url" in provided ? provided.url : undefined)
        assert.isDefined(url, `no PostgreSQL server: ${"error" in provided ? provided.error : ""}`)
        const temp = tempDir()
        yield* Effect.addFinalizer(() => Effect.sync(temp.remove))
        const fleet = resources(fleetSize, 2)
        // each command may take 80% of the emulator's small bucket (the rest absorbs its seeded latency):
        // together they would take 160% of it, but for the one budget they share in the database
        const emulator = yield* Emulator.make({
          resources: fleet,
          throttle: { capacity: 10, refillPerSecond: 10 },
          requestLogSize: 10_000,
          faults: { seed: 11, latency: { min: "2 millis", max: "25 millis" } }
        })
        const seed = new Map<string, { primary: string; secondary: string }>()
        for (const resource of fleet) seed.set(idOf(resource).toLowerCase(), plain(yield* emulator.keys(resource)))
        const fleetFile = join(temp.dir, "ids.txt")
        writeFileSync(fleetFile, fleet.map(idOf).join("\n") + "\n")
        const log = join(temp.dir, "published.jsonl")
        const runId = `pg-cli-${Date.now()}`
        const rotate = [
          "rotate",
          "--from-file",
          fleetFile,
          "--journal",
          url!,
          "--run-id",
          runId,
          "--write-budget",
          "8,8",
          "--endpoint",
          emulator.url,
          "--concurrency",
          "8",
          "--publish-command",
          publishTo(log),
          "--json"
        ]
        const a = yield* spawnCli(rotate)
        const b = yield* spawnCli(rotate)
        // A dies once a seeded share of the keys is published
        const target = 10 + Math.floor(prng(43)() * (fleetSize - 10))
        while (lines(log) < target && !a.hasExited()) yield* Effect.sleep("5 millis")
        a.signal("SIGKILL")
        assert.strictEqual((yield* exitOf(a)).signal, "SIGKILL", "A was killed while running")
        const bExit = yield* exitOf(b)
        assert.strictEqual(bExit.code, 0, b.stderr())
        const summary = lastJson(b.stdout())
        assert.strictEqual(summary.failed.length, 0)
        assert.strictEqual(summary.rotated + summary.alreadyDone, fleetSize)

        yield* emulator.awaitStats((stats) => stats.inFlight === 0)
        const stats = yield* emulator.stats
        assert.strictEqual(stats.throttled, 0, "no response 429")
        const published = readPublished(log)
        const answered = new Map<string, number>()
        for (const entry of yield* emulator.requestLog) {
          if (entry.operation === "regenerateKey" && entry.status === 200) {
            const id = entry.path.toLowerCase().replace(/\/regeneratekey$/, "")
            answered.set(id, (answered.get(id) ?? 0) + 1)
          }
        }
        let once = 0
        for (const resource of fleet) {
          const id = idOf(resource).toLowerCase()
          const live = plain(yield* emulator.keys(resource))
          assert.notStrictEqual(live.primary, seed.get(id)!.primary, id)
          assert.notStrictEqual(live.secondary, seed.get(id)!.secondary, id)
          const mine = published.filter((entry) => entry.resourceId === id)
          assert.strictEqual(mine.filter((e) => e.keyType === "Primary").at(-1)?.key, live.primary, id)
          assert.strictEqual(mine.filter((e) => e.keyType === "Secondary").at(-1)?.key, live.secondary, id)
          // not rotated by both: at most the step A was running when it died runs again
          assert.isAtMost(answered.get(id) ?? 0, 3, id)
          if (answered.get(id) === 2) once++
        }
        assert.isAtLeast(once, fleetSize - 8)
        const status = yield* spawnCli(["status", "--journal", url!, "--from-file", fleetFile, "--run-id", runId])
        assert.strictEqual((yield* exitOf(status)).code, 0, status.stderr())
        assert.include(status.stdout(), `run ${runId}: ${fleetSize} done, 0 running, 0 failed, 0 not started`)
        console.log(
          `acs-keys postgres test: A killed after ${target} publishes; B: ${JSON.stringify(summary)}; ` +
            `${once}/${fleetSize} regenerated exactly twice; ${stats.requests} requests, ${stats.throttled} throttled`
        )
      }).pipe(Effect.scoped),
    180_000
  )
})
