import { Redaction } from "@effect-acs/core"
import * as ClusterWorkflowEngine from "@effect/cluster/ClusterWorkflowEngine"
import * as RunnerHealth from "@effect/cluster/RunnerHealth"
import * as Runners from "@effect/cluster/Runners"
import * as RunnerStorage from "@effect/cluster/RunnerStorage"
import * as Sharding from "@effect/cluster/Sharding"
import * as ShardingConfig from "@effect/cluster/ShardingConfig"
import * as SqlMessageStorage from "@effect/cluster/SqlMessageStorage"
import * as SqlRunnerStorage from "@effect/cluster/SqlRunnerStorage"
import type * as SqlClient from "@effect/sql/SqlClient"
import * as Cause from "effect/Cause"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Redacted from "effect/Redacted"
import * as Fs from "node:fs"
import * as Os from "node:os"
import type { Engine, Journal } from "../DurableFleet.js"
import { JournalError } from "../DurableFleet.js"
import * as Budget from "./budget.js"
import * as fleet from "./fleet.js"

const journalError = (error: unknown) =>
  new JournalError({
    reason: Redaction.untrusted(
      typeof error === "object" && error !== null && "message" in error ? String(error.message) : String(error)
    )
  })

/**
 * The cluster's defaults, not its environment variables: a journal is read with the shard layout it was written
 * with (`status` finds a resource's messages by its shard).
 */
const shardingConfig = ShardingConfig.layer({
  // stopped (the rotate call interrupted, the process asked to stop), a runner gives running steps this long to
  // finish before it interrupts them (a step interrupted runs again when the run resumes); the cluster's default,
  // 15 seconds, is also what a step waiting for the next `rotate` call would hold a shutdown for
  entityTerminationTimeout: Duration.seconds(3),
  // how often the journal is read for messages due: a drain's timer is late by at most this, and a runner takes
  // up the rotations another one left this soon (the cluster's default: 10 seconds)
  entityMessagePollInterval: Duration.seconds(1),
  // a finished rotation's workflow leaves memory this soon (the cluster's default, a minute, held ~22 KiB for
  // every rotation of the last minute: bench/FLEET.md)
  entityMaxIdleTime: Duration.seconds(5)
})

/**
 * The workflow engine on a single runner of the cluster (`SingleRunner.layer`'s pieces, with its configuration
 * kept in the output for `status`), its messages and replies in the SQL database given.
 */
const engine = (
  runnerStorage: "memory" | "sql",
  sql: Effect.Effect<Layer.Layer<SqlClient.SqlClient, unknown>, JournalError>
): Layer.Layer<Engine, JournalError> =>
  Layer.mergeAll(
    fleet.layerWorkflow,
    // several runners share a SQL runner storage: their write budget is kept in the database too
    runnerStorage === "sql" ? Budget.layerShared : Layer.empty
  ).pipe(
    Layer.provideMerge(ClusterWorkflowEngine.layer),
    Layer.provideMerge(Sharding.layer),
    Layer.provideMerge(Runners.layerNoop),
    Layer.provideMerge(SqlMessageStorage.layer),
    Layer.provide([
      runnerStorage === "memory" ? RunnerStorage.layerMemory : Layer.orDie(SqlRunnerStorage.layer),
      RunnerHealth.layerNoop
    ]),
    Layer.provideMerge(shardingConfig),
    Layer.provide(Layer.unwrapEffect(sql)),
    Layer.mapError(journalError)
  )

/** The message storage alone: what `status` reads, without a runner that would take part in a run. */
const journal = (
  sql: Effect.Effect<Layer.Layer<SqlClient.SqlClient, unknown>, JournalError>
): Layer.Layer<Journal, JournalError> =>
  SqlMessageStorage.layer.pipe(
    Layer.provideMerge(shardingConfig),
    Layer.provide(Layer.unwrapEffect(sql)),
    Layer.mapError(journalError)
  )

/** The drivers are optional peers, loaded on first use: a SQLite user never loads pg, and the other way round. */
const load = <A>(name: string, module: () => Promise<A>) =>
  Effect.tryPromise({
    try: module,
    catch: () => new JournalError({ reason: `${name} is not installed` })
  })

