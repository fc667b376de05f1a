import { Interaction, Secrets, TestProxy } from "@effect-acs/contract-tests"
import * as NodeContext from "@effect/platform-node/NodeContext"
import * as FileSystem from "@effect/platform/FileSystem"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { randomBytes } from "node:crypto"
import { jsonOf, packagePath } from "./support.js"

/** Secrets that look real, made at run time: none is ever written into the repository. */
const planted = () => {
  const key = randomBytes(64).toString("base64") // 88 characters, ending in "=="
  const base64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url")
  const jwt = `${base64url({ alg: "RS256", typ: "JWT" })}.${
    base64url({ aud: "https://management.azure.com", oid: randomBytes(8).toString("hex") })
  }.${randomBytes(32).toString("base64url")}`
  const bearer = randomBytes(30).toString("base64url")
  return { key, jwt, bearer }
}

describe("scanForSecrets", () => {
  it.effect("finds nothing that looks real in the fixtures, the examples and the guide", () =>
    Effect.gen(function*() {
      const scanned = yield* Secrets.scanForSecrets([
        packagePath("fixtures"),
        packagePath("examples"),
        packagePath("../docs/contract-testing.md")
      ])
      const fixtures = scanned.filter((file) => file.includes("/fixtures/"))
      // every fixture file was scanned: 12 documented examples and 2 recordings
      assert.strictEqual(fixtures.length, 14)
      assert.isTrue(fixtures.some((file) => file.endsWith("recordings/rotation.har")))
      assert.isTrue(fixtures.some((file) => file.endsWith("recordings/rotation.testproxy.json")))
      assert.isTrue(scanned.some((file) => file.endsWith("examples/replay-rotation.ts")))
      assert.isTrue(scanned.some((file) => file.endsWith("docs/contract-testing.md")))
    }).pipe(Effect.provide(NodeContext.layer)))

  it.effect("flags planted secrets by file, line and kind, never quoting them", () =>
    Effect.gen(function*() {
      const { bearer, jwt, key } = planted()
      assert.strictEqual(key.length, 88)
      const fs = yield* FileSystem.FileSystem
      const directory = yield* fs.makeTempDirectoryScoped({ prefix: "planted-" })
      yield* fs.makeDirectory(`${directory}/nested`)
      yield* fs.writeFileString(`${directory}/keys.json`, `{\n  "primaryKey": "1234",\n  "secondaryKey": "${key}"\n}\n`)
      yield* fs.writeFileString(
        `${directory}/nested/connection.txt`,
        `endpoint=https://contoso.communication.azure.com/;accesskey=${key.slice(0, 40)}\n`
      )
      yield* fs.writeFileString(
        `${directory}/nested/request.har`,
        `\n\n{"name": "Authorization", "value": "Bearer ${bearer}"}`
      )
      yield* fs.writeFileString(`${directory}/token.log`, `token: ${jwt}\n`)
      yield* fs.writeFileString(`${directory}/clean.json`, "{\"primaryKey\": \"<key-1>\"}")
      const error = yield* Effect.flip(Secrets.scanForSecrets([directory]))
      assert.strictEqual(error._tag, "SecretsFound")
      if (error._tag === "SecretsFound") {
        assert.deepStrictEqual(
          error.findings.map((f) => [f.file.slice(directory.length + 1), f.line, f.column, f.kind]),
          [
            ["keys.json", 3, "  \"secondaryKey\": \"".length + 1, "Base64Key"],
            [
              "nested/connection.txt",
              1,
              "endpoint=https://contoso.communication.azure.com/;accesskey=".length + 1,
              "AccessKey"
            ],
            ["nested/request.har", 3, "{\"name\": \"Authorization\", \"value\": \"Bearer ".length + 1, "BearerToken"],
            ["token.log", 1, "token: ".length + 1, "Jwt"]
          ]
        )
        for (const text of [error.message, JSON.stringify(error), String(error)]) {
          for (const secret of [key, key.slice(0, 40), bearer, jwt]) assert.notInclude(text, secret)
        }
        assert.include(error.message, "keys.json:3:20 Base64Key")
      }
    }).pipe(Effect.scoped, Effect.provide(NodeContext.layer)))

  it.effect("a recording with planted secrets fails the scan until it is sanitized", () =>
    Effect.gen(function*() {
      const { bearer, jwt, key } = planted()
      const raw = [Interaction.make({
        request: {
          method: "POST",
          url: "https://management.azure.com/x/listKeys?api-version=2020-08-20",
          headers: { Authorization: `Bearer ${jwt}`, "x-ms-token": bearer }
        },
        response: {
          status: 200,
          headers: { "Set-Cookie": `session=${bearer}`, "X-Debug": jwt },
          json: { primaryKey: key, primaryConnectionString: `endpoint=https://acs.example/;accesskey=${key}` }
        }
      })]
      const fs = yield* FileSystem.FileSystem
      const directory = yield* fs.makeTempDirectoryScoped({ prefix: "sanitize-" })
      yield* fs.writeFileString(`${directory}/raw.json`, JSON.stringify(TestProxy.encode(raw), null, 2))
      const error = yield* Effect.flip(Secrets.scanForSecrets([`${directory}/raw.json`]))
      assert.strictEqual(error._tag, "SecretsFound")
      if (error._tag === "SecretsFound") {
        assert.includeMembers(error.findings.map((f) => f.kind), ["Base64Key", "AccessKey", "BearerToken", "Jwt"])
      }
      const sanitized = Secrets.sanitize(raw)
      const text = JSON.stringify(TestProxy.encode(sanitized), null, 2)
      yield* fs.writeFileString(`${directory}/sanitized.json`, text)
      const scanned = yield* Secrets.scanForSecrets([`${directory}/sanitized.json`])
      assert.strictEqual(scanned.length, 1)
      for (const secret of [key, jwt, bearer]) assert.notInclude(text, secret)
      assert.strictEqual(sanitized[0]!.request.headers["authorization"], "Bearer <token>")
      assert.strictEqual(sanitized[0]!.request.headers["x-ms-token"], "<redacted>")
      assert.strictEqual(sanitized[0]!.response.headers["set-cookie"], "<cookie>")
      assert.deepStrictEqual(jsonOf(sanitized[0]!.response.body), {
        primaryKey: "<key-1>",
        primaryConnectionString: "endpoint=https://acs.example/;accesskey=<key-1>"
      })
    }).pipe(Effect.scoped, Effect.provide(NodeContext.layer)))

  it.effect("a path that does not exist fails with ReadError", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(Secrets.scanForSecrets([packagePath("fixtures/no-such-file.json")]))
      assert.strictEqual(error._tag, "ReadError")
      if (error._tag === "ReadError") assert.strictEqual(error.reason, "NotFound")
    }).pipe(Effect.provide(NodeContext.layer)))
})

