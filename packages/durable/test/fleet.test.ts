import { Redaction } from "@effect-acs/core"
import { DurableFleet } from "@effect-acs/durable"
import { Emulator } from "@effect-acs/emulator"
import * as SqliteClient from "@effect/sql-sqlite-node/SqliteClient"
import * as SqlClient from "@effect/sql/SqlClient"
import { assert, describe, it } from "@effect/vitest"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import { spawnSync } from "node:child_process"
import { existsSync, writeFileSync } from "node:fs"
import { hostname } from "node:os"
import { join } from "node:path"
import { clientLayer, idOf, plain, resources, tempDir } from "./harness.js"

/** Every value of every table of a SQLite journal, as text, one row a line. */
const journalText = (filename: string) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const tables = yield* sql.unsafe<{ name: string }>("select name from sqlite_master where type = 'table'")
    const lines: Array<string> = []
    for (const { name } of tables) {
      const rows = yield* sql.unsafe<Record<string, unknown>>(`select * from "${name}"`)
      for (const row of rows) {
        lines.push(
          Object.values(row).map((value) =>
            value instanceof Uint8Array ? Buffer.from(value).toString("utf8") : String(value)
          ).join(" ")
        )
      }
    }
    return lines.join("\n")
  }).pipe(Effect.provide(SqliteClient.layer({ filename, readonly: true })), Effect.orDie)

