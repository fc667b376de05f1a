/**
 * `acs-keys emulator`: the emulator's options from the command line, and the command. Its own module, loaded
 * only by that command: the server is not part of what `list` or `rotate` load.
 */
import * as Emulator from "@effect-acs/emulator/Emulator"
import type * as EmulatorFaults from "@effect-acs/emulator/EmulatorFaults"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import type * as Redacted from "effect/Redacted"
import { Stdio } from "../Stdio.js"
import * as Client from "./client.js"
import * as render from "./render.js"
import * as Renderer from "./renderer.js"

export interface EmulatorOptions {
  readonly port: number
  readonly host: string
  readonly resources: ReadonlyArray<{
    readonly subscriptionId: string
    readonly resourceGroupName: string
    readonly communicationServiceName: string
  }>
  readonly seedFile: Option.Option<string>
  readonly stateFile: Option.Option<string>
  readonly token: Option.Option<Redacted.Redacted<string>>
  readonly forbiddenTokens: ReadonlyArray<Redacted.Redacted<string>>
  readonly apiVersions: ReadonlyArray<string>
  readonly maxRequestBytes: Option.Option<number>
  readonly requestLogSize: Option.Option<number>
  readonly noThrottle: boolean
  readonly throttleCapacity: Option.Option<number>
  readonly throttleRefill: Option.Option<number>
  readonly regenerateLatencyMs: Option.Option<number>
  readonly errorRate: Option.Option<number>
  readonly errorStatuses: ReadonlyArray<500 | 503>
  readonly dropRate: Option.Option<number>
  readonly faultWhen: Option.Option<"before" | "after" | "random">
  readonly faultLatencyMs: Option.Option<number>
  readonly commitLatencyMs: Option.Option<number>
  readonly faultOperations: ReadonlyArray<"regenerateKey" | "listKeys">
  readonly seed: Option.Option<string>
  readonly dataPlane: boolean
  readonly output: Renderer.OutputOptions
}

const millis = (ms: Option.Option<number>): Duration.DurationInput | undefined =>
  Option.getOrUndefined(Option.map(ms, Duration.millis))

const faultsOf = (options: EmulatorOptions): EmulatorFaults.Options | undefined => {
  const given = Option.isSome(options.errorRate) || Option.isSome(options.dropRate) ||
    Option.isSome(options.faultLatencyMs) || Option.isSome(options.commitLatencyMs) ||
    Option.isSome(options.faultWhen) || Option.isSome(options.seed) || options.faultOperations.length > 0 ||
    options.errorStatuses.length > 0
  if (!given) return undefined
  return {
    errorRate: Option.getOrUndefined(options.errorRate),
    errorStatuses: options.errorStatuses.length > 0 ? options.errorStatuses : undefined,
    dropRate: Option.getOrUndefined(options.dropRate),
    when: Option.getOrUndefined(options.faultWhen),
    latency: millis(options.faultLatencyMs),
    commitLatency: millis(options.commitLatencyMs),
    operations: options.faultOperations.length > 0 ? options.faultOperations : undefined,
    // a numeric seed is a number, as `seed: 42` in the library
    seed: Option.match(options.seed, {
      onNone: () => undefined,
      onSome: (seed) => /^\d+$/.test(seed) ? Number(seed) : seed
    })
  }
}

/** The emulator's options from the command line. */
export const emulatorOptions = (options: EmulatorOptions) =>
  Effect.map(Client.token(options.token), (token): Emulator.Options => ({
    host: options.host,
    port: options.port,
    resources: options.resources,
    seedFile: Option.getOrUndefined(options.seedFile),
    stateFile: Option.getOrUndefined(options.stateFile),
    apiVersions: options.apiVersions.length > 0 ? options.apiVersions : undefined,
    tokens: Option.match(token, { onNone: () => undefined, onSome: (token) => [token] }),
    forbiddenTokens: options.forbiddenTokens,
    throttle: options.noThrottle ? false : {
      capacity: Option.getOrUndefined(options.throttleCapacity),
      refillPerSecond: Option.getOrUndefined(options.throttleRefill)
    },
    regenerateLatency: millis(options.regenerateLatencyMs),
    maxRequestBytes: Option.getOrUndefined(options.maxRequestBytes),
    requestLogSize: Option.getOrUndefined(options.requestLogSize),
    faults: faultsOf(options),
    dataPlane: options.dataPlane
  }))

/** Starts the emulator, prints where it listens (never a key or a token), and runs until interrupted. */
export const run = (options: EmulatorOptions) =>
  Effect.scoped(Effect.gen(function*() {
    const renderer = yield* Renderer.forOutput(options.output)
    const config = yield* emulatorOptions(options)
    const running = yield* Emulator.make(config)
    const resources = yield* running.resources
    const customToken = config.tokens !== undefined
    yield* renderer.print({
      json: () => ({
        url: running.url,
        host: running.host,
        port: running.port,
        resources: resources.length,
        dataPlane: config.dataPlane === true
      }),
      text: () =>
        `Communication Services ARM emulator listening on ${running.url}\n` +
        render.rows([
          ["resources", String(resources.length)],
          [
            "token",
            customToken
              ? "the one given (pass the same --token to acs-keys)"
              : "the emulator's default (acs-keys uses it for an http://127.0.0.1 endpoint)"
          ],
          ["throttling", config.throttle === false ? "off" : "on"],
          ["faults", config.faults === undefined ? "off" : "on"],
          [
            "data plane",
            config.dataPlane === true ? "on (connection strings point at this emulator)" : "off"
          ],
          ...(config.stateFile === undefined ? [] : [["state file", config.stateFile] as const])
        ])
    })
    if (renderer._tag === "Text") {
      const example = resources[0]
      const output = yield* Stdio
      output.stderr(
        (example === undefined
          ? ""
          : `try: acs-keys list --endpoint ${running.url} --subscription ${example.subscriptionId} ` +
            `--resource-group ${example.resourceGroupName} --name ${example.communicationServiceName}\n`) +
          "press Ctrl-C to stop\n"
      )
    }
    return yield* Effect.never
  }))
