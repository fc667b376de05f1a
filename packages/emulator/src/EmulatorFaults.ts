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
 * `commitLatency` makes commits slow: an accepted regeneration holds its resource's lock that long before the
 * key changes, and the change happens even if the client has given up meanwhile, as the real service's does.
 * Its draws come from a stream of their own, so adding it leaves the faults of a seed unchanged.
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
 * Fault injection options. Without `errorRate` and `dropRate`, only `latency` and `commitLatency` apply.
 *
 * - `seed` (default `0`): the PRNG seed, a number or a string.
 * - `latency`: added to each eligible request (a fixed duration or a range), before any fault.
 * - `errorRate` (`[0, 1]`, default `0`): the share of eligible requests answered `500` or `503`.
 * - `errorStatuses` (default `[500, 503]`): the statuses an error fault picks from, uniformly.
 * - `dropRate` (`[0, 1]`, default `0`): the share of eligible requests whose connection is destroyed
 *   without a response. `errorRate + dropRate` must not exceed `1`.
 * - `when` (default `"before"`): whether a faulted regeneration fails before or after the key changes.
 * - `operations` (default both): the operations faults apply to.
 * - `commitLatency` (default none): for each eligible regeneration, how long it holds the resource's lock
 *   before the key changes (a fixed duration or a range, drawn per request): a client with a shorter timeout
 *   gives up, and the key changes later all the same. Other regenerations of the resource get `409` meanwhile.
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
  readonly commitLatency?: Duration.DurationInput | LatencyRange | undefined
}

/**
 * The decision for one request: pass (with the latency to add), answer with an error status, or drop the
 * connection; `when` says whether an error or a drop comes before or after the state change. `latency` is
 * added before the request is accepted; `commitLatency` (zero without the option) inside a regeneration's
 * lock, before the key changes.
 *
 * @since 0.1.0
 * @category models
 */
export type Decision =
  | { readonly _tag: "Pass"; readonly latency: Duration.Duration; readonly commitLatency: Duration.Duration }
  | {
    readonly _tag: "Error"
    readonly status: 500 | 503
    readonly when: "before" | "after"
    readonly latency: Duration.Duration
    readonly commitLatency: Duration.Duration
  }
  | {
    readonly _tag: "Drop"
    readonly when: "before" | "after"
    readonly latency: Duration.Duration
    readonly commitLatency: Duration.Duration
  }

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

const range = (
  option: string,
  input: Duration.DurationInput | LatencyRange | undefined
): Effect.Effect<readonly [number, number], InvalidOptionsError> =>
  Effect.gen(function*() {
    const [min, max] = input === undefined
      ? [0, 0]
      : isRange(input)
      ? [yield* duration(`${option}.min`, input.min), yield* duration(`${option}.max`, input.max)]
      : [yield* duration(option, input), yield* duration(option, input)]
    if (max < min) return yield* new InvalidOptionsError({ option, reason: "max must not be below min" })
    return [min, max] as const
  })

/** The seed of the commit latency stream: derived from the seed, so the fault stream is left as it was. */
const commitSeed = (seed: number | string) => `commitLatency/${typeof seed === "number" ? Math.trunc(seed) : seed}`

/**
 * Validates the options and makes the decision sequence for their seed. Each decision draws four numbers
 * from the PRNG, whatever its outcome, and one from a second PRNG (seeded from the same seed) for
 * `commitLatency`, so the sequence depends only on the seed and the options, and `commitLatency` does not
 * change the faults.
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
    const [min, max] = yield* range("faults.latency", options.latency)
    const [commitMin, commitMax] = yield* range("faults.commitLatency", options.commitLatency)
    const when = options.when ?? "before"
    const random = Prng.make(options.seed ?? 0)
    const commitRandom = Prng.make(commitSeed(options.seed ?? 0))
    const next = (): Decision => {
      const outcome = random()
      const status = statuses[Math.floor(random() * statuses.length)] ?? 500
      const whenDraw = random()
      const latencyDraw = random()
      const commitDraw = commitRandom()
      const commitLatency = Duration.millis(Math.round(commitMin + (commitMax - commitMin) * commitDraw))
      const decided = {
        latency: Duration.millis(Math.round(min + (max - min) * latencyDraw)),
        commitLatency,
        when: when === "random" ? (whenDraw < 0.5 ? "before" as const : "after" as const) : when
      }
      return outcome < dropRate
        ? { _tag: "Drop", ...decided }
        : outcome < dropRate + errorRate
        ? { _tag: "Error", status, ...decided }
        : { _tag: "Pass", latency: decided.latency, commitLatency }
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
