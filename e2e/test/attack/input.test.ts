/**
 * Class 6 of issue 11: the caller's mistakes get a clear typed error before any I/O (the hostile server
 * receives nothing): a `userAgentSuffix` or a token that cannot be a header value, an unusable `timeout`, an
 * endpoint with control characters, path parameters and resource id segments that URL normalisation would
 * change, a connection string given as a resource id or subscription (never quoted back).
 */
import { AzureCredential, CommunicationServices, Errors, Rotation } from "@effect-acs/core"
import { assertNoLeak } from "@effect-acs/testing"
import { assert, describe, it } from "@effect/vitest"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Schedule from "effect/Schedule"
import * as Stream from "effect/Stream"
import * as Server from "./server.js"
import {
  assertError,
  clientLayer,
  type ClientOptions,
  connectionString,
  describeExit,
  failureOf,
  fastRetry,
  newKey,
  newToken,
  parts,
  resourceIdOf,
  type Transport,
  transports
} from "./support.js"

/** A server that would answer every request with keys: any request it receives is a failure of the test. */
const witness = Server.make((_, response) =>
  Server.send(response, 200, { primaryKey: newKey(), primaryConnectionString: connectionString("w", newKey()) })
)

/**
 * Builds the client layer and, when it builds, makes one call: the first typed failure of the two, or what
 * happened instead (for the assertion message).
 */
const buildThenCall = (
  transport: Transport,
  endpoint: string,
  token: string,
  options: ClientOptions,
  call: Effect.Effect<unknown, unknown, CommunicationServices.CommunicationServices> = CommunicationServices
    .regenerateKey({ ...parts, keyType: "Primary" })
) =>
  Effect.scoped(Effect.gen(function*() {
    const built = yield* Effect.exit(Layer.build(clientLayer(transport, endpoint, token, options)))
    if (Exit.isFailure(built)) return { stage: "layer" as const, exit: built as Exit.Exit<unknown, unknown> }
    const exit = yield* Effect.exit(Effect.provide(call, Layer.succeedContext(built.value)))
    return { stage: "call" as const, exit }
  }))

