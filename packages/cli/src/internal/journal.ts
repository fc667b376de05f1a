/**
 * `rotate --journal` and `status`: a fleet run kept by `@effect-acs/durable` in a SQLite file or in PostgreSQL.
 * Loaded only by these two (the workflow engine and the SQL drivers are most of what they load).
 */
import type { ResourceInput } from "@effect-acs/core/CommunicationServices"
import * as DurableFleet from "@effect-acs/durable/DurableFleet"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import type * as Layer from "effect/Layer"
import type * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import type { FleetFileError } from "../CliError.js"
import * as ExitCode from "../ExitCode.js"
import { displayId } from "./ledger.js"
import type { Journal } from "./options.js"
import type { ResourceOutcome } from "./progress.js"
import * as render from "./render.js"
import type * as Renderer from "./renderer.js"

/** The run of `--journal` without `--run-id`. */
export const defaultRunId = "default"

const engineOf = (journal: Journal): Layer.Layer<DurableFleet.Engine, DurableFleet.JournalError> =>
  journal._tag === "Postgres"
    ? DurableFleet.layerPg({ url: journal.url })
    : DurableFleet.layerSqlite({ filename: journal.filename })

const journalOf = (journal: Journal): Layer.Layer<DurableFleet.Journal, DurableFleet.JournalError> =>
  journal._tag === "Postgres"
    ? DurableFleet.journalPg({ url: journal.url })
    : DurableFleet.journalSqlite({ filename: journal.filename })

/** The fleet file, read whole (once): a durable run checks every entry before it starts. */
export const entries = <R>(file: Stream.Stream<ResourceInput, FleetFileError, R>) =>
  Effect.map(Stream.runCollect(file), Chunk.toReadonlyArray)

export const rotate = <E, RP, E2, R2>(
  resources: ReadonlyArray<ResourceInput>,
  journal: Journal,
  options: DurableFleet.Options<E, RP, E2, R2>
) => Effect.provide(DurableFleet.rotate(resources, options), engineOf(journal))

export const status = <R>(file: Stream.Stream<ResourceInput, FleetFileError, R>, journal: Journal, runId: string) =>
  Effect.flatMap(
    entries(file),
    (resources) => Effect.provide(DurableFleet.status(resources, { runId, perResource: true }), journalOf(journal))
  )

export const outcome = (event: DurableFleet.FleetEvent): ResourceOutcome =>
  event._tag === "Rotated"
    ? {
      _tag: "Rotated",
      resourceId: event.rotated.resourceId,
      detail: `(${event.rotated.regenerated.join(", ")})${
        event.rotated.recovered ? ", recovered an unknown outcome" : ""
      }`
    }
    : { _tag: "Failed", resourceId: event.error.resourceId, description: ExitCode.describe(event.error) }

/** An event of the run, for `--json` (for people, the progress tells it). */
export const eventView = (event: DurableFleet.FleetEvent): Renderer.View => ({
  text: () => "",
  json: () =>
    event._tag === "Rotated"
      ? {
        event: "rotated",
        resourceId: displayId(event.rotated.resourceId),
        regenerated: event.rotated.regenerated,
        recovered: event.rotated.recovered
      }
      : {
        event: "failed",
        resourceId: displayId(event.error.resourceId),
        error: render.errorJson(event.error)
      }
})

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`

export const summaryView = (summary: DurableFleet.FleetSummary): Renderer.View => {
  const runId = render.untrusted(summary.runId)
  const failed = summary.failed.map((error) => ({ resourceId: displayId(error.resourceId), error }))
  return {
    json: () => ({
      event: "summary",
      runId,
      total: summary.total,
      resources: summary.resources,
      duplicates: summary.duplicates,
      rotated: summary.rotated,
      alreadyDone: summary.alreadyDone,
      failed: failed.map(({ error, resourceId }) => ({ resourceId, error: render.errorJson(error) })),
      durationMillis: summary.durationMillis
    }),
    text: () =>
      (summary.rotated === 0 && failed.length === 0
        ? `run ${runId} is finished: all ${plural(summary.resources, "resource")} rotated before, nothing to do ` +
          `(to rotate them again, give a new --run-id)\n`
        : `run ${runId}: rotated ${summary.rotated} of ${plural(summary.resources, "resource")} in ${
          render.duration(summary.durationMillis)
        } (${summary.alreadyDone} already done, ${failed.length} failed)\n`) +
      (failed.length === 0 ?
        "" :
        `failed (a new --run-id rotates them again):\n${
          failed.map(({ error, resourceId }) =>
            `  ${resourceId} at ${error.step}${error.livePublished ? "" : " (its live key is not published)"}\n    ${
              ExitCode.messageOf(error)
            }\n`
          ).join("")
        }`)
  }
}

export const interruptedView = (runId: Option.Option<string>): Renderer.View => {
  const again = runId._tag === "Some" ? ` --run-id ${render.untrusted(runId.value)}` : ""
  return {
    json: () => ({ event: "interrupted", runId: render.untrusted(runId._tag === "Some" ? runId.value : defaultRunId) }),
    text: () =>
      `interrupted: the run is in the journal; the same command${again ? ` (with${again})` : ""} resumes it, ` +
      `and acs-keys status tells where it stands\n`
  }
}

const states = ["done", "running", "failed", "notStarted"] as const

export const statusView = (status: DurableFleet.FleetStatus): Renderer.View => {
  const runId = render.untrusted(status.runId)
  const resources = (status.resources ?? []).map((entry) => ({ ...entry, resourceId: displayId(entry.resourceId) }))
  const value = {
    runId,
    done: status.done,
    running: status.running,
    failed: status.failed,
    notStarted: status.notStarted,
    subscriptions: status.subscriptions.map((s) => ({ ...s, subscriptionId: render.untrusted(s.subscriptionId) })),
    resources
  }
  const total = states.reduce((sum, state) => sum + status[state], 0)
  const header = ["subscription", "done", "running", "failed", "not started"]
  const rows = value.subscriptions.map((s) => [s.subscriptionId, ...states.map((state) => String(s[state]))])
  const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => row[i]!.length)))
  const line = (cells: ReadonlyArray<string>) =>
    cells.map((cell, i) => i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!)).join("  ") + "\n"
  const unfinished = resources.filter((entry) => entry.state === "running" || entry.state === "failed")
  return {
    json: () => value,
    result: () => value,
    text: () =>
      `run ${runId}: ${status.done} done, ${status.running} running, ${status.failed} failed, ${status.notStarted} ` +
      `not started, of ${plural(total, "resource")}\n` +
      line(header) + rows.map(line).join("") +
      (unfinished.length === 0 ?
        "" :
        `running or failed:\n${unfinished.map((entry) => `  ${entry.resourceId}: ${entry.state}\n`).join("")}`)
  }
}
