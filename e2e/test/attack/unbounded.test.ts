/**
 * Class 3 of issue 11: unbounded resources. Response bodies are read up to `maxResponseBytes` (default 1 MiB)
 * on every transport, whatever their framing (content-length, chunked, endless) or compression; a body that
 * drips slower than the per-attempt timeout times out; a huge `Retry-After` is capped at the policy's
 * `maxRetryAfter` and the wait is interruptible. (Memory, measured in a child process: unbounded.memory.test.ts.)
 */
import { CommunicationServices, RetryPolicy, Rotation } from "@effect-acs/core"
import { assertNoLeak, makeSpanRecorder } from "@effect-acs/testing"
import { assert, describe, it } from "@effect/vitest"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Stream from "effect/Stream"
import * as TestClock from "effect/TestClock"
import * as Server from "./server.js"
import {
  assertError,
  assertKeys,
  clientLayer,
  type ClientOptions,
  connectionString,
  describeExit,
  failureOf,
  newKey,
  newToken,
  parts,
  resourceId,
  transports
} from "./support.js"

const MiB = 1024 * 1024
const defaultLimit = 1_048_576

/** A valid JSON body of exactly `size` bytes: `head`, spaces, then `}` (`head` is an object without its `}`). */
const padded = (head: string, size: number) => head + " ".repeat(size - head.length - 1) + "}"

const sleepReal = (millis: number) => Effect.promise(() => new Promise((resolve) => setTimeout(resolve, millis)))

