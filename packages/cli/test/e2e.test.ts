/**
 * End to end, without msw: the core client talks to the emulator over real loopback HTTP through
 * `NodeHttpClient.layer`, the transport `acs-keys` uses.
 */
import { AzureCredential, CommunicationServices, RetryPolicy } from "@effect-acs/core"
import { Emulator } from "@effect-acs/emulator"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import { assert, describe, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as TestClock from "effect/TestClock"
import * as TestServices from "effect/TestServices"
import { idOf, keyPattern, ref } from "./helpers.js"

const acs = ref("my-acs")
const missing = ref("not-there")

/**
 * A client of the emulator over node:http, alive for the test's scope (each call builds its own client and
 * agent: two calls, two independent clients).
 */
const client = (emulator: Emulator.Service, options: CommunicationServices.Options = {}) =>
  CommunicationServices.layer({ endpoint: emulator.url, allowInsecureLoopback: true, ...options }).pipe(
    Layer.provide(Layer.merge(AzureCredential.static(Emulator.defaultToken), NodeHttpClient.layer)),
    Layer.build,
    Effect.map(Context.get(CommunicationServices.CommunicationServices))
  )

const waitForSleepers: Effect.Effect<void> = Effect.gen(function*() {
  for (let i = 0; i < 5000; i++) {
    if (Chunk.size(yield* TestClock.sleeps()) > 0) return
    yield* TestServices.provideLive(Effect.sleep("1 millis"))
  }
  return yield* Effect.dieMessage("no fiber sleeps on the TestClock")
})

describe("core client <-> emulator over loopback HTTP (NodeHttpClient)", () => {
  it.scopedLive("success: regenerateKey returns the new key, which listKeys then reads", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.make({ resources: [acs] })
      const before = yield* emulator.keys(acs)
      const services = yield* client(emulator)
      const response = yield* services.regenerateKeyResponse({ resourceId: idOf(acs), keyType: "secondary" })
      assert.match(response.requestId ?? "", /^[0-9a-f-]{36}$/)
      assert.strictEqual(response.attempts, 1)
      assert.isFalse(response.priorOutcomeUnknown)
      const secondary = Redacted.value(response.keys.secondaryKey!)
      assert.match(secondary, new RegExp(`^${keyPattern.source}$`))
      assert.notStrictEqual(secondary, Redacted.value(before.secondaryKey))
      assert.isUndefined(response.keys.primaryKey)

      const listed = yield* services.listKeys({ resourceId: idOf(acs) })
      assert.strictEqual(Redacted.value(listed.secondaryKey!), secondary)
      assert.strictEqual(Redacted.value(listed.primaryKey!), Redacted.value(before.primaryKey))
      assert.strictEqual(String(listed.secondaryConnectionString), "<redacted>")
      // the emulator saw the client request id the client sent
      const log = yield* emulator.requestLog
      assert.strictEqual(log[0]?.clientRequestId, response.clientRequestId)
    }))

  it.scopedLive("404: NotFound with the ARM code and the request ids", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.make({ resources: [acs] })
      const services = yield* client(emulator)
      const error = yield* Effect.flip(services.regenerateKey({ resourceId: idOf(missing), keyType: "Primary" }))
      assert.strictEqual(error._tag, "NotFound")
      if (error._tag !== "NotFound") return
      assert.strictEqual(error.status, 404)
      assert.strictEqual(error.code, "ResourceNotFound")
      assert.strictEqual(error.missing, "Resource")
      assert.isFalse(error.outcomeUnknown)
      assert.match(error.requestId ?? "", /^[0-9a-f-]{36}$/)
      assert.match(error.correlationRequestId ?? "", /^[0-9a-f-]{36}$/)
    }))

  it.scoped("409: two clients regenerate the same resource at once; the second one gets Conflict", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.make({ resources: [acs], regenerateLatency: "5 seconds" })
      const first = yield* client(emulator)
      const second = yield* client(emulator)
      const inFlight = yield* Effect.fork(first.regenerateKey({ resourceId: idOf(acs), keyType: "Primary" }))
      yield* emulator.awaitStats((stats) => stats.inFlight === 1)
      const error = yield* Effect.flip(second.regenerateKey({ resourceId: idOf(acs), keyType: "Secondary" }))
      assert.strictEqual(error._tag, "Conflict")
      if (error._tag !== "Conflict") return
      assert.strictEqual(error.status, 409)
      assert.strictEqual(error.code, "Conflict")
      assert.strictEqual(error.attempts, 1) // 409 is not retried

      yield* waitForSleepers
      yield* TestClock.adjust("5 seconds")
      const keys = yield* Fiber.join(inFlight)
      assert.strictEqual(Redacted.value(keys.primaryKey!), Redacted.value((yield* emulator.keys(acs)).primaryKey))
      assert.strictEqual((yield* emulator.stats).regenerations, 1)
    }))

  it.scopedLive("429 then success: the client waits the Retry-After the emulator sends (1 s) and retries", () =>
    Effect.gen(function*() {
      // one write per subscription, one more a second later: Retry-After is 1 second
      const emulator = yield* Emulator.make({ resources: [acs], throttle: { capacity: 1, refillPerSecond: 1 } })
      const services = yield* client(emulator, { retry: RetryPolicy.exponential({ maxRetries: 3 }) })
      yield* services.listKeys({ resourceId: idOf(acs) })
      const response = yield* services.regenerateKeyResponse({ resourceId: idOf(acs), keyType: "Primary" })
      assert.strictEqual(response.attempts, 2)
      const stats = yield* emulator.stats
      assert.strictEqual(stats.throttled, 1)
      assert.strictEqual(stats.byStatus[429], 1)
      assert.strictEqual(stats.regenerations, 1)
      const log = yield* emulator.requestLog
      const throttled = log.find((entry) => entry.status === 429)
      assert.strictEqual(throttled?.code, "TooManyRequests")
      // both attempts carried the same client request id
      assert.strictEqual(throttled?.clientRequestId, response.clientRequestId)
      assert.strictEqual(log.at(-1)?.clientRequestId, response.clientRequestId)
    }))
})
