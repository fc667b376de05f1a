import * as Effect from "effect/Effect"

/**
 * Runs effects that share a key one at a time, and effects with different keys concurrently, in the order
 * they asked. A key is held while it has an entry (its queue of waiters); the holder hands the key to the
 * first waiter when it ends, so memory does not grow with the number of keys ever seen. An uncontended key
 * costs a map lookup and an exit handler, no semaphore.
 */
export const make = () => {
  const held = new Map<string, Array<() => void>>()
  const release = (key: string) => {
    const next = held.get(key)?.shift()
    if (next === undefined) held.delete(key)
    else next()
  }
  return <A, E, R>(key: string, effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
    Effect.uninterruptibleMask((restore) => {
      // released on any exit (interruption included: the handlers run, the region being uninterruptible)
      const run = Effect.matchCauseEffect(restore(effect), {
        onFailure: (cause) => {
          release(key)
          return Effect.failCause(cause)
        },
        onSuccess: (value) => {
          release(key)
          return Effect.succeed(value)
        }
      })
      const waiters = held.get(key)
      if (waiters === undefined) {
        held.set(key, [])
        return run
      }
      // wait for the holder's hand-over; interrupted while waiting, leave the queue, or pass on a key that
      // was handed over in the meantime
      const handedOver = Effect.async<void>((resume) => {
        const wake = () => resume(Effect.void)
        waiters.push(wake)
        return Effect.sync(() => {
          const at = waiters.indexOf(wake)
          if (at >= 0) waiters.splice(at, 1)
          else release(key)
        })
      })
      return Effect.zipRight(restore(handedOver), run)
    })
}