describe("scanText", () => {
  it("placeholders, the documentation's short values and claims challenges are not findings", () => {
    const claims = Buffer.from("{\"access_token\":{\"nbf\":{\"essential\":true,\"value\":\"1726077595\"}}}").toString(
      "base64"
    )
    const text = [
      "endpoint=http://example.com;accesskey=1234",
      "endpoint=https://acs.example/;accesskey=<key-1>",
      "Authorization: Bearer <token>",
      "a bearer token is sent over https only",
      `WWW-Authenticate: Bearer error="insufficient_claims", claims="${claims}"`
    ].join("\n")
    assert.deepStrictEqual(Secrets.scanText("notes.txt", text), [])
  })

  it("88 base64 characters that encode text are not a key; 64 random bytes are", () => {
    const text = Buffer.from("x".repeat(64)).toString("base64")
    assert.strictEqual(text.length, 88)
    assert.deepStrictEqual(Secrets.scanText("t", text), [])
    assert.strictEqual(Secrets.scanText("t", randomBytes(64).toString("base64"))[0]?.kind, "Base64Key")
  })

  it("finds each kind on its line", () => {
    const { bearer, jwt, key } = planted()
    const sas = encodeURIComponent(randomBytes(32).toString("base64"))
    const findings = Secrets.scanText(
      "x",
      `a\n${key}\nBearer ${bearer}\n${jwt}\naccesskey=${key.slice(0, 40)}\nsig=${sas}\nSharedKey acct:${bearer}`
    )
    assert.deepStrictEqual(findings.map((f) => [f.line, f.column, f.kind]), [
      [2, 1, "Base64Key"],
      [3, "Bearer ".length + 1, "BearerToken"],
      [4, 1, "Jwt"],
      [5, "accesskey=".length + 1, "AccessKey"],
      [6, "sig=".length + 1, "SecretParameter"],
      [7, "SharedKey ".length + 1, "Credential"]
    ])
  })
})

describe("sanitize", () => {
  it("keeps one placeholder per key across interactions and leaves placeholders alone", () => {
    const { jwt, key } = planted()
    const interactions = [
      Interaction.make({
        request: { method: "POST", url: "https://management.azure.com/a", headers: { Authorization: "SharedKey abc" } },
        response: {
          status: 200,
          json: { primaryKey: "k-one", secondaryKey: "<secondaryKey>", nested: [{ primaryKey: key }] }
        }
      }),
      Interaction.make({
        request: { method: "POST", url: "https://management.azure.com/b" },
        response: {
          status: 200,
          headers: { "Content-Type": "text/plain", "X-Debug": `id_token=${jwt}` },
          text: `accesskey=k-one;other=${key}`
        }
      })
    ]
    const [first, second] = Secrets.sanitize(interactions)
    assert.strictEqual(first!.request.headers["authorization"], "SharedKey <token>")
    assert.deepStrictEqual(jsonOf(first!.response.body), {
      primaryKey: "<key-1>",
      secondaryKey: "<secondaryKey>",
      nested: [{ primaryKey: "<key-2>" }]
    })
    assert.deepStrictEqual(second!.response.body, { _tag: "Text", text: "accesskey=<key-1>;other=<key-2>" })
    assert.strictEqual(second!.response.headers["content-type"], "text/plain")
    assert.strictEqual(second!.response.headers["x-debug"], "id_token=<jwt>")
  })

  it("mask hides what looks like a secret", () => {
    const { jwt, key } = planted()
    assert.strictEqual(
      Secrets.mask(`accesskey=${key} Bearer abc ${jwt} ${key}`),
      "accesskey=<redacted> Bearer <redacted> <redacted> <redacted>"
    )
  })
})
