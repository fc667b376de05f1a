import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"

/**
 * A token bucket of writes: `capacity` tokens, refilled at `perSecond`. `take` waits (on the Clock, so a
 * TestClock drives it) until a token is free; takers queue in order. `pause` empties the bucket and keeps
 * it empty for a while, for when the service says 429 anyway.
 */
export interface Bucket {
  readonly take: Effect.Effect<void>
  readonly pause: (millis: number) => Effect.Effect<void>
}

export const make = (capacity: number, perSecond: number): Bucket => {
  let tokens = capacity
  let updatedAt: number | undefined = undefined
  let blockedUntil = 0
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
        return
      }
      yield* Effect.sleep(Math.ceil(((1 - tokens) * 1000) / perSecond))
    }
  }))
  const pause = (millis: number) =>
    Effect.map(Clock.currentTimeMillis, (now) => {
      refill(now)
      tokens = 0
      blockedUntil = Math.max(blockedUntil, now + millis)
    })
  return { take, pause }
}

/** One bucket per key (a subscription), made on first use. */
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
