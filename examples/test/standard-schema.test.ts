import { assert, describe, it } from "@effect/vitest"
import { parseRegenerateRequest } from "../src/standard-schema.js"

describe("schema.md: standard-schema.ts", () => {
  it("accepts any letter case and returns the canonical key type", async () => {
    assert.deepStrictEqual(await parseRegenerateRequest({ keyType: "secondary" }), { ok: true, keyType: "Secondary" })
    assert.deepStrictEqual(await parseRegenerateRequest({}), { ok: true, keyType: undefined })
  })

  it("rejects anything else with issues", async () => {
    const result = await parseRegenerateRequest({ keyType: "Tertiary" })
    assert.isFalse(result.ok)
    assert.isAbove(result.ok ? 0 : result.issues.length, 0)
  })
})
