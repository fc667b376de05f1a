import { Redaction } from "@effect-acs/core"
import * as ClusterWorkflowEngine from "@effect/cluster/ClusterWorkflowEngine"
import * as SingleRunner from "@effect/cluster/SingleRunner"
import type * as SqlClient from "@effect/sql/SqlClient"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Redacted from "effect/Redacted"
import type { Engine } from "../DurableFleet.js"
import { JournalError } from "../DurableFleet.js"

const journalError = (error: unknown) =>
  new JournalError({
    reason: Redaction.untrusted(
      typeof error === "object" && error !== null && "message" in error ? String(error.message) : String(error)
    )
  })

/** The workflow engine on a single runner of the cluster, its messages and replies in the SQL database given. */
const engine = (
  runnerStorage: "memory" | "sql",
  sql: Effect.Effect<Layer.Layer<SqlClient.SqlClient, unknown>, JournalError>
): Layer.Layer<Engine, JournalError> =>
  ClusterWorkflowEngine.layer.pipe(
    Layer.provideMerge(SingleRunner.layer({ runnerStorage })),
    Layer.provide(Layer.unwrapEffect(sql)),
    Layer.mapError(journalError)
  )

/** The drivers are optional peers, loaded on first use: a SQLite user never loads pg, and the other way round. */
const load = <A>(name: string, module: () => Promise<A>) =>
  Effect.tryPromise({
    try: module,
    catch: () => new JournalError({ reason: `${name} is not installed` })
  })

export const layerSqlite = (options: { readonly filename: string }): Layer.Layer<Engine, JournalError> =>
  engine(
    // one process per file: the runner's shard locks need not be journaled
    "memory",
    Effect.map(
      load("@effect/sql-sqlite-node", () => import("@effect/sql-sqlite-node/SqliteClient")),
      (SqliteClient) => SqliteClient.layer({ filename: options.filename })
    )
  )

export const layerPg = (options: { readonly url: Redacted.Redacted<string> }): Layer.Layer<Engine, JournalError> =>
  engine(
    "sql",
    Effect.map(
      load("@effect/sql-pg", () => import("@effect/sql-pg/PgClient")),
      (PgClient) => PgClient.layer({ url: options.url })
    )
  )
