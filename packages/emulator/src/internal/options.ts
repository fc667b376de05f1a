import * as Parameters from "@effect-acs/schema/Parameters"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import type * as Emulator from "../Emulator.js"
import { InvalidOptionsError } from "../EmulatorError.js"
import * as EmulatorFaults from "../EmulatorFaults.js"
import * as defaults from "./defaults.js"

/** The emulator's options, checked and with their defaults: what the server goes by. */
const invalid = (option: string, reason: string) => Effect.fail(new InvalidOptionsError({ option, reason }))

const redact = (token: string | Redacted.Redacted<string>) => Redacted.isRedacted(token) ? token : Redacted.make(token)

export interface Resolved {
  readonly host: string
  readonly port: number
  readonly apiVersions: ReadonlySet<string>
  readonly apiVersionList: string
  readonly tokens: ReadonlyArray<Redacted.Redacted<string>>
  readonly forbiddenTokens: ReadonlyArray<Redacted.Redacted<string>>
  readonly throttle: { readonly capacity: number; readonly refillPerSecond: number } | undefined
  readonly regenerateLatency: Duration.Duration
  readonly faults: EmulatorFaults.Decider | undefined
  readonly requestLogSize: number
  readonly maxRequestBytes: number
  readonly dataPlane: boolean
}

export const resolve = (options: Emulator.Options): Effect.Effect<Resolved, InvalidOptionsError> =>
  Effect.gen(function*() {
    const port = options.port ?? 0
    if (!Number.isInteger(port) || port < 0 || port > 65535) {
      return yield* invalid("port", `must be an integer in [0, 65535], got ${port}`)
    }
    const apiVersions = options.apiVersions ?? defaults.apiVersions
    if (apiVersions.length === 0) return yield* invalid("apiVersions", "must not be empty")
    for (const version of apiVersions) {
      if (!Schema.is(Parameters.ApiVersion)(version)) {
        return yield* invalid("apiVersions", `${JSON.stringify(version)} is not a valid api-version`)
      }
    }
    let throttle: Resolved["throttle"] = undefined
    if (options.throttle !== false) {
      const capacity = options.throttle?.capacity ?? defaults.throttle.capacity
      const refillPerSecond = options.throttle?.refillPerSecond ?? defaults.throttle.refillPerSecond
      if (!Number.isFinite(capacity) || capacity < 1) {
        return yield* invalid("throttle.capacity", `must be a number of at least 1, got ${capacity}`)
      }
      if (!Number.isFinite(refillPerSecond) || refillPerSecond <= 0) {
        return yield* invalid("throttle.refillPerSecond", `must be a positive number, got ${refillPerSecond}`)
      }
      throttle = { capacity, refillPerSecond }
    }
    const latency = options.regenerateLatency === undefined
      ? Duration.zero
      : Duration.decodeUnknown(options.regenerateLatency).pipe((o) => o._tag === "Some" ? o.value : undefined)
    if (latency === undefined || !Duration.isFinite(latency)) {
      return yield* invalid("regenerateLatency", "must be a finite duration")
    }
    const requestLogSize = options.requestLogSize ?? defaults.requestLogSize
    if (!Number.isInteger(requestLogSize) || requestLogSize < 0) {
      return yield* invalid("requestLogSize", `must be a non-negative integer, got ${requestLogSize}`)
    }
    const maxRequestBytes = options.maxRequestBytes ?? defaults.maxRequestBytes
    if (!Number.isSafeInteger(maxRequestBytes) || maxRequestBytes < 1) {
      return yield* invalid("maxRequestBytes", `must be a positive integer, got ${maxRequestBytes}`)
    }
    return {
      host: options.host ?? defaults.host,
      port,
      apiVersions: new Set(apiVersions.map((v) => v.toLowerCase())),
      apiVersionList: apiVersions.join(", "),
      tokens: (options.tokens ?? [defaults.token]).map(redact),
      forbiddenTokens: (options.forbiddenTokens ?? []).map(redact),
      throttle,
      regenerateLatency: latency,
      faults: options.faults === undefined ? undefined : yield* EmulatorFaults.makeDecider(options.faults),
      requestLogSize,
      maxRequestBytes,
      dataPlane: options.dataPlane === true
    }
  })
