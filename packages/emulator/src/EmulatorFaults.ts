/**
 * Fault injection for reliability tests: added latency, a rate of `500` / `503` responses and a rate of
 * dropped connections (the socket is destroyed without a response), all driven by a seeded PRNG, so a run
 * is reproducible from its seed.
 *
 * Every request that passes validation (route, authentication, api-version, parameters, throttling,
 * authorization, resource lookup and body) and whose operation is in `operations` takes exactly one
 * decision from the sequence, in the order requests reach that point. A faulted regeneration fails either
 * **before** the key changes (the key is unchanged) or **after** it (the key has changed but the caller never
 * sees the new value): `when` picks one, or `"random"` lets the PRNG pick per request. A rotation workflow
 * must recover from both, for instance by reading the keys back with List Keys.
 *
 * @since 0.1.0
 */
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import { InvalidOptionsError } from "./EmulatorError.js"
import * as Prng from "./internal/prng.js"

/**
 * The operations the emulator serves.
 *
 * @since 0.1.0
 * @category models
 */
export type Operation = "regenerateKey" | "listKeys"

/**
 * A uniform latency range; each request draws a latency in `[min, max]`.
 *
 * @since 0.1.0
 * @category models
 */
export interface LatencyRange {
  readonly min: Duration.DurationInput
  readonly max: Duration.DurationInput
}

/**
 * Fault injection options. Without `errorRate` and `dropRate`, only `latency` applies.
 *
 * - `seed` (default `0`): the PRNG seed, a number or a string.
 * - `latency`: added to each eligible request (a fixed duration or a range), before any fault.
 * - `errorRate` (`[0, 1]`, default `0`): the share of eligible requests answered `500` or `503`.
 * - `errorStatuses` (default `[500, 503]`): the statuses an error fault picks from, uniformly.
 * - `dropRate` (`[0, 1]`, default `0`): the share of eligible requests whose connection is destroyed
 *   without a response. `errorRate + dropRate` must not exceed `1`.
 * - `when` (default `"before"`): whether a faulted regeneration fails before or after the key changes.
 * - `operations` (default both): the operations faults apply to.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  readonly seed?: number | string | undefined
  readonly latency?: Duration.DurationInput | LatencyRange | undefined
  readonly errorRate?: number | undefined
  readonly errorStatuses?: ReadonlyArray<500 | 503> | undefined
  readonly dropRate?: number | undefined
  readonly when?: "before" | "after" | "random" | undefined
  readonly operations?: ReadonlyArray<Operation> | undefined
}

/**
 * The decision for one request: pass (with the latency to add), answer with an error status, or drop the
 * connection; `when` says whether an error or a drop comes before or after the state change.
 *
 * @since 0.1.0
 * @category models
 */
export type Decision =
  | { readonly _tag: "Pass"; readonly latency: Duration.Duration }
  | {
    readonly _tag: "Error"
    readonly status: 500 | 503
    readonly when: "before" | "after"
    readonly latency: Duration.Duration
  }
  | { readonly _tag: "Drop"; readonly when: "before" | "after"; readonly latency: Duration.Duration }

/**
 * A fault source: the operations it applies to, and the next decision of its sequence.
 *
 * @since 0.1.0
 * @category models
 */
export interface Decider {
  readonly operations: ReadonlySet<Operation>
  readonly next: () => Decision
}

const rate = (option: string, value: number | undefined): Effect.Effect<number, InvalidOptionsError> =>
  value === undefined
    ? Effect.succeed(0)
    : Number.isFinite(value) && value >= 0 && value <= 1
    ? Effect.succeed(value)
    : Effect.fail(new InvalidOptionsError({ option, reason: `must be a number in [0, 1], got ${value}` }))

const duration = (option: string, input: Duration.DurationInput): Effect.Effect<number, InvalidOptionsError> => {
  const decoded = Duration.decodeUnknown(input)
  return decoded._tag === "Some" && Duration.isFinite(decoded.value)
    ? Effect.succeed(Duration.toMillis(decoded.value))
    : Effect.fail(new InvalidOptionsError({ option, reason: "must be a finite duration" }))
}

const isRange = (input: Duration.DurationInput | LatencyRange): input is LatencyRange =>
  typeof input === "object" && input !== null && "min" in input && "max" in input

/**
 * Validates the options and makes the decision sequence for their seed. Each decision draws four numbers
 * from the PRNG, whatever its outcome, so the sequence depends only on the seed and the options.
 *
 * @example
 * ```ts
 * import { EmulatorFaults } from "@effect-acs/emulator"
 * import * as Effect from "effect/Effect"
 *
 * const decider = Effect.runSync(EmulatorFaults.makeDecider({ seed: 42, errorRate: 0.5 }))
 * decider.next()._tag // "Pass" or "Error", the same on every run
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeDecider = (options: Options): Effect.Effect<Decider, InvalidOptionsError> =>
  Effect.gen(function*() {
    const errorRate = yield* rate("faults.errorRate", options.errorRate)
    const dropRate = yield* rate("faults.dropRate", options.dropRate)
    if (errorRate + dropRate > 1) {
      return yield* new InvalidOptionsError({ option: "faults", reason: "errorRate + dropRate must not exceed 1" })
    }
    const statuses = options.errorStatuses ?? [500, 503]
    if (statuses.length === 0 || statuses.some((s) => s !== 500 && s !== 503)) {
      return yield* new InvalidOptionsError({
        option: "faults.errorStatuses",
        reason: "must be a non-empty list of 500 and 503"
      })
    }
    const latency = options.latency
    const [min, max] = latency === undefined
      ? [0, 0]
      : isRange(latency)
      ? [yield* duration("faults.latency.min", latency.min), yield* duration("faults.latency.max", latency.max)]
      : [yield* duration("faults.latency", latency), yield* duration("faults.latency", latency)]
    if (max < min) {
      return yield* new InvalidOptionsError({ option: "faults.latency", reason: "max must not be below min" })
    }
    const when = options.when ?? "before"
    const random = Prng.make(options.seed ?? 0)
    const next = (): Decision => {
      const outcome = random()
      const status = statuses[Math.floor(random() * statuses.length)] ?? 500
      const whenDraw = random()
      const latencyDraw = random()
      const decided = {
        latency: Duration.millis(Math.round(min + (max - min) * latencyDraw)),
        when: when === "random" ? (whenDraw < 0.5 ? "before" as const : "after" as const) : when
      }
      return outcome < dropRate
        ? { _tag: "Drop", ...decided }
        : outcome < dropRate + errorRate
        ? { _tag: "Error", status, ...decided }
        : { _tag: "Pass", latency: decided.latency }
    }
    return { operations: new Set(options.operations ?? ["regenerateKey", "listKeys"]), next }
  })

/**
 * The first `count` decisions of the sequence the options give: what the emulator will do to the first
 * `count` eligible requests. Useful to assert on a run, or to pick a seed with a wanted pattern.
 *
 * @example
 * ```ts
 * import { EmulatorFaults } from "@effect-acs/emulator"
 * import * as Effect from "effect/Effect"
 *
 * const decisions = Effect.runSync(EmulatorFaults.plan({ seed: 7, dropRate: 0.2, errorRate: 0.2 }, 10))
 * decisions.map((d) => d._tag) // the same ten outcomes on every run
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const plan = (options: Options, count: number): Effect.Effect<ReadonlyArray<Decision>, InvalidOptionsError> =>
  Effect.map(makeDecider(options), (decider) => Array.from({ length: Math.max(0, count) }, () => decider.next()))
