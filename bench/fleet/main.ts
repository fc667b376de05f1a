/**
 * Fleet benchmark: core's in-memory `Rotation.rotateFleet` against the durable `DurableFleet.rotate` (a workflow
 * per resource, journaled in SQLite or PostgreSQL), on 1,000 resources over 5 subscriptions at ARM's default
 * write budget (200 writes, refilled at 10 per second, per subscription), then on 10,000 with no budget (at the
 * default budget it would take ten minutes; this run is about memory and throughput). Each rotating run is a
 * child process of its own (rotate.ts: its peak RSS is that run's), against a fresh emulator in another child
 * (emulator.ts), with the same client, publish, concurrency and budget. Reported: the time against the
 * theoretical minimum the budget allows and against the in-memory run, the 429s, the requests, the peak RSS,
 * and for the durable runs the journal's size and a scan of it for every key the emulator held (the bench fails
 * if one is found). The durable 1,000 run is started a second time on the same journal and run id: a finished
 * run, it must send nothing.
 *
 *   pnpm --filter @effect-acs/bench fleet
 */
import { Rotation } from "@effect-acs/core"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import { execFileSync, spawn } from "node:child_process"
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs"
import { cpus, loadavg, tmpdir, totalmem } from "node:os"
import { join } from "node:path"
import { createInterface } from "node:readline"
import { fileURLToPath } from "node:url"
import type { Request, Result } from "./rotate.js"

interface Scenario {
  readonly count: number
  readonly subscriptions: number
  readonly budget: { readonly capacity: number; readonly perSecond: number } | false
  readonly engines: ReadonlyArray<Request["engine"]>
}

/** The same for every engine: the in-memory rows' concurrency (the durable default would be 16). */
const concurrency = 32

const scenarios: ReadonlyArray<Scenario> = [
  { count: 1_000, subscriptions: 5, budget: { capacity: 200, perSecond: 10 }, engines: ["in-memory", "sqlite", "pg"] },
  { count: 10_000, subscriptions: 5, budget: false, engines: ["in-memory", "sqlite", "pg"] }
]

interface Stats {
  readonly requests: number
  readonly throttled: number
  readonly regenerations: number
}

interface EmulatorChild {
  readonly url: string
  readonly stats: () => Promise<Stats>
  readonly keys: () => Promise<ReadonlyArray<string>>
}

const node = (script: string, args: ReadonlyArray<string>, gc = false) =>
  spawn(
    process.execPath,
    [
      "--conditions=source",
      "--import",
      "tsx",
      ...(gc ? ["--expose-gc"] : []),
      fileURLToPath(new URL(script, import.meta.url)),
      ...args
    ],
    { stdio: ["pipe", "pipe", "inherit"] }
  )

/** The emulator seeded with the scenario's resources, in a child process; one command (a line) at a time. */
const startEmulator = (scenario: Scenario) =>
  Effect.acquireRelease(
    Effect.async<EmulatorChild & { readonly close: () => void }>((resume) => {
      const budget = scenario.budget === false ? [0, 0] : [scenario.budget.capacity, scenario.budget.perSecond]
      const child = node("emulator.ts", [scenario.count, scenario.subscriptions, ...budget].map(String))
      const lines = createInterface({ input: child.stdout })
      const waiting: Array<(line: string) => void> = []
      lines.on("line", (line) => waiting.shift()?.(line))
      const ask = <A>(command: string) =>
        new Promise<A>((done) => {
          waiting.push((line) => done(JSON.parse(line) as A))
          child.stdin.write(`${command}\n`)
        })
      waiting.push((line) =>
        resume(Effect.succeed({
          url: JSON.parse(line).url as string,
          stats: () => ask<Stats>("stats"),
          keys: () => ask<ReadonlyArray<string>>("keys"),
          close: () => child.kill()
        }))
      )
    }),
    (emulator) => Effect.sync(emulator.close)
  )

/** One rotating run in its own process. */
const rotateInChild = (request: Request) =>
  Effect.async<Result, Error>((resume) => {
    const child = node("rotate.ts", [JSON.stringify(request)], true)
    child.stdin.end()
    let stdout = ""
    child.stdout.on("data", (chunk) => (stdout += chunk))
    child.on("exit", (code) => {
      const line = stdout.trim().split("\n").at(-1) ?? ""
      resume(
        code === 0 && line !== ""
          ? Effect.succeed(JSON.parse(line) as Result)
          : Effect.fail(new Error(`the ${request.engine} run of ${request.count} resources exited with ${code}`))
      )
    })
  })

