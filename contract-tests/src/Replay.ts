/**
 * Replays interactions to the code under test with msw: a local stand-in for Azure Resource Manager that
 * answers exactly the recorded requests, once each and in order.
 *
 * `replay(interactions)` wraps an Effect: it starts msw's `setupServer` (with
 * `onUnhandledRequest: "error"`), runs the Effect, and then fails with a typed error if a request did not
 * match, arrived after every interaction was answered, or if an interaction was never requested. A request
 * matches the next interaction when the method, origin, path, every query parameter (in any order), the
 * content type (its media type, when the interaction has one or a JSON body) and the body (JSON compared
 * structurally, text exactly, none when none was recorded) are the same, and it carries a bearer token
 * (whose value is not compared: recordings hold placeholders). The response is the recorded one, with the
 * request's `x-ms-client-request-id` copied onto it. A request that does not match is answered with a
 * network error, and the error says how it differs from the closest interaction, with every secret masked.
 *
 * msw patches process-wide globals (`fetch`, `node:http`, `node:https`), so replays in one process run one
 * at a time (a second one waits for the first to end, and one started inside another dies, as it would
 * wait for itself): run tests that replay sequentially within a file, and test files in separate processes
 * (vitest's `forks` pool) or sequentially.
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import { dual } from "effect/Function"
import * as Layer from "effect/Layer"
import * as Scope from "effect/Scope"
import type { NonConformingResponse, ReplayError } from "./ContractError.js"
import type * as Interaction from "./Interaction.js"
import * as internal from "./internal/replay.js"

/**
 * Options of a replay.
 *
 * @example
 * ```ts
 * import type { Replay } from "@effect-acs/contract-tests"
 *
 * const options: Replay.Options = { nodeHttp: true }
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /**
   * Also intercept requests that `node:http` / `node:https` make through ESM imports (as
   * `NodeHttpClient` of `@effect/platform-node` does), by syncing Node's builtin ESM exports with the
   * functions msw patched (`syncBuiltinESMExports` from `node:module`, once the server listens and again
   * once it closes). Default `true`.
   */
  readonly nodeHttp?: boolean | undefined
  /**
   * How a request is compared with the next interaction; default `"strict"`.
   *
   * - `"strict"`: the method, origin, path and query parameters exactly (the query in any order), the
   *   content type's media type, the body (JSON structurally, text exactly, none when none was recorded).
   * - `"arm"`: as Azure Resource Manager tells requests apart: the path's segments (fixed ones and
   *   resource names) in any letter case, query parameters as a set (names in any case), a recorded text
   *   body that is JSON compared as JSON (whitespace and key order aside), no body the same as a blank
   *   one (and, for List Keys, as `{}`), JSON media types alike, and the placeholders sanitizers record
   *   (`Sanitized`, `00000000-0000-0000-0000-000000000000`, `**`, `<key-1>`, 86 `x` and `==`) matching
   *   any value where they stand (a path segment, a query value, a JSON string).
   */
  readonly matching?: "strict" | "arm" | undefined
  /**
   * What to do with a replayed response of Regenerate Key or List Keys that does not conform to the
   * operation's schemas (see `Conformance`): `"report"` (the default) lists it in `nonConforming`,
   * `"fail"` also makes `verify` fail with `NonConformingResponse`.
   */
  readonly conformance?: "report" | "fail" | undefined
}

/**
 * A request as the replay received it, with secrets masked (the `Authorization` value, keys, connection
 * strings' access keys, JWTs). `interaction` is the index of the interaction that answered it, or
 * `undefined` when none did.
 *
 * @example
 * ```ts
 * import type { Replay } from "@effect-acs/contract-tests"
 *
 * const clientRequestIds = (received: ReadonlyArray<Replay.ReceivedRequest>) =>
 *   received.map((request) => request.headers["x-ms-client-request-id"])
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface ReceivedRequest {
  /** Which request this was, counting from 1. */
  readonly sequence: number
  readonly method: string
  readonly url: string
  /** Header names in lower case. */
  readonly headers: Readonly<Record<string, string>>
  readonly body: string
  readonly interaction: number | undefined
}

/**
 * A running replay.
 *
 * @example
 * ```ts
 * import type { Replay } from "@effect-acs/contract-tests"
 * import * as Effect from "effect/Effect"
 *
 * const allAnswered = (replay: Replay.ReplayService) =>
 *   Effect.map(replay.answered, (answered) => answered === replay.interactions.length)
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface ReplayService {
  /** The interactions, in the order they are expected. */
  readonly interactions: ReadonlyArray<Interaction.Interaction>
  /** Every request received so far, in order. */
  readonly received: Effect.Effect<ReadonlyArray<ReceivedRequest>>
  /** How many interactions have been answered. */
  readonly answered: Effect.Effect<number>
  /** The replayed responses so far that do not conform to their operation's schemas (see `Conformance`). */
  readonly nonConforming: Effect.Effect<ReadonlyArray<NonConformingResponse>>
  /**
   * Fails if a request went unanswered (`RequestMismatch`, `UnexpectedRequest`, the first one), a replayed
   * response did not conform and `conformance` is `"fail"` (`NonConformingResponse`), or an interaction
   * was never requested (`UnusedInteractions`).
   */
  readonly verify: Effect.Effect<void, ReplayError>
}

