/**
 * A local, stateful Azure Resource Manager emulator for Communication Services **Regenerate Key** and
 * **List Keys**, served over HTTP with `@effect/platform` on Node.
 *
 * It answers as ARM does: the same paths (fixed segments in any letter case), the same success bodies, and
 * ARM error bodies (`{"error": {code, message, target}}`) with ARM codes for a missing or unsupported
 * `api-version`, bad path parameters, a bad body, an unknown subscription, resource group or resource, a
 * missing or unknown bearer token (`401`, with `WWW-Authenticate`), a token without permission (`403`), a
 * regeneration while another one for the same resource is in flight (`409`), and throttling (`429` with
 * `Retry-After`). Every response carries `x-ms-request-id` and `x-ms-correlation-request-id` and echoes
 * `x-ms-client-request-id`.
 *
 * Checks run in this order, as ARM's front door and then the resource provider would: the body size
 * (`413`), route (`404`, `405`), authentication (`401`), `api-version` (`400`), path parameters (`400`), subscription (`404`),
 * throttling (`429`), authorization (`403`), resource group and resource (`404`), body (`400`), then
 * fault injection (see `EmulatorFaults`), the in-flight check (`409`) and the operation. From the
 * throttling step on, responses carry `x-ms-ratelimit-remaining-subscription-writes`.
 *
 * Whatever a client sends, the answer is an ARM error body (never a defect, never an empty `500`): bodies are
 * bounded while they are read and JSON is parsed depth-safely. A regeneration once accepted (past the
 * in-flight check) commits even if its client disconnects or times out, as the real service's does.
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Redacted from "effect/Redacted"
import type * as Scope from "effect/Scope"
import type { InvalidResourceError, StartError, StateFileError, UnknownResourceError } from "./EmulatorError.js"
import type * as EmulatorFaults from "./EmulatorFaults.js"
import type * as EmulatorState from "./EmulatorState.js"
import * as defaults from "./internal/defaults.js"
import * as internal from "./internal/server.js"

/**
 * The bearer token the emulator accepts when the options name none.
 *
 * @example
 * ```ts
 * import { Emulator } from "@effect-acs/emulator"
 *
 * const headers = { authorization: `Bearer ${Emulator.defaultToken}` }
 * ```
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultToken: string = defaults.token

/**
 * The address the emulator binds when the options name none: loopback only.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultHost: string = defaults.host

/**
 * The api-versions accepted when the options name none: the stable versions and the previews the
 * Communication Services API has published.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultApiVersions: ReadonlyArray<string> = defaults.apiVersions

/**
 * ARM's default write throttling: a bucket of 200 writes per subscription, refilled at 10 per second.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultThrottle: { readonly capacity: number; readonly refillPerSecond: number } = defaults.throttle

/**
 * The largest request body the emulator reads when the options name no other: 64 KiB.
 *
 * @since 0.2.0
 * @category constants
 */
export const defaultMaxRequestBytes: number = defaults.maxRequestBytes

/**
 * Write throttling per subscription: a token bucket of `capacity` writes refilled continuously at
 * `refillPerSecond`. Both actions (`regenerateKey`, `listKeys`) are `POST`s and count as writes.
 *
 * @since 0.1.0
 * @category models
 */
export interface ThrottleOptions {
  readonly capacity?: number | undefined
  readonly refillPerSecond?: number | undefined
}

