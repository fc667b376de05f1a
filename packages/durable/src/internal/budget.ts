import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"

/**
 * A token bucket of writes per subscription: `capacity` tokens refilled at `perSecond`. Core keeps the same
 * bucket in `internal/budget.ts` and does not export it, so this package has its own (to be replaced by core's
 * once it is public). `settle` keeps the bucket at or below what the service says the subscription has left
 * (`x-ms-ratelimit-remaining-subscription-writes`), which is what keeps two runners sharing a subscription within
 * its budget: each sees the writes of the other in the service's count.
 */
export interface Bucket {
  readonly take: Effect.Effect<void>
  readonly settle: (remaining: number | undefined) => Effect.Effect<void>
  readonly pause: (millis: number) => Effect.Effect<void>
}

export const make = (capacity: number, perSecond: number): Bucket => {
  let tokens = capacity
  let updatedAt: number | undefined = undefined
  let blockedUntil = 0
  let inFlight = 0
  const lock = Effect.unsafeMakeSemaphore(1)
  const refill = (now: number) => {
    if (updatedAt !== undefined && now > updatedAt) {
      tokens = Math.min(capacity, tokens + ((now - updatedAt) * perSecond) / 1000)
    }
    updatedAt = now
  }
  const take: Effect.Effect<void> = lock.withPermits(1)(Effect.gen(function*() {
    for (;;) {
      const now = yield* Clock.currentTimeMillis
      refill(now)
      if (now < blockedUntil) {
        yield* Effect.sleep(blockedUntil - now)
        continue
      }
      if (tokens >= 1) {
        tokens -= 1
        inFlight++
        return
      }
      yield* Effect.sleep(Math.ceil(((1 - tokens) * 1000) / perSecond))
    }
  }))
  const settle = (remaining: number | undefined) =>
    Effect.map(Clock.currentTimeMillis, (now) => {
      inFlight = Math.max(0, inFlight - 1)
      if (remaining !== undefined) {
        refill(now)
        // the service holds between `remaining` and `remaining + 1` writes, less those still in flight here
        tokens = Math.min(tokens, remaining + 1 - inFlight)
      }
    })
  const pause = (millis: number) =>
    Effect.map(Clock.currentTimeMillis, (now) => {
      refill(now)
      tokens = 0
      blockedUntil = Math.max(blockedUntil, now + millis)
    })
  return { take, settle, pause }
}

/** One bucket per key (a subscription, lower-cased), made on first use; as many as there are subscriptions. */
export const keyed = (capacity: number, perSecond: number) => {
  const buckets = new Map<string, Bucket>()
  return (key: string): Bucket => {
    let bucket = buckets.get(key)
    if (bucket === undefined) {
      bucket = make(capacity, perSecond)
      buckets.set(key, bucket)
    }
    return bucket
  }
}