/**
 * How many of `keys` occur in `bytes`, in any letter case: every run of base64 characters is looked up by
 * windows of a key's first 24 characters, then compared whole (a key is 88 base64 characters).
 */
const secretsIn = (bytes: Buffer, keys: ReadonlyArray<string>) => {
  const prefix = 24
  const byPrefix = new Map<string, Array<string>>()
  for (const key of keys) {
    const lower = key.toLowerCase()
    byPrefix.set(lower.slice(0, prefix), [...(byPrefix.get(lower.slice(0, prefix)) ?? []), lower])
  }
  const text = bytes.toString("latin1").toLowerCase()
  const found = new Set<string>()
  for (const run of text.matchAll(new RegExp(`[a-z0-9+/=]{${prefix},}`, "g"))) {
    for (let i = 0; i + prefix <= run[0].length; i++) {
      for (const key of byPrefix.get(run[0].slice(i, i + prefix)) ?? []) {
        if (run[0].startsWith(key, i)) found.add(key)
      }
    }
  }
  return found.size
}

/** The scan finds a key anywhere in a run of base64 (a blob), and in another letter case. */
const checkScanner = () => {
  const key = Buffer.alloc(64, 7).toString("base64")
  const blob = (text: string) => Buffer.from(`{"a":"QUJD${text}QUJD"}`)
  if (secretsIn(blob(key), [key]) !== 1 || secretsIn(blob(key.toUpperCase()), [key]) !== 1) {
    throw new Error("the secret scan does not find a key it is given")
  }
}

/** A SQLite journal: its file and, if left, its write-ahead log and rollback journal. */
const sqliteFiles = (filename: string) =>
  [filename, `${filename}-wal`, `${filename}-journal`].filter((file) => existsSync(file))

interface Postgres {
  readonly url: string
  readonly bin: string
  readonly psql: (url: string, sql: string) => string
  readonly stop: () => void
}

const root = fileURLToPath(new URL("../..", import.meta.url))

/** A throwaway PostgreSQL server (scripts/postgres.sh, as the durable package's tests start it), or why not. */
const startPostgres = Effect.acquireRelease(
  Effect.sync((): Postgres | { readonly error: string } => {
    const state = mkdtempSync(join(tmpdir(), "acs-fleet-pg-"))
    const env = { ...process.env, ACS_PG_STATE: state }
    const script = join(root, "scripts/postgres.sh")
    try {
      const output = execFileSync("bash", [script, "start"], {
        env,
        encoding: "utf8",
        stdio: ["ignore", "pipe", "pipe"]
      })
      const url = /ACS_DURABLE_PG_URL=(\S+)/.exec(output)?.[1]
      if (url === undefined) throw new Error(`postgres.sh printed no URL: ${output}`)
      const bin = readFileSync(join(state, "bin"), "utf8").trim()
      return {
        url,
        bin,
        psql: (database, sql) =>
          execFileSync(
            join(bin, "psql"),
            ["-X", "-q", "-t", "-A", "-v", "ON_ERROR_STOP=1", "-d", database, "-c", sql],
            {
              encoding: "utf8"
            }
          ).trim(),
        stop: () => {
          execFileSync("bash", [script, "stop"], { env, stdio: "ignore" })
          rmSync(state, { recursive: true, force: true })
        }
      }
    } catch (error) {
      // a start that failed half-way leaves its data directory: stop removes it
      try {
        execFileSync("bash", [script, "stop"], { env, stdio: "ignore" })
      } catch {
        // nothing to stop
      }
      rmSync(state, { recursive: true, force: true })
      const stderr = typeof error === "object" && error !== null && "stderr" in error ? String(error.stderr) : ""
      return { error: (stderr || String(error)).trim().split("\n")[0]! }
    }
  }),
  (postgres) => Effect.sync(() => "stop" in postgres && postgres.stop())
)

interface Row extends Result {
  readonly scenario: Scenario
  readonly engine: string
  readonly minimumMillis: number
  readonly writesPerResource: number
  readonly responses429: number
  readonly requests: number
  readonly journalBytes: number | undefined
  readonly keysScanned: number | undefined
  readonly secretsFound: number | undefined
  readonly wallMillis: number
}

