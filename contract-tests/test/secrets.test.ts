import { Interaction, Secrets, TestProxy } from "@effect-acs/contract-tests"
import * as NodeContext from "@effect/platform-node/NodeContext"
import * as FileSystem from "@effect/platform/FileSystem"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as FastCheck from "effect/FastCheck"
import { createHash, randomBytes } from "node:crypto"
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
      // every fixture file was scanned: 12 documented examples, 2 recordings and 7 fixtures of other formats
      assert.strictEqual(fixtures.length, 21)
      assert.isTrue(fixtures.some((file) => file.endsWith("formats/vcr.azure-cli.yaml")))
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
    // and sanitize leaves the claims challenge as it is: it is not a key
    const challenge = `Bearer error="insufficient_claims", claims="${claims}"`
    const [sanitized] = Secrets.sanitize([Interaction.make({
      request: { method: "POST", url: "https://management.azure.com/x" },
      response: { status: 401, headers: { "WWW-Authenticate": challenge } }
    })])
    assert.strictEqual(sanitized!.response.headers["www-authenticate"], challenge)
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

/** A random 64-byte key whose base64 holds both `+` and `/`, so that every encoding of it differs. */
const keyWithBothSigns = (): string => {
  for (;;) {
    const key = randomBytes(64).toString("base64")
    if (key.includes("+") && key.includes("/")) return key
  }
}

/** The forms a key takes in the files other tools write. */
const encodings = (key: string) => {
  const unpadded = key.replace(/=+$/, "")
  return {
    padded: key,
    unpadded,
    base64url: Buffer.from(key, "base64").toString("base64url"),
    percentEncoded: encodeURIComponent(key),
    percentEncodedLowerCase: encodeURIComponent(key).replace(/%[0-9A-F]{2}/g, (escape) => escape.toLowerCase()),
    jsonEscaped: JSON.stringify(key).slice(1, -1).replaceAll("/", "\\/"),
    connectionString: `endpoint=https://contoso.communication.azure.com/;accesskey=${key}`,
    percentEncodedConnectionString: encodeURIComponent(
      `endpoint=https://contoso.communication.azure.com/;accesskey=${key}`
    )
  }
}

/** The masks and placeholders that other tools (the test-proxy, vcrpy, PowerShell, people) write for secrets. */
const othersMasks = [
  `${"x".repeat(86)}==`,
  "Sanitized",
  "REDACTED",
  "00000000-0000-0000-0000-000000000000",
  "**",
  "***",
  "<primaryKey>",
  "<key-1>",
  "{{primaryKey}}",
  "$PRIMARY_KEY"
]

/** A text of other tools' masks, each where a secret would be; `secret` replaces all of them when given. */
const maskedDocument = (secret?: string) =>
  othersMasks.map((mask) => {
    const value = secret ?? mask
    return [
      `"primaryKey": "${value}"`,
      `"primaryConnectionString": "endpoint=https://contoso.communication.azure.com/;accesskey=${value}"`,
      `Authorization: Bearer ${value}`,
      `https://contoso.blob.core.windows.net/c/b?sv=2022-11-02&sig=${value}`
    ].join("\n")
  }).join("\n")