/**
 * How to run the emulator. Every field is optional.
 *
 * - `host` (default `127.0.0.1`) and `port` (default `0`: a free port, reported in `url` and `port`).
 * - `resources`: resources to serve, with keys or without (then generated).
 * - `seedFile`: a JSON file of resources (`EmulatorState.StateFile` format), read at start.
 * - `stateFile`: a JSON file the keys are persisted to after every change and read back at start, so a
 *   restart keeps them. It holds the keys in plain text (mode `0600`): treat it as a secret.
 * - `apiVersions` (default `defaultApiVersions`): the accepted `api-version` values (any letter case).
 * - `tokens` (default `[defaultToken]`): accepted bearer tokens.
 * - `forbiddenTokens`: tokens that authenticate but lack permission (`403 AuthorizationFailed`).
 * - `throttle` (default `defaultThrottle`): write throttling per subscription; `false` turns it off.
 * - `regenerateLatency` (default none): how long a regeneration stays in flight before the key changes;
 *   a second regeneration of the same resource meanwhile gets `409 Conflict`. The key changes even if the
 *   client has gone meanwhile.
 * - `faults`: fault injection (see `EmulatorFaults.Options`).
 * - `requestLogSize` (default `1000`): how many entries the request log keeps (the newest).
 * - `maxRequestBytes` (default `defaultMaxRequestBytes`, 64 KiB): the largest request body read; a larger
 *   one (by `content-length`, or counted while reading) is answered `413 RequestEntityTooLarge` at once.
 * - `dataPlane` (default `false`): also serve each resource's data plane, one harmless request
 *   (`GET {endpoint}phoneNumbers`), authenticated as Communication Services does (HMAC-SHA256 with a live key,
 *   `x-ms-date` at most 15 minutes off): `200` when a live key signed it, `401 Denied` otherwise. Connection
 *   strings then point at the emulator: `endpoint={url}/acs/{subscriptionId}/{resourceGroupName}/{name}/`, so
 *   `DataPlane.verify` proves a key against it.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  readonly host?: string | undefined
  readonly port?: number | undefined
  readonly resources?: ReadonlyArray<EmulatorState.ResourceInput> | undefined
  readonly seedFile?: string | undefined
  readonly stateFile?: string | undefined
  readonly apiVersions?: ReadonlyArray<string> | undefined
  readonly tokens?: ReadonlyArray<string | Redacted.Redacted<string>> | undefined
  readonly forbiddenTokens?: ReadonlyArray<string | Redacted.Redacted<string>> | undefined
  readonly throttle?: ThrottleOptions | false | undefined
  readonly regenerateLatency?: Duration.DurationInput | undefined
  readonly faults?: EmulatorFaults.Options | undefined
  readonly requestLogSize?: number | undefined
  readonly maxRequestBytes?: number | undefined
  readonly dataPlane?: boolean | undefined
}

/**
 * Counters since start (or the last `resetStats`).
 *
 * - `requests`: requests answered or dropped.
 * - `byStatus`: responses per HTTP status.
 * - `throttled`: `429` responses.
 * - `dropped`: connections destroyed by fault injection.
 * - `faults`: injected faults (errors and drops).
 * - `regenerations`: keys changed.
 * - `inFlight`: regenerations in flight now (accepted and not yet committed, whether their client is still
 *   there or not): `awaitStats((s) => s.inFlight === 0)` waits until no key can change any more.
 * - `aborted`: requests whose client went away before the answer (an accepted regeneration still commits).
 *
 * @since 0.1.0
 * @category models
 */
export interface Stats {
  readonly requests: number
  readonly byStatus: Readonly<Record<number, number>>
  readonly throttled: number
  readonly dropped: number
  readonly faults: number
  readonly regenerations: number
  readonly inFlight: number
  readonly aborted: number
}

/**
 * One request as the emulator saw it. It never holds a key or a token.
 *
 * @since 0.1.0
 * @category models
 */
export interface RequestLogEntry {
  /** `Clock` time in milliseconds when the answer was given. */
  readonly timestamp: number
  readonly method: string
  /** The path, without the query string. */
  readonly path: string
  readonly operation?: EmulatorFaults.Operation
  readonly subscriptionId?: string
  /** The status sent, or `"dropped"` when the connection was destroyed. */
  readonly status: number | "dropped"
  /** The ARM error code, for an error response. */
  readonly code?: string
  /** The fault injected, if any. */
  readonly fault?: "error-before" | "error-after" | "drop-before" | "drop-after"
  readonly requestId: string
  readonly correlationRequestId: string
  readonly clientRequestId?: string
}

/**
 * A running emulator.
 *
 * @since 0.1.0
 * @category models
 */
