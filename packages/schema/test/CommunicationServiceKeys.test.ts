import { CommunicationServiceKeys, ConnectionString } from "@effect-acs/schema"
import { renderings } from "@effect-acs/testing"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"

const Keys = CommunicationServiceKeys.CommunicationServiceKeys

// The documented sample response of Regenerate Key (api-version 2020-08-20).
const documentedSample = {
  primaryKey: "1234",
  primaryConnectionString: "endpoint=http://example.com;accesskey=1234"
}

const secretKey = "c2VjcmV0LWtleS10aGF0LW11c3Qtbm90LWxlYWs="
const secretConnectionString = `endpoint=https://acs.communication.azure.com/;accesskey=${secretKey}`

describe("CommunicationServiceKeys", () => {
  it.effect("decodes the documented sample response, secrets Redacted", () =>
    Effect.gen(function*() {
      const keys = yield* Schema.decodeUnknown(Keys)(documentedSample)
      assert.isTrue(Redacted.isRedacted(keys.primaryKey))
      assert.strictEqual(Redacted.value(keys.primaryKey!), "1234")
      assert.strictEqual(Redacted.value(keys.primaryConnectionString!), "endpoint=http://example.com;accesskey=1234")
      assert.isUndefined(keys.secondaryKey)
      assert.isUndefined(keys.secondaryConnectionString)
      const parts = yield* Schema.decode(ConnectionString.ConnectionStringFromRedacted)(keys.primaryConnectionString!)
      assert.strictEqual(parts.endpoint, "http://example.com")
      assert.strictEqual(Redacted.value(parts.accessKey), "1234")
    }))

  it.effect("encodes back to the plain wire strings", () =>
    Effect.gen(function*() {
      const keys = yield* Schema.decodeUnknown(Keys)(documentedSample)
      assert.deepStrictEqual(yield* Schema.encode(Keys)(keys), documentedSample)
    }))

  it.effect("decodes all four fields of a List Keys response and ignores unknown fields", () =>
    Effect.gen(function*() {
      const keys = yield* Schema.decodeUnknown(Keys)({
        primaryKey: "p",
        secondaryKey: "s",
        primaryConnectionString: "endpoint=https://a/;accesskey=p",
        secondaryConnectionString: "endpoint=https://a/;accesskey=s",
        somethingNew: true
      })
      assert.strictEqual(Redacted.value(keys.secondaryKey!), "s")
      assert.strictEqual(Redacted.value(keys.secondaryConnectionString!), "endpoint=https://a/;accesskey=s")
    }))

  it.effect("rejects a key that is not a string", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(Schema.decodeUnknown(Keys)({ primaryKey: 1234 }))
      assert.include(error.message, "[\"primaryKey\"]")
    }))

  it.effect("never renders a key or connection string as text", () =>
    Effect.gen(function*() {
      const keys = yield* Schema.decodeUnknown(Keys)({
        primaryKey: secretKey,
        secondaryKey: secretKey,
        primaryConnectionString: secretConnectionString,
        secondaryConnectionString: secretConnectionString
      })
      const texts = [...yield* renderings(keys), ...yield* renderings(keys.primaryKey), ...yield* renderings({ keys })]
      assert.isAtLeast(texts.length, 15)
      for (const text of texts) {
        assert.notInclude(text, secretKey)
        assert.notInclude(text, "accesskey=")
      }
      assert.include(texts[0], "<redacted>")
    }))
})
