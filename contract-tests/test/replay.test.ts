import { Interaction, Replay } from "@effect-acs/contract-tests"
import { CommunicationServices } from "@effect-acs/core"
import { assert, describe, it } from "@effect/vitest"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import { armUrl, clientLayer, sampleResource, token, transports } from "./support.js"

const url = "https://management.azure.com/replay/unit?api-version=1"

const ping = (response: Interaction.Input["response"] = { status: 200, json: { ok: true } }) =>
  Interaction.make({ request: { method: "POST", url, json: { n: 1, tags: ["a", "b"] } }, response })

const send = (
  init: { readonly url?: string; readonly body?: string; readonly headers?: Record<string, string> } = {}
) =>
  Effect.promise(() =>
    fetch(init.url ?? url, {
      method: "POST",
      headers: { authorization: "Bearer live-token", "content-type": "application/json", ...init.headers },
      body: init.body ?? "{\"tags\":[\"a\",\"b\"],\"n\":1}"
    }).then(
      async (response) => ({ status: response.status, headers: response.headers, text: await response.text() }),
      () => "network error" as const
    )
  )

describe("replay", () => {
  it.effect("answers a matching request with the recorded response and copies the client request id", () =>
    Effect.gen(function*() {
      const response = yield* send({ headers: { "x-ms-client-request-id": "c0ffee00-0000-4000-8000-000000000001" } })
        .pipe(
          Replay.replay([ping({ status: 200, headers: { "x-ms-client-request-id": "recorded" }, json: { ok: true } })])
        )
      assert.notStrictEqual(response, "network error")
      if (response !== "network error") {
        assert.strictEqual(response.status, 200)
        assert.deepStrictEqual(JSON.parse(response.text), { ok: true })
        assert.strictEqual(response.headers.get("x-ms-client-request-id"), "c0ffee00-0000-4000-8000-000000000001")
        assert.strictEqual(response.headers.get("content-type"), "application/json")
      }
    }))

  it.effect("JSON bodies are compared structurally: key order does not matter, the query's order neither", () =>
    Effect.gen(function*() {
      const interaction = Interaction.make({
        request: { method: "POST", url: "https://management.azure.com/q?b=2&a=1", json: { n: 1, tags: ["a", "b"] } },
        response: { status: 204 }
      })
      const response = yield* send({ url: "https://management.azure.com/q?a=1&b=2" }).pipe(Replay.replay([interaction]))
      assert.notStrictEqual(response, "network error")
      if (response !== "network error") assert.strictEqual(response.status, 204)
    }))

  it.effect("recorded transfer headers (content-encoding, content-length) are not replayed", () =>
    Effect.gen(function*() {
      const response = yield* send().pipe(Replay.replay([ping({
        status: 200,
        headers: { "Content-Encoding": "gzip", "Content-Length": "999", "x-ms-request-id": "r-1" },
        json: { ok: true }
      })]))
      assert.notStrictEqual(response, "network error")
      if (response !== "network error") {
        assert.isNull(response.headers.get("content-encoding"))
        assert.strictEqual(response.headers.get("x-ms-request-id"), "r-1")
        assert.deepStrictEqual(JSON.parse(response.text), { ok: true })
      }
    }))

  it.effect("answers interactions once each and in order", () =>
    Effect.gen(function*() {
      const first = ping({ status: 200, json: { step: 1 } })
      const second = ping({ status: 200, json: { step: 2 } })
      const texts = yield* Effect.all([send(), send()]).pipe(Replay.replay([first, second]))
      assert.deepStrictEqual(texts.map((r) => r === "network error" ? r : JSON.parse(r.text)), [{ step: 1 }, {
        step: 2
      }])
    }))

  it.effect("fails with UnusedInteractions when an interaction is never requested", () =>
    Effect.gen(function*() {
      const error = yield* send().pipe(
        Replay.replay([ping(), Interaction.make({ request: { method: "GET", url }, response: { status: 200 } })]),
        Effect.flip
      )
      assert.strictEqual(error._tag, "UnusedInteractions")
      if (error._tag === "UnusedInteractions") {
        assert.deepStrictEqual(error.unused, [`#1 GET ${url} -> 200`])
        assert.strictEqual(error.answered, 1)
        assert.strictEqual(error.total, 2)
        assert.include(error.message, "1 of 2 interaction(s) were never requested")
      }
    }))

  it.effect("fails with UnexpectedRequest when a request arrives after every interaction was answered", () =>
    Effect.gen(function*() {
      const error = yield* Effect.all([send(), send()]).pipe(Replay.replay([ping()]), Effect.flip)
      assert.strictEqual(error._tag, "UnexpectedRequest")
      if (error._tag === "UnexpectedRequest") {
        assert.strictEqual(error.sequence, 2)
        assert.strictEqual(error.total, 1)
        assert.strictEqual(error.request, `POST ${url}`)
      }
    }))

  it.effect("an unanswered request gets a network error, like an unhandled request under msw's \"error\"", () =>
    Effect.gen(function*() {
      const outcome = yield* Effect.gen(function*() {
        const outcome = yield* send({ url: "https://elsewhere.example/" })
        const received = yield* Effect.flatMap(Replay.Replay, (replay) => replay.received)
        return { outcome, received }
      }).pipe(Replay.replay([ping()]), Effect.either)
      assert.strictEqual(outcome._tag, "Left")
      const direct = yield* Effect.scoped(Effect.gen(function*() {
        const replay = yield* Replay.make([ping()])
        const result = yield* send({ url: "https://elsewhere.example/" })
        const received = yield* replay.received
        return { result, received, verified: yield* Effect.flip(replay.verify) }
      }))
      assert.strictEqual(direct.result, "network error")
      assert.strictEqual(direct.received.length, 1)
      assert.isUndefined(direct.received[0]!.interaction)
      assert.strictEqual(direct.verified._tag, "RequestMismatch")
    }))

  it.effect("the token a request carried is masked wherever it appears, in any form, in the diff and in received", () =>
    Effect.gen(function*() {
      const token = "live-token/with+signs"
      const direct = yield* Effect.scoped(Effect.gen(function*() {
        const replay = yield* Replay.make([ping()])
        yield* send({
          url: `${url}&echo=${encodeURIComponent(token)}`,
          headers: { authorization: `Bearer ${token}`, "x-echo": token },
          body: JSON.stringify({ n: 2, tags: [token, encodeURIComponent(token)] })
        })
        return { received: yield* replay.received, verified: yield* Effect.flip(replay.verify) }
      }))
      assert.strictEqual(direct.verified._tag, "RequestMismatch")
      const texts = [JSON.stringify(direct.received), direct.verified.message, JSON.stringify(direct.verified)]
      for (const text of texts) {
        assert.notInclude(text, token)
        assert.notInclude(text, encodeURIComponent(token))
      }
      if (direct.verified._tag === "RequestMismatch") {
        assert.include(direct.verified.diff, "x-echo: <redacted>")
        assert.include(direct.verified.diff, "query: expected api-version=1, got api-version=1&echo=<redacted>")
      }
      assert.strictEqual(direct.received[0]!.url, `${url}&echo=<redacted>`)
    }))

  it.effect("a mismatch fails with a readable diff against the closest interaction, the bearer token masked", () =>
    Effect.gen(function*() {
      const interactions = [
        Interaction.make({
          request: { method: "POST", url: armUrl(sampleResource, "listKeys") },
          response: { status: 200, json: {} }
        }),
        Interaction.make({
          request: { method: "POST", url: armUrl(sampleResource, "regenerateKey"), json: { keyType: "Primary" } },
          response: { status: 200, json: { primaryKey: "1234" } }
        })
      ]
      const error = yield* CommunicationServices.listKeys(sampleResource).pipe(
        Effect.zipRight(CommunicationServices.regenerateKey({ ...sampleResource, keyType: "Secondary" })),
        Replay.replay(interactions),
        Effect.provide(clientLayer(transports[0]!.layer, { retry: false, apiVersion: "2023-04-01" })),
        Effect.flip
      )
      assert.strictEqual(error._tag, "RequestMismatch")
      if (error._tag === "RequestMismatch") {
        // the listKeys was the first request, compared with the first interaction (the only difference: the query)
        assert.strictEqual(error.sequence, 1)
        assert.strictEqual(error.closest, 0)
        assert.include(error.diff, "query: expected api-version=2020-08-20, got api-version=2023-04-01")
        assert.notInclude(error.diff, "path:")
        assert.notInclude(error.diff, "body")
        assert.include(error.diff, "authorization: Bearer <redacted>")
        assert.include(error.diff, "user-agent: effect-acs/")
        assert.include(error.message, error.diff)
        for (const text of [error.diff, error.message, JSON.stringify(error)]) assert.notInclude(text, token)
        assert.include(error.message, `Request #1 POST ${armUrl(sampleResource, "listKeys", "2023-04-01")}`)
        assert.strictEqual(error.expected, `POST ${armUrl(sampleResource, "listKeys")} -> 200`)
        assert.include(error.message, `does not match interaction #0 (${error.expected})`)
      }
    }))

  it.effect("the diff names the differing JSON fields, masks secrets in bodies and says when a bearer token is missing", () =>
    Effect.gen(function*() {
      const expected = Interaction.make({
        request: {
          method: "PUT",
          url: "https://management.azure.com/things/1?api-version=1",
          json: { keyType: "Primary", nested: { keep: 1 } }
        },
        response: { status: 200 }
      })
      const secret = "live-access-key-value-0123456789"
      const direct = yield* Effect.scoped(Effect.gen(function*() {
        const replay = yield* Replay.make([expected])
        yield* Effect.promise(() =>
          fetch("https://management.azure.com/things/2?api-version=1", {
            method: "POST",
            headers: { "content-type": "text/plain", cookie: "session=abcdef" },
            body: JSON.stringify({ keyType: "Secondary", connectionString: `endpoint=https://x/;accesskey=${secret}` })
          }).catch(() => undefined)
        )
        return yield* Effect.flip(replay.verify)
      }))
      assert.strictEqual(direct._tag, "RequestMismatch")
      if (direct._tag === "RequestMismatch") {
        const diff = direct.diff
        assert.include(diff, "method: expected PUT, got POST")
        assert.include(diff, "path:\n    expected /things/1\n    got      /things/2")
        assert.include(diff, "content-type: expected application/json, got text/plain")
        assert.include(diff, "at keyType: expected \"Primary\", got \"Secondary\"")
        assert.include(diff, "at nested: expected {\"keep\":1}, got nothing")
        assert.include(diff, "at connectionString: unexpected \"endpoint=https://x/;accesskey=<redacted>\"")
        assert.include(diff, "authorization: expected a bearer token, got none")
        assert.include(diff, "cookie: <redacted>")
        assert.notInclude(diff, secret)
        assert.notInclude(diff, "abcdef")
      }
    }))

  it.effect("a request that matches a later interaction is out of order, and the diff says so", () =>
    Effect.gen(function*() {
      const first = Interaction.make({
        request: { method: "GET", url: "https://management.azure.com/one" },
        response: { status: 200 }
      })
      const second = Interaction.make({
        request: { method: "GET", url: "https://management.azure.com/two" },
        response: { status: 200 }
      })
      const error = yield* Effect.promise(() =>
        fetch("https://management.azure.com/two", { headers: { authorization: "Bearer t" } }).catch(() => undefined)
      ).pipe(Replay.replay([first, second]), Effect.flip)
      assert.strictEqual(error._tag, "RequestMismatch")
      if (error._tag === "RequestMismatch") {
        assert.strictEqual(error.closest, 0)
        assert.include(error.diff, "it matches interaction #1 (GET https://management.azure.com/two -> 200)")
        assert.include(error.diff, "interactions are answered in order and #0 comes first")
      }
    }))

  it.effect("the closest interaction is the one with the fewest differences", () =>
    Effect.gen(function*() {
      const far = Interaction.make({
        request: { method: "PUT", url: "https://management.azure.com/a" },
        response: { status: 200 }
      })
      const near = Interaction.make({
        request: { method: "GET", url: "https://management.azure.com/b?x=1" },
        response: { status: 200 }
      })
      const error = yield* Effect.promise(() =>
        fetch("https://management.azure.com/b?x=2", { headers: { authorization: "Bearer t" } }).catch(() => undefined)
      ).pipe(Replay.replay([far, near]), Effect.flip)
      assert.strictEqual(error._tag, "RequestMismatch")
      if (error._tag === "RequestMismatch") {
        assert.strictEqual(error.closest, 1)
        assert.strictEqual(error.diff.split("\n")[0], "  query: expected x=1, got x=2")
      }
    }))

  it.effect("text bodies are compared exactly, and a body where none was recorded is a difference", () =>
    Effect.gen(function*() {
      const text = Interaction.make({
        request: { method: "POST", url, headers: { "content-type": "text/plain" }, text: "hello" },
        response: { status: 200 }
      })
      const error = yield* send({ headers: { "content-type": "text/plain" }, body: "hello!" }).pipe(
        Replay.replay([text]),
        Effect.flip
      )
      assert.strictEqual(error._tag, "RequestMismatch")
      if (error._tag === "RequestMismatch") assert.include(error.diff, "body: expected \"hello\", got \"hello!\"")
      const none = Interaction.make({ request: { method: "POST", url }, response: { status: 200 } })
      const error2 = yield* send().pipe(Replay.replay([none]), Effect.flip)
      assert.strictEqual(error2._tag, "RequestMismatch")
      if (error2._tag === "RequestMismatch") assert.include(error2.diff, "body: expected none, got")
    }))

  it.effect("Replay.layer provides a running replay; Replay.verify checks it", () =>
    Effect.gen(function*() {
      const [answered, verified] = yield* Effect.gen(function*() {
        yield* send()
        const replay = yield* Replay.Replay
        return [yield* replay.answered, yield* Effect.either(Replay.verify)] as const
      }).pipe(Effect.provide(Replay.layer([ping(), ping()])))
      assert.strictEqual(answered, 1)
      assert.strictEqual(verified._tag, "Left")
    }))

  it.effect("a failure of the program is returned as is when the replay verifies", () =>
    Effect.gen(function*() {
      const error = yield* CommunicationServices.regenerateKey({ ...sampleResource, keyType: "Primary" }).pipe(
        Replay.replay([Interaction.make({
          request: { method: "POST", url: armUrl(sampleResource, "regenerateKey"), json: { keyType: "Primary" } },
          response: { status: 200, text: "not json" }
        })]),
        Effect.provide(clientLayer(transports[0]!.layer, { retry: false })),
        Effect.flip
      )
      assert.strictEqual(error._tag, "UnexpectedResponse")
    }))

  it.effect("a replay inside a replay dies instead of waiting for itself", () =>
    Effect.gen(function*() {
      const exit = yield* Effect.void.pipe(Replay.replay([]), Replay.replay([]), Effect.exit)
      assert.isTrue(exit._tag === "Failure" && Cause.isDie(exit.cause))
      // the lock was released: the next replay runs
      const answered = yield* Effect.flatMap(Replay.Replay, (replay) => replay.answered).pipe(Replay.replay([]))
      assert.strictEqual(answered, 0)
    }))

  it.effect("replays run one at a time in a process", () =>
    Effect.gen(function*() {
      const keys = yield* Effect.all(
        [1, 2].map((n) =>
          CommunicationServices.regenerateKey({ ...sampleResource, keyType: "Primary" }).pipe(
            Replay.replay([Interaction.make({
              request: { method: "POST", url: armUrl(sampleResource, "regenerateKey"), json: { keyType: "Primary" } },
              response: { status: 200, json: { primaryKey: `key-${n}` } }
            })])
          )
        ),
        { concurrency: 2 }
      ).pipe(Effect.provide(clientLayer(transports[0]!.layer, { retry: false })))
      assert.deepStrictEqual(keys.map((k) => Redacted.value(k.primaryKey!)), ["key-1", "key-2"])
    }))
})
