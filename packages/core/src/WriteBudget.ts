/**
 * Azure Resource Manager's write budget as a token bucket, the one `Rotation.rotateFleet` keeps per
 * subscription: for a program of yours that makes ARM writes of its own and must stay within the same
 * budget (`@effect-acs/durable` uses it).
 *
 * A bucket holds `capacity` writes, refilled at `perSecond`. `take` waits (on the `Clock`, so a `TestClock`
 * drives it) until a write is free; takers queue in order. `settle` reports the answer to a taken write: when
 * the service said how many writes the subscription has left (`x-ms-ratelimit-remaining-subscription-writes`,
 * `KeysResponse.remainingWrites`), the bucket never believes it has a whole write more than that, less the
 * writes still in flight, which keeps it in step with the service's own bucket whatever else spends it. Until
 * the first answer, one write goes out alone. `pause` empties the bucket for a while (after a 429).
 *
 * @since 0.3.0
 */
import * as internal from "./internal/budget.js"

/**
 * A token bucket of writes.
 *
 * @example
 * ```ts
 * import { WriteBudget } from "@effect-acs/core"
 * import * as Effect from "effect/Effect"
 *
 * // one write, within the budget: take, write, settle with what the service says is left
 * const budgeted = <A, E>(bucket: WriteBudget.Bucket, write: Effect.Effect<A, E>, remaining: (a: A) => number | undefined) =>
 *   Effect.acquireUseRelease(bucket.take, () => write, (_, exit) =>
 *     bucket.settle(exit._tag === "Success" ? remaining(exit.value) : undefined))
 * ```
 *
 * @since 0.3.0
 * @category models
 */
export interface Bucket extends internal.Bucket {}

/**
 * A bucket of `capacity` writes refilled at `perSecond` (`Rotation.armWriteBudget` has ARM's figures).
 *
 * @example
 * ```ts
 * import { Rotation, WriteBudget } from "@effect-acs/core"
 *
 * const bucket = WriteBudget.make(Rotation.armWriteBudget.capacity, Rotation.armWriteBudget.perSecond)
 * ```
 *
 * @since 0.3.0
 * @category constructors
 */
export const make: (capacity: number, perSecond: number) => Bucket = internal.make

/**
 * One bucket per key (a subscription id), each made on first use with `make(capacity, perSecond)`.
 *
 * @example
 * ```ts
 * import { WriteBudget } from "@effect-acs/core"
 *
 * const bySubscription = WriteBudget.keyed(200, 10)
 * const bucket = bySubscription("00000000-0000-4000-8000-000000000000")
 * ```
 *
 * @since 0.3.0
 * @category constructors
 */
export const keyed: (capacity: number, perSecond: number) => (key: string) => Bucket = internal.keyed
