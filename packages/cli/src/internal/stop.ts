/**
 * How a command learns that it is asked to stop (the first SIGINT or SIGTERM), when it stops by itself rather
 * than being interrupted: a fleet hands `requested` to `Rotation.rotateFleet`'s `stop`, which ends it at the
 * next safe point with its summary. While a command holds `claim`, `AcsKeys.run` completes `requested` instead
 * of interrupting it; otherwise the command is interrupted, as before.
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"

export interface Service {
  /** Completes when the command is asked to stop. */
  readonly requested: Effect.Effect<void>
  /** Whether it has been asked to stop. */
  readonly isRequested: Effect.Effect<boolean>
  /** For the scope: the command stops by itself (watching `requested`) instead of being interrupted. */
  readonly claim: Effect.Effect<void, never, Scope.Scope>
}

export class Stop extends Context.Reference<Stop>()("@effect-acs/cli/internal/Stop", {
  defaultValue: (): Service => ({ requested: Effect.never, isRequested: Effect.succeed(false), claim: Effect.void })
}) {}
