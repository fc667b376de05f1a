/**
 * `acs-keys rotate --journal` and `acs-keys status` as a user runs them: the real command in a child process,
 * killed with SIGKILL at seeded moments of a fleet run against the emulator (in this process, with seeded
 * latency), then started again with the same command line until it finishes.
 */
import { ExitCode } from "@effect-acs/cli"
import { Emulator } from "@effect-acs/emulator"
import { assert, describe, inject, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { readFileSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import {
  assertRotatedAndPublished,
  idOf,
  keysNow,
  prng,
  readPublished,
  regenerationsAnswered,
  resources,
  tempDir
} from "../../durable/test/harness.js"
import { cli } from "./helpers.js"
import { exitOf, spawnCli } from "./processes.js"

const fleetSize = 50
const iterations = 20

/** A publish command that appends what it is given to `log` as one JSON line (the test's secret store). */
const publishTo = (log: string) =>
  // an input cut short (its acs-keys killed before it was written) is refused, as a secret store would
  `cs="$(cat)"; key="\${cs##*accesskey=}"; key="\${key%%;*}"; [ -n "$key" ] || exit 1; ` +
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

/** A temporary directory for the scope, an emulator of `count` resources, and their fleet file. */
const smallFleet = (count: number) =>
  Effect.gen(function*() {
    const temp = tempDir()
    yield* Effect.addFinalizer(() => Effect.sync(temp.remove))
    const fleet = resources(count)
    const emulator = yield* Emulator.make({ resources: fleet, throttle: false })
    const fleetFile = join(temp.dir, "ids.txt")
    writeFileSync(fleetFile, fleet.map(idOf).join("\n"))
    return { temp, fleet, emulator, fleetFile }
  })

describe("acs-keys rotate --journal, in process", () => {
  it.scopedLive("options that mean nothing with a journal are refused before anything is sent", () =>
    Effect.gen(function*() {
      const { emulator, fleet, fleetFile, temp } = yield* smallFleet(2)
      const journal = join(temp.dir, "j.db")
      const base = ["rotate", "--from-file", fleetFile, "--endpoint", emulator.url]
      const refused = [
        [["rotate", "--resource-id", idOf(fleet[0]!), "--journal", journal], "--journal applies to --from-file only"],
        [[...base, "--run-id", "r"], "--run-id applies to --journal only"],
        [[...base, "--journal", journal, "--mode", "alternate"], "--mode alternate cannot be combined with --journal"],
        [[...base, "--journal", journal, "--read-keys"], "--read-keys cannot be combined with --journal"],
        [[...base, "--journal", journal, "--dry-run"], "--dry-run (acs-keys status"],
        [["rotate", "--resource-id", idOf(fleet[0]!), "--write-budget", "10,1"], "--write-budget applies to"],
        [[...base, "--write-budget", "0,1"], "--write-budget must be"],
        [[...base, "--write-budget", "10"], "--write-budget must be"],
        [["status", "--from-file", fleetFile], "--journal"]
      ] as const
      for (const [args, message] of refused) {
        const result = yield* cli(args)
        assert.strictEqual(result.status, 2, `${args.join(" ")}: ${result.stderr}`)
        assert.include(result.stderr, message, args.join(" "))
      }
      assert.strictEqual((yield* emulator.stats).requests, 0)
    }))

  it.scopedLive("a bad entry, or a journal that cannot be opened: a typed exit, nothing sent", () =>
    Effect.gen(function*() {
      const { emulator, fleet, fleetFile: good, temp } = yield* smallFleet(2)
      const bad = join(temp.dir, "bad.txt")
      writeFileSync(bad, `${idOf(fleet[0]!)}\n/subscriptions/not-a-resource\n`)
      const invalid = yield* cli([
        "rotate",
        "--from-file",
        bad,
        "--journal",
        join(temp.dir, "j.db"),
        "--endpoint",
        emulator.url
      ])
      assert.strictEqual(invalid.status, ExitCode.exitCodes.InvalidInput, invalid.stderr)
      assert.include(invalid.stderr, "InvalidFleet")
      assert.include(invalid.stderr, "entry 2")
      const missing = join(temp.dir, "no", "such", "j.db")
      const unopened = yield* cli(["rotate", "--from-file", good, "--journal", missing, "--endpoint", emulator.url])
      assert.strictEqual(unopened.status, ExitCode.exitCodes.JournalError, unopened.stderr)
      const status = yield* cli(["status", "--from-file", good, "--journal", missing])
      assert.strictEqual(status.status, ExitCode.exitCodes.JournalError, status.stderr)
      assert.include(status.stderr, "JournalError: The rotation journal cannot be opened")
      assert.strictEqual((yield* emulator.stats).requests, 0)
    }))

  it.scopedLive("a run, its status, and the run again: nothing to do; --write-budget none on the in-memory fleet", () =>
    Effect.gen(function*() {
      const { emulator, fleetFile, temp } = yield* smallFleet(3)
      const journal = ["--journal", join(temp.dir, "j.db"), "--from-file", fleetFile]
      const before = yield* cli(["status", ...journal])
      assert.strictEqual(before.status, 0, before.stderr)
      assert.include(before.stdout, "run default: 0 done, 0 running, 0 failed, 3 not started, of 3 resources")
      const log = join(temp.dir, "published.jsonl")
      const rotate = ["rotate", ...journal, "--endpoint", emulator.url, "--publish-command", publishTo(log)]
      const first = yield* cli(rotate)
      assert.strictEqual(first.status, 0, first.stderr)
      assert.match(first.stdout, /^run default: rotated 3 of 3 resources in .* \(0 already done, 0 failed\)\n$/)
      assert.strictEqual(readPublished(log).length, 6)
      const after = yield* cli(["status", ...journal, "--json"])
      const status = JSON.parse(after.stdout)
      assert.deepInclude(status, { runId: "default", done: 3, running: 0, failed: 0, notStarted: 0 })
      assert.deepStrictEqual(status.subscriptions.map((s: { done: number }) => s.done).sort(), [1, 2])
      const requests = (yield* emulator.stats).requests
      const again = yield* cli(rotate)
      assert.strictEqual(again.status, 0, again.stderr)
      assert.include(again.stdout, "run default is finished: all 3 resources rotated before, nothing to do")
      assert.strictEqual((yield* emulator.stats).requests, requests)
      // another run id rotates them again, here with a drain between each resource's two keys
      const next = yield* cli([...rotate, "--run-id", "next", "--drain", "1s", "--json"])
      const nextSummary = JSON.parse(next.stdout.trim().split("\n").pop()!)
      assert.deepInclude(nextSummary, { runId: "next", rotated: 3 })
      assert.isAtLeast(nextSummary.durationMillis, 1000, "the drain was waited")
      assert.strictEqual(readPublished(log).length, 12)
      // without a journal, the budget is the command's: none plans no minimum time
      const plan = yield* cli(["rotate", "--from-file", fleetFile, "--write-budget", "none", "--dry-run", "--json"])
      assert.deepInclude(JSON.parse(plan.stdout), { budget: false, minimumMillis: 0 })
      const small = yield* cli(["rotate", "--from-file", fleetFile, "--write-budget", "1,0.5", "--dry-run", "--json"])
      assert.deepInclude(JSON.parse(small.stdout), { budget: { capacity: 1, perSecond: 0.5 }, minimumMillis: 6000 })
    }))
})

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
          const seed = yield* keysNow(emulator, fleet)
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
            // a resumed rotation is watched as after an unknown outcome: briefly here
            "--settle",
            "0.5",
            "--concurrency",
            "8",
            "--publish-command",
            publishTo(log),
            "--json"
          ]
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
              const answered = yield* regenerationsAnswered(emulator)
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

          const published = readPublished(log)
          const answered = yield* assertRotatedAndPublished(emulator, fleet, seed, published)
          for (const resource of fleet) {
            const id = idOf(resource).toLowerCase()
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
          // the journal's bytes (and its write-ahead log's) hold no key it ever had or was given
          const bytes = ["", "-wal", "-shm"].map((suffix) => {
            try {
              return readFileSync(journal + suffix).toString("latin1")
            } catch {
              return ""
            }
          }).join("\n")
          assert.include(bytes, runId)
          for (
            const key of [
              ...published.map((e) => e.key),
              ...[...seed.values()].flatMap((k) => [k.primary, k.secondary])
            ]
          ) {
            assert.notInclude(bytes, key, "a key in the journal")
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

describe("acs-keys rotate --journal, Ctrl-C", () => {
  it.live(
    "stops within seconds (exit 130) saying the run is in the journal; the same command finishes it",
    () =>
      Effect.gen(function*() {
        const temp = tempDir()
        yield* Effect.addFinalizer(() => Effect.sync(temp.remove))
        const fleet = resources(20)
        const emulator = yield* Emulator.make({
          resources: fleet,
          throttle: false,
          requestLogSize: 1000,
          faults: { seed: 5, latency: { min: "5 millis", max: "30 millis" } }
        })
        const seed = yield* keysNow(emulator, fleet)
        const fleetFile = join(temp.dir, "ids.txt")
        writeFileSync(fleetFile, fleet.map(idOf).join("\n"))
        const log = join(temp.dir, "published.jsonl")
        const rotate = [
          "rotate",
          "--from-file",
          fleetFile,
          "--journal",
          join(temp.dir, "rotation.db"),
          "--endpoint",
          emulator.url,
          // a resumed rotation is watched as after an unknown outcome: briefly here
          "--settle",
          "0.5",
          "--concurrency",
          "2",
          "--publish-command",
          publishTo(log)
        ]
        const first = yield* spawnCli(rotate)
        while (lines(log) < 6 && !first.hasExited()) yield* Effect.sleep("5 millis")
        first.signalGroup("SIGINT")
        const stopped = yield* exitOf(first)
        assert.strictEqual(stopped.code, ExitCode.exitCodes.Interrupted, first.stderr())
        assert.include(first.stdout(), "interrupted: the run is in the journal; the same command resumes it")
        assert.isBelow(lines(log), 2 * fleet.length, "stopped before the end")
        const again = yield* spawnCli(rotate)
        assert.strictEqual((yield* exitOf(again)).code, 0, again.stderr())
        assert.match(
          again.stdout(),
          /^run default: rotated \d+ of 20 resources in .* \([1-9]\d* already done, 0 failed\)\n/
        )
        yield* assertRotatedAndPublished(emulator, fleet, seed, readPublished(log))
      }).pipe(Effect.scoped),
    120_000
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
        const seed = yield* keysNow(emulator, fleet)
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
          // a resumed rotation is watched as after an unknown outcome: briefly here
          "--settle",
          "0.5",
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
        const answered = yield* assertRotatedAndPublished(emulator, fleet, seed, readPublished(log))
        let once = 0
        for (const resource of fleet) {
          const id = idOf(resource).toLowerCase()
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