describe.each(transports)("bounded bodies over $name", (transport) => {
  const k1 = newKey()
  const k2 = newKey()
  const token = newToken()
  const cs1 = connectionString("acs-attack", k1)
  const secrets = [k1, k2, token]
  const keysHead = `{"primaryKey":"${k1}","primaryConnectionString":"${cs1}"`

  const exchange = (handler: Server.Handler, options: ClientOptions = {}) =>
    Effect.scoped(Effect.gen(function*() {
      const server = yield* Server.make(handler)
      const recorder = makeSpanRecorder()
      const exit = yield* Effect.exit(
        CommunicationServices.regenerateKey({ ...parts, keyType: "Primary" }).pipe(
          Effect.provide(clientLayer(transport, server, token, options)),
          Effect.provide(recorder.layer)
        )
      )
      return { exit, recorder, server }
    }))

  const tooLarge = (handler: Server.Handler, options: ClientOptions = {}) =>
    Effect.gen(function*() {
      const { exit, recorder } = yield* exchange(handler, options)
      const error = failureOf(exit, "UnexpectedResponse BodyTooLarge")
      assertError(error, { _tag: "UnexpectedResponse", reason: "BodyTooLarge", status: 200 })
      yield* assertNoLeak(error, secrets, recorder)
    })

  it.live("a 200 declared by content-length at 2 MiB (and sent) is BodyTooLarge", () =>
    tooLarge((_, response) =>
      Server.send(response, 200, padded(keysHead, 2 * MiB), { "content-length": String(2 * MiB) })
    ))

  it.live("a 200 chunked without a length, 2 MiB in all, is BodyTooLarge", () =>
    tooLarge((_, response) => Server.bulk(response, { prefix: keysHead, suffix: "}", total: 2 * MiB })))

  it.live("an endless 200 is BodyTooLarge (not a timeout)", () =>
    tooLarge(
      (_, response) => Server.bulk(response, { prefix: keysHead, total: Infinity, fastBytes: 8 * MiB }),
      { timeout: "1500 millis" }
    ))

  it.live("a 200 declaring 5 GiB that sends 64 KiB and stalls is BodyTooLarge (the declared length suffices)", () =>
    tooLarge(
      (_, response) =>
        Server.bulk(response, {
          prefix: keysHead,
          total: 64 * 1024,
          headers: { "content-length": String(5 * 1024 * MiB) }
        }).then(() => Server.hold(response)),
      { timeout: "1500 millis" }
    ))

  for (const framing of ["content-length", "chunked"] as const) {
    const respond = (body: string): Server.Handler => (_, response) =>
      framing === "content-length"
        ? Server.send(response, 200, body, { "content-length": String(Buffer.byteLength(body)) })
        : Server.bulk(response, { prefix: body, total: Buffer.byteLength(body) })

    it.live(`a valid 200 of exactly 1 MiB (${framing}) is read: the default limit is 1048576 bytes`, () =>
      Effect.gen(function*() {
        const { exit, recorder } = yield* exchange(respond(padded(keysHead, defaultLimit)))
        assert.isTrue(Exit.isSuccess(exit), `expected a success, got ${describeExit(exit)}`)
        if (Exit.isSuccess(exit)) assertKeys(exit.value, { primaryKey: k1, primaryConnectionString: cs1 })
        assert.deepStrictEqual(recorder.texts().filter((text) => text.includes(k1)), [])
      }))

    it.live(`a valid 200 of 1 MiB and one byte (${framing}) is BodyTooLarge`, () =>
      tooLarge(respond(padded(keysHead, defaultLimit + 1))))

    it.live(`maxResponseBytes is configurable: 4096 bytes are read, 4097 (${framing}) are BodyTooLarge`, () =>
      Effect.gen(function*() {
        const { exit } = yield* exchange(respond(padded(keysHead, 4096)), { maxResponseBytes: 4096 })
        assert.isTrue(Exit.isSuccess(exit), `4096 bytes: expected a success, got ${describeExit(exit)}`)
        if (Exit.isSuccess(exit)) assertKeys(exit.value, { primaryKey: k1 })
        yield* tooLarge(respond(padded(keysHead, 4097)), { maxResponseBytes: 4096 })
      }))
  }

  for (const [status, tag] of [[400, "BadRequest"], [409, "Conflict"], [500, "ServiceError"]] as const) {
    for (const framing of ["content-length", "chunked", "endless"] as const) {
      it.live(`a ${status} over the limit (${framing}) is ${tag} without ARM fields`, () =>
        Effect.gen(function*() {
          const head = `{"error":{"code":"Big","message":"key ${k1}","target":"t","details":[{"code":"D"}]}`
          const { exit, recorder } = yield* exchange(
            (_, response) =>
              framing === "content-length"
                ? Server.send(response, status, padded(head, 2 * MiB), { "content-length": String(2 * MiB) })
                : Server.bulk(response, {
                  status,
                  prefix: head,
                  suffix: "}",
                  total: framing === "chunked" ? 2 * MiB : Infinity,
                  fastBytes: 8 * MiB
                }),
            { timeout: "1500 millis" }
          )
          const error = failureOf(exit, tag)
          assertError(error, {
            _tag: tag,
            status,
            code: undefined,
            armMessage: undefined,
            target: undefined,
            details: [],
            additionalInfo: []
          })
          yield* assertNoLeak(error, secrets, recorder)
        }))
    }
  }

  // FetchHttpClient inflates what it reads; node:http and undici hand over the compressed bytes
  const inflates = transport.name === "FetchHttpClient.layer"
  it.live(
    `a gzip bomb (64 KiB inflating to 64 MiB) is ${
      inflates ? "BodyTooLarge: inflated no further than the limit" : "NotJson: not inflated"
    }`,
    () =>
      Effect.gen(function*() {
        const { exit, recorder } = yield* exchange((_, response) =>
          Server.gzipBomb(response, { inflatedBytes: 64 * MiB })
        )
        const error = failureOf(exit, inflates ? "BodyTooLarge" : "NotJson")
        assertError(error, { _tag: "UnexpectedResponse", reason: inflates ? "BodyTooLarge" : "NotJson", status: 200 })
        yield* assertNoLeak(error, secrets, recorder)
      })
  )

  it.live("a 200 that drips one byte every 100 ms, with a 600 ms timeout, is TransportError Timeout", () =>
    Effect.gen(function*() {
      const { exit, recorder } = yield* exchange(
        (_, response) => Server.drip(response, { prefix: `{"primaryKey":"${k1}`, intervalMillis: 100 }),
        { timeout: "600 millis" }
      )
      const error = failureOf(exit, "TransportError Timeout")
      assertError(error, { _tag: "TransportError", reason: "Timeout" })
      yield* assertNoLeak(error, secrets, recorder)
    }))

  it.live("a 500 that drips its body is TransportError Timeout too", () =>
    Effect.gen(function*() {
      const { exit, recorder } = yield* exchange(
        (_, response) =>
          Server.drip(response, { status: 500, prefix: `{"error":{"code":"${k2}"`, intervalMillis: 100 }),
        { timeout: "600 millis" }
      )
      const error = failureOf(exit, "TransportError Timeout")
      assertError(error, { _tag: "TransportError", reason: "Timeout" })
      yield* assertNoLeak(error, secrets, recorder)
    }))
})

