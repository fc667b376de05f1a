import { DataPlane, NodeTransport } from "@effect-acs/core"
import type { Rotation } from "@effect-acs/core"
import { assertNoSecret } from "@effect-acs/testing"
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import { createHmac } from "node:crypto"
import * as Http from "node:http"
import type { AddressInfo } from "node:net"

/**
 * The documented scheme (learn.microsoft.com, "Sign an HTTP request" for Communication Services) on fixed
 * values: the key is the base64 of "example-access-key-for-documentation-only"; the body hash is the SHA-256
 * of the empty body; the signature was computed apart from this code, with
 * `printf 'GET\n/phoneNumbers?top=1&api-version=2022-12-01\nTue, 01 Dec 2026 12:00:00 GMT;contoso.communication.azure.com;47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=' | openssl dgst -sha256 -mac HMAC -macopt hexkey:$(printf %s "$KEY" | base64 -d | xxd -p | tr -d '\n') -binary | base64`
 * (and again with Python's hmac module).
 */
const example = {
  accessKey: "ZXhhbXBsZS1hY2Nlc3Mta2V5LWZvci1kb2N1bWVudGF0aW9uLW9ubHk=",
  url: "https://contoso.communication.azure.com/phoneNumbers?top=1&api-version=2022-12-01",
  date: Date.UTC(2026, 11, 1, 12, 0, 0),
  xMsDate: "Tue, 01 Dec 2026 12:00:00 GMT",
  contentHash: "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=",
  signature: "se4N+SlofqT4c7/QOsCz91hpit9Wj3EXzx+jDh4bCjM="
}

const resourceId = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Communication/communicationServices/acs"

/** A data plane on loopback that checks signatures on its own (node:crypto, not the code under test). */
const dataPlane = (answer: (request: Http.IncomingMessage, valid: boolean, response: Http.ServerResponse) => void) =>
  Effect.acquireRelease(
    Effect.async<{ readonly url: string; readonly seen: Array<string>; readonly server: Http.Server }>((resume) => {
      const seen: Array<string> = []
      const server = Http.createServer((request, response) => {
        seen.push(`${request.method} ${request.url}`)
        const date = String(request.headers["x-ms-date"])
        const hash = String(request.headers["x-ms-content-sha256"])
        const stringToSign = `${request.method}\n${request.url}\n${date};${request.headers.host};${hash}`
        const expected = createHmac("sha256", Buffer.from(example.accessKey, "base64")).update(stringToSign).digest(
          "base64"
        )
        const valid = request.headers.authorization ===
          `HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=${expected}`
        answer(request, valid, response)
      })
      server.listen(0, "127.0.0.1", () =>
        resume(Effect.succeed({
          url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
          seen,
          server
        })))
    }),
    ({ server }) =>
      Effect.sync(() => server.closeAllConnections()).pipe(Effect.zipRight(Effect.sync(() => server.close())))
  )

const keyFor = (endpoint: string, accessKey = example.accessKey): Rotation.PublishedKey => ({
  resourceId,
  keyType: "Secondary",
  key: Redacted.make(accessKey),
  connectionString: Redacted.make(`endpoint=${endpoint};accesskey=${accessKey}`)
})

const json = (response: Http.ServerResponse, status: number, body: unknown) => {
  response.writeHead(status, { "content-type": "application/json", "x-ms-request-id": "req-1" })
  response.end(JSON.stringify(body))
}

describe("DataPlane.sign", () => {
  it.effect("signs the documented example exactly", () =>
    Effect.gen(function*() {
      const headers = yield* DataPlane.sign({
        method: "GET",
        url: example.url,
        accessKey: Redacted.make(example.accessKey),
        date: example.date
      })
      assert.deepStrictEqual(headers, {
        "x-ms-date": example.xMsDate,
        "x-ms-content-sha256": example.contentHash,
        authorization: `HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=${example.signature}`
      })
    }))

  it.effect("a key that is not base64 is refused before anything is signed, and not quoted", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(
        DataPlane.sign({ method: "GET", url: example.url, accessKey: Redacted.make("not base64!secret"), date: 0 })
      )
      assert.strictEqual(error._tag, "InvalidConnectionString")
      yield* assertNoSecret(error, ["not base64!secret"])
    }))
})