/**
 * The running replay, for the code that runs inside `replay` or `layer`.
 *
 * @example
 * ```ts
 * import { Replay } from "@effect-acs/contract-tests"
 * import * as Effect from "effect/Effect"
 *
 * const lastRequest = Effect.flatMap(Replay.Replay, (replay) => replay.received).pipe(
 *   Effect.map((received) => received.at(-1))
 * )
 * ```
 *
 * @since 0.1.0
 * @category tags
 */
export class Replay extends Context.Tag("@effect-acs/contract-tests/Replay")<Replay, ReplayService>() {}

/**
 * Starts a replay in the current scope: msw listens until the scope closes. Closing the scope does not
 * check anything (a finalizer cannot fail): call `verify` before, or use `replay`, which does.
 *
 * @example
 * ```ts
 * import { Interaction, Replay } from "@effect-acs/contract-tests"
 * import * as Effect from "effect/Effect"
 *
 * const interactions = [Interaction.make({
 *   request: { method: "GET", url: "https://management.azure.com/ping", headers: { authorization: "Bearer <token>" } },
 *   response: { status: 200, json: { ok: true } }
 * })]
 *
 * const program = Effect.scoped(Effect.gen(function*() {
 *   const replay = yield* Replay.make(interactions)
 *   const response = yield* Effect.promise(() =>
 *     fetch("https://management.azure.com/ping", { headers: { authorization: "Bearer token" } })
 *   )
 *   yield* replay.verify
 *   return response.status
 * }))
 *
 * Effect.runPromise(program).then((status) => console.log(status)) // 200
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: (
  interactions: ReadonlyArray<Interaction.Interaction>,
  options?: Options
) => Effect.Effect<ReplayService, never, Scope.Scope> = internal.make

/**
 * A replay as a scoped layer (for `it.layer` or a shared test environment). Its release does not check
 * anything: run `verify` at the end of the test.
 *
 * @example
 * ```ts
 * import { Interaction, Replay } from "@effect-acs/contract-tests"
 *
 * const ReplayLive = Replay.layer([
 *   Interaction.make({
 *     request: { method: "GET", url: "https://management.azure.com/ping" },
 *     response: { status: 200 }
 *   })
 * ])
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (
  interactions: ReadonlyArray<Interaction.Interaction>,
  options?: Options
): Layer.Layer<Replay> => Layer.scoped(Replay, make(interactions, options))

/**
 * Checks the replay in the environment: see `ReplayService.verify`.
 *
 * @example
 * ```ts
 * import { Replay } from "@effect-acs/contract-tests"
 * import * as Effect from "effect/Effect"
 *
 * const test = Effect.gen(function*() {
 *   // ... run the code under test ...
 *   yield* Replay.verify
 * })
 * ```
 *
 * @since 0.1.0
 * @category accessors
 */
export const verify: Effect.Effect<void, ReplayError, Replay> = Effect.flatMap(Replay, (replay) => replay.verify)

/**
 * Runs an Effect against a replay of the interactions, then verifies the replay: the result is the
 * Effect's, unless a request went unanswered or an interaction unused, in which case it is that
 * `ReplayError` (which explains a failure of the Effect better than the network error its request got).
 * The Effect may read the running replay from the `Replay` tag.
 *
 * @example
 * ```ts
 * import { Interaction, Replay } from "@effect-acs/contract-tests"
 * import * as Effect from "effect/Effect"
 *
 * const interactions = [Interaction.make({
 *   request: { method: "GET", url: "https://management.azure.com/ping", headers: { authorization: "Bearer <token>" } },
 *   response: { status: 200, json: { ok: true } }
 * })]
 *
 * const program = Effect.promise(() =>
 *   fetch("https://management.azure.com/ping", { headers: { authorization: "Bearer token" } }).then((r) => r.json())
 * ).pipe(Replay.replay(interactions))
 *
 * Effect.runPromise(program).then(console.log) // { ok: true }
 * ```
 *
 * @since 0.1.0
 * @category combinators
 */
export const replay: {
  (
    interactions: ReadonlyArray<Interaction.Interaction>,
    options?: Options
  ): <A, E, R>(self: Effect.Effect<A, E, R>) => Effect.Effect<A, E | ReplayError, Exclude<R, Replay>>
  <A, E, R>(
    self: Effect.Effect<A, E, R>,
    interactions: ReadonlyArray<Interaction.Interaction>,
    options?: Options
  ): Effect.Effect<A, E | ReplayError, Exclude<R, Replay>>
} = dual(
  (args) => Effect.isEffect(args[0]),
  <A, E, R>(
    self: Effect.Effect<A, E, R>,
    interactions: ReadonlyArray<Interaction.Interaction>,
    options?: Options
  ): Effect.Effect<A, E | ReplayError, Exclude<R, Replay>> =>
    Effect.acquireUseRelease(
      Scope.make(),
      (scope) =>
        Effect.gen(function*() {
          const service = yield* Scope.extend(make(interactions, options), scope)
          const exit = yield* Effect.exit(Effect.provideService(self, Replay, service))
          if (Exit.isFailure(exit) && Exit.isInterrupted(exit)) return yield* exit
          yield* service.verify
          return yield* exit
        }),
      (scope, exit) => Scope.close(scope, exit)
    )
)
