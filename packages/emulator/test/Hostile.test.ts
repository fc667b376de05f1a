import { Emulator, type EmulatorState } from "@effect-acs/emulator"
import { ErrorResponse } from "@effect-acs/schema"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import * as Net from "node:net"
import { pathOf, resource, respond } from "./helpers.js"
import { endless, raw, type RawReply } from "./raw.js"

const decodeError = Schema.decodeUnknownSync(Schema.parseJson(ErrorResponse.ErrorResponse))

/** The reply is an ARM error with this status and code, as JSON. */
const assertArm = (reply: RawReply, status: number, code: string, label = "") => {
  assert.strictEqual(reply.status, status, `${label}: ${reply.text.slice(0, 200)}`)
  assert.match(String(reply.headers["content-type"]), /^application\/json/, label)
  assert.strictEqual(decodeError(reply.text).error?.code, code, label)
  assert.match(String(reply.headers["x-ms-request-id"]), /^[0-9a-f-]{36}$/, label)
}

const primaryKey = (emulator: Emulator.Service, ref: EmulatorState.ResourceRef = resource) =>
  Effect.map(emulator.keys(ref), (keys) => Redacted.value(keys.primaryKey))

/** The emulator still answers, and still regenerates. */
const assertServing = (emulator: Emulator.Service) =>
  Effect.gen(function*() {
    assert.strictEqual((yield* respond(emulator, { operation: "listKeys" })).status, 200)
    const reply = yield* respond(emulator)
    assert.strictEqual(reply.status, 200)
    assert.strictEqual(reply.body.primaryKey, yield* primaryKey(emulator))
  })

/** Nothing answered 500 (the only 500s the emulator may give are injected faults and failed saves). */
const assertNo500 = (emulator: Emulator.Service) =>
  Effect.map(emulator.stats, (stats) => assert.isUndefined(stats.byStatus[500], JSON.stringify(stats.byStatus)))

const nested = (levels: number, open: string, close: string, inner = "1") =>
  open.repeat(levels) + inner + close.repeat(levels)

/** A small seeded generator (xorshift32), so a failing fuzz case can be replayed. */
const bytesFrom = (seed: number) => {
  let state = seed >>> 0 || 1
  const next = () => {
    state ^= state << 13
    state ^= state >>> 17
    state ^= state << 5
    return (state >>> 0) / 4294967296
  }
  return (length: number) => Uint8Array.from({ length }, () => Math.floor(next() * 256))
}

const mib = 1024 * 1024

