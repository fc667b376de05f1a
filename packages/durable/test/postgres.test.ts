import { Redaction } from "@effect-acs/core"
import { DurableFleet } from "@effect-acs/durable"
import { Emulator } from "@effect-acs/emulator"
import * as PgClient from "@effect/sql-pg/PgClient"
import * as SqlClient from "@effect/sql/SqlClient"
import { assert, describe, inject, it } from "@effect/vitest"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import { writeFileSync } from "node:fs"
import { join } from "node:path"
import * as Budget from "../src/internal/budget.js"
import {
  assertRotatedAndPublished,
  ended,
  idOf,
  keysNow,
  logLines,
  prng,
  readPublished,
  resources,
  spawnRunner,
  tempDir
} from "./harness.js"

/**
 * The server the global setup started (scripts/postgres.sh), or the one ACS_DURABLE_PG_URL names. Never skipped:
 * without a server these tests fail, saying why.
 */
const postgresUrl = (): string => {
  const given = process.env.ACS_DURABLE_PG_URL
  if (given !== undefined && given !== "") return given
  const provided = inject("postgres")
  if ("url" in provided) return provided.url
  throw new Error(
    `The PostgreSQL tests need a server: install postgresql (apt-get install -y postgresql) so that ` +
      `scripts/postgres.sh can start one, or set ACS_DURABLE_PG_URL. ${provided.error}`
  )
}

const fleetSize = 50

