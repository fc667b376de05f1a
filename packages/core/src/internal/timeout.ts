import * as Cause from "effect/Cause"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as FiberId from "effect/FiberId"

/** The clock of the default services: a timeout on it is a `setTimeout`. */
export const liveClock = Effect.runSync(Effect.clock)

/** The longest delay `setTimeout` honours (a longer one fires at once). */
export const maxTimerMillis = 2 ** 31 - 1

/**
 * A timeout's delay as a timer takes it: `undefined` for an infinite one (it never fires), the longest a
 * timer honours (24.8 days) for a longer one.
 */
export const timerMillis = (duration: Duration.Duration): number | undefined =>
  Duration.isFinite(duration) ? Math.min(Duration.toMillis(duration), maxTimerMillis) : undefined

/**
 * `Effect.timeoutFail` for the per-attempt timeout, at the cost of one forked fiber and a timer instead
 * of a race of two fibers (measured in bench/: the race was the client's largest single cost). On the
 * live clock a `setTimeout` interrupts the work; under any other clock (a `TestClock`) it is
 * `Effect.timeoutFail`, so tests drive it as before.
 */
export const timeoutFail = <A, E, R, E2>(
  self: Effect.Effect<A, E, R>,
  duration: Duration.Duration,
  onTimeout: () => E2
): Effect.Effect<A, E | E2, R> =>
  Effect.clockWith((clock): Effect.Effect<A, E | E2, R> => {
    // the work stays interruptible by the timeout even inside an uninterruptible region: a hung exchange
    // must still end
    const work = Effect.interruptible(self)
    const millis = timerMillis(duration)
    if (millis === undefined) return work
    return clock !== liveClock
      ? Effect.timeoutFail(work, { duration, onTimeout })
      : Effect.flatMap(Effect.fork(work), (fiber) => {
        let timedOut = false
        const timer = setTimeout(() => {
          timedOut = true
          fiber.unsafeInterruptAsFork(FiberId.none)
        }, millis)
        // `Fiber.await`, not `join`: the work's FiberRefs are not merged back (nothing here sets any that
        // the caller reads), which saves a merge per attempt; an interruption of the caller reaches the fiber
        return Effect.flatMap(
          Effect.onInterrupt(Fiber.await(fiber), () =>
            Effect.zipRight(Effect.sync(() => clearTimeout(timer)), Fiber.interrupt(fiber))),
          (exit): Effect.Effect<A, E | E2> => {
            clearTimeout(timer)
            return exit._tag === "Success"
              ? Effect.succeed(exit.value)
              : timedOut && Cause.isInterruptedOnly(exit.cause)
              ? Effect.fail(onTimeout())
              : Effect.failCause(exit.cause)
          }
        )
      })
  })
