import * as Effect from "effect/Effect"

/**
 * Runs effects that share a key one at a time, and effects with different keys concurrently. An entry
 * lives only while some effect holds or waits for its key, so memory does not grow with the number of
 * keys ever seen.
 */
export const make = () => {
  const entries = new Map<string, { readonly semaphore: Effect.Semaphore; users: number }>()
  return <A, E, R>(key: string, effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
    Effect.acquireUseRelease(
      Effect.sync(() => {
        let entry = entries.get(key)
        if (entry === undefined) {
          entry = { semaphore: Effect.unsafeMakeSemaphore(1), users: 0 }
          entries.set(key, entry)
        }
        entry.users++
        return entry
      }),
      (entry) => entry.semaphore.withPermits(1)(effect),
      (entry) =>
        Effect.sync(() => {
          if (--entry.users === 0) entries.delete(key)
        })
    )
}