const measure = (scenario: Scenario, engine: Request["engine"], postgres: Postgres | undefined) =>
  Effect.scoped(Effect.gen(function*() {
    const emulator = yield* startEmulator(scenario)
    const ids = Stream.range(0, scenario.count - 1).pipe(Stream.map((i) => ({
      resourceId: `/subscriptions/0000000${
        i % scenario.subscriptions
      }-0000-4000-8000-000000000000/resourceGroups/rg-fleet/providers/Microsoft.Communication/communicationServices/acs-${i}`
    })))
    // the theoretical minimum is the plan's: the busiest subscription's writes beyond the bucket, at its refill rate
    const plan = yield* Rotation.planFleet(ids, { budget: scenario.budget })
    const held = new Set(yield* Effect.promise(emulator.keys))
    const dir = mkdtempSync(join(tmpdir(), "acs-fleet-journal-"))
    yield* Effect.addFinalizer(() => Effect.sync(() => rmSync(dir, { recursive: true, force: true })))
    const runId = `fleet-bench-${scenario.count}`
    let journal: string | undefined
    if (engine === "sqlite") journal = join(dir, "journal.db")
    if (engine === "pg" && postgres !== undefined) {
      const database = `fleet_${scenario.count}_${Date.now()}`
      postgres.psql(postgres.url, `CREATE DATABASE ${database}`)
      journal = postgres.url.replace(/\/[^/]*$/, `/${database}`)
    }
    const journalBytes = () => {
      if (engine === "sqlite") return sqliteFiles(journal!).reduce((sum, file) => sum + statSync(file).size, 0)
      if (engine === "pg") {
        return Number(postgres!.psql(
          journal!,
          "SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND c.relkind = 'r'"
        ))
      }
      return undefined
    }
    // the journal's bytes as stored (SQLite's files) or as PostgreSQL gives them back (pg_dump, TOAST decompressed)
    const journalContent = () =>
      engine === "sqlite"
        ? Buffer.concat(sqliteFiles(journal!).map((file) => readFileSync(file)))
        : execFileSync(join(postgres!.bin, "pg_dump"), ["--data-only", "-d", journal!], { maxBuffer: 2 ** 30 })

    const run = (label: string) =>
      Effect.gen(function*() {
        process.stderr.write(`${label}: ${scenario.count} resources over ${scenario.subscriptions} subscriptions...\n`)
        const before = yield* Effect.promise(emulator.stats)
        const startedAt = Date.now()
        const result = yield* rotateInChild({
          url: emulator.url,
          engine,
          count: scenario.count,
          subscriptions: scenario.subscriptions,
          budget: scenario.budget,
          concurrency,
          journal,
          runId
        })
        const wallMillis = Date.now() - startedAt
        const after = yield* Effect.promise(emulator.stats)
        // every key the emulator held: the seeded ones and the current ones; a key regenerated twice in a run would
        // have held a third value in between, which this scan could not look for
        for (const key of yield* Effect.promise(emulator.keys)) held.add(key)
        const regenerations = after.regenerations - before.regenerations
        if (held.size - 2 * scenario.count < after.regenerations) {
          return yield* Effect.fail(new Error(`${label}: a key was regenerated twice; the secret scan would miss one`))
        }
        const scanned = journal === undefined ? undefined : secretsIn(journalContent(), [...held])
        process.stderr.write(
          `  ${result.rotated} rotated, ${result.alreadyDone} already done, ${result.failed} failed in ${
            (result.durationMillis / 1000).toFixed(1)
          } s; ${after.requests - before.requests} requests, ${regenerations} regenerations${
            scanned === undefined ? "" : `; ${scanned} of ${held.size} keys found in the journal`
          }\n`
        )
        return {
          ...result,
          scenario,
          engine: label,
          minimumMillis: plan.minimumMillis,
          writesPerResource: plan.writesPerResource,
          responses429: after.throttled - before.throttled,
          requests: after.requests - before.requests,
          journalBytes: journalBytes(),
          keysScanned: scanned === undefined ? undefined : held.size,
          secretsFound: scanned,
          wallMillis
        } satisfies Row
      })

    const name = engine === "in-memory" ? "in-memory" : `durable, ${engine === "sqlite" ? "SQLite" : "PostgreSQL"}`
    const first = yield* run(name)
    // a finished run started again on the same journal: it must find every resource done and send nothing
    const again = engine !== "in-memory" && scenario.count === 1_000 ? [yield* run(`${name}, re-run`)] : []
    return [first, ...again]
  }))