describe.each(transports)("throttle waits over $name", (transport) => {
  const k1 = newKey()
  const k2 = newKey()
  const token = newToken()
  const keys = {
    primaryKey: k1,
    primaryConnectionString: connectionString("acs-attack", k1),
    secondaryKey: k2,
    secondaryConnectionString: connectionString("acs-attack", k2)
  }
  const attemptTimeout = 17_000

  /** Waits (in real time) until a TestClock sleep other than the attempt timeouts is pending; its delay. */
  const pendingWait = (since: number) =>
    Effect.gen(function*() {
      for (let i = 0; i < 400; i++) {
        const sleeps = [...yield* TestClock.sleeps()].filter((at) => (at - since) % attemptTimeout !== 0)
        if (sleeps.length > 0) return Math.max(...sleeps) - since
        yield* sleepReal(5)
      }
      return assert.fail("the client never started waiting after the 429")
    })

  const throttled = (headers: Server.Headers, then?: unknown): Server.Handler => {
    let count = 0
    return (_, response) =>
      count++ === 0 || then === undefined
        ? Server.send(response, 429, { error: { code: "TooManyRequests", message: "slow down" } }, headers)
        : Server.send(response, 200, then)
  }

  const hugeWaits: ReadonlyArray<readonly [string, Server.Headers]> = [
    ["Retry-After: 99999999", { "retry-after": "99999999" }],
    ["Retry-After as a date in the year 9999", { "retry-after": "Fri, 31 Dec 9999 23:59:59 GMT" }],
    ["retry-after-ms: 99999999999", { "retry-after-ms": "99999999999" }],
    ["x-ms-retry-after-ms: 99999999999", { "x-ms-retry-after-ms": "99999999999" }]
  ]

  for (const [name, headers] of hugeWaits) {
    it.effect(`a 429 with ${name} is waited at most maxRetryAfter (60 s by default), then retried`, () =>
      Effect.scoped(Effect.gen(function*() {
        const server = yield* Server.make(throttled(headers, keys))
        const since = yield* Clock.currentTimeMillis
        const fiber = yield* Effect.fork(
          CommunicationServices.listKeys(parts).pipe(
            Effect.provide(
              clientLayer(transport, server, token, { retry: RetryPolicy.defaultPolicy, timeout: attemptTimeout })
            )
          )
        )
        yield* server.received(1)
        const wait = yield* pendingWait(since)
        assert.isAtMost(wait, 60_000, "the wait honoured is capped at maxRetryAfter")
        yield* TestClock.adjust("60 seconds")
        const exit = yield* Fiber.await(fiber)
        assert.isTrue(Exit.isSuccess(exit), `expected a success after the wait, got ${describeExit(exit)}`)
        if (Exit.isSuccess(exit)) assertKeys(exit.value, keys)
        assert.strictEqual(server.requests.length, 2)
      })))
  }

  it.effect("a 429 with Retry-After: 99999999 is waited at most a policy's own maxRetryAfter (5 s)", () =>
    Effect.scoped(Effect.gen(function*() {
      const server = yield* Server.make(throttled({ "retry-after": "99999999" }, keys))
      const since = yield* Clock.currentTimeMillis
      const fiber = yield* Effect.fork(
        CommunicationServices.listKeys(parts).pipe(
          Effect.provide(clientLayer(transport, server, token, {
            retry: RetryPolicy.exponential({ maxRetries: 1, maxRetryAfter: "5 seconds" }),
            timeout: attemptTimeout
          }))
        )
      )
      yield* server.received(1)
      assert.isAtMost(yield* pendingWait(since), 5_000)
      yield* TestClock.adjust("5 seconds")
      const exit = yield* Fiber.await(fiber)
      assert.isTrue(Exit.isSuccess(exit), `expected a success after the wait, got ${describeExit(exit)}`)
      assert.strictEqual(server.requests.length, 2)
    })))

  /** Interrupts `fiber` while it waits; asserts the interruption completes without the wait ending. */
  const interruptDuringWait = (fiber: Fiber.RuntimeFiber<unknown, unknown>, server: Server.HostileServer) =>
    Effect.gen(function*() {
      const sent = server.requests.length
      // a daemon: when the interruption cannot complete, the test must still end
      const interrupter = yield* Effect.forkDaemon(Fiber.interrupt(fiber))
      for (let i = 0; i < 40 && (yield* Fiber.poll(interrupter))._tag === "None"; i++) yield* sleepReal(5)
      // (when it did not return, the fiber is left waiting: the test ends, and the fiber with it)
      assert.isTrue(
        (yield* Fiber.poll(interrupter))._tag === "Some",
        "the interruption returned while the throttle wait was pending"
      )
      // let every wait still pending end, so that anything sent after the interruption reaches the server
      yield* TestClock.adjust("1 day")
      yield* sleepReal(50)
      yield* server.idle
      assert.strictEqual(server.requests.length, sent, "nothing more was sent after the interruption")
    })

  it.effect("a throttle wait of the client is interruptible, and nothing more is sent", () =>
    Effect.scoped(Effect.gen(function*() {
      const server = yield* Server.make(throttled({ "retry-after": "99999999" }))
      const since = yield* Clock.currentTimeMillis
      const fiber = yield* Effect.forkDaemon(
        CommunicationServices.regenerateKey({ ...parts, keyType: "Secondary" }).pipe(
          Effect.provide(
            clientLayer(transport, server, token, { retry: RetryPolicy.defaultPolicy, timeout: attemptTimeout })
          )
        )
      )
      yield* server.received(1)
      yield* pendingWait(since)
      yield* interruptDuringWait(fiber, server)
    })))

  const rotationServer = (regenerate: Server.Handler): Server.Handler => (request, response) =>
    request.url.includes("/listKeys") ? Server.send(response, 200, keys) : regenerate(request, response)

  it.effect("a throttle wait inside a rotation's regeneration is interruptible; nothing more is sent or published", () =>
    Effect.scoped(Effect.gen(function*() {
      const server = yield* Server.make(rotationServer(throttled({ "retry-after": "99999999" })))
      const published: Array<string> = []
      const since = yield* Clock.currentTimeMillis
      const fiber = yield* Effect.forkDaemon(
        Rotation.rotate({ resourceId }, {
          publish: (key) => Effect.sync(() => published.push(key.keyType))
        }).pipe(Effect.provide(
          clientLayer(transport, server, token, { retry: RetryPolicy.defaultPolicy, timeout: attemptTimeout })
        ))
      )
      // the rotation's first request is its first regeneration (no listKeys first)
      yield* server.received(1)
      const wait = yield* pendingWait(since)
      assert.isAtMost(wait, 60_000, "the wait honoured is capped at maxRetryAfter")
      yield* interruptDuringWait(fiber, server)
      assert.deepStrictEqual(published, [], "a throttled regeneration changed nothing, so nothing was published")
    })))

  it.effect("a fleet's throttle wait is capped at maxRetryAfter (60 s) and interruptible", () =>
    Effect.scoped(Effect.gen(function*() {
      const server = yield* Server.make(rotationServer(throttled({ "retry-after": "99999999" })))
      const since = yield* Clock.currentTimeMillis
      const fiber = yield* Effect.forkDaemon(
        Rotation.rotateFleet(Stream.make({ resourceId }), {
          publish: () => Effect.void,
          budget: false
        }).pipe(Effect.provide(clientLayer(transport, server, token, { retry: false, timeout: attemptTimeout })))
      )
      // the rotation's first request is its first regeneration (no listKeys first)
      yield* server.received(1)
      const wait = yield* pendingWait(since)
      assert.isAtMost(wait, 60_000, "the fleet's wait after a Throttled is capped too")
      yield* interruptDuringWait(fiber, server)
    })))
})
