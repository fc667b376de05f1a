import { Format, Har, Recording, TestProxy } from "@effect-acs/contract-tests"
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import * as FileSystem from "@effect/platform/FileSystem"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { randomBytes } from "node:crypto"
import { gzipSync } from "node:zlib"
import { armUrl, jsonOf, sampleResource } from "./support.js"

const formatNames = ["PowerShell", "TestProxy", "Har", "Vcr", "DocumentedExample"]

/** A one-interaction cassette whose response body is `!!binary` gzip, as vcrpy writes a compressed body. */
const gzipCassette = (body: Buffer) =>
  `interactions:
- request:
    body: null
    headers: {Authorization: [Sanitized]}
    method: POST
    uri: ${armUrl(sampleResource, "listKeys")}
  response:
    body:
      string: !!binary |
        ${body.toString("base64")}
    headers:
      content-encoding: [gzip]
      content-type: [application/json; charset=utf-8]
    status: {code: 200, message: OK}
version: 1
`

describe("Recording.decode", () => {
  it.effect("a file of no supported format fails naming every format tried and why each refused it", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(Recording.decode("{\"foo\": 1}", { source: "mystery.json" }))
      assert.strictEqual(error._tag, "MalformedRecording")
      assert.deepStrictEqual(error.tried?.map((attempt) => attempt.format), formatNames)
      const reasons = Object.fromEntries(error.tried!.map((a) => [a.format, a.issues.map((i) => i.path)]))
      assert.deepStrictEqual(reasons["TestProxy"], ["Entries"])
      assert.deepStrictEqual(reasons["Har"], ["log"])
      assert.deepStrictEqual(reasons["Vcr"], ["interactions"])
      assert.include(reasons["DocumentedExample"]!, "parameters")
      assert.include(error.message, "mystery.json is not a recording of any supported format")
      for (
        const name of ["Azure SDK test-proxy recording", "HAR 1.2 file", "vcrpy cassette", "Azure PowerShell recording"]
      ) assert.include(error.message, name)
    }))

  it.effect("text that is neither JSON nor YAML: each format refuses it for its syntax, the text never quoted", () =>
    Effect.gen(function*() {
      const key = randomBytes(64).toString("base64")
      const error = yield* Effect.flip(Recording.decode(`accesskey=${key}\n\t- [unclosed: {`, { source: "notes.txt" }))
      assert.deepStrictEqual(error.tried?.map((a) => a.issues[0]!.message), [
        "not valid JSON",
        "not valid JSON",
        "not valid JSON",
        "not valid YAML (line 1)",
        "not valid JSON"
      ])
      assert.notInclude(error.message, key)
    }))

  it.effect("refuses a text over maxBytes and JSON or YAML nested deeper than maxDepth, without overflowing", () =>
    Effect.gen(function*() {
      const big = yield* Effect.flip(Recording.decode(JSON.stringify({ Entries: [], pad: "x".repeat(2000) }), {
        maxBytes: 1000
      }))
      assert.match(big.tried![0]!.issues[0]!.message, /^the recording is \d+ bytes, more than the 1000 allowed$/)
      const deepJson = yield* Effect.flip(Recording.decode(`${"[".repeat(200_000)}${"]".repeat(200_000)}`))
      assert.strictEqual(deepJson.tried![0]!.issues[0]!.message, "the JSON is nested deeper than 64 levels")
      // YAML block nesting, a little deeper than the limit, and flow nesting far deeper than the parser can go
      const block = Array.from({ length: 70 }, (_, i) => `${" ".repeat(i)}a:`).join("\n") + " 1\n"
      const deepYaml = yield* Effect.flip(Recording.decode(block))
      assert.strictEqual(deepYaml.tried![3]!.issues[0]!.message, "the YAML is nested deeper than 64 levels")
      // (the nesting is measured before either parser runs)
      const flow = yield* Effect.flip(Recording.decode(`a: ${"[".repeat(100_000)}`))
      assert.strictEqual(flow.tried![3]!.issues[0]!.message, "the JSON is nested deeper than 64 levels")
      const unclosed = yield* Effect.flip(Recording.decode(`a: ${"[".repeat(60)}`))
      assert.match(unclosed.tried![3]!.issues[0]!.message, /^not valid YAML/)
      // an alias bomb is refused by the YAML parser's alias limit
      const bomb = ["a: &a [x, x, x, x, x, x, x, x, x]"]
      for (let i = 1; i < 10; i++) {
        bomb.push(`${"abcdefghij"[i]}: &${"abcdefghij"[i]} [${Array(9).fill(`*${"abcdefghij"[i - 1]}`).join(", ")}]`)
      }
      const laughs = yield* Effect.flip(Recording.decode(bomb.join("\n")))
      assert.match(laughs.tried![3]!.issues[0]!.message, /^not valid YAML/)
    }))

  it.effect("a vcrpy !!binary gzip body is decompressed (bounded) and its content-encoding dropped", () =>
    Effect.gen(function*() {
      const recording = yield* Recording.decode(
        gzipCassette(gzipSync(JSON.stringify({ primaryKey: "Sanitized", secondaryKey: "Sanitized" })))
      )
      assert.strictEqual(recording.format, "Vcr")
      const [interaction] = recording.interactions
      assert.deepStrictEqual(jsonOf(interaction!.response.body), { primaryKey: "Sanitized", secondaryKey: "Sanitized" })
      assert.isUndefined(interaction!.response.headers["content-encoding"])
      const broken = yield* Effect.flip(Recording.decode(gzipCassette(Buffer.from("not gzip at all, no"))))
      const vcr = broken.tried!.find((attempt) => attempt.format === "Vcr")!
      assert.deepStrictEqual(vcr.issues.map((i) => i.path), ["interactions.0.response.body"])
    }))

  it.effect("relative URIs of the HttpRecorder resolve against the endpoint option", () =>
    Effect.gen(function*() {
      const path =
        "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Communication/communicationServices/acs/listKeys?api-version=2020-08-20"
      const text = JSON.stringify({
        Entries: [{
          RequestUri: path,
          EncodedRequestUri: Buffer.from(path).toString("base64"),
          RequestMethod: "POST",
          RequestHeaders: {},
          RequestBody: "",
          ResponseHeaders: { "Content-Type": ["application/json"] },
          ResponseBody: "{}",
          StatusCode: 200
        }],
        Names: {},
        Variables: {}
      })
      const recording = yield* Recording.decode(text, { endpoint: "https://management.chinacloudapi.cn/" })
      assert.strictEqual(recording.format, "PowerShell")
      assert.strictEqual(recording.endpoint, "https://management.chinacloudapi.cn")
      assert.strictEqual(recording.apiVersion, "2020-08-20")
      assert.strictEqual(recording.interactions[0]!.request.url, `https://management.chinacloudapi.cn${path}`)
    }))

  it.effect("the formats option restricts detection; a recording without key operations has no endpoint", () =>
    Effect.gen(function*() {
      const har = JSON.stringify(Har.encode([]))
      const onlyProxy = yield* Effect.flip(Recording.decode(har, { formats: [Format.testProxy] }))
      assert.deepStrictEqual(onlyProxy.tried?.map((a) => a.format), ["TestProxy"])
      const empty = yield* Recording.decode(har)
      assert.strictEqual(empty.format, "Har")
      assert.isUndefined(empty.endpoint)
      assert.isUndefined(empty.apiVersion)
    }))

  it.effect("Har and TestProxy are Format values: encode then Recording.decode round-trips", () =>
    Effect.gen(function*() {
      const interactions = yield* TestProxy.decode({
        Entries: [{
          RequestUri: armUrl(sampleResource, "regenerateKey", "2025-09-01"),
          RequestMethod: "POST",
          RequestHeaders: { "Content-Type": "application/json" },
          RequestBody: { keyType: "Secondary" },
          StatusCode: 200,
          ResponseHeaders: { "Content-Type": "application/json" },
          ResponseBody: { secondaryKey: "<key-2>" }
        }]
      })
      for (const format of [Format.testProxy, Format.har]) {
        const recording = yield* Recording.decode(JSON.stringify(format.encode!(interactions)))
        assert.strictEqual(recording.format, format.name)
        assert.strictEqual(recording.apiVersion, "2025-09-01")
        assert.deepStrictEqual(
          recording.interactions.map((i) => [i.request.url, i.request.body, i.response.body]),
          interactions.map((i) => [i.request.url, i.request.body, i.response.body])
        )
      }
    }))
})

describe("Recording.load", () => {
  it.effect("refuses a file over maxBytes before reading it", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const directory = yield* fs.makeTempDirectoryScoped({ prefix: "recording-" })
      yield* fs.writeFileString(`${directory}/big.json`, JSON.stringify({ Entries: [], pad: "y".repeat(5000) }))
      const error = yield* Effect.flip(Recording.load(`${directory}/big.json`, { maxBytes: 4096 }))
      assert.strictEqual(error._tag, "ReadError")
      if (error._tag === "ReadError") assert.match(error.reason, /more than the 4096 allowed/)
      const missing = yield* Effect.flip(Recording.load(`${directory}/none.json`))
      assert.strictEqual(missing._tag, "ReadError")
    }).pipe(Effect.scoped, Effect.provide(NodeFileSystem.layer)))
})