describe("DurableFleet on PostgreSQL", () => {
  it.live("runners with their own connections take from one write budget per subscription in the database", () =>
    Effect.gen(function*() {
      const url = postgresUrl()
      const capacity = 5
      const perSecond = 20
      const subscription = `budget-test-${Date.now()}`
      // two runners: each its own pool and its own buckets (as two processes have), 6 writers each
      const runner = () =>
        Effect.map(
          Layer.build(Layer.provide(Budget.layerShared, PgClient.layer({ url: Redacted.make(url) }))),
          (context) => Context.get(context, Budget.Shared).keyed(capacity, perSecond)(subscription)
        )
      const buckets = [yield* runner(), yield* runner()]
      const dbMillis = Effect.gen(function*() {
        const sql = yield* SqlClient.SqlClient
        const [row] = yield* sql<{ now: number }>`select extract(epoch from clock_timestamp()) * 1000 as now`
        return Number(row!.now)
      }).pipe(Effect.provide(PgClient.layer({ url: Redacted.make(url) })), Effect.orDie)
      let taken = 0
      const start = yield* dbMillis
      const writer = (bucket: Budget.Bucket) =>
        Effect.repeat(Effect.tap(bucket.take, () => Effect.sync(() => taken++)), { times: 7 })
      yield* Effect.all(buckets.flatMap((bucket) => Array.from({ length: 6 }, () => writer(bucket))), {
        concurrency: "unbounded"
      })
      const elapsed = (yield* dbMillis) - start
      assert.strictEqual(taken, 2 * 6 * 8)
      // each runner alone would allow this many; together they allowed no more than one budget does
      assert.isAtMost(taken, capacity + (perSecond * elapsed) / 1000 + 1, `${taken} writes in ${elapsed} ms`)
      // a pause (a 429) stops every runner until it has passed
      yield* buckets[0]!.pause(400)
      const paused = yield* dbMillis
      yield* buckets[1]!.take
      assert.isAtLeast((yield* dbMillis) - paused, 350, "the other runner waited for the pause")
    }).pipe(Effect.scoped))

  it.live(
    "two runners share a fleet; one killed mid-way, the other finishes: each rotated once, 0 responses 429",
    () =>
      Effect.gen(function*() {
        const url = postgresUrl()
        const random = prng(42)
        const temp = tempDir()
        yield* Effect.addFinalizer(() => Effect.sync(temp.remove))
        const fleet = resources(fleetSize, 2)
        // a small bucket per subscription, and each runner told it may use 80% of it (the rest absorbs the
        // emulator's seeded latency, which bunches writes up): together they would exceed it, but for the one
        // budget they share through the database
        const emulator = yield* Emulator.make({
          resources: fleet,
          throttle: { capacity: 10, refillPerSecond: 10 },
          requestLogSize: 10_000,
          faults: { seed: 7, latency: { min: "2 millis", max: "25 millis" } }
        })
        const seed = yield* keysNow(emulator, fleet)
        const fleetFile = join(temp.dir, "fleet.json")
        writeFileSync(fleetFile, JSON.stringify(fleet.map(idOf)))
        const log = join(temp.dir, "published.jsonl")
        const runId = `pg-${Date.now()}`
        const env = {
          EMULATOR_URL: emulator.url,
          JOURNAL: url,
          FLEET_FILE: fleetFile,
          PUBLISH_LOG: log,
          RUN_ID: runId,
          CONCURRENCY: "8",
          BUDGET: JSON.stringify({ capacity: 8, perSecond: 8 })
        }
        const a = spawnRunner(env)
        const b = spawnRunner(env)
        const aEnded = ended(a)
        const bEnded = ended(b)
        // A dies once a seeded share of the keys is published
        const target = 10 + Math.floor(random() * (fleetSize - 10))
        while (logLines(log) < target && a.exitCode === null) yield* Effect.sleep("5 millis")
        a.kill("SIGKILL")
        const aResult = yield* aEnded
        assert.strictEqual(aResult.signal, "SIGKILL", "A was killed while running")
        const bResult = yield* bEnded
        assert.strictEqual(bResult.code, 0, bResult.stderr)
        const summary: DurableFleet.FleetSummary = JSON.parse(bResult.stdout.trim().split("\n").pop()!)
        assert.strictEqual(summary.failed.length, 0)
        assert.strictEqual(summary.rotated + summary.alreadyDone, fleetSize)

        yield* emulator.awaitStats((stats) => stats.inFlight === 0)
        const stats = yield* emulator.stats
        assert.strictEqual(stats.throttled, 0, "no response 429")
        const published = readPublished(log)
        const answered = yield* assertRotatedAndPublished(emulator, fleet, seed, published)
        let once = 0
        for (const resource of fleet) {
          const id = idOf(resource).toLowerCase()
          // not rotated by both: at most the step A was running when it died runs again
          assert.isAtMost(answered.get(id) ?? 0, 3, id)
          if (answered.get(id) === 2) once++
        }
        // A ran at most 8 steps at once: every other resource was regenerated exactly twice
        assert.isAtLeast(once, fleetSize - 8)

        const status = yield* DurableFleet.status(fleet.map((r) => ({ resourceId: idOf(r) })), { runId }).pipe(
          Effect.provide(DurableFleet.journalPg({ url: Redacted.make(url) }))
        )
        assert.deepStrictEqual([status.done, status.running, status.failed, status.notStarted], [fleetSize, 0, 0, 0])
        // the journal holds no key: every value of every table of the cluster's schema, scanned
        const text = yield* Effect.gen(function*() {
          const sql = yield* SqlClient.SqlClient
          const tables = yield* sql<{ table_name: string }>`
          select table_name from information_schema.tables where table_schema = 'public'`
          const lines: Array<string> = []
          for (const { table_name } of tables) {
            for (const row of yield* sql.unsafe<Record<string, unknown>>(`select * from "${table_name}"`)) {
              lines.push(Object.values(row).map((value) => JSON.stringify(value) ?? "").join(" "))
            }
          }
          return lines.join("\n")
        }).pipe(Effect.provide(PgClient.layer({ url: Redacted.make(url) })), Effect.orDie)
        assert.include(text, runId)
        const known = [
          ...published.map((entry) => entry.key),
          ...[...seed.values()].flatMap((k) => [k.primary, k.secondary])
        ]
        assert.deepStrictEqual(Redaction.matches(text, known), [])
        console.log(
          `durable postgres test: A killed after ${target} publishes; B: ${JSON.stringify(summary)}; ` +
            `${once}/${fleetSize} regenerated exactly twice; ${stats.requests} requests, ${stats.throttled} throttled`
        )
      }).pipe(Effect.scoped),
    180_000
  )
})
