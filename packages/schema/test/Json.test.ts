import { Json } from "@effect-acs/schema"
import { assert, describe, it } from "@effect/vitest"
import * as Either from "effect/Either"
import * as FastCheck from "effect/FastCheck"

/** How deep a parsed value nests (a scalar is 0, `[]` and `{}` are 1). */
const nesting = (value: unknown): number =>
  typeof value === "object" && value !== null
    ? 1 + Math.max(0, ...Object.values(value as Record<string, unknown>).map(nesting))
    : 0

describe("Json", () => {
  it("parses JSON within the depth limit", () => {
    assert.deepStrictEqual(Json.parse("{\"a\": [1, {\"b\": \"x\"}]}"), Either.right({ a: [1, { b: "x" }] }))
    assert.deepStrictEqual(Json.parse("\"[[[[\""), Either.right("[[[["))
    const nested = "[".repeat(64) + "]".repeat(64)
    assert.isTrue(Either.isRight(Json.parse(nested)))
  })

  it("refuses nesting past the limit, in one pass, whatever the bracket kind or the text after it", () => {
    for (const depth of [65, 1_000, 1_000_000]) {
      for (const text of ["[".repeat(depth) + "]".repeat(depth), "{\"a\":".repeat(depth) + "1" + "}".repeat(depth)]) {
        const result = Json.parse(text)
        assert.isTrue(Either.isLeft(result))
        if (Either.isLeft(result)) assert.strictEqual(result.left.reason, "TooDeep")
      }
    }
    // unterminated: still measured, still refused, no stack used
    assert.isTrue(Either.isLeft(Json.parse("[".repeat(2_000_000))))
    assert.strictEqual(Json.depth("[1, [2, [3]]]"), 3)
    assert.strictEqual(Json.depth("\"\\\"[[[\""), 0)
    assert.isTrue(Either.isRight(Json.parse("[[1]]", { maxDepth: 2 })))
    assert.isTrue(Either.isLeft(Json.parse("[[[1]]]", { maxDepth: 2 })))
  })

  it("says Syntax for text that is not JSON, without quoting it", () => {
    const result = Json.parse("<html>secret-token-abc</html>")
    assert.isTrue(Either.isLeft(result))
    if (Either.isLeft(result)) {
      assert.strictEqual(result.left.reason, "Syntax")
      assert.notInclude(result.left.message, "secret-token-abc")
    }
  })

  it("measures the depth JSON.parse finds, for any JSON (strings with brackets, quotes and escapes included)", () => {
    const text = FastCheck.string({ unit: FastCheck.constantFrom("[", "]", "{", "}", "\"", "\\", "a", "\u00e9") })
    const json = FastCheck.letrec((tie) => ({
      value: FastCheck.oneof(
        { depthSize: "small", withCrossShrink: true },
        FastCheck.constant(null),
        FastCheck.integer(),
        text,
        FastCheck.array(tie("value"), { maxLength: 4 }),
        FastCheck.dictionary(text, tie("value"), { maxKeys: 4 })
      )
    })).value
    FastCheck.assert(
      FastCheck.property(json, FastCheck.nat(3), (value, spaces) => {
        const source = JSON.stringify(value, null, spaces)
        const depth = nesting(value)
        assert.strictEqual(Json.depth(source), depth, source)
        assert.deepStrictEqual(Json.parse(source, { maxDepth: depth }), Either.right(JSON.parse(source)))
        if (depth > 0) {
          const refused = Json.parse(source, { maxDepth: depth - 1 })
          assert.isTrue(Either.isLeft(refused) && refused.left.reason === "TooDeep", source)
        }
      }),
      { seed: 20261203, numRuns: 2000 }
    )
  })

  it("any text at all: a value JSON.parse agrees with, or a JsonError; never a throw", () => {
    FastCheck.assert(
      FastCheck.property(
        FastCheck.string({ unit: FastCheck.constantFrom("[", "]", "{", "}", "\"", "\\", ",", ":", "1", "a", " ") }),
        (source) => {
          const result = Json.parse(source)
          let expected: unknown
          try {
            expected = JSON.parse(source)
          } catch {
            assert.isTrue(Either.isLeft(result), source)
            return
          }
          assert.deepStrictEqual(result, Either.right(expected), source)
        }
      ),
      { seed: 20261203, numRuns: 5000 }
    )
  })
})