const seconds = (millis: number) => `${(millis / 1000).toFixed(1)} s`
const times = (value: number, base: number | undefined) =>
  base === undefined || base === 0 ? "-" : `${(value / base).toFixed(2)}x`
const size = (bytes: number | undefined) =>
  bytes === undefined
    ? "-"
    : bytes < 2 ** 20
    ? `${(bytes / 1024).toFixed(0)} KiB`
    : `${(bytes / 2 ** 20).toFixed(1)} MiB`

const columns = [
  "resources",
  "budget (capacity, writes/s)",
  "engine",
  "rotated",
  "already done",
  "failed",
  "time",
  "time / in-memory",
  "theoretical minimum",
  "time / minimum",
  "429 responses",
  "requests",
  "rotations/s",
  "CPU (user + sys)",
  "CPU / in-memory",
  "RSS before the run",
  "peak RSS",
  "peak RSS / in-memory",
  "journal on disk",
  "secrets in the journal"
]

const render = (rows: ReadonlyArray<Row>) => {
  const line = (cells: ReadonlyArray<string | number>) => `| ${cells.join(" | ")} |`
  const cells = (row: Row) => {
    const base = rows.find((other) => other.scenario === row.scenario && other.engine === "in-memory")
    const budget = row.scenario.budget
    // a re-run rotates nothing: its minimum and rate do not apply
    const rerun = row.engine.endsWith("re-run")
    return [
      row.scenario.count,
      budget === false ? "none" : `${budget.capacity}, ${budget.perSecond}`,
      row.engine,
      row.rotated,
      row.alreadyDone,
      row.failed,
      seconds(row.durationMillis),
      times(row.durationMillis, base?.durationMillis),
      budget === false || rerun ? "-" : seconds(row.minimumMillis),
      budget === false || rerun ? "-" : times(row.durationMillis, row.minimumMillis),
      row.responses429,
      row.requests,
      rerun ? "-" : Math.round(row.rotated / (row.durationMillis / 1000)),
      seconds(row.cpuMillis),
      times(row.cpuMillis, base?.cpuMillis),
      `${row.rssBeforeMiB} MiB`,
      `${row.peakRssMiB} MiB`,
      times(row.peakRssMiB, base?.peakRssMiB),
      size(row.journalBytes),
      row.secretsFound === undefined ? "-" : `${row.secretsFound} found (${row.keysScanned} keys scanned)`
    ]
  }
  return [
    line(columns),
    line(columns.map((_, i) => [1, 2, 19].includes(i) ? "---" : "---:")),
    ...rows.map(cells).map(line)
  ]
    .join("\n")
}

/** A bullet of the paragraph under the table: its parts in one line. */
const bullet = (...parts: ReadonlyArray<string>) => `- ${parts.join("")}`