describe("DurableFleet on SQLite, in process", () => {
  it.live(
    "rotates each resource once, publishes the live keys, and a re-run sends nothing",
    () =>
      Effect.gen(function*() {
        const temp = tempDir()
        yield* Effect.addFinalizer(() => Effect.sync(temp.remove))
        const filename = join(temp.dir, "journal.db")
        const fleet = resources(8)
        const emulator = yield* Emulator.make({ resources: fleet, throttle: false })
        const seed = new Map<string, { primary: string; secondary: string }>()
        for (const resource of fleet) seed.set(idOf(resource).toLowerCase(), plain(yield* emulator.keys(resource)))
        const published = new Map<string, string>()
        const publishedKeys: Array<string> = []
        const ids = fleet.map((resource) => ({ resourceId: idOf(resource) }))
        // the same resource in another letter case is one resource
        const entries = [...ids, { resourceId: ids[0]!.resourceId.toUpperCase() }]
        const run = DurableFleet.rotate(entries, {
          runId: "run-1",
          publish: (key) =>
            Effect.sync(() => {
              published.set(`${key.resourceId.toLowerCase()}|${key.keyType}`, Redacted.value(key.key))
              publishedKeys.push(Redacted.value(key.key))
            })
        }).pipe(
          Effect.provide(Layer.merge(clientLayer(emulator.url), DurableFleet.layerSqlite({ filename })))
        )
        const summary = yield* run
        assert.strictEqual(summary.resources, 8)
        assert.strictEqual(summary.duplicates, 1)
        assert.strictEqual(summary.rotated, 8)
        assert.strictEqual(summary.failed.length, 0)
        const stats = yield* emulator.stats
        assert.strictEqual(stats.regenerations, 16, "2 regenerations per resource, no more")
        for (const resource of fleet) {
          const id = idOf(resource).toLowerCase()
          const live = plain(yield* emulator.keys(resource))
          assert.notStrictEqual(live.primary, seed.get(id)!.primary)
          assert.notStrictEqual(live.secondary, seed.get(id)!.secondary)
          assert.strictEqual(published.get(`${id}|Primary`), live.primary)
          assert.strictEqual(published.get(`${id}|Secondary`), live.secondary)
        }

        // the same run again: everything already done, 0 requests
        yield* emulator.resetStats
        const again = yield* run
        assert.strictEqual(again.rotated, 0)
        assert.strictEqual(again.alreadyDone, 8)
        assert.strictEqual((yield* emulator.stats).requests, 0)

        const status = yield* DurableFleet.status(ids, { runId: "run-1" }).pipe(
          Effect.provide(DurableFleet.layerSqlite({ filename }))
        )
        assert.deepStrictEqual([status.done, status.running, status.failed, status.notStarted], [8, 0, 0, 0])
        assert.deepStrictEqual(status.subscriptions.map((s) => s.done), [4, 4])
        const other = yield* DurableFleet.status(ids, { runId: "run-2" }).pipe(
          Effect.provide(DurableFleet.journalSqlite({ filename }))
        )
        assert.strictEqual(other.notStarted, 8)

        // the journal holds no key: neither one published, nor anything that looks like a secret
        const text = yield* journalText(filename)
        assert.isAbove(text.length, 0)
        assert.include(text, "run-1")
        assert.deepStrictEqual(
          Redaction.matches(text, [...publishedKeys, ...[...seed.values()].flatMap((k) => [k.primary, k.secondary])]),
          []
        )
      }).pipe(Effect.scoped),
    60_000
  )

  it.live("journals a failed rotation: reported by status, not retried by a re-run of the run", () =>
    Effect.gen(function*() {
      const temp = tempDir()
      yield* Effect.addFinalizer(() => Effect.sync(temp.remove))
      const fleet = resources(3)
      // the third resource is not served: its rotation fails at Regenerate (404), before any key changed
      const emulator = yield* Emulator.make({ resources: fleet.slice(0, 2), throttle: false })
      const layer = Layer.merge(
        clientLayer(emulator.url),
        DurableFleet.layerSqlite({ filename: join(temp.dir, "j.db") })
      )
      const ids = fleet.map((resource) => ({ resourceId: idOf(resource) }))
      const run = DurableFleet.rotate(ids, { runId: "with-a-failure", publish: () => Effect.void }).pipe(
        Effect.provide(layer)
      )
      const first = yield* run
      assert.strictEqual(first.rotated, 2)
      assert.strictEqual(first.failed.length, 1)
      assert.strictEqual(first.failed[0]!.step, "Regenerate")
      assert.strictEqual(first.failed[0]!.livePublished, false)
      assert.strictEqual(first.failed[0]!.resourceId.toLowerCase(), ids[2]!.resourceId.toLowerCase())
      yield* emulator.resetStats
      const again = yield* run
      assert.deepStrictEqual([again.rotated, again.alreadyDone, again.failed.length], [0, 2, 1])
      assert.strictEqual((yield* emulator.stats).requests, 0)
      const status = yield* DurableFleet.status(ids, { runId: "with-a-failure", perResource: true }).pipe(
        Effect.provide(DurableFleet.journalSqlite({ filename: join(temp.dir, "j.db") }))
      )
      assert.deepStrictEqual([status.done, status.failed, status.running, status.notStarted], [2, 1, 0, 0])
      assert.strictEqual(status.resources!.find((entry) => entry.state === "failed")!.resourceId, ids[2]!.resourceId)
    }).pipe(Effect.scoped))

  it.live("two rotate calls on one engine take turns, each rotating its run", () =>
    Effect.gen(function*() {
      const temp = tempDir()
      yield* Effect.addFinalizer(() => Effect.sync(temp.remove))
      const fleet = resources(4)
      const emulator = yield* Emulator.make({ resources: fleet, throttle: false })
      const ids = fleet.map((resource) => ({ resourceId: idOf(resource) }))
      const publish = () => Effect.void
      const [first, second] = yield* Effect.all([
        DurableFleet.rotate<never, never>(ids.slice(0, 2), { runId: "turn-1", publish }),
        DurableFleet.rotate<never, never>(ids.slice(2), { runId: "turn-2", publish })
      ], { concurrency: 2 }).pipe(
        Effect.provide(
          Layer.merge(clientLayer(emulator.url), DurableFleet.layerSqlite({ filename: join(temp.dir, "j.db") }))
        )
      )
      assert.deepStrictEqual([first.rotated, second.rotated], [2, 2])
      assert.strictEqual((yield* emulator.stats).regenerations, 8)
    }).pipe(Effect.scoped))

  it.live("interrupted half-way (as by Ctrl-C), then run again: each resource rotated, the live keys the last published", () =>
    Effect.gen(function*() {
      const temp = tempDir()
      yield* Effect.addFinalizer(() => Effect.sync(temp.remove))
      const filename = join(temp.dir, "j.db")
      const fleet = resources(12)
      const emulator = yield* Emulator.make({
        resources: fleet,
        throttle: false,
        faults: { seed: 3, latency: { min: "5 millis", max: "30 millis" } }
      })
      const seed = new Map<string, { primary: string; secondary: string }>()
      for (const resource of fleet) seed.set(idOf(resource).toLowerCase(), plain(yield* emulator.keys(resource)))
      const ids = fleet.map((resource) => ({ resourceId: idOf(resource) }))
      const published = new Map<string, string>()
      let count = 0
      let stopping = false
      const halfway = yield* Deferred.make<void>()
      const run = DurableFleet.rotate(ids, {
        runId: "interrupted",
        concurrency: 4,
        recoveryDelay: "20 millis",
        settle: "200 millis",
        // from the 6th key on, the first Secondary published stops the run: interrupted while that publish
        // runs, its rotation is left between its two steps (or in its first)
        publish: (key) =>
          Effect.suspend(() => {
            published.set(`${key.resourceId.toLowerCase()}|${key.keyType}`, Redacted.value(key.key))
            if (++count < 6 || key.keyType !== "Secondary" || stopping) return Effect.void
            stopping = true
            Deferred.unsafeDone(halfway, Exit.void)
            return Effect.sleep("50 millis")
          })
      })
      const layer = () => Layer.merge(clientLayer(emulator.url), DurableFleet.layerSqlite({ filename }))
      const fiber = yield* Effect.fork(Effect.provide(run, layer()))
      yield* Deferred.await(halfway)
      yield* Fiber.interrupt(fiber)
      yield* emulator.awaitStats((stats) => stats.inFlight === 0)
      assert.isBelow(count, 2 * fleet.length, "stopped before the end")
      const status = yield* DurableFleet.status(ids, { runId: "interrupted", perResource: true }).pipe(
        Effect.provide(DurableFleet.journalSqlite({ filename }))
      )
      const running = status.resources!.filter((r) => r.state === "running").map((r) => r.resourceId.toLowerCase())
      assert.isAbove(running.length, 0, "some rotations were left half-way")
      yield* emulator.resetStats
      const summary = yield* Effect.provide(run, layer())
      assert.strictEqual(summary.failed.length, 0)
      assert.strictEqual(summary.rotated + summary.alreadyDone, fleet.length)
      // a rotation left half-way may have had a regeneration on the wire: the first step it runs now is watched
      // (listKeys); the ones that had not started are not
      const log = yield* emulator.requestLog
      const touched = (operation: string) =>
        new Set(
          log.filter((entry) => entry.operation === operation).map((entry) =>
            entry.path.split("/").slice(0, -1).join("/").toLowerCase()
          )
        )
      const resumedWithSteps = [...touched("regenerateKey")].filter((id) => running.includes(id))
      assert.isAbove(resumedWithSteps.length, 0, "a rotation left half-way ran a step when resumed")
      assert.deepStrictEqual([...touched("listKeys")].sort(), resumedWithSteps.sort())
      for (const resource of fleet) {
        const id = idOf(resource).toLowerCase()
        const live = plain(yield* emulator.keys(resource))
        assert.notStrictEqual(live.primary, seed.get(id)!.primary, id)
        assert.notStrictEqual(live.secondary, seed.get(id)!.secondary, id)
        assert.strictEqual(published.get(`${id}|Primary`), live.primary, id)
        assert.strictEqual(published.get(`${id}|Secondary`), live.secondary, id)
      }
    }).pipe(Effect.scoped))

  it.live("drain: the other key waits after the first is published; interrupted in the drain, resumed: not redone", () =>
    Effect.gen(function*() {
      const temp = tempDir()
      yield* Effect.addFinalizer(() => Effect.sync(temp.remove))
      const filename = join(temp.dir, "j.db")
      const fleet = resources(3)
      const emulator = yield* Emulator.make({ resources: fleet, throttle: false, requestLogSize: 1000 })
      const ids = fleet.map((resource) => ({ resourceId: idOf(resource) }))
      const publishedAt = new Map<string, number>()
      const firstDone = yield* Deferred.make<void>()
      const run = DurableFleet.rotate(ids, {
        runId: "drained",
        concurrency: 3,
        drain: "4 seconds",
        // resumed, the next step is watched (the journal cannot tell a drain from a step on the wire): briefly
        recoveryDelay: "20 millis",
        settle: "200 millis",
        publish: (key) =>
          Effect.sync(() => {
            publishedAt.set(`${key.resourceId.toLowerCase()}|${key.keyType}`, Date.now())
            if (publishedAt.size === 3) Deferred.unsafeDone(firstDone, Exit.void)
          })
      })
      const layer = () => Layer.merge(clientLayer(emulator.url), DurableFleet.layerSqlite({ filename }))
      // every first key published, every rotation in its drain: interrupted there
      const fiber = yield* Effect.fork(Effect.provide(run, layer()))
      yield* Deferred.await(firstDone)
      yield* Fiber.interrupt(fiber)
      assert.strictEqual(publishedAt.size, 3, "only the first keys were published before the interruption")
      assert.strictEqual((yield* emulator.stats).regenerations, 3)
      const resumedAt = Date.now()
      const summary = yield* Effect.provide(run, layer())
      assert.strictEqual(summary.rotated, 3)
      // the first step was not run again: one regeneration more per resource, the other key's
      assert.strictEqual((yield* emulator.stats).regenerations, 6)
      for (const resource of fleet) {
        const id = idOf(resource).toLowerCase()
        // the drain (shorter than a minute: an activity's sleep), cut off by the interruption (a runner stopping
        // gives running steps 3 seconds), ran again in full after the resume
        assert.isAtLeast(publishedAt.get(`${id}|Primary`)! - resumedAt, 4000, id)
      }
      // a drain past 5 seconds is a durable timer: interrupted, then resumed 5 seconds later, it ends when it was
      // due (it is not started again)
      const long = DurableFleet.rotate(ids, {
        runId: "drained-long",
        concurrency: 3,
        drain: "10 seconds",
        // resumed, the next step is watched (the journal cannot tell a drain from a step on the wire): briefly
        recoveryDelay: "20 millis",
        settle: "200 millis",
        publish: (key) =>
          Effect.sync(() => publishedAt.set(`${key.resourceId.toLowerCase()}|${key.keyType}|long`, Date.now()))
      })
      const longFiber = yield* Effect.fork(Effect.provide(long, layer()))
      while ([...publishedAt.keys()].filter((key) => key.endsWith("|long")).length < 3) yield* Effect.sleep("10 millis")
      yield* Fiber.interrupt(longFiber)
      yield* Effect.sleep("5 seconds")
      const longResumedAt = Date.now()
      assert.strictEqual((yield* Effect.provide(long, layer())).rotated, 3)
      for (const resource of fleet) {
        const id = idOf(resource).toLowerCase()
        const first = publishedAt.get(`${id}|Secondary|long`)!
        const second = publishedAt.get(`${id}|Primary|long`)!
        assert.isAtLeast(second - first, 10_000, id)
        // started again, it would have ended 10 s after the resume at the soonest
        assert.isBelow(second - longResumedAt, 9_000, `${id}: the drain was started again`)
      }
      const invalid = yield* Effect.flip(
        DurableFleet.rotate(ids, { runId: "r", drain: Infinity, publish: () => Effect.void }).pipe(
          Effect.provide(layer())
        )
      )
      assert.include(invalid.message, "drain must be a finite duration")
    }).pipe(Effect.scoped))

  it.live("one runner per SQLite journal: a second is refused while the first runs; a dead one's lock is taken over", () =>
    Effect.gen(function*() {
      const temp = tempDir()
      yield* Effect.addFinalizer(() => Effect.sync(temp.remove))
      const filename = join(temp.dir, "j.db")
      const fleet = resources(2)
      const emulator = yield* Emulator.make({ resources: fleet, throttle: false })
      const ids = fleet.map((resource) => ({ resourceId: idOf(resource) }))
      const run = (runId: string) =>
        DurableFleet.rotate(ids, { runId, publish: () => Effect.void }).pipe(
          Effect.provide(Layer.merge(clientLayer(emulator.url), DurableFleet.layerSqlite({ filename })))
        )
      // the first runner holds the journal while its publish waits
      const release = yield* Deferred.make<void>()
      const first = yield* Effect.fork(
        DurableFleet.rotate(ids, { runId: "first", publish: () => Deferred.await(release) }).pipe(
          Effect.provide(Layer.merge(clientLayer(emulator.url), DurableFleet.layerSqlite({ filename })))
        )
      )
      yield* emulator.awaitStats((stats) => stats.regenerations > 0)
      const refused = yield* Effect.flip(run("second"))
      assert.strictEqual(refused._tag, "JournalError")
      assert.include(refused.message, `in use by process ${process.pid}`)
      // status reads the journal meanwhile (it is no runner)
      const during = yield* DurableFleet.status(ids, { runId: "first" }).pipe(
        Effect.provide(DurableFleet.journalSqlite({ filename }))
      )
      assert.strictEqual(during.done + during.running + during.notStarted, 2)
      yield* Deferred.succeed(release, undefined)
      assert.strictEqual((yield* Fiber.join(first)).rotated, 2)
      assert.isFalse(existsSync(`${filename}.lock`), "released with the layer")
      // a lock left by a process that died (a kill -9): taken over
      const dead = spawnSync(process.execPath, ["-e", "0"]).pid
      writeFileSync(`${filename}.lock`, JSON.stringify({ pid: dead, host: hostname() }))
      assert.strictEqual((yield* run("after-a-crash")).rotated, 2)
      // one held on another host cannot be checked: refused, saying which file to remove
      writeFileSync(`${filename}.lock`, JSON.stringify({ pid: 1, host: "elsewhere" }))
      const elsewhere = yield* Effect.flip(run("elsewhere"))
      assert.include(elsewhere.message, "in use by a runner on elsewhere")
    }).pipe(Effect.scoped))

  it.live("a journal that cannot be opened fails with JournalError, naming no secret of its URL", () =>
    Effect.gen(function*() {
      const temp = tempDir()
      yield* Effect.addFinalizer(() => Effect.sync(temp.remove))
      const status = (journal: Layer.Layer<DurableFleet.Journal, DurableFleet.JournalError>) =>
        Effect.flip(DurableFleet.status([], { runId: "r" }).pipe(Effect.provide(journal)))
      const missing = yield* status(DurableFleet.journalSqlite({ filename: join(temp.dir, "no", "such", "j.db") }))
      assert.strictEqual(missing._tag, "JournalError")
      assert.include(missing.message, "directory does not exist")
      const engine = yield* Effect.flip(
        DurableFleet.rotate([], { runId: "r", publish: () => Effect.void }).pipe(
          Effect.provide(DurableFleet.layerSqlite({ filename: join(temp.dir, "no", "j.db") })),
          Effect.provide(clientLayer("http://127.0.0.1:9"))
        )
      )
      assert.strictEqual(engine._tag, "JournalError")
      // nothing listens on port 1: the URL's password is not in the error
      const refused = yield* status(
        DurableFleet.journalPg({ url: Redacted.make("postgres://u:Sekr3tPw@127.0.0.1:1/db") })
      )
      assert.strictEqual(refused._tag, "JournalError")
      assert.notInclude(JSON.stringify(refused) + refused.message, "Sekr3tPw")
    }).pipe(Effect.scoped))

  it.live("refuses a bad run id or entry before sending anything", () =>
    Effect.gen(function*() {
      const temp = tempDir()
      yield* Effect.addFinalizer(() => Effect.sync(temp.remove))
      const fleet = resources(2)
      const emulator = yield* Emulator.make({ resources: fleet, throttle: false })
      const layer = Layer.merge(
        clientLayer(emulator.url),
        DurableFleet.layerSqlite({ filename: join(temp.dir, "j.db") })
      )
      const publish = () => Effect.void
      const empty = yield* Effect.flip(
        DurableFleet.rotate([{ resourceId: idOf(fleet[0]!) }], { runId: " ", publish }).pipe(Effect.provide(layer))
      )
      assert.strictEqual(empty._tag, "InvalidFleet")
      const bad = yield* Effect.flip(
        DurableFleet.rotate([{ resourceId: idOf(fleet[0]!) }, { resourceId: "/subscriptions/x" }], {
          runId: "r",
          publish
        }).pipe(Effect.provide(layer))
      )
      assert.strictEqual(bad._tag, "InvalidFleet")
      assert.include(bad.message, "entry 2")
      const secretRunId = yield* Effect.flip(
        DurableFleet.rotate([{ resourceId: idOf(fleet[0]!) }], {
          runId: "endpoint=https://x/;accesskey=c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3JldA==",
          publish
        }).pipe(Effect.provide(layer))
      )
      assert.include(secretRunId.message, "looks like a secret")
      assert.notInclude(secretRunId.message, "c2VjcmV0")
      const badOption = yield* Effect.flip(
        DurableFleet.rotate([{ resourceId: idOf(fleet[0]!) }], { runId: "r", publish, publishTimeout: "0 millis" })
          .pipe(Effect.provide(layer))
      )
      assert.strictEqual(badOption._tag, "InvalidFleet")
      assert.strictEqual((yield* emulator.stats).requests, 0)
    }).pipe(Effect.scoped))
})
