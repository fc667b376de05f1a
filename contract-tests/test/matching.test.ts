import { Interaction, Replay } from "@effect-acs/contract-tests"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { randomBytes } from "node:crypto"

const acs =
  "https://management.azure.com/subscriptions/5f2c8a41-7d3e-4b6a-9c1f-0e8d7b6a5c43/resourceGroups/Contract-RG" +
  "/providers/Microsoft.Communication/communicationServices/Contoso-ACS"

const post = (url: string, body: string | undefined, headers: Record<string, string> = {}) =>
  Effect.promise(() =>
    fetch(url, {
      method: "POST",
      headers: {
        authorization: "Bearer live-token",
        ...(body === undefined ? {} : { "content-type": "application/json" }),
        ...headers
      },
      ...(body === undefined ? {} : { body })
    }).then((response) => response.status, () => "network error" as const)
  )

/** Sends one request to a replay of one interaction; the status it got and the replay's verdict. */
const against = (
  interaction: Interaction.Interaction,
  matching: "strict" | "arm",
  request: { readonly url: string; readonly body?: string | undefined; readonly headers?: Record<string, string> }
) =>
  Effect.scoped(Effect.gen(function*() {
    const replay = yield* Replay.make([interaction], { matching })
    const status = yield* post(request.url, request.body, request.headers)
    return { status, verdict: yield* Effect.either(replay.verify) }
  }))

const recorded = (input: Interaction.Input["request"]) =>
  Interaction.make({ request: input, response: { status: 200, json: { primaryKey: "Sanitized" } } })

/** Each request matches under "arm" and is rejected under "strict" (which keeps rejecting what it rejected). */
const armOnly = (
  name: string,
  interaction: Interaction.Interaction,
  request: { readonly url: string; readonly body?: string | undefined; readonly headers?: Record<string, string> }
) =>
  it.effect(name, () =>
    Effect.gen(function*() {
      const arm = yield* against(interaction, "arm", request)
      assert.strictEqual(arm.status, 200)
      assert.strictEqual(arm.verdict._tag, "Right")
      const strict = yield* against(interaction, "strict", request)
      assert.strictEqual(strict.status, "network error")
      assert.strictEqual(strict.verdict._tag === "Left" && strict.verdict.left._tag, "RequestMismatch")
    }))

