/**
 * Class 4 of issue 11: redirects are never followed. Any 3xx is `UnexpectedResponse` `UndeclaredStatus` with
 * that status, on every transport: the origin it points to (another loopback server that would answer 200
 * with other keys) receives nothing, the 3xx is not retried, and a rotation never publishes that origin's keys.
 */
import { CommunicationServices, Rotation } from "@effect-acs/core"
import { assertNoLeak, makeSpanRecorder } from "@effect-acs/testing"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as Server from "./server.js"
import {
  assertError,
  clientLayer,
  connectionString,
  failureOf,
  fastRetry,
  newKey,
  newToken,
  parts,
  resourceId,
  transports
} from "./support.js"

const redirects = [300, 301, 302, 303, 304, 307, 308] as const

const keysOf = (primary: string, secondary: string) => ({
  primaryKey: primary,
  primaryConnectionString: connectionString("acs-attack", primary),
  secondaryKey: secondary,
  secondaryConnectionString: connectionString("acs-attack", secondary)
})

describe.each(transports)("redirects over $name", (transport) => {
  const token = newToken()
  const own = keysOf(newKey(), newKey())
  const theirs = keysOf(newKey(), newKey())
  const secrets = [theirs.primaryKey, theirs.secondaryKey, own.primaryKey, own.secondaryKey, token]

  /** The origin a redirect points to: it would answer 200 with other keys, to anything. */
  const elsewhere = Server.make((_, response) => Server.send(response, 200, theirs))

  const redirecting = (status: number, location: (url: string) => string): Server.Handler => (request, response) =>
    Server.send(response, status, { error: { code: "Moved", message: "see elsewhere" } }, {
      location: location(request.url),
      "retry-after": "0"
    })

  for (const status of redirects) {
    for (const call of ["regenerateKey", "listKeys"] as const) {
      it.live(`a ${status} to another origin (${call}) is UndeclaredStatus ${status}; that origin gets nothing`, () =>
        Effect.scoped(Effect.gen(function*() {
          const other = yield* elsewhere
          const server = yield* Server.make(redirecting(status, (url) => `${other.url}${url}`))
          const recorder = makeSpanRecorder()
          const exit = yield* Effect.exit(
            (call === "regenerateKey"
              ? CommunicationServices.regenerateKey({ ...parts, keyType: "Secondary" })
              : CommunicationServices.listKeys(parts)).pipe(
                Effect.provide(clientLayer(transport, server, token, { retry: fastRetry })),
                Effect.provide(recorder.layer)
              )
          )
          yield* server.idle
          yield* other.idle
          assert.strictEqual(other.requests.length, 0, "the origin redirected to received no request")
          const error = failureOf(exit, `UnexpectedResponse UndeclaredStatus ${status}`)
          assertError(error, { _tag: "UnexpectedResponse", reason: "UndeclaredStatus", status })
          assert.strictEqual(server.requests.length, 1, "a 3xx is not retried")
          yield* assertNoLeak(error, secrets, recorder)
        })))
    }

    it.live(`a ${status} to a path of the same origin is UndeclaredStatus ${status}, not followed`, () =>
      Effect.scoped(Effect.gen(function*() {
        const server = yield* Server.make((request, response) =>
          request.url.startsWith("/elsewhere")
            ? Server.send(response, 200, theirs)
            : redirecting(status, () => "/elsewhere/regenerateKey")(request, response)
        )
        const exit = yield* Effect.exit(
          CommunicationServices.regenerateKey({ ...parts, keyType: "Primary" }).pipe(
            Effect.provide(clientLayer(transport, server, token, { retry: fastRetry }))
          )
        )
        yield* server.idle
        assert.deepStrictEqual(
          server.requests.map((request) => request.url.split("?")[0]),
          [`${resourceId}/regenerateKey`],
          "one request, to the resource: the redirect was not followed, nor the 3xx retried"
        )
        const error = failureOf(exit, `UnexpectedResponse UndeclaredStatus ${status}`)
        assertError(error, { _tag: "UnexpectedResponse", reason: "UndeclaredStatus", status })
        yield* assertNoLeak(error, secrets)
      })))

    it.live(`a rotation whose regeneration is answered ${status} never publishes the other origin's keys`, () =>
      Effect.scoped(Effect.gen(function*() {
        const other = yield* elsewhere
        const server = yield* Server.make((request, response) =>
          request.url.includes("/listKeys")
            ? Server.send(response, 200, own)
            : redirecting(status, (url) => `${other.url}${url}`)(request, response)
        )
        const published: Array<string> = []
        const recorder = makeSpanRecorder()
        const exit = yield* Effect.exit(
          Rotation.rotate({ resourceId }, {
            publish: (key) => Effect.sync(() => published.push(Redacted.value(key.key))),
            recoveryDelay: "10 millis",
            settle: "100 millis"
          }).pipe(
            Effect.provide(clientLayer(transport, server, token, { retry: fastRetry })),
            Effect.provide(recorder.layer)
          )
        )
        yield* server.idle
        yield* other.idle
        for (const key of published) {
          assert.isTrue(
            key === own.primaryKey || key === own.secondaryKey,
            `published a key that is not the resource's own${
              key === theirs.primaryKey || key === theirs.secondaryKey ? ": the other origin's" : ""
            }`
          )
        }
        assert.strictEqual(other.requests.length, 0, "the origin redirected to received no request")
        const error = failureOf(exit, "RotationFailed")
        assertError(error, { _tag: "RotationFailed" })
        yield* assertNoLeak(error, secrets, recorder)
      })))
  }
})
