import { ConnectionString } from "@effect-acs/schema"
import { renderings } from "@effect-acs/testing"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"

const decode = Schema.decodeUnknown(ConnectionString.ConnectionString)
const encode = Schema.encode(ConnectionString.ConnectionString)

const key = "bWFkZS11cC1hY2Nlc3Mta2V5LWZvci10ZXN0cw=="

describe("ConnectionString", () => {
  it.effect("decodes endpoint and access key, the key Redacted, and encodes back", () =>
    Effect.gen(function*() {
      const input = `endpoint=https://my-acs.communication.azure.com/;accesskey=${key}`
      const parts = yield* decode(input)
      assert.strictEqual(parts.endpoint, "https://my-acs.communication.azure.com/")
      assert.isTrue(Redacted.isRedacted(parts.accessKey))
      assert.strictEqual(Redacted.value(parts.accessKey), key)
      assert.strictEqual(yield* encode(parts), input)
    }))

  it.effect("accepts keys in any letter case and order, and a trailing ';'", () =>
    Effect.gen(function*() {
      for (
        const input of [
          `ENDPOINT=https://a.communication.azure.com/;AccessKey=${key}`,
          `accesskey=${key};endpoint=https://a.communication.azure.com/`,
          `AccessKey=${key};Endpoint=https://a.communication.azure.com/;`,
          `endpoint=http://example.com;accesskey=${key};`
        ]
      ) {
        const parts = yield* decode(input)
        assert.strictEqual(Redacted.value(parts.accessKey), key, input)
        assert.match(parts.endpoint, /^https?:\/\//)
      }
    }))

  it.effect("keeps '=' inside the access key (base64 padding)", () =>
    Effect.gen(function*() {
      const parts = yield* decode("endpoint=https://a/;accesskey=ab==")
      assert.strictEqual(Redacted.value(parts.accessKey), "ab==")
    }))

  it.effect("rejects malformed strings with a message that never quotes the access key", () =>
    Effect.gen(function*() {
      const cases: ReadonlyArray<readonly [string, string]> = [
        [`accesskey=${key}`, "Missing \"endpoint=\""],
        ["endpoint=https://a.communication.azure.com/", "Missing or empty \"accesskey=\""],
        ["endpoint=https://a.communication.azure.com/;accesskey=", "Missing or empty \"accesskey=\""],
        [`endpoint=ftp://a.example/;accesskey=${key}`, "absolute http(s) URL"],
        [`endpoint=/relative;accesskey=${key}`, "absolute http(s) URL"],
        [`endpoint=https://a/;accesskey=${key};accesskey=${key}`, "more than once"],
        [`endpoint=https://a/;accesskey=${key};region=west`, "Unexpected key"],
        [`endpoint=https://a/;${key}`, "Unexpected key"],
        [`endpoint=https://a/;accesskey`, "key=value"],
        ["", "Missing \"endpoint=\""]
      ]
      for (const [input, expected] of cases) {
        const error = yield* Effect.flip(decode(input))
        assert.include(error.message, expected, input)
        for (const text of [error.message, ...yield* renderings(error)]) {
          assert.notInclude(text, key, input)
        }
      }
    }))

  it.effect("decodes from and encodes to a Redacted connection string", () =>
    Effect.gen(function*() {
      const input = Redacted.make(`endpoint=https://a.communication.azure.com/;accesskey=${key}`)
      const parts = yield* Schema.decode(ConnectionString.ConnectionStringFromRedacted)(input)
      assert.strictEqual(Redacted.value(parts.accessKey), key)
      const back = yield* Schema.encode(ConnectionString.ConnectionStringFromRedacted)(parts)
      assert.strictEqual(Redacted.value(back), Redacted.value(input))
      const error = yield* Effect.flip(
        Schema.decode(ConnectionString.ConnectionStringFromRedacted)(Redacted.make(`endpoint=nope;accesskey=${key}`))
      )
      assert.notInclude(error.message, key)
    }))

  it.effect("never renders the parsed access key as text", () =>
    Effect.gen(function*() {
      const parts = yield* decode(`endpoint=https://a.communication.azure.com/;accesskey=${key}`)
      const texts = yield* renderings(parts)
      assert.include(texts[0], "https://a.communication.azure.com/")
      for (const text of texts) assert.notInclude(text, key)
    }))
})