describe.each(transports)("caller input over $name", (transport) => {
  const token = newToken()

  const badSuffixes: ReadonlyArray<readonly [string, string]> = [
    ["CR", "rotator/1.0\r"],
    ["LF", "rotator/1.0\nx"],
    ["CRLF and a header", "rotator/1.0\r\nx-injected: 1"],
    ["NUL", "rotator\u0000/1.0"],
    ["a non-Latin-1 character", "rotator/\u2603"],
    ["an emoji", "rotator/\u{1F600}"]
  ]
  for (const [name, userAgentSuffix] of badSuffixes) {
    it.live(`a userAgentSuffix with ${name} is InvalidInput userAgentSuffix when the layer is built`, () =>
      Effect.scoped(Effect.gen(function*() {
        const server = yield* witness
        const { exit, stage } = yield* buildThenCall(transport, server.url, token, { userAgentSuffix })
        yield* server.idle
        assert.strictEqual(server.requests.length, 0, `nothing is sent (the ${stage} gave ${describeExit(exit)})`)
        assert.strictEqual(stage, "layer", `the layer must not build (a call then gave ${describeExit(exit)})`)
        const error = failureOf(exit, "InvalidInput userAgentSuffix")
        assertError(error, { _tag: "InvalidInput", field: "userAgentSuffix" })
        yield* assertNoLeak(error, [token])
      })))
  }

  it.live("a plain userAgentSuffix is sent (the control for the cases above)", () =>
    Effect.scoped(Effect.gen(function*() {
      const server = yield* witness
      const { exit } = yield* buildThenCall(transport, server.url, token, { userAgentSuffix: "rotator/1.0" })
      assert.isTrue(Exit.isSuccess(exit), `expected a success, got ${describeExit(exit)}`)
      assert.match(String(server.requests[0]?.headers["user-agent"]), / rotator\/1\.0$/)
    })))

  const badTokens: ReadonlyArray<readonly [string, (token: string) => string]> = [
    ["CR", (t) => `${t.slice(0, 20)}\r${t.slice(20)}`],
    ["LF", (t) => `${t.slice(0, 20)}\n${t.slice(20)}`],
    ["CRLF and a header", (t) => `${t}\r\nx-injected: 1`],
    ["NUL", (t) => `${t.slice(0, 20)}\u0000${t.slice(20)}`],
    ["a non-Latin-1 character", (t) => `${t.slice(0, 20)}\u2603${t.slice(20)}`]
  ]
  for (const [name, corrupt] of badTokens) {
    for (const operation of ["regenerateKey", "listKeys"] as const) {
      it.live(`a token with ${name} is CredentialError (${operation}): not retried, nothing sent, outcome known`, () =>
        Effect.scoped(Effect.gen(function*() {
          const server = yield* witness
          const bad = corrupt(newToken())
          let asked = 0
          const credential = Layer.succeed(AzureCredential.AzureCredential, {
            getToken: () =>
              Effect.sync(() => {
                asked++
                return { token: Redacted.make(bad), expiresAt: Number.MAX_SAFE_INTEGER }
              })
          })
          const exit = yield* Effect.exit(
            (operation === "regenerateKey"
              ? CommunicationServices.regenerateKey({ ...parts, keyType: "Secondary" })
              : CommunicationServices.listKeys(parts)).pipe(
                Effect.provide(
                  CommunicationServices.layer({
                    endpoint: server.url,
                    allowInsecureLoopback: true,
                    retry: fastRetry,
                    timeout: "5 seconds"
                  }).pipe(Layer.provide(credential), Layer.provide(transport.layer))
                )
              )
          )
          yield* server.idle
          assert.strictEqual(server.requests.length, 0, `nothing is sent (the call gave ${describeExit(exit)})`)
          const error = failureOf(exit, "CredentialError")
          assertError(error, { _tag: "CredentialError" })
          assert.strictEqual(asked, 1, "the credential was asked once: a CredentialError is not retried")
          assert.isFalse(Errors.isOutcomeUnknown(error), "nothing was sent, so the outcome is known")
          assert.notStrictEqual((error as unknown as Record<string, unknown>).outcomeUnknown, true)
          yield* assertNoLeak(error, [bad.slice(0, 20), bad.slice(21, 60)])
        })))
    }
  }

  const badTimeouts: ReadonlyArray<readonly [string, unknown]> = [
    ["\"nonsense\"", "nonsense"],
    ["0", 0],
    ["-1", -1],
    ["NaN", NaN],
    ["\"-5 seconds\"", "-5 seconds"],
    ["\"0 millis\"", "0 millis"]
  ]
  for (const [name, timeout] of badTimeouts) {
    it.live(`timeout: ${name} is InvalidInput timeout, before any I/O`, () =>
      Effect.scoped(Effect.gen(function*() {
        const server = yield* witness
        const { exit, stage } = yield* buildThenCall(transport, server.url, token, {
          timeout: timeout as Duration.DurationInput
        })
        yield* server.idle
        assert.strictEqual(server.requests.length, 0, `nothing is sent (the ${stage} gave ${describeExit(exit)})`)
        const error = failureOf(exit, "InvalidInput timeout")
        assertError(error, { _tag: "InvalidInput", field: "timeout" })
        yield* assertNoLeak(error, [token])
      })))
  }

  // a retry policy from before core v2 (four fields), a number, a record without a schedule
  const badRetries: ReadonlyArray<readonly [string, unknown]> = [
    ["the old four-field policy", { maxRetries: 3, shouldRetry: () => true, backoff: () => 0, maxRetryAfter: 0 }],
    ["a number", 3],
    ["true", true],
    ["a policy whose maxRetryAfter is not a Duration", { schedule: Schedule.recurs(1), maxRetryAfter: "1 minute" }]
  ]
  for (const [name, retry] of badRetries) {
    it.live(`retry: ${name} is InvalidInput retry, before any I/O`, () =>
      Effect.scoped(Effect.gen(function*() {
        const server = yield* witness
        const { exit, stage } = yield* buildThenCall(transport, server.url, token, {
          retry: retry as CommunicationServices.Options["retry"]
        })
        yield* server.idle
        assert.strictEqual(server.requests.length, 0, `nothing is sent (the ${stage} gave ${describeExit(exit)})`)
        const error = failureOf(exit, "InvalidInput retry")
        assertError(error, { _tag: "InvalidInput", field: "retry" })
      })))
  }

  const badEndpoints: ReadonlyArray<readonly [string, (url: string, port: number) => string]> = [
    ["a trailing LF", (url) => `${url}\n`],
    ["an LF before the path (http://127.0.0.1:<port>\\n/)", (url) => `${url}\n/`],
    ["a CR", (url) => `${url}\r/`],
    ["a tab in the host", (_, port) => `http://127.0.\t0.1:${port}/`],
    ["an LF in the port", (_, port) => `http://127.0.0.1:\n${port}/`],
    ["a NUL in the path", (url) => `${url}/\u0000`],
    ["an ESC in the path", (url) => `${url}/\u001b`]
  ]
  for (const [name, make] of badEndpoints) {
    it.live(`an endpoint with ${name} is InvalidInput endpoint when the layer is built`, () =>
      Effect.scoped(Effect.gen(function*() {
        const server = yield* witness
        const { exit, stage } = yield* buildThenCall(transport, make(server.url, server.port), token, {})
        yield* server.idle
        assert.strictEqual(server.requests.length, 0, `nothing is sent (the ${stage} gave ${describeExit(exit)})`)
        assert.strictEqual(stage, "layer", `the layer must not build (a call then gave ${describeExit(exit)})`)
        const error = failureOf(exit, "InvalidInput endpoint")
        assertError(error, { _tag: "InvalidInput", field: "endpoint" })
        yield* assertNoLeak(error, [token])
      })))
  }

  const badParts: ReadonlyArray<readonly [keyof typeof parts, string]> = [
    ["subscriptionId", "."],
    ["subscriptionId", ".."],
    ["resourceGroupName", "."],
    ["resourceGroupName", ".."],
    ["resourceGroupName", "rg-attack."],
    ["communicationServiceName", "."],
    ["communicationServiceName", ".."]
  ]
  for (const [field, value] of badParts) {
    for (const form of ["parts", "resourceId"] as const) {
      const resource = form === "parts"
        ? { ...parts, [field]: value }
        : { resourceId: resourceIdOf({ ...parts, [field]: value }) }
      const expectedField = form === "parts" ? field : "resourceId"
      it.live(`${field} "${value}" (as ${form}) is InvalidInput ${expectedField}, for every operation`, () =>
        Effect.scoped(Effect.gen(function*() {
          const server = yield* witness
          const layer = clientLayer(transport, server, token, { retry: fastRetry })
          const regenerate = yield* Effect.exit(
            Effect.provide(CommunicationServices.regenerateKey({ ...resource, keyType: "Primary" }), layer)
          )
          const list = yield* Effect.exit(Effect.provide(CommunicationServices.listKeys(resource), layer))
          const rotation = yield* Effect.exit(
            Effect.provide(Rotation.rotate(resource, { publish: () => Effect.void }), layer)
          )
          yield* server.idle
          assert.strictEqual(server.requests.length, 0, "nothing is sent")
          for (const exit of [regenerate, list]) {
            const error = failureOf(exit, `InvalidInput ${expectedField}`)
            assertError(error, { _tag: "InvalidInput", field: expectedField })
            yield* assertNoLeak(error, [token])
          }
          const failed = failureOf(rotation, "RotationFailed")
          assertError(failed, { _tag: "RotationFailed", step: "ReadKeys" })
          yield* assertNoLeak(failed, [token])
        })))
    }
  }

  const key = newKey()
  const mistaken = connectionString("acs-attack", key)
  const mistakes: ReadonlyArray<readonly [string, CommunicationServices.ResourceInput, string]> = [
    ["resourceId", { resourceId: mistaken }, "resourceId"],
    ["subscriptionId", { ...parts, subscriptionId: mistaken }, "subscriptionId"],
    ["resourceId, percent-encoded", { resourceId: encodeURIComponent(mistaken) }, "resourceId"]
  ]
  for (const [name, resource, field] of mistakes) {
    it.live(`a connection string given as ${name} is InvalidInput ${field} that never quotes its key`, () =>
      Effect.scoped(Effect.gen(function*() {
        const server = yield* witness
        const layer = clientLayer(transport, server, token, { retry: fastRetry })
        const regenerate = yield* Effect.exit(
          Effect.provide(CommunicationServices.regenerateKey({ ...resource, keyType: "Primary" }), layer)
        )
        const list = yield* Effect.exit(Effect.provide(CommunicationServices.listKeys(resource), layer))
        const rotation = yield* Effect.exit(
          Effect.provide(Rotation.rotate(resource, { publish: () => Effect.void }), layer)
        )
        const events: Array<Rotation.FleetEvent> = []
        const fleet = yield* Effect.provide(
          Rotation.rotateFleet(Stream.make(resource), {
            publish: () => Effect.void,
            onEvent: (event) => Effect.sync(() => events.push(event))
          }),
          layer
        )
        yield* server.idle
        assert.strictEqual(server.requests.length, 0, "nothing is sent")
        for (const exit of [regenerate, list]) {
          const error = failureOf(exit, `InvalidInput ${field}`)
          assertError(error, { _tag: "InvalidInput", field })
          assert.notInclude(error.message, key)
          yield* assertNoLeak(error, [key])
        }
        const failed = failureOf(rotation, "RotationFailed")
        assertError(failed, { _tag: "RotationFailed" })
        assert.notInclude(failed.message, key, "the RotationFailed message does not quote the key")
        yield* assertNoLeak(failed, [key])
        assert.strictEqual(fleet.failed.length, 1)
        yield* assertNoLeak(fleet, [key])
        yield* assertNoLeak(events, [key])
      })))
  }
})