describe("other tools' masks", () => {
  it("are not findings of scanText; the same places with a real key are", () => {
    assert.deepStrictEqual(Secrets.scanText("masked.txt", maskedDocument()), [])
    const key = randomBytes(64).toString("base64")
    const findings = Secrets.scanText("real.txt", maskedDocument(key))
    // 4 places per mask, each flagged once, with the kind of its place
    assert.strictEqual(findings.length, 4 * othersMasks.length)
    assert.deepStrictEqual(
      [...new Set(findings.map((f) => f.kind))].sort(),
      ["AccessKey", "Base64Key", "BearerToken", "SecretParameter"]
    )
  })

  it.effect("are not findings of scanForSecrets in a recording file", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const directory = yield* fs.makeTempDirectoryScoped({ prefix: "masked-" })
      // one entry per mask, the mask wherever a secret would be
      const recording = (secret?: string) =>
        TestProxy.encode(othersMasks.map((mask) => {
          const value = secret ?? mask
          return Interaction.make({
            request: {
              method: "POST",
              url: "https://management.azure.com/x/listKeys",
              headers: { Authorization: `Bearer ${value}` }
            },
            response: {
              status: 200,
              json: { primaryKey: value, primaryConnectionString: `endpoint=https://acs.example/;accesskey=${value}` }
            }
          })
        }))
      yield* fs.writeFileString(`${directory}/masked.json`, JSON.stringify(recording(), null, 2))
      assert.deepStrictEqual(yield* Secrets.scanForSecrets([`${directory}/masked.json`]), [`${directory}/masked.json`])
      yield* fs.writeFileString(
        `${directory}/real.json`,
        JSON.stringify(recording(randomBytes(64).toString("base64")), null, 2)
      )
      const error = yield* Effect.flip(Secrets.scanForSecrets([`${directory}/real.json`]))
      assert.strictEqual(error._tag, "SecretsFound")
      if (error._tag === "SecretsFound") assert.strictEqual(error.findings.length, 3 * othersMasks.length)
    }).pipe(Effect.scoped, Effect.provide(NodeContext.layer)))

  it("are left as they are by sanitize and mask", () => {
    const interactions = othersMasks.map((mask) =>
      Interaction.make({
        request: {
          method: "POST",
          url: `https://management.azure.com/x/listKeys?api-version=2023-04-01&sig=${encodeURIComponent(mask)}`,
          headers: { Authorization: `Bearer ${mask}`, "x-ms-token": mask, "x-ms-authorization-auxiliary": mask }
        },
        response: {
          status: 200,
          headers: { "Set-Cookie": mask, "x-ms-request-id": "00000000-0000-0000-0000-000000000000" },
          json: {
            primaryKey: mask,
            secondaryKey: mask,
            primaryConnectionString: `endpoint=https://acs.example/;accesskey=${mask}`,
            secondaryConnectionString: `endpoint=https://acs.example/;accesskey=${mask}`
          }
        }
      })
    )
    assert.deepStrictEqual(TestProxy.encode(Secrets.sanitize(interactions)), TestProxy.encode(interactions))
    for (const mask of othersMasks) {
      const text = `accesskey=${mask};Bearer ${mask} sig=${mask} ${mask}`
      assert.strictEqual(Secrets.mask(text), text)
    }
  })
})

