import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import * as SubscriptionRef from "effect/SubscriptionRef"
import type * as Emulator from "../Emulator.js"

const emptyStats: Emulator.Stats = {
  requests: 0,
  byStatus: {},
  throttled: 0,
  dropped: 0,
  faults: 0,
  regenerations: 0,
  inFlight: 0,
  aborted: 0
}

export interface Recorder {
  readonly stats: Effect.Effect<Emulator.Stats>
  readonly awaitStats: (predicate: (stats: Emulator.Stats) => boolean) => Effect.Effect<Emulator.Stats>
  readonly log: Effect.Effect<ReadonlyArray<Emulator.RequestLogEntry>>
  readonly reset: Effect.Effect<void>
  readonly record: (entry: Emulator.RequestLogEntry) => Effect.Effect<void>
  readonly update: (f: (stats: Emulator.Stats) => Emulator.Stats) => Effect.Effect<void>
}

export const make = (logSize: number): Effect.Effect<Recorder> =>
  Effect.map(SubscriptionRef.make(emptyStats), (ref) => {
    let entries: Array<Emulator.RequestLogEntry> = []
    const update = (f: (stats: Emulator.Stats) => Emulator.Stats) => SubscriptionRef.update(ref, f)
    return {
      stats: SubscriptionRef.get(ref),
      awaitStats: (predicate) =>
        ref.changes.pipe(
          Stream.filter(predicate),
          Stream.runHead,
          Effect.flatMap((stats) => stats._tag === "Some" ? Effect.succeed(stats.value) : Effect.never)
        ),
      log: Effect.sync(() => entries.slice()),
      reset: Effect.zipRight(
        Effect.sync(() => {
          entries = []
        }),
        update((s) => ({ ...emptyStats, inFlight: s.inFlight }))
      ),
      record: (entry) =>
        Effect.zipRight(
          Effect.sync(() => {
            if (logSize > 0) {
              entries.push(entry)
              if (entries.length > logSize) entries.splice(0, entries.length - logSize)
            }
          }),
          update((s) => ({
            ...s,
            requests: s.requests + 1,
            byStatus: entry.status === "dropped"
              ? s.byStatus
              : { ...s.byStatus, [entry.status]: (s.byStatus[entry.status] ?? 0) + 1 },
            throttled: s.throttled + (entry.status === 429 ? 1 : 0),
            dropped: s.dropped + (entry.status === "dropped" ? 1 : 0),
            faults: s.faults + (entry.fault === undefined ? 0 : 1)
          }))
        ),
      update
    }
  })
