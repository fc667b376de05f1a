import * as Context from "effect/Context"
import type * as Effect from "effect/Effect"

/** Makes a wait that has changed nothing yet stoppable; the identity where nothing may be stopped. */
export interface Stoppable {
  <A, E, R>(wait: Effect.Effect<A, E, R>): Effect.Effect<A, E, R>
}

/** The default: the wait is just waited (the client's fast path knows it by identity). */
export const passThrough: Stoppable = (wait) => wait

/**
 * How the waits of a call that has changed nothing yet (a throttled attempt's Retry-After) are made: the
 * rotation sets it while it may still stop a step at such a wait, so that an interruption does not have to
 * wait for it; everywhere else the wait is just waited.
 */
export class SafePoint extends Context.Reference<SafePoint>()("@effect-acs/core/internal/SafePoint", {
  defaultValue: (): Stoppable => passThrough
}) {}
