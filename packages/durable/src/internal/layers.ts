import { Redaction } from "@effect-acs/core"
import * as ClusterWorkflowEngine from "@effect/cluster/ClusterWorkflowEngine"
import * as SingleRunner from "@effect/cluster/SingleRunner"
import * as PgClient from "@effect/sql-pg/PgClient"
import * as SqliteClient from "@effect/sql-sqlite-node/SqliteClient"
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
const engine = (runnerStorage: "memory" | "sql") =>
  ClusterWorkflowEngine.layer.pipe(
    Layer.provideMerge(SingleRunner.layer({ runnerStorage }))
  )

export const layerSqlite = (options: { readonly filename: string }): Layer.Layer<Engine, JournalError> =>
  engine("memory").pipe(
    Layer.provide(SqliteClient.layer({ filename: options.filename })),
    Layer.mapError(journalError)
  )

export const layerPg = (options: { readonly url: Redacted.Redacted<string> }): Layer.Layer<Engine, JournalError> =>
  engine("sql").pipe(
    Layer.provide(PgClient.layer({ url: options.url })),
    Layer.mapError(journalError)
  )
