import { Emulator, EmulatorError } from "@effect-acs/emulator"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as Queue from "effect/Queue"
import * as Redacted from "effect/Redacted"
import * as util from "node:util"
import { keyPattern, other, resource, respond } from "./helpers.js"

/** Every 88-character base64 string in a text: what a leaked key would look like. */
const keyLike = /[A-Za-z0-9+/]{86}==/

describe("Emulator as a library", () => {
  it.scoped("addResource serves a new resource, sets keys of an existing one; removeResource takes it away", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.make({ resources: [resource] })
      const added = yield* emulator.addResource({ ...other, communicationServiceName: "added-acs" })
      assert.match(Redacted.value(added.primaryKey), keyPattern)
      const ref = { ...other, communicationServiceName: "ADDED-ACS" }
      const listed = yield* respond(emulator, { operation: "listKeys", ref })
      assert.strictEqual(listed.status, 200)
      assert.strictEqual(listed.body.primaryKey, Redacted.value(added.primaryKey))

      const before = yield* emulator.keys(resource)
      const updated = yield* emulator.addResource({ ...resource, primaryKey: "bmV3LWtleQ==" })
      assert.strictEqual(Redacted.value(updated.primaryKey), "bmV3LWtleQ==")
      assert.strictEqual(Redacted.value(updated.secondaryKey), Redacted.value(before.secondaryKey))

      assert.deepStrictEqual(
        (yield* emulator.resources).map((r) => r.communicationServiceName).sort(),
        ["added-acs", "my-acs"]
      )
      yield* emulator.removeResource(ref)
      assert.strictEqual((yield* respond(emulator, { operation: "listKeys", ref })).status, 404)
      const unknown = yield* Effect.flip(emulator.keys(ref))
      assert.strictEqual(unknown._tag, "UnknownResourceError")
      assert.strictEqual((yield* Effect.flip(emulator.removeResource(ref)))._tag, "UnknownResourceError")
    }))

  it.scoped("a resource with bad names or a bad key is refused with InvalidResourceError, never quoting the key", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.make({ resources: [resource] })
      const badName = yield* Effect.flip(emulator.addResource({ ...resource, communicationServiceName: "a.b" }))
      assert.strictEqual(badName._tag, "InvalidResourceError")
      assert.include(badName.message, "communicationServiceName")
      const secret = "not base64 but secret!"
      const badKey = yield* Effect.flip(emulator.addResource({ ...resource, secondaryKey: Redacted.make(secret) }))
      assert.strictEqual(badKey._tag, "InvalidResourceError")
      assert.include(badKey.message, "secondaryKey")
      assert.notInclude(badKey.message, secret)
      const atStart = yield* Effect.flip(Emulator.make({ resources: [{ ...resource, resourceGroupName: "" }] }))
      assert.strictEqual(atStart._tag, "InvalidResourceError")
    }))

  it.scoped("stats count requests per status, throttled and regenerations; the request log holds no key", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.make({ resources: [resource], throttle: { capacity: 3, refillPerSecond: 1 } })
      yield* respond(emulator, { headers: { "x-ms-client-request-id": "client-1" } })
      yield* respond(emulator, { operation: "listKeys" })
      yield* respond(emulator, { token: null })
      yield* respond(emulator, { body: { keyType: "x" } })
      yield* respond(emulator)
      const stats = yield* emulator.stats
      assert.deepStrictEqual(stats, {
        requests: 5,
        byStatus: { 200: 2, 400: 1, 401: 1, 429: 1 },
        throttled: 1,
        dropped: 0,
        faults: 0,
        regenerations: 1,
        inFlight: 0,
        aborted: 0
      })
      const log = yield* emulator.requestLog
      assert.deepStrictEqual(log.map((e) => e.status), [200, 200, 401, 400, 429])
      assert.deepStrictEqual(log.map((e) => e.code), [
        undefined,
        undefined,
        "AuthenticationFailed",
        "InvalidRequestContent",
        "TooManyRequests"
      ])
      assert.deepStrictEqual(log.map((e) => e.operation), [
        "regenerateKey",
        "listKeys",
        "regenerateKey",
        "regenerateKey",
        "regenerateKey"
      ])
      assert.strictEqual(log[0]?.clientRequestId, "client-1")
      assert.strictEqual(log[0]?.subscriptionId, resource.subscriptionId)
      assert.notMatch(JSON.stringify(log), keyLike)
      assert.notMatch(JSON.stringify(stats), keyLike)

      yield* emulator.resetStats
      assert.strictEqual((yield* emulator.stats).requests, 0)
      assert.lengthOf(yield* emulator.requestLog, 0)
    }))

  it.scoped("the request log keeps the newest requestLogSize entries", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.make({ resources: [resource], requestLogSize: 2 })
      yield* respond(emulator, { path: "/a" })
      yield* respond(emulator, { path: "/b" })
      yield* respond(emulator, { path: "/c" })
      assert.deepStrictEqual((yield* emulator.requestLog).map((e) => e.path), ["/b", "/c"])
      assert.strictEqual((yield* emulator.stats).requests, 3)
    }))

  it.scoped("keys are Redacted: no rendering shows them", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.make({ resources: [resource] })
      const keys = yield* emulator.keys(resource)
      for (const text of [String(keys.primaryKey), JSON.stringify(keys), util.inspect(keys, { depth: Infinity })]) {
        assert.notMatch(text, keyLike)
        assert.include(text, "<redacted>")
      }
    }))

  it.scoped("layer: a scoped layer exposing the service; url is loopback with the chosen port", () =>
    Effect.gen(function*() {
      const context = yield* Layer.build(Emulator.layer({ resources: [resource] }))
      const emulator = yield* Effect.provide(Emulator.Emulator, context)
      assert.strictEqual(emulator.host, "127.0.0.1")
      assert.isAbove(emulator.port, 0)
      assert.strictEqual(emulator.url, `http://127.0.0.1:${emulator.port}`)
      assert.strictEqual((yield* respond(emulator)).status, 200)
    }))

  it.live("serve runs in the foreground, logs its URL and never a key, and stops when interrupted", () =>
    Effect.gen(function*() {
      const lines = yield* Queue.unbounded<string>()
      const all: Array<string> = []
      const logger = Logger.make(({ message }) => {
        const line = Array.isArray(message) ? message.map(String).join(" ") : String(message)
        all.push(line)
        Queue.unsafeOffer(lines, line)
      })
      const fiber = yield* Effect.fork(
        Emulator.serve({ resources: [resource] }).pipe(Effect.provide(Logger.replace(Logger.defaultLogger, logger)))
      )
      const line = yield* Queue.take(lines)
      const url = /http:\/\/127\.0\.0\.1:\d+/.exec(line)?.[0]
      assert.isDefined(url)
      const port = Number(new URL(url!).port)
      const service = { url: url!, host: "127.0.0.1", port } as Emulator.Service
      const reply = yield* respond(service)
      assert.strictEqual(reply.status, 200)
      yield* Fiber.interrupt(fiber)
      assert.notMatch(all.join("\n"), keyLike)
    }))

  it.scoped("inconsistent options fail with InvalidOptionsError", () =>
    Effect.gen(function*() {
      const cases: ReadonlyArray<readonly [Emulator.Options, string]> = [
        [{ port: -1 }, "port"],
        [{ port: 1.5 }, "port"],
        [{ apiVersions: [] }, "apiVersions"],
        [{ apiVersions: ["2020-08-20&x"] }, "apiVersions"],
        [{ throttle: { capacity: 0 } }, "throttle.capacity"],
        [{ throttle: { refillPerSecond: 0 } }, "throttle.refillPerSecond"],
        [{ regenerateLatency: "soon" as any }, "regenerateLatency"],
        [{ requestLogSize: -1 }, "requestLogSize"],
        [{ faults: { errorRate: 1.5 } }, "faults.errorRate"],
        [{ faults: { dropRate: -0.1 } }, "faults.dropRate"],
        [{ faults: { errorRate: 0.6, dropRate: 0.6 } }, "faults"],
        [{ faults: { errorStatuses: [] } }, "faults.errorStatuses"],
        [{ faults: { latency: { min: "2 seconds", max: "1 second" } } }, "faults.latency"]
      ]
      for (const [options, option] of cases) {
        const error = yield* Effect.flip(Emulator.make({ resources: [resource], ...options }))
        assert.instanceOf(error, EmulatorError.InvalidOptionsError, option)
        assert.strictEqual((error as EmulatorError.InvalidOptionsError).option, option)
      }
    }))

  it.scoped("a port in use fails with ListenError", () =>
    Effect.gen(function*() {
      const first = yield* Emulator.make({ resources: [resource] })
      const error = yield* Effect.flip(Emulator.make({ resources: [resource], port: first.port }))
      assert.strictEqual(error._tag, "ListenError")
      assert.strictEqual((error as EmulatorError.ListenError).port, first.port)
    }))
})
