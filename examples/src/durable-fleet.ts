/**
 * A fleet rotation that resumes after a crash: the same run id with the same journal picks up where it
 * stopped (finished resources cost no write), and `status` tells where a run stands.
 */
import { Rotation } from "@effect-acs/core"
import { DurableFleet } from "@effect-acs/durable"
import * as Effect from "effect/Effect"

/** Rotates every resource once for this run id, journaled in a SQLite file. */
export const rotateDurably = (
  ids: ReadonlyArray<string>,
  publish: (key: Rotation.PublishedKey) => Effect.Effect<void>,
  runId = "2026-12-01"
) =>
  DurableFleet.rotate(ids.map((resourceId) => ({ resourceId })), {
    // the same id with the same journal resumes; a new id rotates again
    runId,
    // may run again for the same key after a crash: make it idempotent
    publish,
    concurrency: 16,
    // per subscription (with layerPg, shared by every runner of the journal)
    budget: Rotation.armWriteBudget
  }).pipe(Effect.provide(DurableFleet.layerSqlite({ filename: "rotation.db" })))

/** Where a run stands, from the journal alone (no runner: safe while the run goes on). */
export const runStatus = (ids: ReadonlyArray<string>, runId = "2026-12-01") =>
  DurableFleet.status(ids.map((resourceId) => ({ resourceId })), { runId }).pipe(
    Effect.provide(DurableFleet.journalSqlite({ filename: "rotation.db" }))
  )