describe("placeholders keep identities", () => {
  it("distinct keys get distinct placeholders; a key keeps its placeholder inside its connection string", () => {
    const [a, b, c] = [keyWithBothSigns(), keyWithBothSigns(), keyWithBothSigns()]
    const keys = (primary: string, secondary: string) => ({
      primaryKey: primary,
      secondaryKey: secondary,
      primaryConnectionString: `endpoint=https://acs.example/;accesskey=${primary}`,
      secondaryConnectionString: `endpoint=https://acs.example/;accesskey=${secondary}`
    })
    const url = "https://management.azure.com/x"
    const sanitized = Secrets.sanitize([
      Interaction.make({
        request: { method: "POST", url: `${url}/listKeys` },
        response: { status: 200, json: keys(a!, b!) }
      }),
      Interaction.make({
        request: { method: "POST", url: `${url}/regenerateKey`, json: { keyType: "Primary" } },
        response: {
          status: 200,
          json: { primaryKey: c, primaryConnectionString: `endpoint=https://acs.example/;accesskey=${c}` }
        }
      }),
      Interaction.make({
        request: { method: "POST", url: `${url}/listKeys` },
        response: { status: 200, json: keys(c!, b!) }
      })
    ])
    assert.deepStrictEqual(sanitized.map((interaction) => jsonOf(interaction.response.body)), [
      keys("<key-1>", "<key-2>"),
      { primaryKey: "<key-3>", primaryConnectionString: "endpoint=https://acs.example/;accesskey=<key-3>" },
      keys("<key-3>", "<key-2>")
    ])
  })

  it("a key keeps its placeholder in every encoding, and another key gets another", () => {
    const key = keyWithBothSigns()
    const other = keyWithBothSigns()
    const forms = Object.values(encodings(key))
    const sanitized = Secrets.sanitize([
      Interaction.make({
        request: { method: "POST", url: `https://management.azure.com/x?k=${encodeURIComponent(key)}` },
        response: { status: 200, json: { primaryKey: key, secondaryKey: other, forms } }
      })
    ])
    const body = jsonOf(sanitized[0]!.response.body) as {
      primaryKey: string
      secondaryKey: string
      forms: Array<string>
    }
    assert.strictEqual(body.primaryKey, "<key-1>")
    assert.strictEqual(body.secondaryKey, "<key-2>")
    assert.deepStrictEqual(body.forms, [
      "<key-1>",
      "<key-1>",
      "<key-1>",
      "<key-1>",
      "<key-1>",
      "<key-1>",
      "endpoint=https://contoso.communication.azure.com/;accesskey=<key-1>",
      `${encodeURIComponent("endpoint=https://contoso.communication.azure.com/;accesskey=")}<key-1>`
    ])
    assert.strictEqual(sanitized[0]!.request.url, "https://management.azure.com/x?k=<key-1>")
  })

  it("new keys are numbered after the placeholders a recording already holds", () => {
    const key = randomBytes(64).toString("base64")
    const [sanitized] = Secrets.sanitize([
      Interaction.make({
        request: { method: "POST", url: "https://management.azure.com/x/listKeys" },
        response: { status: 200, json: { primaryKey: "<key-1>", secondaryKey: key, note: "rotated from <key-3>" } }
      })
    ])
    assert.deepStrictEqual(jsonOf(sanitized!.response.body), {
      primaryKey: "<key-1>",
      secondaryKey: "<key-2>",
      note: "rotated from <key-3>"
    })
  })
})

describe("random keys in every encoding", () => {
  for (const [name, form] of Object.entries(encodings(keyWithBothSigns()))) {
    it(`${name}: a finding, and sanitized`, () => {
      const text = `{\n  "value": "${form}"\n}`
      const findings = Secrets.scanText("keys.json", text)
      assert.strictEqual(findings.length, 1)
      assert.strictEqual(findings[0]!.line, 2)
      assert.strictEqual(findings[0]!.kind, name === "connectionString" ? "AccessKey" : "Base64Key")
      const [sanitized] = Secrets.sanitize([
        Interaction.make({
          request: { method: "POST", url: "https://management.azure.com/x" },
          response: { status: 200, text }
        })
      ])
      const body = sanitized!.response.body
      assert.strictEqual(body?._tag, "Text")
      const result = body?._tag === "Text" ? body.text : ""
      assert.include(result, "<key-1>")
      assert.deepStrictEqual(Secrets.scanText("sanitized.json", result), [])
      // nothing of the key is left: no 8 characters of it in a row, in any encoding
      const key = form.includes("accesskey") ? "" : form
      for (let at = 0; at + 8 <= key.length; at += 4) assert.notInclude(result, key.slice(at, at + 8))
    })
  }
})