/** A driver that throws while it opens (better-sqlite3 for a directory that does not exist) fails, not dies. */
const opened = (client: Layer.Layer<SqlClient.SqlClient, unknown>) =>
  Layer.catchAllCause(client, (cause) => Layer.fail(journalError(Cause.squash(cause))))

const sqlite = (filename: string) =>
  Effect.map(
    load("@effect/sql-sqlite-node", () => import("@effect/sql-sqlite-node/SqliteClient")),
    (SqliteClient) => opened(SqliteClient.layer({ filename }))
  )

const pg = (url: Redacted.Redacted<string>) =>
  Effect.map(
    load("@effect/sql-pg", () => import("@effect/sql-pg/PgClient")),
    (PgClient) => opened(PgClient.layer({ url }))
  )

/** What a runner's lock file holds: who holds the journal. */
interface Holder {
  readonly pid: number
  readonly host: string
}

/** The lock files this process holds. */
const heldHere = new Set<string>()

const alive = (pid: number) => {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM"
  }
}

/**
 * One runner per SQLite journal, for the layer's lifetime: a lock file beside it (`<journal>.lock`, created
 * exclusively, removed when the layer is released). Two runners on one file would each take every shard, and
 * could rotate a resource at the same time (a cron job started again while the last one runs). A lock left by
 * a process that died (a kill -9) is taken over: on this host, when its process is gone.
 */
const runnerLock = (filename: string): Layer.Layer<never, JournalError> => {
  const path = `${filename}.lock`
  const host = Os.hostname()
  const create = () => {
    const fd = Fs.openSync(path, "wx", 0o600)
    try {
      Fs.writeSync(fd, JSON.stringify({ pid: process.pid, host } satisfies Holder))
    } finally {
      Fs.closeSync(fd)
    }
  }
  const acquire = Effect.try({
    try: () => {
      for (let attempt = 0;; attempt++) {
        try {
          return create()
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== "EEXIST" || attempt > 0) throw error
        }
        let holder: Partial<Holder> = {}
        try {
          holder = JSON.parse(Fs.readFileSync(path, "utf8"))
        } catch {
          // being written, or not ours: taken for held
        }
        if (holder.host !== host || typeof holder.pid !== "number") {
          throw new Error(
            `it is in use by a runner on ${holder.host ?? "another host"} (${path}); one runner at a time per ` +
              `SQLite journal (use PostgreSQL for several); if none runs, remove that file`
          )
        }
        // its pid is this process's own: held by another layer of this process, or left by a process that had
        // the same pid (a container's first process, started again)
        if (holder.pid === process.pid ? heldHere.has(path) : alive(holder.pid)) {
          throw new Error(
            `it is in use by process ${holder.pid}; one runner at a time per SQLite journal (use PostgreSQL for ` +
              `several)`
          )
        }
        // its process is gone: the lock is stale
        Fs.rmSync(path, { force: true })
      }
    },
    catch: journalError
  })
  return Layer.scopedDiscard(
    Effect.acquireRelease(
      Effect.tap(acquire, () => Effect.sync(() => heldHere.add(path))),
      () =>
        Effect.sync(() => {
          heldHere.delete(path)
          Fs.rmSync(path, { force: true })
        })
    )
  )
}

// one runner per SQLite file (its lock file): the runner's shard locks need not be journaled
export const layerSqlite = (options: { readonly filename: string }): Layer.Layer<Engine, JournalError> =>
  engine("memory", sqlite(options.filename)).pipe(Layer.provide(runnerLock(options.filename)))

export const layerPg = (options: { readonly url: Redacted.Redacted<string> }): Layer.Layer<Engine, JournalError> =>
  engine("sql", pg(options.url))

export const journalSqlite = (options: { readonly filename: string }): Layer.Layer<Journal, JournalError> =>
  journal(sqlite(options.filename))

export const journalPg = (options: { readonly url: Redacted.Redacted<string> }): Layer.Layer<Journal, JournalError> =>
  journal(pg(options.url))
