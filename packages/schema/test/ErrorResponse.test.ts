import { ErrorResponse } from "@effect-acs/schema"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"

const decode = Schema.decodeUnknown(ErrorResponse.ErrorResponse)

describe("ErrorResponse", () => {
  it.effect("decodes a full ARM error body with nested details and additionalInfo", () =>
    Effect.gen(function*() {
      const body = yield* decode({
        error: {
          code: "InvalidRequestContent",
          message: "The request content was invalid.",
          target: "keyType",
          details: [{
            code: "InvalidKeyType",
            message: "keyType must be Primary or Secondary",
            details: [{ code: "Nested", message: "deeper" }]
          }],
          additionalInfo: [{ type: "PolicyViolation", info: { policyDefinitionId: "/x", rules: [1, 2] } }]
        }
      })
      assert.strictEqual(body.error?.code, "InvalidRequestContent")
      assert.strictEqual(body.error?.target, "keyType")
      assert.strictEqual(body.error?.details?.[0]?.code, "InvalidKeyType")
      assert.strictEqual(body.error?.details?.[0]?.details?.[0]?.message, "deeper")
      assert.strictEqual(body.error?.additionalInfo?.[0]?.type, "PolicyViolation")
      assert.deepStrictEqual(body.error?.additionalInfo?.[0]?.info, { policyDefinitionId: "/x", rules: [1, 2] })
    }))

  it.effect("is lenient: missing, extra, null and mistyped fields never fail the body", () =>
    Effect.gen(function*() {
      const empty = yield* decode({})
      assert.isUndefined(empty.error)
      const odd = yield* decode({
        error: {
          code: 429,
          message: null,
          target: { not: "a string" },
          details: "not an array",
          additionalInfo: [null, 7, { type: true, info: "a string is JSON too" }, { info: null }],
          innererror: { trace: "ignored" }
        },
        somethingElse: 1
      })
      assert.strictEqual(odd.error?.code, "429")
      assert.isUndefined(odd.error?.message)
      assert.isUndefined(odd.error?.target)
      assert.isUndefined(odd.error?.details)
      assert.strictEqual(odd.error?.additionalInfo?.length, 2)
      assert.strictEqual(odd.error?.additionalInfo?.[0]?.type, "true")
      assert.strictEqual(odd.error?.additionalInfo?.[0]?.info, "a string is JSON too")
      const errorNotAnObject = yield* decode({ error: "Bad Gateway" })
      assert.isUndefined(errorNotAnObject.error)
      const detailsWithJunk = yield* decode({ error: { details: [1, "x", { code: "Kept" }, null] } })
      assert.deepStrictEqual(detailsWithJunk.error?.details?.map((detail) => detail.code), ["Kept"])
    }))

  it.effect("fails only for a body that is not an object", () =>
    Effect.gen(function*() {
      for (const input of ["<html>502 Bad Gateway</html>", 42, null, [1]]) {
        const error = yield* Effect.flip(decode(input))
        assert.strictEqual(error._tag, "ParseError")
      }
    }))

  it.effect("encodes the documented shape", () =>
    Effect.gen(function*() {
      const body = yield* decode({
        error: { code: "Conflict", message: "busy", details: [{ code: "x" }], additionalInfo: [{ type: "t" }] }
      })
      assert.deepStrictEqual(yield* Schema.encode(ErrorResponse.ErrorResponse)(body), {
        error: { code: "Conflict", message: "busy", details: [{ code: "x" }], additionalInfo: [{ type: "t" }] }
      })
    }))
})