describe("sanitize is idempotent", () => {
  it("sanitizing twice changes nothing, whatever the recording holds", () => {
    const { bearer, jwt, key } = planted()
    const other = randomBytes(64).toString("base64")
    const interactions = [
      Interaction.make({
        request: {
          method: "POST",
          url: `https://management.azure.com/x/listKeys?api-version=2023-04-01&sig=${encodeURIComponent(other)}`,
          headers: {
            Authorization: `Bearer ${jwt}`,
            "x-ms-authorization-auxiliary": `Bearer ${bearer}`,
            Cookie: `session=${bearer}`,
            "x-ms-token": "Sanitized"
          }
        },
        response: {
          status: 200,
          headers: { "x-debug": `id_token=${jwt}; accesskey=${key}`, "set-cookie": "REDACTED" },
          json: {
            primaryKey: key,
            secondaryKey: `${"x".repeat(86)}==`,
            primaryConnectionString: `endpoint=https://acs.example/;accesskey=${key}`,
            secondaryConnectionString: "endpoint=https://acs.example/;accesskey=Sanitized",
            notes: [`rotated ${encodeURIComponent(other)}`, "<key-1>", `Basic ${bearer}`]
          }
        }
      }),
      Interaction.make({
        request: { method: "POST", url: "https://management.azure.com/x/regenerateKey", json: { keyType: "Primary" } },
        response: { status: 401, headers: { "www-authenticate": `Bearer error="invalid_token"` }, text: `sig=${other}` }
      })
    ]
    const once = Secrets.sanitize(interactions)
    const twice = Secrets.sanitize(once)
    assert.deepStrictEqual(TestProxy.encode(twice), TestProxy.encode(once))
    const text = JSON.stringify(TestProxy.encode(once))
    for (const secret of [key, other, encodeURIComponent(other), jwt, bearer]) assert.notInclude(text, secret)
    assert.deepStrictEqual(Secrets.scanText("once.json", text), [])
    // the recorded placeholder <key-1> is kept, so the real keys are numbered after it, in the order they
    // first appear (the request's URL comes first)
    assert.strictEqual(
      once[0]!.request.url,
      "https://management.azure.com/x/listKeys?api-version=2023-04-01&sig=<key-2>"
    )
    assert.strictEqual(once[0]!.response.headers["x-debug"], "id_token=<jwt>; accesskey=<key-3>")
    assert.deepStrictEqual(jsonOf(once[0]!.response.body), {
      primaryKey: "<key-3>",
      secondaryKey: `${"x".repeat(86)}==`,
      primaryConnectionString: "endpoint=https://acs.example/;accesskey=<key-3>",
      secondaryConnectionString: "endpoint=https://acs.example/;accesskey=Sanitized",
      notes: ["rotated <key-2>", "<key-1>", "Basic <token>"]
    })
    assert.deepStrictEqual(once[1]!.response.body, { _tag: "Text", text: "sig=<key-2>" })
  })

  it.prop(
    "for any keys: sanitizing twice changes nothing, and n distinct keys get n placeholders",
    [FastCheck.array(FastCheck.string(), { minLength: 1, maxLength: 6 })],
    ([seeds]) => {
      // 64 random-looking bytes per seed, as a real key is (equal seeds give equal keys)
      const keys = seeds.map((seed) => createHash("sha512").update(seed).digest("base64"))
      const interactions = keys.map((key, i) =>
        Interaction.make({
          request: { method: "POST", url: `https://management.azure.com/x/${i}?k=${encodeURIComponent(key)}` },
          response: {
            status: 200,
            json: { primaryKey: key, primaryConnectionString: `endpoint=https://acs.example/;accesskey=${key}` }
          }
        })
      )
      const once = Secrets.sanitize(interactions)
      assert.deepStrictEqual(TestProxy.encode(Secrets.sanitize(once)), TestProxy.encode(once))
      const placeholders = once.map((interaction) =>
        (jsonOf(interaction.response.body) as { primaryKey: string }).primaryKey
      )
      // one placeholder per distinct key (random bytes may repeat, and a repeated key keeps its placeholder)
      assert.strictEqual(new Set(placeholders).size, new Set(keys).size)
      once.forEach((interaction, i) => {
        assert.deepStrictEqual(jsonOf(interaction.response.body), {
          primaryKey: placeholders[i],
          primaryConnectionString: `endpoint=https://acs.example/;accesskey=${placeholders[i]}`
        })
        assert.strictEqual(interaction.request.url, `https://management.azure.com/x/${i}?k=${placeholders[i]}`)
      })
    },
    { fastCheck: { numRuns: 50 } }
  )
})

