/**
 * What the attack files share: the transports, secrets shaped like the real ones, the client under
 * attack, and assertions on typed failures.
 */
import { AzureCredential, CommunicationServices, NodeTransport, RetryPolicy } from "@effect-acs/core"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import type * as HttpClient from "@effect/platform/HttpClient"
import { assert } from "@effect/vitest"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as crypto from "node:crypto"
import type { HostileServer } from "./server.js"

export interface Transport {
  readonly name: string
  readonly layer: Layer.Layer<HttpClient.HttpClient>
}

/** Every case runs over each of these. */
export const transports: ReadonlyArray<Transport> = [
  { name: "FetchHttpClient.layer", layer: FetchHttpClient.layer },
  { name: "NodeHttpClient.layer", layer: NodeHttpClient.layer },
  { name: "NodeHttpClient.layerUndici", layer: NodeHttpClient.layerUndici },
  { name: "NodeTransport.layer", layer: NodeTransport.layer }
]

// -------------------------------------------------------------------------------------------------------------
// seeded randomness
// -------------------------------------------------------------------------------------------------------------

/** mulberry32: a small seeded PRNG, uniform in [0, 1). */
export const prng = (seed: number) => {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

// -------------------------------------------------------------------------------------------------------------
// secrets
// -------------------------------------------------------------------------------------------------------------

/**
 * A key shaped like a Communication Services key (64 random bytes in base64: 86 characters and `==`), with at
 * least one `+` and one `/`, so that its percent-encoded and base64url forms differ from it.
 */
export const newKey = (random: () => number = Math.random): string => {
  for (;;) {
    const bytes = Buffer.from(Array.from({ length: 64 }, () => Math.floor(random() * 256)))
    const key = bytes.toString("base64")
    if (key.includes("+") && key.includes("/")) return key
  }
}

export const connectionString = (name: string, key: string) =>
  `endpoint=https://${name}.communication.azure.com/;accesskey=${key}`

/** An opaque bearer token (not a JWT, so only the exact value can be recognised) with `+ / =` in it. */
export const newToken = (): string => {
  for (;;) {
    const token = `op.${crypto.randomBytes(45).toString("base64")}`
    if (token.includes("+") && token.includes("/")) return `${token}=`
  }
}

const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url")

/** A JWT-shaped token (header, payload, signature), as Entra ID issues them. */
export const newJwt = (): string =>
  `${b64url({ alg: "RS256", typ: "JWT", kid: crypto.randomBytes(8).toString("hex") })}.${
    b64url({
      aud: "https://management.azure.com",
      oid: crypto.randomUUID(),
      nonce: crypto.randomBytes(24).toString("hex")
    })
  }.${crypto.randomBytes(64).toString("base64url")}`

// -------------------------------------------------------------------------------------------------------------
// the resource and the client
// -------------------------------------------------------------------------------------------------------------

export const parts = {
  subscriptionId: "00000000-1111-4222-8333-444444444444",
  resourceGroupName: "rg-attack",
  communicationServiceName: "acs-attack"
} as const

export const resourceIdOf = (p: {
  readonly subscriptionId: string
  readonly resourceGroupName: string
  readonly communicationServiceName: string
}) =>
  `/subscriptions/${p.subscriptionId}/resourceGroups/${p.resourceGroupName}/providers/Microsoft.Communication/communicationServices/${p.communicationServiceName}`

export const resourceId = resourceIdOf(parts)

/** The options of the client under attack: today's `Options`, and the ones the hardening adds. */
export type ClientOptions = CommunicationServices.Options & {
  readonly maxResponseBytes?: number | undefined
}

/** No retries: most attacks are about one exchange. */
export const noRetry = false as const

/** Fast retries, for the cases where retrying is part of the attack. */
export const fastRetry = RetryPolicy.exponential({
  maxRetries: 2,
  baseDelay: "2 millis",
  maxDelay: "10 millis",
  maxRetryAfter: "20 millis"
})

/** A `CommunicationServices` layer for `server` over `transport`, authenticating with `token`. */
export const clientLayer = (
  transport: Transport,
  server: Pick<HostileServer, "url"> | string,
  token: string,
  options: ClientOptions = {}
) => {
  const all: ClientOptions = {
    endpoint: typeof server === "string" ? server : server.url,
    allowInsecureLoopback: true,
    retry: noRetry,
    timeout: "5 seconds",
    ...options
  }
  return CommunicationServices.layer(all).pipe(
    Layer.provide(AzureCredential.static(Redacted.make(token))),
    Layer.provide(transport.layer)
  )
}

// -------------------------------------------------------------------------------------------------------------
// typed failures
// -------------------------------------------------------------------------------------------------------------

/** A one-line description of an error for assertion messages: tag, reason, status, field. */
export const describeError = (error: unknown): string => {
  if (typeof error !== "object" || error === null) return String(error)
  const e = error as Record<string, unknown>
  return [e._tag, e.reason, e.status, e.field].filter((x) => x !== undefined).map(String).join("/")
}

/** What an exit was, in a line (for assertion messages): the error's tag and reason, or the defect. */
export const describeExit = (exit: Exit.Exit<unknown, unknown>): string => {
  if (Exit.isSuccess(exit)) return "a success"
  const failure = Cause.failureOption(exit.cause)
  if (failure._tag === "Some") return `the typed failure ${describeError(failure.value)}`
  const defect = Cause.dieOption(exit.cause)
  if (defect._tag === "Some") {
    const value = defect.value
    return `a DEFECT: ${value instanceof Error ? `${value.name}: ${value.message}` : String(value)}`.slice(0, 300)
  }
  return Cause.isInterruptedOnly(exit.cause) ? "an interruption" : Cause.pretty(exit.cause).slice(0, 300)
}

/** The typed error of a failed exit; fails the test (saying what happened instead) on a success or a defect. */
export const failureOf = <E>(exit: Exit.Exit<unknown, E>, expected: string): E => {
  if (Exit.isFailure(exit)) {
    const failure = Cause.failureOption(exit.cause)
    if (failure._tag === "Some") return failure.value
  }
  return assert.fail(`expected ${expected}, got ${describeExit(exit)}`)
}

/** Runs an effect and returns its typed error, failing the test on a success or a defect. */
export const failure = <A, E, R>(effect: Effect.Effect<A, E, R>, expected: string): Effect.Effect<E, never, R> =>
  Effect.map(Effect.exit(effect), (exit) => failureOf(exit, expected))

/** Asserts the error's tag and the given fields (compared loosely, so fields the hardening adds can be named). */
export const assertError = (
  error: unknown,
  expected: { readonly _tag: string } & Record<string, unknown>
): void => {
  const actual = error as Record<string, unknown>
  for (const [key, value] of Object.entries(expected)) {
    assert.deepStrictEqual(
      actual[key],
      value,
      `expected ${describeExit(Exit.fail(expected))}, got ${describeExit(Exit.fail(error))} (field ${key})`
    )
  }
}

/** The text of a `Redacted` or `undefined`. */
export const reveal = (value: Redacted.Redacted<string> | undefined): string | undefined =>
  value === undefined ? undefined : Redacted.value(value)

/** Asserts the keys came back `Redacted` and equal to what the server sent. */
export const assertKeys = (
  keys: {
    readonly primaryKey?: Redacted.Redacted<string> | undefined
    readonly primaryConnectionString?: Redacted.Redacted<string> | undefined
    readonly secondaryKey?: Redacted.Redacted<string> | undefined
    readonly secondaryConnectionString?: Redacted.Redacted<string> | undefined
  },
  expected: Partial<
    Record<"primaryKey" | "primaryConnectionString" | "secondaryKey" | "secondaryConnectionString", string>
  >
): void => {
  for (const [field, value] of Object.entries(expected)) {
    const got = keys[field as keyof typeof keys]
    assert.isTrue(got !== undefined && Redacted.isRedacted(got), `${field} is Redacted`)
    assert.strictEqual(reveal(got), value, `${field} is what the server sent`)
  }
}

/** The path of an ARM action on the default resource, as the client must send it. */
export const actionPath = (action: "regenerateKey" | "listKeys") => `${resourceId}/${action}`

/** Each error status an attack answers with, and the tag the client must give it. */
export const errorStatuses: ReadonlyArray<readonly [number, string]> = [
  [400, "BadRequest"],
  [401, "AuthenticationFailed"],
  [403, "AuthorizationFailed"],
  [404, "NotFound"],
  [409, "Conflict"],
  [429, "Throttled"],
  [500, "ServiceError"],
  [503, "ServiceError"]
]