describe("Emulator under attack: request bodies are bounded while they are read", () => {
  it.scopedLive("an endless chunked body gets 413 while the client is still writing, then the connection is cut", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.make({ resources: [resource] })
      const before = yield* primaryKey(emulator)
      // an emulator that read the body to its end would answer only once the client gave up, at 256 MiB
      const outcome = yield* endless(emulator, { cap: 256 * mib, headers: { "transfer-encoding": "chunked" } })
      assert.strictEqual(outcome.status, 413)
      assert.strictEqual(decodeError(outcome.text).error?.code, "RequestEntityTooLarge")
      assert.isFalse(outcome.ended)
      assert.isTrue(outcome.writableAfterAnswer)
      assert.isBelow(outcome.written, 256 * mib)
      // the client kept writing after the answer: the emulator closed the connection rather than drain forever
      assert.isTrue(outcome.closedByServer)
      assert.strictEqual(yield* primaryKey(emulator), before)
      assert.strictEqual((yield* emulator.stats).byStatus[413], 1)
      yield* assertServing(emulator)
    }))

  it.scopedLive("a content-length over the limit gets 413 before anything is read, before authentication", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.make({ resources: [resource] })
      // the client sends its headers and holds its body back: only the declared length can tell
      const outcome = yield* endless(emulator, {
        cap: 256 * mib,
        holdBody: true,
        headers: { "content-length": String(1024 * 1024 * mib), authorization: "Bearer unknown" }
      })
      assert.strictEqual(outcome.status, 413)
      assert.strictEqual(decodeError(outcome.text).error?.code, "RequestEntityTooLarge")
      assert.strictEqual(outcome.written, 0)
      assert.isFalse(outcome.ended)
      assert.isTrue(outcome.closedByServer)
      yield* assertServing(emulator)
    }))

  it.scopedLive("maxRequestBytes is the limit, with content-length or counted from a chunked body", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.make({ resources: [resource], maxRequestBytes: 100 })
      const body = (size: number) => `{"keyType": "Primary"}`.padEnd(size, " ")
      assert.strictEqual((yield* raw(emulator, { body: body(100) })).status, 200)
      assertArm(yield* raw(emulator, { body: body(101) }), 413, "RequestEntityTooLarge", "content-length")
      const chunked = { "transfer-encoding": "chunked" }
      assert.strictEqual((yield* raw(emulator, { body: body(100), headers: chunked })).status, 200)
      assertArm(yield* raw(emulator, { body: body(101), headers: chunked }), 413, "RequestEntityTooLarge", "chunked")
      // also for the operations without a body, and for paths the emulator does not serve
      assertArm(
        yield* raw(emulator, { path: `${pathOf(resource, "listKeys")}?api-version=2020-08-20`, body: body(101) }),
        413,
        "RequestEntityTooLarge",
        "listKeys"
      )
      assertArm(yield* raw(emulator, { path: "/elsewhere", body: body(101) }), 413, "RequestEntityTooLarge", "404")
      yield* assertServing(emulator)
    }))

  it.effect("maxRequestBytes is validated", () =>
    Effect.gen(function*() {
      for (const maxRequestBytes of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
        const error = yield* Effect.flip(Effect.scoped(Emulator.make({ maxRequestBytes })))
        assert.strictEqual(error._tag, "InvalidOptionsError", String(maxRequestBytes))
        if (error._tag === "InvalidOptionsError") assert.strictEqual(error.option, "maxRequestBytes")
      }
      assert.strictEqual(Emulator.defaultMaxRequestBytes, 64 * 1024)
    }))
})

describe("Emulator under attack: bad JSON at any depth is 400 InvalidRequestContent", () => {
  it.scopedLive("100k levels of arrays or objects, in the body or in keyType, never overflow: 400", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.make({ resources: [resource], maxRequestBytes: 8 * mib })
      const before = yield* primaryKey(emulator)
      const deep = 100_000
      const bodies: ReadonlyArray<readonly [string, string]> = [
        ["arrays", nested(deep, "[", "]")],
        ["objects", nested(deep, "{\"a\":", "}")],
        ["unclosed arrays", "[".repeat(deep)],
        ["keyType arrays", `{"keyType": ${nested(deep, "[", "]", "\"Primary\"")}}`],
        ["keyType objects", `{"keyType": ${nested(deep, "{\"keyType\":", "}", "\"Primary\"")}}`],
        ["beside keyType", `{"keyType": "Primary", "extra": ${nested(deep, "[", "]")}}`],
        ["details", `{"keyType": "Primary", "details": [${nested(deep, "{\"additionalInfo\": [", "]}")}]}`],
        // within the depth limit but not a valid keyType: the schema describes it
        ["keyType nested 50", `{"keyType": ${nested(50, "[", "]", "\"Primary\"")}}`]
      ]
      for (const [label, body] of bodies) {
        assertArm(yield* raw(emulator, { body }), 400, "InvalidRequestContent", label)
      }
      assert.strictEqual(yield* primaryKey(emulator), before)
      yield* assertNo500(emulator)
      yield* assertServing(emulator)
    }))

  it.scopedLive("within the default limit, 30k levels are refused as 400, not 413", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.make({ resources: [resource] })
      assertArm(yield* raw(emulator, { body: nested(30_000, "[", "]") }), 400, "InvalidRequestContent")
      yield* assertServing(emulator)
    }))
})