describe("low-entropy look-alikes", () => {
  const lookAlikes = [
    "1234",
    "k-one",
    "hunter2",
    "correcthorsebatterystaple",
    "fake-primary-1",
    "my-test-key-for-the-docs",
    "k".repeat(40),
    `${"Ab1".repeat(29)}A==`,
    "0123456789".repeat(9),
    // a SHA-256 in hex, a UUID
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "6f2a9c1e-8d4b-4e7a-9c3f-2b1d0e5f7a8c",
    // 88 base64 characters that encode text
    Buffer.from("The quick brown fox jumps over the lazy dog, again and again and again!!").toString("base64"),
    // the documentation's JWTs: no signature, or a made-up one
    "eyJhbGciOiJIUzI1NiJ9.e30.sig",
    "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIn0."
  ]
  const places = (value: string) => [
    `accesskey=${value}`,
    `endpoint=https://contoso.communication.azure.com/;accesskey=${value}`,
    `Authorization: Bearer ${value}`,
    `"primaryKey": "${value}"`,
    `https://acs.example/x?sig=${encodeURIComponent(value)}&client_secret=${value}`
  ]

  it("are not findings, where a random key of the same place is", () => {
    for (const value of lookAlikes) {
      for (const place of places(value)) assert.deepStrictEqual(Secrets.scanText("docs.md", place), [], place)
    }
    // the same places with random material: each is a finding, so the checks above could fail
    for (const place of places(randomBytes(33).toString("base64url"))) {
      assert.strictEqual(Secrets.scanText("real.md", place).length >= 1, true, place)
    }
  })

  it.effect("a file of look-alikes passes scanForSecrets", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const directory = yield* fs.makeTempDirectoryScoped({ prefix: "look-alikes-" })
      yield* fs.writeFileString(`${directory}/docs.md`, lookAlikes.flatMap(places).join("\n"))
      assert.strictEqual((yield* Secrets.scanForSecrets([directory])).length, 1)
    }).pipe(Effect.scoped, Effect.provide(NodeContext.layer)))
})

describe("deep JSON", () => {
  it("sanitizing a body nested 100000 levels deep does not overflow the stack", () => {
    const key = randomBytes(64).toString("base64")
    let deep: unknown = { primaryKey: key }
    for (let i = 0; i < 100_000; i++) deep = [deep]
    const [sanitized] = Secrets.sanitize([
      Interaction.make({
        request: { method: "POST", url: "https://management.azure.com/x" },
        response: { status: 200, json: deep }
      })
    ])
    let inner = jsonOf(sanitized!.response.body)
    let depth = 0
    while (Array.isArray(inner)) {
      inner = inner[0]
      depth++
    }
    assert.strictEqual(depth, 100_000)
    assert.deepStrictEqual(inner, { primaryKey: "<key-1>" })
  })
})

describe("URLs", () => {
  it("sanitize reads a URL's path one segment at a time: names are kept, a key in a segment or the query is not", () => {
    const key = keyWithBothSigns()
    // joined by "/", these segments read as one long random-looking run
    const path = "/subscriptions/6f2a9c1e-8d4b-4e7a-9c3f-2b1d0e5f7a8c/resourceGroups/rgContosoQ9Zx7WkP3" +
      "/providers/Microsoft.Communication/communicationServices/acsK8Jq2Lm/listKeys"
    const [sanitized] = Secrets.sanitize([
      Interaction.make({
        request: {
          method: "POST",
          url: `https://management.azure.com${path}/${encodeURIComponent(key)}?api-version=2023-04-01&sig=${
            encodeURIComponent(key)
          }`
        },
        response: { status: 200 }
      })
    ])
    assert.strictEqual(
      sanitized!.request.url,
      `https://management.azure.com${path}/<key-1>?api-version=2023-04-01&sig=<key-1>`
    )
  })
})
