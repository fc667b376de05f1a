/**
 * Class 5 of issue 11: secrets through side doors. Whatever a server puts in any response header (its value or
 * its name), in any ARM error field, in a non-JSON or non-conforming body, or in a broken response, and the
 * caller's own token echoed back, in any encoding: none of it reaches an error's message, `String`,
 * `JSON.stringify`, `util.inspect`, `Cause.pretty`, a log line or a recorded span (the platform's
 * `http.client` span included). Plain request ids are kept. No trace context is sent to the server.
 */
import { CommunicationServices } from "@effect-acs/core"
import { assertNoLeak, makeSpanRecorder } from "@effect-acs/testing"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as crypto from "node:crypto"
import * as Server from "./server.js"
import {
  assertError,
  assertKeys,
  clientLayer,
  connectionString,
  describeExit,
  errorStatuses,
  failureOf,
  newJwt,
  newKey,
  newToken,
  parts,
  transports
} from "./support.js"

const base64url = (base64: string) => base64.replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "")

/** A bearer token with nothing secret-looking about it but being the caller's: only its exact value can tell. */
const plainToken = () => `session-${crypto.randomBytes(12).toString("hex")}-${crypto.randomBytes(12).toString("hex")}`

describe.each(transports)("side doors over $name", (transport) => {
  const [k1, k2, k3, k4, k5] = [newKey(), newKey(), newKey(), newKey(), newKey()]
  const token = newToken()
  const jwt = newJwt()
  const cs3 = connectionString("acs-attack", k3)
  const secrets = [k1, k2, k3, k4, k5, token, jwt]
  const keys = { primaryKey: k4, primaryConnectionString: connectionString("acs-attack", k4) }

  /** Secrets in every kind of header: request ids, content-type, www-authenticate, others, and a header name. */
  const secretHeaders: Server.Headers = {
    "x-ms-request-id": k1,
    "x-ms-correlation-request-id": `accesskey=${k2}`,
    "x-ms-client-request-id": encodeURIComponent(k3),
    "content-type": `application/json; charset=utf-8; profile="${k1}"`,
    "www-authenticate":
      `Bearer authorization_uri="https://login.example", error="invalid_token", error_description="${jwt}"`,
    "x-ms-failure-cause": token,
    "x-echo": cs3,
    "x-ms-ratelimit-remaining-subscription-writes": k2,
    "retry-after": base64url(k1),
    [`x-${base64url(k5)}`]: "1"
  }

  const exchange = (
    handler: Server.Handler,
    options: { readonly token?: string; readonly call?: "regenerateKey" | "listKeys" } = {}
  ) =>
    Effect.scoped(Effect.gen(function*() {
      const server = yield* Server.make(handler)
      const recorder = makeSpanRecorder()
      const exit = yield* Effect.exit(
        Effect.flatMap(CommunicationServices.CommunicationServices, (client) =>
          options.call === "listKeys"
            ? client.listKeysResponse(parts)
            : client.regenerateKeyResponse({ ...parts, keyType: "Primary" })).pipe(
            Effect.withSpan("caller"),
            Effect.provide(clientLayer(transport, server, options.token ?? token)),
            Effect.provide(recorder.layer)
          )
      )
      return { exit, recorder, server }
    }))

  for (const [status, tag] of errorStatuses) {
    it.live(`secrets in every response header of a ${status} reach no rendering and no span (${tag})`, () =>
      Effect.gen(function*() {
        const { exit, recorder } = yield* exchange((_, response) =>
          Server.send(response, status, { error: { code: "Refused", message: "refused" } }, secretHeaders)
        )
        const error = failureOf(exit, tag)
        assertError(error, { _tag: tag, status, code: "Refused" })
        yield* assertNoLeak(error, secrets, recorder)
      }))
  }

  it.live("secrets in every response header of a 200 reach neither the KeysResponse nor a span; the keys do", () =>
    Effect.gen(function*() {
      const { exit, recorder } = yield* exchange((_, response) => Server.send(response, 200, keys, secretHeaders))
      assert.isTrue(Exit.isSuccess(exit), `expected a success, got ${describeExit(exit)}`)
      if (Exit.isSuccess(exit)) {
        assertKeys(exit.value.keys, keys)
        yield* assertNoLeak(exit.value, secrets, recorder)
      }
    }))

  it.live("a 200 that is not JSON, with secrets in its content-type and body, is NotJson and quotes neither", () =>
    Effect.gen(function*() {
      const { exit, recorder } = yield* exchange((_, response) =>
        Server.send(response, 200, `<html>your key is ${k1}, ${cs3}</html>`, {
          ...secretHeaders,
          "content-type": `text/html; charset=${k2}`
        })
      )
      const error = failureOf(exit, "UnexpectedResponse NotJson")
      assertError(error, { _tag: "UnexpectedResponse", reason: "NotJson", status: 200 })
      yield* assertNoLeak(error, secrets, recorder)
    }))

  const nonConforming: ReadonlyArray<readonly [string, unknown]> = [
    ["a key of the wrong type beside a valid one", { primaryKey: k1, primaryConnectionString: 5 }],
    ["keys wrapped in arrays and objects", {
      primaryKey: [k1],
      secondaryKey: { value: k2 },
      primaryConnectionString: { cs: cs3 }
    }],
    ["a key as a number, secrets under other names", { primaryKey: 12345, [k5]: k2, token }]
  ]
  for (const [name, body] of nonConforming) {
    it.live(`a non-conforming 200 (${name}) is NonConformingBody and quotes no value`, () =>
      Effect.gen(function*() {
        const { exit, recorder } = yield* exchange((_, response) => Server.send(response, 200, body))
        const error = failureOf(exit, "UnexpectedResponse NonConformingBody")
        assertError(error, { _tag: "UnexpectedResponse", reason: "NonConformingBody", status: 200 })
        yield* assertNoLeak(error, secrets, recorder)
      }))
  }

  const leakyError = {
    error: {
      code: "KeyLeak",
      message: `The key ${k1} is not valid`,
      target: cs3,
      details: [{
        code: "Detail",
        message: `token ${token}`,
        target: jwt,
        details: [{ code: "Deeper", message: `Authorization: Bearer ${token}`, target: `accesskey=${k2}` }],
        additionalInfo: [{ type: k5, info: { key: k1 } }]
      }],
      additionalInfo: [{ type: "PolicyViolation", info: { connectionString: cs3, key: k2, nested: { jwt, k: [k5] } } }]
    }
  }

  for (const [status, tag] of errorStatuses) {
    it.live(`secrets in every ARM error field of a ${status} are masked (${tag}), the rest is kept`, () =>
      Effect.gen(function*() {
        const { exit, recorder } = yield* exchange((_, response) => Server.send(response, status, leakyError))
        const error = failureOf(exit, tag) as unknown as Record<string, unknown> & {
          readonly armMessage?: string
          readonly details: ReadonlyArray<{ readonly code?: string; readonly message?: string }>
        }
        assertError(error, { _tag: tag, status, code: "KeyLeak" })
        assert.strictEqual(error.armMessage, "The key <redacted> is not valid", "the secret is masked, the text kept")
        assert.strictEqual(error.details[0]?.code, "Detail", "details are kept")
        yield* assertNoLeak(error, secrets, recorder)
      }))
  }

  it.live("a secret as the ARM error code itself is masked", () =>
    Effect.gen(function*() {
      const { exit, recorder } = yield* exchange((_, response) =>
        Server.send(response, 404, { error: { code: k1, message: "m" } })
      )
      const error = failureOf(exit, "NotFound")
      assertError(error, { _tag: "NotFound", status: 404 })
      yield* assertNoLeak(error, secrets, recorder)
    }))

  for (
    const [status, tag] of [[401, "AuthenticationFailed"], [403, "AuthorizationFailed"], [400, "BadRequest"]] as const
  ) {
    for (const [kind, own] of [["an opaque token", token], ["a token of plain words and hex", plainToken()]] as const) {
      it.live(`the caller's own bearer token (${kind}) echoed in a ${status} body and header is masked (${tag})`, () =>
        Effect.gen(function*() {
          const { exit, recorder, server } = yield* exchange(
            (request, response) =>
              Server.send(response, status, {
                error: {
                  code: "InvalidAuthenticationToken",
                  message: `The access token '${own}' is invalid. Received: ${request.headers.authorization}`,
                  target: encodeURIComponent(own),
                  details: [{ code: "Echo", message: base64url(own) }, { code: "Echo2", message: own.toUpperCase() }]
                }
              }, { "www-authenticate": `Bearer error="invalid_token", error_description="${own}"` }),
            { token: own }
          )
          assert.strictEqual(server.requests[0]?.headers.authorization, `Bearer ${own}`, "the token was sent")
          const error = failureOf(exit, tag)
          assertError(error, { _tag: tag, status, code: "InvalidAuthenticationToken" })
          yield* assertNoLeak(error, [own, ...secrets], recorder)
        }))
    }
  }

  it.live("keys percent-encoded (%2B %2F %3D, either case), unpadded or base64url in a message are masked", () =>
    Effect.gen(function*() {
      const { exit, recorder } = yield* exchange((_, response) =>
        Server.send(response, 400, {
          error: {
            code: "Encoded",
            message: `encoded=${encodeURIComponent(k1)} lower=${
              encodeURIComponent(k2).replace(/%[0-9A-F]{2}/g, (escape) => escape.toLowerCase())
            } unpadded=${k3.replace(/=+$/, "")} url=${base64url(k4)} urlpadded=${
              k5.replace(/\+/g, "-").replace(/\//g, "_")
            }`,
            target: `https://x.example/?accesskey=${encodeURIComponent(k1)}&sig=${encodeURIComponent(k2)}`
          }
        }, { "x-ms-request-id": encodeURIComponent(k3), "x-other": base64url(k4) })
      )
      const error = failureOf(exit, "BadRequest")
      assertError(error, { _tag: "BadRequest", status: 400, code: "Encoded" })
      yield* assertNoLeak(error, secrets, recorder)
    }))

  it.live("a JWT and connection strings (plain and percent-encoded) in a message are masked", () =>
    Effect.gen(function*() {
      const { exit, recorder } = yield* exchange((_, response) =>
        Server.send(response, 409, {
          error: {
            code: "Conflict",
            message: `id token ${jwt}; connection ${cs3}; encoded ${encodeURIComponent(connectionString("b", k1))}`,
            target: `Endpoint=https://c.communication.azure.com/;AccessKey=${k2};`
          }
        })
      )
      const error = failureOf(exit, "Conflict")
      assertError(error, { _tag: "Conflict", status: 409 })
      yield* assertNoLeak(error, secrets, recorder)
    }))

  it.live("a 500 that is an HTML page quoting keys is ServiceError and quotes nothing", () =>
    Effect.gen(function*() {
      const { exit, recorder } = yield* exchange((_, response) =>
        Server.send(response, 500, `<html><body>${k1} ${cs3} ${token} ${jwt}</body></html>`, {
          "content-type": "text/html"
        })
      )
      const error = failureOf(exit, "ServiceError")
      assertError(error, { _tag: "ServiceError", status: 500 })
      yield* assertNoLeak(error, secrets, recorder)
    }))

  it.live("a connection cut in the middle of a 200 carrying a key is a TransportError that quotes nothing", () =>
    Effect.gen(function*() {
      const { exit, recorder } = yield* exchange((_, response) => {
        response.writeHead(200, { "content-type": "application/json", "content-length": "4096" })
        response.write(`{"primaryKey":"${k1}","primaryConnectionString":"${cs3}`)
        setTimeout(() => response.destroy(), 20)
      })
      const error = failureOf(exit, "TransportError")
      assertError(error, { _tag: "TransportError" })
      yield* assertNoLeak(error, secrets, recorder)
    }))

  const malformed: ReadonlyArray<readonly [string, string]> = [
    ["a header value with a control character after a key", `HTTP/1.1 200 OK\r\nx-key: ${k1}\x01\r\n\r\n`],
    ["a status line whose reason is a key", `HTTP/1.1 500 ${k1}\r\ncontent-length: 2\r\n\r\n{}`],
    ["a key instead of a status line", `${k1} ${cs3}\r\n\r\n`],
    ["a header line without a colon, holding a key", `HTTP/1.1 200 OK\r\n${k1}\r\n\r\n`]
  ]
  for (const [name, raw] of malformed) {
    it.live(`a malformed response (${name}) is a typed error that quotes nothing`, () =>
      Effect.gen(function*() {
        const { exit, recorder } = yield* exchange((_, response) => {
          response.socket?.end(raw)
        })
        const error = failureOf(exit, "a typed error")
        yield* assertNoLeak(error, secrets, recorder)
      }))
  }

  it.live("plain UUID request ids survive intact, in errors and in responses", () =>
    Effect.gen(function*() {
      const requestId = crypto.randomUUID()
      const correlationRequestId = crypto.randomUUID()
      const ids = { "x-ms-request-id": requestId, "x-ms-correlation-request-id": correlationRequestId }
      const failed = yield* exchange((_, response) =>
        Server.send(response, 400, { error: { code: "Bad", message: "bad" } }, ids)
      )
      const error = failureOf(failed.exit, "BadRequest")
      assertError(error, { _tag: "BadRequest", requestId, correlationRequestId })
      assert.include(error.message, requestId, "the message names the request id")
      const succeeded = yield* exchange((_, response) => Server.send(response, 200, keys, ids))
      assert.isTrue(Exit.isSuccess(succeeded.exit), `expected a success, got ${describeExit(succeeded.exit)}`)
      if (Exit.isSuccess(succeeded.exit)) {
        assert.strictEqual(succeeded.exit.value.requestId, requestId)
        assert.strictEqual(succeeded.exit.value.correlationRequestId, correlationRequestId)
      }
    }))

  for (const call of ["regenerateKey", "listKeys"] as const) {
    it.live(`no trace context (traceparent, b3, ...) is sent to the server, even inside a span (${call})`, () =>
      Effect.gen(function*() {
        const { exit, recorder, server } = yield* exchange((_, response) => Server.send(response, 200, keys), { call })
        assert.isTrue(Exit.isSuccess(exit), `expected a success, got ${describeExit(exit)}`)
        assert.isAbove(recorder.spans.length, 1, "spans were recorded: a tracer was active")
        const sent = Object.keys(server.requests[0]?.headers ?? {})
        assert.deepStrictEqual(
          sent.filter((name) => /^(traceparent|tracestate|b3|x-b3-.*|baggage|uber-trace-id)$/i.test(name)),
          [],
          "trace context headers sent"
        )
      }))
  }
})
