import type { Rotation } from "@effect-acs/core"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as ExitCode from "../ExitCode.js"
import type { Output } from "../Stdio.js"
import { displayId } from "./ledger.js"
import { duration, untrusted } from "./render.js"

/**
 * The progress of a fleet rotation on standard error: on a terminal, one bar redrawn in place (events that
 * need attention, and lines written to standard output meanwhile, are printed above it); elsewhere (CI
 * logs, files), one plain line per event.
 */
export interface Progress {
  readonly onEvent: (event: Rotation.FleetEvent) => Effect.Effect<void>
  /** A resource finished: the events of a journaled fleet, which has no throttling or skipping events. */
  readonly onResource: (outcome: ResourceOutcome) => Effect.Effect<void>
  /** Writes a line to standard output without garbling the bar. */
  readonly stdout: (text: string) => Effect.Effect<void>
  /** An `Output` whose writes go above the bar (for what publish commands print). */
  readonly output: Output
  /** Draws the bar (on a terminal). */
  readonly draw: Effect.Effect<void>
  /** Draws the bar in its final state and ends its line (on a terminal). */
  readonly done: Effect.Effect<void>
}

/** A resource rotated (with what to say of it), or failed (with its error, described). */
export type ResourceOutcome =
  | { readonly _tag: "Rotated"; readonly resourceId: string; readonly detail: string }
  | { readonly _tag: "Failed"; readonly resourceId: string; readonly description: string }

const clearLine = "\r\x1b[2K"

export const make = (output: Output, total: number): Effect.Effect<Progress> =>
  Effect.map(Clock.currentTimeMillis, (startedAt) => {
    let finished = 0
    let rotated = 0
    let failed = 0
    let throttled = 0
    let drawn = false
    let lastNow = startedAt
    const width = String(total).length

    const bar = (now: number) => {
      const ratio = total === 0 ? 1 : finished / total
      const size = Math.max(10, Math.min(30, output.columns - 70))
      const full = Math.round(ratio * size)
      return `rotating [${"█".repeat(full)}${"░".repeat(size - full)}] ${String(finished).padStart(width)}/${total}` +
        ` ${String(Math.floor(ratio * 100)).padStart(3)}%  rotated ${rotated}  failed ${failed}` +
        `  throttled ${throttled}  ${duration(now - startedAt)}`
    }

    const redraw = (now: number) => {
      lastNow = Math.max(lastNow, now)
      output.stderr(`${clearLine}${bar(lastNow)}`)
      drawn = true
    }

    /** A line above the bar (or a plain line). */
    const above = (write: (text: string) => void, text: string, now: number) => {
      if (output.isTTY) {
        if (drawn) output.stderr(clearLine)
        write(text)
        redraw(now)
      } else {
        write(text)
      }
    }

    const counter = () => `[${String(finished).padStart(width)}/${total}]`

    const finish = (outcome: ResourceOutcome, now: number) => {
      finished++
      if (outcome._tag === "Rotated") {
        rotated++
        if (output.isTTY) redraw(now)
        else output.stderr(`${counter()} rotated ${displayId(outcome.resourceId)} ${outcome.detail}\n`)
      } else {
        failed++
        above(output.stderr, `${counter()} FAILED  ${displayId(outcome.resourceId)}: ${outcome.description}\n`, now)
      }
    }

    const onEvent = (event: Rotation.FleetEvent) =>
      Effect.flatMap(Clock.currentTimeMillis, (now) =>
        Effect.sync(() => {
          switch (event._tag) {
            case "Rotated": {
              const report = event.report
              return finish({
                _tag: "Rotated",
                resourceId: event.resourceId,
                detail: `(${report.regenerated.join(", ")}) in ${duration(report.finishedAt - report.startedAt)}${
                  report.recovered ? ", recovered an unknown outcome with listKeys" : ""
                }`
              }, now)
            }
            case "Failed":
              return finish(
                { _tag: "Failed", resourceId: event.resourceId, description: ExitCode.describe(event.error) },
                now
              )
            case "Throttled": {
              throttled++
              above(
                output.stderr,
                `throttled: subscription ${untrusted(event.subscriptionId)}, waiting ${duration(event.waitMillis)}\n`,
                now
              )
              return
            }
            case "Skipped": {
              finished++
              above(output.stderr, `${counter()} skipped ${event.resourceId}: listed more than once\n`, now)
              return
            }
          }
        }))

    return {
      onEvent,
      onResource: (outcome) =>
        Effect.flatMap(Clock.currentTimeMillis, (now) => Effect.sync(() => finish(outcome, now))),
      draw: Effect.flatMap(Clock.currentTimeMillis, (now) =>
        Effect.sync(() => {
          if (output.isTTY) redraw(now)
        })),
      stdout: (text) =>
        Effect.flatMap(Clock.currentTimeMillis, (now) => Effect.sync(() => above(output.stdout, text, now))),
      output: {
        ...output,
        stdout: (text) => above(output.stdout, text, lastNow),
        stderr: (text) => above(output.stderr, text, lastNow)
      },
      done: Effect.flatMap(Clock.currentTimeMillis, (now) =>
        Effect.sync(() => {
          if (output.isTTY) {
            redraw(now)
            output.stderr("\n")
          }
        }))
    }
  })

/** Starts the progress display: a first line, then the bar on a terminal. */
export const start = (output: Output, total: number, concurrency: number): Effect.Effect<Progress> =>
  Effect.sync(() => output.stderr(`rotating ${total} resource${total === 1 ? "" : "s"}, ${concurrency} at a time\n`))
    .pipe(
      Effect.zipRight(make(output, total)),
      Effect.tap((progress) => progress.draw)
    )
