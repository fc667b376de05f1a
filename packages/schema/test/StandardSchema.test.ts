import { StandardSchema } from "@effect-acs/schema"
import { assert, describe, it } from "@effect/vitest"
import { sValidator } from "@hono/standard-validator"
import * as Redacted from "effect/Redacted"
import { Hono } from "hono"

describe("StandardSchema", () => {
  it("validates through the Standard Schema v1 interface", async () => {
    const ok = await StandardSchema.RegenerateKeyParameters["~standard"].validate({ keyType: "secondary" })
    assert.isUndefined(ok.issues)
    assert.strictEqual((ok as { value: { keyType: string } }).value.keyType, "Secondary")
    const bad = await StandardSchema.RegenerateKeyParameters["~standard"].validate({ keyType: "both" })
    assert.isDefined(bad.issues)
    assert.deepStrictEqual(bad.issues?.[0]?.path, ["keyType"])
    assert.include(bad.issues?.[0]?.message, "\"Primary\" or \"Secondary\"")
    assert.strictEqual(StandardSchema.KeyType["~standard"].vendor, "effect")
  })

  it("plugs into Hono's sValidator as a request body validator", async () => {
    const app = new Hono().post(
      "/rotate",
      sValidator("json", StandardSchema.RegenerateKeyParameters),
      (c) => c.json({ regenerating: c.req.valid("json").keyType ?? "none" })
    )
    const ok = await app.request("/rotate", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ keyType: "PRIMARY" })
    })
    assert.strictEqual(ok.status, 200)
    assert.deepStrictEqual(await ok.json(), { regenerating: "Primary" })
    const bad = await app.request("/rotate", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ keyType: "Tertiary" })
    })
    assert.strictEqual(bad.status, 400)
  })

  it("yields Redacted secrets from a validated response body", async () => {
    const result = await StandardSchema.CommunicationServiceKeys["~standard"].validate({ primaryKey: "1234" })
    const keys = (result as { value: { primaryKey?: Redacted.Redacted<string> } }).value
    assert.isTrue(Redacted.isRedacted(keys.primaryKey))
    assert.strictEqual(Redacted.value(keys.primaryKey!), "1234")
  })

  it("reports a bad connection string without quoting it", async () => {
    const result = await StandardSchema.ConnectionString["~standard"].validate("endpoint=nope;accesskey=SECRET123")
    assert.isDefined(result.issues)
    assert.notInclude(JSON.stringify(result.issues), "SECRET123")
  })
})
