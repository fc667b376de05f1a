import { RegenerateKeyParameters } from "@effect-acs/schema"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"

const Parameters = RegenerateKeyParameters.RegenerateKeyParameters

describe("RegenerateKeyParameters", () => {
  it.effect("decodes the documented request body and encodes it canonically", () =>
    Effect.gen(function*() {
      const body = yield* Schema.decodeUnknown(Parameters)({ keyType: "primary" })
      assert.strictEqual(body.keyType, "Primary")
      assert.deepStrictEqual(yield* Schema.encode(Parameters)(body), { keyType: "Primary" })
      assert.strictEqual(JSON.stringify(yield* Schema.encode(Parameters)(body)), "{\"keyType\":\"Primary\"}")
    }))

  it.effect("keeps keyType optional, as the API definition does", () =>
    Effect.gen(function*() {
      const body = yield* Schema.decodeUnknown(Parameters)({})
      assert.isFalse("keyType" in body)
      assert.deepStrictEqual(yield* Schema.encode(Parameters)(body), {})
    }))

  it.effect("rejects a keyType that is not one of the two", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(Schema.decodeUnknown(Parameters)({ keyType: "Both" }))
      assert.include(error.message, "[\"keyType\"]")
      assert.include(error.message, "\"Primary\" or \"Secondary\"")
    }))
})