export interface Service {
  /** The base URL, e.g. `http://127.0.0.1:50123`: the ARM endpoint to point a client at. */
  readonly url: string
  readonly host: string
  readonly port: number
  /** The resources served, names as first given. */
  readonly resources: Effect.Effect<ReadonlyArray<EmulatorState.ResourceRef>>
  /** The current keys of a resource (names compare case-insensitively). */
  readonly keys: (
    resource: EmulatorState.ResourceRef
  ) => Effect.Effect<EmulatorState.ResourceKeys, UnknownResourceError>
  /**
   * Adds a resource, or sets the keys of an existing one: keys given replace the current ones, keys left
   * out are generated for a new resource and kept for an existing one.
   */
  readonly addResource: (
    resource: EmulatorState.ResourceInput
  ) => Effect.Effect<EmulatorState.ResourceKeys, InvalidResourceError | StateFileError>
  readonly removeResource: (
    resource: EmulatorState.ResourceRef
  ) => Effect.Effect<void, UnknownResourceError | StateFileError>
  readonly stats: Effect.Effect<Stats>
  /** Waits until the counters satisfy `predicate` (at once if they already do). */
  readonly awaitStats: (predicate: (stats: Stats) => boolean) => Effect.Effect<Stats>
  /** The newest `requestLogSize` requests, oldest first. */
  readonly requestLog: Effect.Effect<ReadonlyArray<RequestLogEntry>>
  /** Clears the counters (but `inFlight`) and the request log. */
  readonly resetStats: Effect.Effect<void>
}

/**
 * The emulator as a service.
 *
 * @example
 * ```ts
 * import { Emulator } from "@effect-acs/emulator"
 * import * as Effect from "effect/Effect"
 *
 * const program = Effect.gen(function*() {
 *   const emulator = yield* Emulator.Emulator
 *   yield* Effect.log(`ARM emulator at ${emulator.url}`)
 * }).pipe(
 *   Effect.provide(Emulator.layer({
 *     resources: [{ subscriptionId: "sub", resourceGroupName: "rg", communicationServiceName: "acs" }]
 *   }))
 * )
 * ```
 *
 * @since 0.1.0
 * @category tags
 */
export class Emulator extends Context.Tag("@effect-acs/emulator/Emulator")<Emulator, Service>() {}

/**
 * Starts the emulator in the current scope: loads the seed and state files, listens, and stops (closing
 * every connection) when the scope closes.
 *
 * @example
 * ```ts
 * import { Emulator } from "@effect-acs/emulator"
 * import * as Effect from "effect/Effect"
 *
 * const program = Effect.scoped(Effect.gen(function*() {
 *   const emulator = yield* Emulator.make({ port: 0 })
 *   return emulator.port
 * }))
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: (options?: Options) => Effect.Effect<Service, StartError, Scope.Scope> = internal.make

/**
 * The emulator as a scoped layer: started when the layer is built, stopped when it is released.
 *
 * @example
 * ```ts
 * import { Emulator } from "@effect-acs/emulator"
 *
 * const EmulatorLive = Emulator.layer({
 *   resources: [{ subscriptionId: "sub", resourceGroupName: "rg", communicationServiceName: "acs" }],
 *   throttle: { capacity: 5, refillPerSecond: 1 }
 * })
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options?: Options): Layer.Layer<Emulator, StartError> => Layer.scoped(Emulator, make(options))

/**
 * Runs the emulator in the foreground until interrupted, logging its URL (never a key): the entry point
 * for a command line.
 *
 * @example
 * ```ts
 * import { Emulator } from "@effect-acs/emulator"
 * import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
 *
 * // the entry point of a command; runs until interrupted (Ctrl-C)
 * export const main = () => NodeRuntime.runMain(Emulator.serve({ port: 8080, stateFile: ".emulator/state.json" }))
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const serve = (options?: Options): Effect.Effect<never, StartError> =>
  Effect.scoped(
    Effect.flatMap(make(options), (emulator) =>
      Effect.zipRight(
        Effect.log(`Communication Services ARM emulator listening on ${emulator.url}`),
        Effect.never
      ))
  )
