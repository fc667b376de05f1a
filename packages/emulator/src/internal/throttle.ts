import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Ref from "effect/Ref"

interface Bucket {
  readonly tokens: number
  readonly updatedAt: number
}

/** What taking one write token from a subscription's bucket gave. */
export interface Take {
  readonly allowed: boolean
  /** Whole tokens left after this request, as `x-ms-ratelimit-remaining-subscription-writes` reports. */
  readonly remaining: number
  /** When not allowed: seconds until a token is available, rounded up (at least 1). */
  readonly retryAfterSeconds: number
}

export interface Throttle {
  readonly take: (subscription: string) => Effect.Effect<Take>
}

/**
 * A token bucket per subscription, as ARM throttles writes: `capacity` tokens, refilled continuously at
 * `refillPerSecond`; each write takes one. Time comes from Effect's `Clock`, so `TestClock` drives it.
 */
export const make = (capacity: number, refillPerSecond: number): Effect.Effect<Throttle> =>
  Effect.map(Ref.make(new Map<string, Bucket>()), (buckets) => ({
    take: (subscription) =>
      Effect.flatMap(
        Clock.currentTimeMillis,
        (now) =>
          Ref.modify(buckets, (map): readonly [Take, Map<string, Bucket>] => {
            const bucket = map.get(subscription) ?? { tokens: capacity, updatedAt: now }
            const elapsed = Math.max(0, now - bucket.updatedAt) / 1000
            const tokens = Math.min(capacity, bucket.tokens + elapsed * refillPerSecond)
            const next = new Map(map)
            if (tokens >= 1) {
              next.set(subscription, { tokens: tokens - 1, updatedAt: now })
              return [{ allowed: true, remaining: Math.floor(tokens - 1), retryAfterSeconds: 0 }, next]
            }
            next.set(subscription, { tokens, updatedAt: now })
            const retryAfterSeconds = Math.max(1, Math.ceil((1 - tokens) / refillPerSecond))
            return [{ allowed: false, remaining: 0, retryAfterSeconds }, next]
          })
      )
  }))
