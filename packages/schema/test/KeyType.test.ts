import { KeyType } from "@effect-acs/schema"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"

const decode = Schema.decodeUnknown(KeyType.KeyType)

describe("KeyType", () => {
  it.effect("decodes either value in any letter case to the canonical spelling", () =>
    Effect.gen(function*() {
      for (const input of ["Primary", "primary", "PRIMARY", "pRiMaRy"]) {
        assert.strictEqual(yield* decode(input), "Primary")
      }
      for (const input of ["Secondary", "secondary", "SECONDARY", "sEcOnDaRy"]) {
        assert.strictEqual(yield* decode(input), "Secondary")
      }
    }))

  it.effect("encodes the canonical spelling", () =>
    Effect.gen(function*() {
      assert.strictEqual(yield* Schema.encode(KeyType.KeyType)("Primary"), "Primary")
      assert.strictEqual(yield* Schema.encode(KeyType.KeyType)("Secondary"), "Secondary")
    }))

  it.effect("rejects anything else with a message naming both allowed values", () =>
    Effect.gen(function*() {
      for (const input of [" primary", "primary ", "\tSecondary", "", "Tertiary", "primarykey", "prim"]) {
        const error = yield* Effect.flip(decode(input))
        assert.include(error.message, "\"Primary\" or \"Secondary\"", input)
        // a short word is quoted back; anything else is described by its length only (it could be a secret
        // pasted into the wrong field)
        assert.include(
          error.message,
          /^[A-Za-z]{1,16}$/.test(input) ? JSON.stringify(input) : `got ${input.length} other characters`
        )
      }
      const key = "c2VjcmV0LWtleS1tYXRlcmlhbC1ub3QtdG8tYmUtc2hvd24tYmFjaw=="
      assert.notInclude((yield* Effect.flip(decode(key))).message, key)
      for (const input of [1, null, undefined, {}, ["Primary"]]) {
        const error = yield* Effect.flip(decode(input))
        assert.strictEqual(error._tag, "ParseError")
      }
    }))

  it("lists the canonical values", () => {
    assert.deepStrictEqual(KeyType.values, ["Primary", "Secondary"])
  })
})
