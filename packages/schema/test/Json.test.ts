import { Json } from "@effect-acs/schema"
import { assert, describe, it } from "@effect/vitest"
import * as Either from "effect/Either"

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
})