describe("DataPlane.verify over real HTTP", () => {
  it.scoped("succeeds when the key authenticates; the request is the harmless probe, signed", () =>
    Effect.gen(function*() {
      const server = yield* dataPlane((_, valid, response) =>
        valid ? json(response, 200, { phoneNumbers: [] }) : json(response, 401, {})
      )
      yield* DataPlane.verify(keyFor(server.url))
      assert.deepStrictEqual(server.seen, ["GET /phoneNumbers?top=1&api-version=2022-12-01"])
    }).pipe(Effect.provide(NodeTransport.layer)))

  it.scoped("an endpoint with a path keeps it: the probe is relative to the endpoint", () =>
    Effect.gen(function*() {
      const server = yield* dataPlane((_, valid, response) => json(response, valid ? 200 : 401, {}))
      yield* DataPlane.verify(keyFor(`${server.url}acs/sub/rg/name`))
      assert.deepStrictEqual(server.seen, ["GET /acs/sub/rg/name/phoneNumbers?top=1&api-version=2022-12-01"])
    }).pipe(Effect.provide(NodeTransport.layer)))

  it.scoped("a refused key fails with KeyRejected, never quoting the key even when the server does", () =>
    Effect.gen(function*() {
      const other = Buffer.from("another-key-that-the-server-will-not-take").toString("base64")
      const server = yield* dataPlane((_, valid, response) =>
        valid
          ? json(response, 200, {})
          : json(response, 401, { error: { code: "Denied", message: `Denied for accesskey=${other}` } })
      )
      const error = yield* Effect.flip(DataPlane.verify(keyFor(server.url, other)))
      assert.strictEqual(error._tag, "KeyRejected")
      if (error._tag !== "KeyRejected") return
      assert.strictEqual(error.status, 401)
      assert.strictEqual(error.code, "Denied")
      assert.strictEqual(error.requestId, "req-1")
      assert.include(error.message, "refused the Secondary key")
      yield* assertNoSecret(error, [other])
    }).pipe(Effect.provide(NodeTransport.layer)))

  it.scoped("a 403 is a refusal; a 503, a redirect (not followed) and a huge body are typed apart, bounded", () =>
    Effect.gen(function*() {
      let status = 403
      const server = yield* dataPlane((request, _, response) => {
        if (request.url?.startsWith("/elsewhere")) return json(response, 200, {})
        if (status === 302) {
          response.writeHead(302, { location: "/elsewhere" })
          return response.end()
        }
        if (status === 413) {
          response.writeHead(401, { "content-type": "application/json" })
          return response.end("x".repeat(1024 * 1024))
        }
        json(response, status, { error: { code: "ServiceUnavailable", message: "try later" } })
      })
      const verify = (key: Rotation.PublishedKey) => Effect.flip(DataPlane.verifyWith({ maxResponseBytes: 1024 })(key))
      assert.strictEqual((yield* verify(keyFor(server.url)))._tag, "KeyRejected")
      status = 503
      const unavailable = yield* verify(keyFor(server.url))
      assert.strictEqual(unavailable._tag, "DataPlaneUnexpectedResponse")
      assert.include(unavailable.message, "ServiceUnavailable: try later")
      status = 302
      const redirected = yield* verify(keyFor(server.url)).pipe(Effect.provide(FetchHttpClient.layer))
      assert.strictEqual(redirected._tag, "DataPlaneUnexpectedResponse")
      assert.isFalse(server.seen.some((line) => line.includes("/elsewhere")), "the redirect was not followed")
      status = 413
      const huge = yield* verify(keyFor(server.url))
      assert.strictEqual(huge._tag, "KeyRejected")
      assert.isBelow(huge.message.length, 400)
    }).pipe(Effect.provide(NodeTransport.layer)))

  it.scopedLive("no answer is a timeout; nobody listening is a transport error", () =>
    Effect.gen(function*() {
      const server = yield* dataPlane(() => {})
      const timedOut = yield* Effect.flip(DataPlane.verifyWith({ timeout: "200 millis" })(keyFor(server.url)))
      assert.strictEqual(timedOut._tag, "DataPlaneTransportError")
      assert.strictEqual(timedOut._tag === "DataPlaneTransportError" ? timedOut.reason : "", "Timeout")
      const refused = yield* Effect.flip(DataPlane.verify(keyFor("http://127.0.0.1:1/")))
      assert.strictEqual(refused._tag, "DataPlaneTransportError")
    }).pipe(Effect.provide(NodeTransport.layer)))

  it.scoped("a bad connection string, or plain http to another host, is refused before any I/O", () =>
    Effect.gen(function*() {
      const server = yield* dataPlane((_, __, response) => json(response, 200, {}))
      for (
        const key of [
          keyFor("http://contoso.communication.azure.com/"),
          keyFor(server.url, "not-base64!"),
          { ...keyFor(server.url), connectionString: Redacted.make("accesskey=abc") }
        ]
      ) {
        const error = yield* Effect.flip(DataPlane.verify(key))
        assert.strictEqual(error._tag, "InvalidConnectionString")
        yield* assertNoSecret(error, ["not-base64!"])
      }
      assert.deepStrictEqual(server.seen, [])
    }).pipe(Effect.provide(NodeTransport.layer)))
})