/** The paragraph under the table: the figures of this run, in words. */
const findings = (rows: ReadonlyArray<Row>) => {
  const find = (count: number, engine: string) =>
    rows.find((row) => row.scenario.count === count && row.engine === engine)
  const memory1k = find(1_000, "in-memory")
  const sqlite1k = find(1_000, "durable, SQLite")
  const rerun1k = find(1_000, "durable, SQLite, re-run")
  const pg1k = find(1_000, "durable, PostgreSQL")
  const pgRerun1k = find(1_000, "durable, PostgreSQL, re-run")
  const memory10k = find(10_000, "in-memory")
  const sqlite10k = find(10_000, "durable, SQLite")
  const pg10k = find(10_000, "durable, PostgreSQL")
  if (
    memory1k === undefined || sqlite1k === undefined || rerun1k === undefined || memory10k === undefined ||
    sqlite10k === undefined
  ) return ""
  const x = (a: number, b: number) => `${(a / b).toFixed(2)}x`
  const rate = (row: Row) => Math.round(row.rotated / (row.durationMillis / 1000))
  const cpuPerResource = (row: Row) => `${(row.cpuMillis / row.rotated).toFixed(1)} ms`
  const perResource = (row: Row) => `${(row.durationMillis / row.rotated).toFixed(1)} ms`
  const tenths = (row: Row) => {
    const steps = row.timeCurveMillis.map((at, i) => at - (row.timeCurveMillis[i - 1] ?? 0))
    return `${seconds(Math.min(...steps))} to ${seconds(Math.max(...steps))}`
  }
  // the rotations finished in the minute before each tenth (linear between tenths), and the heap the durable run
  // holds beyond the in-memory one at that tenth, per such rotation
  const lastMinute = (row: Row) => {
    const tenth = Math.ceil(row.rotated / 10)
    const points = [[0, 0], ...row.timeCurveMillis.map((at, i) => [at, (i + 1) * tenth])] as Array<[number, number]>
    return points.slice(1).map(([at, done]) => {
      const from = at - 60_000
      const segment = points.findIndex(([t], i) => i > 0 && t >= from)
      const [t0, n0] = points[Math.max(segment - 1, 0)]!
      const [t1, n1] = points[Math.max(segment, 0)]!
      return Math.round(done - (from <= 0 || t1 === t0 ? 0 : n0 + ((n1 - n0) * (from - t0)) / (t1 - t0)))
    })
  }
  const perRotation = (row: Row) => {
    const window = lastMinute(row)
    const kib = row.heapCurveMiB.map((heap, i) =>
      ((heap - (memory10k.heapCurveMiB[i] ?? memory10k.heapAfterMiB)) * 1024) / window[i]!
    )
    return { window, range: `${Math.round(Math.min(...kib))} to ${Math.round(Math.max(...kib))} KiB` }
  }
  // within a tenth of the minimum: the budget set the pace
  const atPace = (row: Row) => row.durationMillis <= 1.1 * row.minimumMillis
  // the second half of the tenths no slower than the first (the first, with the start-up, left out)
  const steady = (row: Row) => {
    const steps = row.timeCurveMillis.map((at, i) => at - (row.timeCurveMillis[i - 1] ?? 0)).slice(1)
    const half = Math.floor(steps.length / 2)
    const mean = (values: ReadonlyArray<number>) => values.reduce((sum, value) => sum + value, 0) / values.length
    return mean(steps.slice(-half)) <= 1.25 * mean(steps.slice(0, half))
  }
  const budgetRate = Math.round(memory1k.rotated / (memory1k.minimumMillis / 1000))
  return [
    "## What the figures say",
    "",
    bullet(
      `**At 1,000 resources, ARM's budget allows ${budgetRate} rotations/s** (5 subscriptions, the bucket of each `,
      `first, then its refill). In memory: ${seconds(memory1k.durationMillis)} against the `,
      `${seconds(memory1k.minimumMillis)} minimum (${x(memory1k.durationMillis, memory1k.minimumMillis)}`,
      atPace(memory1k) ? ", the budget's pace" : ": the machine's load, not the budget, held it back",
      `). Durable on SQLite: ${seconds(sqlite1k.durationMillis)} (${
        x(sqlite1k.durationMillis, memory1k.durationMillis)
      } the in-memory time, ${x(sqlite1k.durationMillis, sqlite1k.minimumMillis)} the minimum)`,
      pg1k === undefined
        ? ""
        : `, on PostgreSQL: ${seconds(pg1k.durationMillis)} (${x(pg1k.durationMillis, memory1k.durationMillis)}, ${
          x(pg1k.durationMillis, pg1k.minimumMillis)
        })`,
      `. The budget's pace is close to what the durable engine does on this machine with no budget at all `,
      `(${rate(sqlite10k)} rotations/s on SQLite, next point): a durable run at ARM's budget is held back by its `,
      `own cost per resource as soon as the machine is busy.`
    ),
    bullet(
      `**With no budget, the CPU sets the pace** (2 cores for the rotating process, the emulator and the other `,
      `jobs). In memory: ${rate(memory10k)} rotations/s (${perResource(memory10k)} per resource); durable on SQLite: `,
      `${rate(sqlite10k)} rotations/s (${perResource(sqlite10k)}), `,
      `${x(sqlite10k.durationMillis, memory10k.durationMillis)} the in-memory time`,
      pg10k === undefined
        ? ""
        : `; on PostgreSQL: ${rate(pg10k)} rotations/s (${x(pg10k.durationMillis, memory10k.durationMillis)})`,
      `. The CPU time of the rotating process varies less with the other jobs than the time (but it varies: `,
      `compare two runs of the bench): `,
      `${cpuPerResource(memory10k)} per resource in memory, ${cpuPerResource(sqlite10k)} durable on SQLite `,
      `(${x(sqlite10k.cpuMillis, memory10k.cpuMillis)})`,
      pg10k === undefined
        ? ""
        : `, ${cpuPerResource(pg10k)} on PostgreSQL (${
          x(pg10k.cpuMillis, memory10k.cpuMillis)
        }, the server's not counted)`,
      `. Each durable rotation is a workflow execution on the cluster's single runner: its \`run\` request and its `,
      `two activities are messages written to the journal with their replies (serialized as for a remote runner), `,
      `and each workflow is an entity of the cluster. SQLite runs in the rotating process, with an fsync at every `,
      `commit (WAL, \`synchronous=FULL\`); PostgreSQL is another process (its CPU and memory are not in the `,
      `rotating process's figures) and the test server does not fsync. Each tenth of the durable 10,000 run took `,
      `${tenths(sqlite10k)} (in memory: ${tenths(memory10k)})`,
      steady(sqlite10k)
        ? ": no slow-down as the journal grows."
        : ": the later tenths were slower than the earlier ones (the machine's load, or the journal's size)."
    ),
    bullet(
      `**Memory.** Peak RSS at 10,000: ${sqlite10k.peakRssMiB} MiB durable on SQLite`,
      pg10k === undefined ? "" : `, ${pg10k.peakRssMiB} MiB on PostgreSQL`,
      `, against ${memory10k.peakRssMiB} MiB in memory (${x(sqlite10k.peakRssMiB, memory10k.peakRssMiB)}`,
      pg10k === undefined ? "" : ` and ${x(pg10k.peakRssMiB, memory10k.peakRssMiB)}`,
      `), from ${sqlite10k.rssBeforeMiB} and ${memory10k.rssBeforeMiB} MiB before the run. The heap after a GC at `,
      `every tenth of the durable 10,000 run on SQLite: ${sqlite10k.heapCurveMiB.join(", ")} MiB `,
      `(${sqlite10k.heapBeforeMiB} MiB before the run); in memory: ${memory10k.heapCurveMiB.join(", ")} MiB `,
      `(${memory10k.heapBeforeMiB} before). `,
      `The durable heap is the in-memory one plus the workflows of the last few seconds: at every tenth, its excess `,
      `over the in-memory heap divided by the rotations finished in the minute before (${
        perRotation(sqlite10k).window.join(", ")
      }) is ${perRotation(sqlite10k).range} per rotation`,
      pg10k === undefined ? "" : ` (on PostgreSQL: ${perRotation(pg10k).range})`,
      `. \`@effect/cluster\` keeps each finished workflow's entity in memory until it has been idle for `,
      `\`entityMaxIdleTime\` (5 seconds in \`layerSqlite\` and \`layerPg\`; the cluster's default, a minute, held `,
      `about 22 KiB per rotation of the last minute in earlier runs of this bench): the durable heap `,
      `follows the rotation rate, not the fleet's size. What grows with the fleet, in both engines, is core's `,
      `\`effect_acs.key.rotated_at\` gauge, one per key rotated (by design). The peak RSS is well above the live `,
      `heap: it is the garbage the run makes between two major GCs (the durable run allocates much more per `,
      `resource), not memory held.`
    ),
    bullet(
      `**Journal.** SQLite: ${size(sqlite1k.journalBytes)} at 1,000 and ${size(sqlite10k.journalBytes)} at 10,000 `,
      `(${Math.round((sqlite10k.journalBytes ?? 0) / sqlite10k.rotated / 1024 * 10) / 10} KiB per resource)`,
      pg1k === undefined
        ? ""
        : `; PostgreSQL tables: ${size(pg1k.journalBytes)} at 1,000` +
          (pg10k === undefined ? "" : ` and ${size(pg10k.journalBytes)} at 10,000`),
      `. No key in any of them.`
    ),
    bullet(
      `**Re-run of a finished run**: ${rerun1k.requests} requests, ${seconds(rerun1k.durationMillis)} for 1,000 `,
      `resources on SQLite`,
      pgRerun1k === undefined
        ? ""
        : ` (${pgRerun1k.requests} requests, ${seconds(pgRerun1k.durationMillis)} on PostgreSQL)`,
      `: every resource's result is read from the journal.`
    ),
    ""
  ].join("\n")
}

