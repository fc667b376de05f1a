import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"

/**
 * A token bucket of writes: `capacity` tokens, refilled at `perSecond`. `take` waits (on the Clock, so a
 * TestClock drives it) until a token is free; takers queue in order. `settle` reports the answer to a
 * taken write: when the service said how many writes the subscription has left, the bucket never
 * believes it has a whole write more than that (less the writes still in flight), which keeps it in step
 * with the service's own bucket, whatever else spends it. `pause` empties the bucket and keeps it empty for a
 * while, for when the service says 429 anyway.
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
  // until the service has answered once, its bucket's level is unknown (others may have spent it): one
  // write goes out alone, and the rest wait for its answer
  const synced = Effect.unsafeMakeLatch(false)
  let first = true
  let aligned = false
  const lock = Effect.unsafeMakeSemaphore(1)
  const refill = (now: number) => {
    if (updatedAt !== undefined && now > updatedAt) {
      tokens = Math.min(capacity, tokens + ((now - updatedAt) * perSecond) / 1000)
    }
    updatedAt = now
  }
  const take: Effect.Effect<void> = lock.withPermits(1)(Effect.gen(function*() {
    if (first) first = false
    else yield* synced.await
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
  const pause = (millis: number) =>
    Effect.map(Clock.currentTimeMillis, (now) => {
      refill(now)
      tokens = 0
      blockedUntil = Math.max(blockedUntil, now + millis)
    })
  const settle = (remaining: number | undefined) =>
    Effect.map(Clock.currentTimeMillis, (now) => {
      inFlight = Math.max(0, inFlight - 1)
      // the header is a whole number, so the service holds between `remaining` and `remaining + 1`: an
      // estimate inside that range stands (clamping it would throw away the refill of every round trip),
      // one above it is brought down to what is surely there
      if (remaining !== undefined) {
        refill(now)
        // the first answer also aligns the two buckets' clocks: ours began refilling before the service's
        // saw a request, and that lead would never be corrected by the range check below
        if (!aligned || tokens > remaining + 1 - inFlight) tokens = remaining - inFlight
        aligned = true
      }
    }).pipe(Effect.zipRight(synced.open))
  return { take, settle, pause }
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
