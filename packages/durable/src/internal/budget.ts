import type * as WriteBudget from "@effect-acs/core/WriteBudget"
import * as SqlClient from "@effect/sql/SqlClient"
import type * as SqlError from "@effect/sql/SqlError"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Schedule from "effect/Schedule"

/** A bucket of core's `WriteBudget`, or one of `layerShared`'s. */
export type Bucket = WriteBudget.Bucket

/** Buckets by subscription: core's `WriteBudget.keyed` in this process, or `Shared`'s in the journal's database. */
export type Buckets = (subscriptionId: string) => Bucket

/**
 * The write budget kept in the journal's database, so that every runner sharing it takes from one bucket per
 * subscription (`layerPg` provides it; a SQLite journal has one runner, which keeps its buckets in memory).
 */
export class Shared extends Context.Tag("@effect-acs/durable/internal/SharedBudget")<
  Shared,
  { readonly keyed: (capacity: number, perSecond: number) => Buckets }
>() {}

const table = "effect_acs_write_budget"

const retryDatabase = Schedule.exponential("100 millis").pipe(Schedule.union(Schedule.spaced("5 seconds")))

/** The database's clock, in milliseconds: every runner reads the same one. */
const nowMillis = "extract(epoch from clock_timestamp()) * 1000"

/**
 * A bucket per subscription in a PostgreSQL table: a row of tokens and the time they were counted at, taken in
 * a transaction that locks the row (`for update`), so two runners never take the same token. A pause (a 429)
 * empties the bucket and moves its time forward: no runner writes before it has passed. `settle` has nothing to
 * do: the row already counts every runner's writes.
 */
export const layerShared: Layer.Layer<Shared, SqlError.SqlError, SqlClient.SqlClient> = Layer.effect(
  Shared,
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const create = sql.unsafe(
      `create table if not exists ${table} (subscription_id text primary key, tokens double precision not null, ` +
        `counted_at double precision not null)`
    )
    // two runners creating the table at once: one of them is told it exists already; then it does
    yield* Effect.retry(create, { times: 3 })
    // the database is the journal too: while it cannot be reached nothing is journaled either, so a write
    // waits for it (as long as it takes; interrupting the run stops the wait) rather than going unbudgeted
    const reliably = <A>(effect: Effect.Effect<A, SqlError.SqlError>): Effect.Effect<A> =>
      Effect.retry(effect, retryDatabase).pipe(Effect.orDie)
    return {
      keyed: (capacity, perSecond) => {
        const made = new Map<string, Bucket>()
        const make = (subscriptionId: string): Bucket => {
          const insert = sql.unsafe(
            `insert into ${table} (subscription_id, tokens, counted_at) values ($1, $2, ${nowMillis}) ` +
              `on conflict (subscription_id) do nothing`,
            [subscriptionId, capacity]
          )
          // the milliseconds to wait for a token, 0 when one was taken
          const attempt = sql.withTransaction(Effect.gen(function*() {
            const [row] = yield* sql.unsafe<{ tokens: number; counted_at: number; now: number }>(
              `select tokens, counted_at, ${nowMillis} as now from ${table} where subscription_id = $1 for update`,
              [subscriptionId]
            )
            const now = Number(row!.now)
            const countedAt = Number(row!.counted_at)
            if (now < countedAt) return countedAt - now
            const tokens = Math.min(capacity, Number(row!.tokens) + ((now - countedAt) * perSecond) / 1000)
            if (tokens < 1) return Math.ceil(((1 - tokens) * 1000) / perSecond)
            yield* sql.unsafe(`update ${table} set tokens = $2, counted_at = $3 where subscription_id = $1`, [
              subscriptionId,
              tokens - 1,
              now
            ])
            return 0
          }))
          let inserted = false
          const take: Effect.Effect<void> = Effect.gen(function*() {
            if (!inserted) {
              yield* reliably(insert)
              inserted = true
            }
            for (;;) {
              const wait = yield* reliably(attempt)
              if (wait === 0) return
              yield* Effect.sleep(wait)
            }
          })
          const pause = (millis: number) =>
            reliably(sql.unsafe(
              `update ${table} set tokens = 0, counted_at = greatest(counted_at, ${nowMillis} + $2) ` +
                `where subscription_id = $1`,
              [subscriptionId, millis]
            )).pipe(Effect.asVoid)
          return { take, settle: () => Effect.void, pause }
        }
        return (subscriptionId) => {
          let bucket = made.get(subscriptionId)
          if (bucket === undefined) {
            bucket = make(subscriptionId)
            made.set(subscriptionId, bucket)
          }
          return bucket
        }
      }
    }
  })
)