const main = Effect.gen(function*() {
  const startedAt = Date.now()
  const load = loadavg()[0]!
  checkScanner()
  const postgres = yield* startPostgres
  if ("error" in postgres) process.stderr.write(`PostgreSQL skipped: no server could be started (${postgres.error})\n`)
  const rows: Array<Row> = []
  for (const scenario of scenarios) {
    for (const engine of scenario.engines) {
      if (engine === "pg" && "error" in postgres) continue
      rows.push(...yield* measure(scenario, engine, "error" in postgres ? undefined : postgres))
    }
  }
  const totalMillis = Date.now() - startedAt
  const table = render(rows)
  const failures = [
    ...rows.filter((row) => (row.secretsFound ?? 0) > 0).map((row) =>
      `${row.engine} (${row.scenario.count}): ${row.secretsFound} keys found in the journal`
    ),
    ...rows.filter((row) => row.engine.endsWith("re-run") && (row.requests > 0 || row.rotated > 0)).map((row) =>
      `${row.engine} (${row.scenario.count}): a finished run sent ${row.requests} requests`
    ),
    ...rows.filter((row) => row.failed > 0).map((row) => `${row.engine} (${row.scenario.count}): ${row.failed} failed`)
  ]
  if (failures.length > 0) {
    process.stdout.write(`${table}\n`)
    return yield* Effect.fail(new Error(`the fleet bench failed:\n${failures.join("\n")}`))
  }
  const report = `# Fleet rotation benchmark

- machine: ${cpus()[0]?.model ?? "unknown"}, ${cpus().length} cores, ${
    Math.round(totalmem() / 2 ** 30)
  } GiB, shared with other jobs while this ran (load average ${load.toFixed(1)} at the start, ${
    loadavg()[0]!.toFixed(1)
  } at the end): compare the rows with each other (the ratios), not with another machine, and expect the ratios
  to move from one run to the next
- Node ${process.version}, ${new Date().toISOString()}; the whole bench took ${seconds(totalMillis)}
- command: \`pnpm --filter @effect-acs/bench fleet\` (PostgreSQL from \`scripts/postgres.sh\`, when it can start one)
- every rotating run is a child process of its own (RSS is that process's: the kernel's high-water mark, startup
  included; "before the run" is after the modules are loaded and the engine started), against a fresh emulator
  in another child; the same client settings, publish (an in-process no-op), concurrency (${concurrency}) and budget
  for every engine. A GC is forced at every tenth of the fleet, to read the live heap (it also clears the garbage
  then, in every engine alike). ${
    rows[0]?.writesPerResource ?? "-"
  } writes per rotation (2 regenerations, no listKeys); theoretical minimum (\`Rotation.planFleet\`) = (writes
  of the busiest subscription - capacity) / refill rate.
- in-memory: core's \`Rotation.rotateFleet\`. durable: \`DurableFleet.rotate\` (\`@effect-acs/durable\`), each
  resource's rotation a workflow of two activities on \`@effect/cluster\`'s single runner, journaled in a fresh SQLite
  file (\`layerSqlite\`) or a fresh PostgreSQL database (\`layerPg\`; the test server runs with \`fsync=off\`).
  ${
    "error" in postgres
      ? `**PostgreSQL was skipped**: \`scripts/postgres.sh start\` could not start a server (${postgres.error}).`
      : "PostgreSQL is a local server started for the bench, on the same machine."
  }
- re-run: the same run id on the same journal once the run has finished: every resource is found done, nothing
  is sent.
- journal on disk: the SQLite file (and its WAL, if left) or the PostgreSQL tables, after the run. Secrets: the
  journal's bytes (SQLite's files; PostgreSQL's \`pg_dump --data-only\`) scanned, in any letter case, for every key
  the emulator held (seeded and regenerated); the bench fails if one is found.

${table}

${findings(rows)}`
  writeFileSync(new URL("../FLEET.md", import.meta.url), report)
  process.stdout.write(report)
})

Effect.runPromise(Effect.scoped(main)).catch((error) => {
  process.stderr.write(`${String(error)}\n`)
  process.exitCode = 1
})