describe("Emulator under attack: whatever a client sends, the answer is an ARM error, never a 500", () => {
  it.scopedLive("random bytes, NUL bytes, invalid UTF-8, a BOM and odd content types: 400 InvalidRequestContent", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.make({ resources: [resource], throttle: false })
      const before = yield* primaryKey(emulator)
      const random = bytesFrom(20261201)
      const cases: Array<readonly [string, string | Uint8Array, string | undefined]> = []
      for (let i = 0; i < 60; i++) cases.push([`random ${i}`, random(1 + (i * 37) % 2000), "application/json"])
      cases.push(
        ["NUL in keyType", "{\"keyType\": \"Primary\u0000\"}", "application/json"],
        ["escaped NUL in keyType", "{\"keyType\": \"Primary\\u0000\"}", "application/json"],
        ["NUL bytes", new Uint8Array(512), "application/json"],
        ["NUL after the object", "{\"keyType\": \"Primary\"}\u0000", "application/json"],
        ["invalid UTF-8", Uint8Array.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]), "application/json"],
        ["lone surrogate bytes", Uint8Array.from([0x22, 0xed, 0xa0, 0x80, 0x22]), "application/json"],
        ["form", "keyType=Primary", "application/x-www-form-urlencoded"],
        ["xml", "<keyType>Primary</keyType>", "application/xml"],
        ["two BOMs", "\ufeff\ufeff{\"keyType\": \"Primary\"}", "application/json"],
        [
          "multipart",
          "--b\r\nContent-Disposition: form-data; name=\"keyType\"\r\n\r\nPrimary\r\n--b--",
          "multipart/form-data; boundary=b"
        ],
        ["a number", "1e999999", "application/json"],
        ["a string", "\"Primary\"", "application/json"],
        ["null", "null", "application/json"],
        ["an array", "[{\"keyType\": \"Primary\"}]", "application/json"],
        ["keyType null", "{\"keyType\": null}", "application/json"],
        ["keyType object", "{\"keyType\": {\"toString\": \"Primary\"}}", "application/json"],
        ["keyType huge", `{"keyType": "${"P".repeat(60_000)}"}`, "application/json"],
        ["__proto__", "{\"__proto__\": {\"keyType\": \"Primary\"}}", "application/json"],
        ["no content type", "not json", undefined]
      )
      for (const [label, body, contentType] of cases) {
        const reply = yield* raw(emulator, {
          body,
          headers: contentType === undefined ? { "content-type": "" } : { "content-type": contentType }
        })
        assertArm(reply, 400, "InvalidRequestContent", label)
      }
      assert.strictEqual(yield* primaryKey(emulator), before)
      // what is accepted: a UTF-8 byte order mark, and a JSON body whatever its declared content type
      for (
        const [label, body, contentType] of [
          ["BOM", "\ufeff{\"keyType\": \"Primary\"}", "application/json"],
          ["text/plain", "{\"keyType\": \"secondary\"}", "text/plain"]
        ] as const
      ) {
        assert.strictEqual(
          (yield* raw(emulator, { body, headers: { "content-type": contentType } })).status,
          200,
          label
        )
      }
      assert.strictEqual((yield* emulator.stats).regenerations, 2)
      yield* assertNo500(emulator)
      yield* assertServing(emulator)
    }))

  it.scopedLive("odd request targets and headers: ARM errors, and the emulator keeps serving", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.make({ resources: [resource], throttle: false })
      const base = pathOf(resource, "regenerateKey")
      const cases: ReadonlyArray<readonly [string, string, number, string]> = [
        ["bad percent-encoding in the query", `${base}?api-version=%ZZ`, 400, "InvalidApiVersionParameter"],
        [
          "bad percent-encoding in the path",
          base.replace(resource.subscriptionId, "%ZZ") + "?api-version=2020-08-20",
          404,
          "NotFound"
        ],
        ["a lone percent", base.replace(resource.resourceGroupName, "%") + "?api-version=2020-08-20", 404, "NotFound"],
        [
          "an encoded NUL",
          base.replace(resource.subscriptionId, "%00") + "?api-version=2020-08-20",
          400,
          "InvalidParameter"
        ],
        [
          "an encoded dot-segment",
          base.replace(resource.resourceGroupName, "..%2F") + "?api-version=2020-08-20",
          400,
          "InvalidParameter"
        ],
        ["an array api-version", `${base}?api-version[]=2020-08-20`, 400, "MissingApiVersionParameter"],
        [
          "a very long name",
          base.replace(resource.communicationServiceName, "a".repeat(4000)) + "?api-version=2020-08-20",
          400,
          "InvalidParameter"
        ],
        ["an asterisk", "*", 404, "NotFound"]
      ]
      for (const [label, path, status, code] of cases) {
        assertArm(yield* raw(emulator, { path, body: "{\"keyType\": \"Primary\"}" }), status, code, label)
      }
      const headers: ReadonlyArray<readonly [string, Record<string, string>, number, string]> = [
        ["a long token", { authorization: `Bearer ${"x".repeat(8000)}` }, 401, "InvalidAuthenticationToken"],
        ["two tokens", { authorization: "Bearer a b" }, 401, "AuthenticationFailed"],
        ["a Basic credential", { authorization: "Basic ZW11bGF0b3I6dG9rZW4=" }, 401, "AuthenticationFailed"]
      ]
      for (const [label, header, status, code] of headers) {
        assertArm(yield* raw(emulator, { headers: header, body: "{\"keyType\": \"Primary\"}" }), status, code, label)
      }
      // non-ASCII bytes in an echoed header are echoed as received, not a defect
      const echoed = yield* raw(emulator, {
        headers: { "x-ms-client-request-id": "caf\u00e9\u00ff" },
        body: "{\"keyType\": \"Primary\"}"
      })
      assert.strictEqual(echoed.status, 200)
      const seen = (yield* emulator.requestLog).at(-1)?.clientRequestId
      assert.match(seen ?? "", /^caf[^ -~]+$/)
      assert.strictEqual(echoed.headers["x-ms-client-request-id"], seen)
      yield* assertNo500(emulator)
      yield* assertServing(emulator)
    }))

  it.scopedLive("bytes that are not HTTP are Node's to refuse; the emulator keeps serving", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.make({ resources: [resource] })
      const random = bytesFrom(7)
      for (let i = 0; i < 10; i++) {
        const answer = yield* socketExchange(emulator.port, Buffer.from(random(200 + i * 50)))
        // Node answers 400 without a body, or just closes: never the emulator's 500
        assert.notInclude(answer, " 500 ")
      }
      // headers over Node's limit are Node's to refuse (431), before the emulator sees the request
      const huge = yield* raw(emulator, { headers: { "x-ms-client-request-id": "x".repeat(32 * 1024) } })
      assert.strictEqual(huge.status, 431)
      yield* assertNo500(emulator)
      yield* assertServing(emulator)
    }))

  it.scopedLive("a client that goes away in the middle of its body is not answered, and nothing is left behind", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.make({ resources: [resource] })
      const before = yield* primaryKey(emulator)
      const head = `POST ${pathOf(resource, "regenerateKey")}?api-version=2020-08-20 HTTP/1.1\r\n` +
        `Host: 127.0.0.1\r\nAuthorization: Bearer ${Emulator.defaultToken}\r\nContent-Type: application/json\r\n`
      yield* socketAbort(emulator.port, Buffer.from(`${head}Content-Length: 1000\r\n\r\n{"keyType": "Pri`, "latin1"))
      const stats = yield* emulator.awaitStats((s) => s.aborted === 1)
      assert.strictEqual(stats.inFlight, 0)
      assert.strictEqual(stats.requests, 0)
      assert.strictEqual(yield* primaryKey(emulator), before)
      yield* assertServing(emulator)
    }))
})

/** Writes bytes on a raw TCP connection, half-closes it, and gives what came back. */
const socketExchange = (port: number, bytes: Buffer) =>
  Effect.async<string>((resume) => {
    const socket = Net.connect(port, "127.0.0.1")
    const chunks: Array<Buffer> = []
    socket.on("data", (c: Buffer) => chunks.push(c))
    socket.on("close", () => resume(Effect.succeed(Buffer.concat(chunks).toString("latin1"))))
    socket.on("error", () => undefined)
    socket.end(bytes)
    return Effect.sync(() => socket.destroy())
  })

/** Writes bytes on a raw TCP connection and, once the emulator has begun the request, destroys the connection. */
const socketAbort = (port: number, bytes: Buffer) =>
  Effect.async<void>((resume) => {
    const socket = Net.connect(port, "127.0.0.1")
    socket.on("error", () => undefined)
    socket.on("close", () => resume(Effect.void))
    socket.write(bytes, () => socket.destroy())
    return Effect.sync(() => socket.destroy())
  })