describe("matching: \"arm\"", () => {
  armOnly(
    "fixed segments, resource names and the action in any letter case",
    recorded({
      method: "POST",
      url: `${acs.toLowerCase()}/regeneratekey?api-version=2023-04-01`,
      json: { keyType: "Primary" }
    }),
    { url: `${acs}/regenerateKey?api-version=2023-04-01`, body: "{\"keyType\":\"Primary\"}" }
  )

  armOnly(
    "a recorded placeholder segment (the zero UUID, Sanitized) matches the real one",
    recorded({
      method: "POST",
      url: acs.replace("5f2c8a41-7d3e-4b6a-9c1f-0e8d7b6a5c43", "00000000-0000-0000-0000-000000000000")
        .replace("Contract-RG", "Sanitized") + "/listKeys?api-version=2023-04-01"
    }),
    { url: `${acs}/listKeys?api-version=2023-04-01`, body: undefined }
  )

  armOnly(
    "a recorded text body that is JSON is compared as JSON: whitespace and key order aside",
    Interaction.make({
      request: {
        method: "POST",
        url: `${acs}/regenerateKey?api-version=2023-04-01`,
        headers: { "content-type": "application/json; charset=utf-8" },
        text: "{\r\n  \"keyType\" : \"Secondary\"\r\n}"
      },
      response: { status: 200, json: {} }
    }),
    { url: `${acs}/regenerateKey?api-version=2023-04-01`, body: "{\"keyType\":\"Secondary\"}" }
  )

  armOnly(
    "query parameters as a set, names in any letter case",
    recorded({ method: "POST", url: `${acs}/listKeys?API-Version=2023-04-01&x=1&x=1` }),
    { url: `${acs}/listKeys?x=1&api-version=2023-04-01`, body: undefined }
  )

  armOnly(
    "List Keys: no recorded body matches an empty object, and the content type is then not compared",
    recorded({
      method: "POST",
      url: `${acs}/listKeys?api-version=2023-04-01`,
      headers: { "content-type": "text/plain" }
    }),
    { url: `${acs}/listKeys?api-version=2023-04-01`, body: "{}" }
  )

  armOnly(
    "a placeholder string in a recorded JSON body matches any string there",
    recorded({
      method: "POST",
      url: `${acs}/regenerateKey?api-version=2023-04-01`,
      json: { keyType: "Primary", note: "**" }
    }),
    {
      url: `${acs}/regenerateKey?api-version=2023-04-01`,
      body: "{\"note\":\"rotated by ops\",\"keyType\":\"Primary\"}"
    }
  )

  it.effect("still tells apart what ARM tells apart: another key type, another resource, another api-version", () =>
    Effect.gen(function*() {
      const interaction = recorded({
        method: "POST",
        url: `${acs.toLowerCase()}/regeneratekey?api-version=2023-04-01`,
        json: { keyType: "Primary" }
      })
      for (
        const request of [
          { url: `${acs}/regenerateKey?api-version=2023-04-01`, body: "{\"keyType\":\"Secondary\"}" },
          { url: `${acs}-2/regenerateKey?api-version=2023-04-01`, body: "{\"keyType\":\"Primary\"}" },
          { url: `${acs}/regenerateKey?api-version=2020-08-20`, body: "{\"keyType\":\"Primary\"}" },
          { url: `${acs}/regenerateKey?api-version=2023-04-01`, body: undefined }
        ]
      ) {
        const { status, verdict } = yield* against(interaction, "arm", request)
        assert.strictEqual(status, "network error", request.url)
        assert.strictEqual(verdict._tag === "Left" && verdict.left._tag, "RequestMismatch")
      }
    }))

  it.effect("a mismatch keeps the masked diff: a key in the live body never shows", () =>
    Effect.gen(function*() {
      const key = randomBytes(64).toString("base64")
      const { verdict } = yield* against(
        recorded({ method: "POST", url: `${acs}/regenerateKey?api-version=2023-04-01`, json: { keyType: "Primary" } }),
        "arm",
        { url: `${acs}/regenerateKey?api-version=2023-04-01`, body: JSON.stringify({ keyType: "Primary", key }) }
      )
      assert.strictEqual(verdict._tag, "Left")
      if (verdict._tag === "Left" && verdict.left._tag === "RequestMismatch") {
        assert.include(verdict.left.diff, "at key: unexpected \"<redacted>\"")
        for (const text of [verdict.left.diff, verdict.left.message]) {
          assert.notInclude(text, key)
          assert.notInclude(text, "live-token")
        }
      }
    }))

  it.effect("a body nested 100000 levels deep, recorded or sent, is a mismatch, not a stack overflow", () =>
    Effect.gen(function*() {
      const deep = `${"[".repeat(100_000)}${"]".repeat(100_000)}`
      let value: unknown = 1
      for (let i = 0; i < 100_000; i++) value = [value]
      for (const matching of ["strict", "arm"] as const) {
        const sent = yield* against(
          recorded({ method: "POST", url: `${acs}/x?api-version=1`, json: { a: 1 } }),
          matching,
          { url: `${acs}/x?api-version=1`, body: deep }
        )
        assert.strictEqual(sent.verdict._tag === "Left" && sent.verdict.left._tag, "RequestMismatch")
        const built = yield* against(
          Interaction.make({
            request: { method: "POST", url: `${acs}/x?api-version=1`, json: value },
            response: { status: 200 }
          }),
          matching,
          { url: `${acs}/x?api-version=1`, body: "[[2]]" }
        )
        assert.strictEqual(built.verdict._tag === "Left" && built.verdict.left._tag, "RequestMismatch")
        if (built.verdict._tag === "Left" && built.verdict.left._tag === "RequestMismatch") {
          assert.include(built.verdict.left.diff, "nested deeper than 64 levels")
        }
      }
    }))
})
