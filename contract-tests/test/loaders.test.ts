import type { ContractError } from "@effect-acs/contract-tests"
import { DocumentedExample, Har, Interaction, TestProxy } from "@effect-acs/contract-tests"
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import * as FileSystem from "@effect/platform/FileSystem"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import { armUrl, jsonOf, packagePath, sampleResource } from "./support.js"

const example = {
  parameters: {
    subscriptionId: "12345",
    resourceGroupName: "MyResourceGroup",
    communicationServiceName: "MyCommunicationResource",
    "api-version": "2020-08-20",
    parameters: { keyType: "Primary" }
  },
  responses: {
    "200": { body: { primaryKey: "1234", primaryConnectionString: "endpoint=http://example.com;accesskey=1234" } }
  }
}

const entry = {
  RequestUri: armUrl(sampleResource, "regenerateKey"),
  RequestMethod: "POST",
  RequestHeaders: { "Content-Type": "application/json", Accept: ["application/json", "text/json"] },
  RequestBody: { keyType: "Secondary" },
  StatusCode: 200,
  ResponseHeaders: { "Content-Type": "application/json; charset=utf-8", "x-ms-request-id": "r-1" },
  ResponseBody: { secondaryKey: "<secondaryKey>" }
}

const harEntry = {
  startedDateTime: "2025-10-14T09:12:01.000Z",
  time: 12,
  request: {
    method: "post",
    url: armUrl(sampleResource, "regenerateKey"),
    httpVersion: "HTTP/2.0",
    cookies: [],
    headers: [
      { name: ":authority", value: "management.azure.com" },
      { name: "Content-Type", value: "application/json" },
      { name: "Accept", value: "application/json" },
      { name: "accept", value: "text/json" }
    ],
    queryString: [{ name: "api-version", value: "2020-08-20" }],
    postData: { mimeType: "application/json", text: "{\"keyType\":\"Primary\"}" },
    headersSize: -1,
    bodySize: 21
  },
  response: {
    status: 200,
    statusText: "OK",
    httpVersion: "HTTP/2.0",
    cookies: [],
    headers: [{ name: "Content-Type", value: "application/json" }],
    content: {
      size: 20,
      mimeType: "application/json",
      text: Buffer.from("{\"primaryKey\":\"<k>\"}").toString("base64"),
      encoding: "base64"
    },
    redirectURL: "",
    headersSize: -1,
    bodySize: -1
  },
  cache: {},
  timings: { send: 0, wait: 10, receive: 2 }
}

const issuePaths = (error: ContractError.MalformedRecording) => error.issues.map((issue) => issue.path)

/** Writes a file into a scoped temporary directory and returns its path. */
const tempFile = (name: string, content: string) =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const directory = yield* fs.makeTempDirectoryScoped({ prefix: "contract-tests-" })
    const path = `${directory}/${name}`
    yield* fs.writeFileString(path, content)
    return path
  })

describe("Interaction", () => {
  it("make lower-cases header names, upper-cases the method and types the bodies", () => {
    const interaction = Interaction.make({
      request: { method: "post", url: "https://management.azure.com/x", headers: { "X-Custom": "1" }, json: { a: 1 } },
      response: { status: 502, headers: { "Content-Type": "text/html" }, text: "<html></html>" },
      source: "here"
    })
    assert.strictEqual(interaction.request.method, "POST")
    assert.deepStrictEqual(interaction.request.headers, { "x-custom": "1", "content-type": "application/json" })
    assert.deepStrictEqual(interaction.request.body, { _tag: "Json", value: { a: 1 } })
    assert.deepStrictEqual(interaction.response.body, { _tag: "Text", text: "<html></html>" })
    assert.strictEqual(Interaction.describe(interaction), "POST https://management.azure.com/x -> 502 (here)")
  })

  it("the schema rejects relative URLs and statuses outside 200-599", () => {
    const decode = Schema.decodeUnknownEither(Interaction.Interaction)
    assert.isTrue(decode({ request: { method: "GET", url: "/x" }, response: { status: 200 } })._tag === "Left")
    assert.isTrue(
      decode({ request: { method: "GET", url: "https://a.example/" }, response: { status: 101 } })._tag === "Left"
    )
    const right = decode({
      request: { method: "GET", url: "https://a.example/", headers: { "A-B": "c" } },
      response: { status: 204 }
    })
    assert.strictEqual(right._tag, "Right")
    if (right._tag === "Right") assert.deepStrictEqual(right.right.request.headers, { "a-b": "c" })
  })
})

describe("DocumentedExample", () => {
  it.effect("decodes the documented sample into the exact request and response", () =>
    Effect.gen(function*() {
      const [interaction, ...rest] = yield* DocumentedExample.decode(example, { operation: "regenerateKey" })
      assert.strictEqual(rest.length, 0)
      assert.strictEqual(interaction!.request.method, "POST")
      assert.strictEqual(interaction!.request.url, armUrl(sampleResource, "regenerateKey"))
      assert.deepStrictEqual(interaction!.request.headers, { "content-type": "application/json" })
      assert.deepStrictEqual(jsonOf(interaction!.request.body), { keyType: "Primary" })
      assert.strictEqual(interaction!.response.status, 200)
      assert.deepStrictEqual(jsonOf(interaction!.response.body), example.responses["200"].body)
      assert.strictEqual(interaction!.source, "<input> (response 200)")
    }))

  it.effect("the endpoint is the caller's; listKeys has no body", () =>
    Effect.gen(function*() {
      const { parameters: _, ...params } = example.parameters
      const [interaction] = yield* DocumentedExample.decode(
        { parameters: params, responses: { "200": { body: { primaryKey: "<primaryKey>" } } } },
        { operation: "listKeys", endpoint: "https://management.usgovcloudapi.net/" }
      )
      assert.strictEqual(
        interaction!.request.url,
        armUrl(sampleResource, "listKeys").replace("management.azure.com", "management.usgovcloudapi.net")
      )
      assert.isUndefined(interaction!.request.body)
      assert.deepStrictEqual(interaction!.request.headers, {})
    }))

  it.effect("one interaction per documented status, in order, or only the one asked for", () =>
    Effect.gen(function*() {
      const path = packagePath("fixtures/documented/2020-08-20/regenerateKey.with-201.json")
      const all = yield* DocumentedExample.load(path, { operation: "regenerateKey" })
      assert.deepStrictEqual(all.map((i) => i.response.status), [200, 201])
      assert.deepStrictEqual(jsonOf(all[1]!.response.body), {})
      const only = yield* DocumentedExample.load(path, { operation: "regenerateKey", status: 200 })
      assert.deepStrictEqual(only.map((i) => i.response.status), [200])
      assert.strictEqual(only[0]!.source, `${path} (response 200)`)
    }).pipe(Effect.provide(NodeFileSystem.layer)))

  it.effect("malformed examples fail with MalformedRecording naming each issue", () =>
    Effect.gen(function*() {
      const missing = yield* Effect.flip(DocumentedExample.decode({ responses: {} }, { operation: "listKeys" }))
      assert.strictEqual(missing._tag, "MalformedRecording")
      assert.strictEqual(missing.format, "DocumentedExample")
      assert.deepStrictEqual(issuePaths(missing), ["parameters"])
      assert.include(missing.message, "<input> is not a valid API documentation example: at parameters: is missing")

      const badValues = yield* Effect.flip(DocumentedExample.decode({
        parameters: { ...example.parameters, resourceGroupName: "bad/name", "api-version": "" },
        responses: example.responses
      }, { operation: "regenerateKey" }))
      assert.deepStrictEqual(issuePaths(badValues), ["parameters.resourceGroupName", "parameters.api-version"])

      const semantic = yield* Effect.flip(DocumentedExample.decode({
        operationId: "CommunicationServices_ListKeys",
        parameters: { ...example.parameters, parameters: { keyType: "Tertiary" } },
        responses: { "200": { body: { primaryKey: 1234 } }, default: { body: {} } }
      }, { operation: "regenerateKey", status: 202 }))
      assert.deepStrictEqual(issuePaths(semantic), [
        "operationId",
        "parameters.parameters.keyType",
        "responses.200.body.primaryKey",
        "responses.default",
        "responses"
      ])
      assert.include(semantic.issues[0]!.message, "documents CommunicationServices_ListKeys")
      assert.include(semantic.issues[4]!.message, "no response with status 202")

      const noBody = yield* Effect.flip(DocumentedExample.decode(
        { ...example, parameters: { ...example.parameters, parameters: undefined } },
        { operation: "regenerateKey" }
      ))
      assert.deepStrictEqual(issuePaths(noBody), ["parameters.parameters"])
      const listWithBody = yield* Effect.flip(DocumentedExample.decode(example, { operation: "listKeys" }))
      assert.include(listWithBody.issues[0]!.message, "listKeys takes no body parameter")
    }))

  it.effect("a file that is not JSON, or missing, fails with a typed error", () =>
    Effect.gen(function*() {
      const path = yield* tempFile(
        "broken.json",
        "{\"parameters\": {\"subscriptionId\": \"accesskey=abcdefghijklmnopqrstuvwxyz\""
      )
      const broken = yield* Effect.flip(DocumentedExample.load(path, { operation: "listKeys" }))
      assert.strictEqual(broken._tag, "MalformedRecording")
      if (broken._tag === "MalformedRecording") {
        assert.strictEqual(broken.source, path)
        assert.strictEqual(broken.issues[0]!.path, "(root)")
        assert.match(broken.issues[0]!.message, /^not valid JSON/)
        assert.notInclude(broken.message, "abcdefghijklmnopqrstuvwxyz")
      }
      const missing = yield* Effect.flip(DocumentedExample.load(`${path}.missing`, { operation: "listKeys" }))
      assert.strictEqual(missing._tag, "ReadError")
      if (missing._tag === "ReadError") {
        assert.strictEqual(missing.reason, "NotFound")
        assert.strictEqual(missing.path, `${path}.missing`)
      }
    }).pipe(Effect.scoped, Effect.provide(NodeFileSystem.layer)))
})

describe("TestProxy", () => {
  it.effect("decodes entries: header arrays joined, names lower-cased, bodies typed", () =>
    Effect.gen(function*() {
      const interactions = yield* TestProxy.decode(
        {
          Entries: [entry, { ...entry, RequestBody: null, ResponseBody: "<html/>", ResponseHeaders: {} }],
          Variables: {}
        },
        { source: "unit.json" }
      )
      assert.strictEqual(interactions.length, 2)
      const [first, second] = interactions
      assert.strictEqual(first!.request.headers["accept"], "application/json, text/json")
      assert.strictEqual(first!.request.headers["content-type"], "application/json")
      assert.deepStrictEqual(first!.request.body, { _tag: "Json", value: { keyType: "Secondary" } })
      assert.strictEqual(first!.response.headers["x-ms-request-id"], "r-1")
      assert.strictEqual(first!.source, "unit.json Entries[0]")
      assert.isUndefined(second!.request.body)
      assert.deepStrictEqual(second!.response.body, { _tag: "Text", text: "<html/>" })
    }))

  it.effect("a JSON string body with a JSON content type is JSON; include filters entries", () =>
    Effect.gen(function*() {
      const interactions = yield* TestProxy.decode({
        Entries: [
          { ...entry, RequestBody: "{\"keyType\":\"Primary\"}" },
          { ...entry, RequestUri: "https://login.microsoftonline.com/common/oauth2/v2.0/token" }
        ]
      }, { include: (interaction) => interaction.request.url.startsWith("https://management.azure.com/") })
      assert.strictEqual(interactions.length, 1)
      assert.deepStrictEqual(interactions[0]!.request.body, { _tag: "Json", value: { keyType: "Primary" } })
    }))

  it.effect("encode writes what decode reads", () =>
    Effect.gen(function*() {
      const interactions = yield* TestProxy.decode({ Entries: [entry] })
      const again = yield* TestProxy.decode(JSON.parse(JSON.stringify(TestProxy.encode(interactions))))
      assert.deepStrictEqual(
        again.map((i) => [i.request, i.response]),
        interactions.map((i) => [i.request, i.response])
      )
    }))

  it.effect("malformed recordings fail with MalformedRecording", () =>
    Effect.gen(function*() {
      const notARecording = yield* Effect.flip(TestProxy.decode({ entries: [] }))
      assert.deepStrictEqual(issuePaths(notARecording), ["Entries"])
      assert.strictEqual(notARecording.format, "TestProxy")
      const { StatusCode: _, ...noStatus } = entry
      const bad = yield* Effect.flip(TestProxy.decode({
        Entries: [noStatus, { ...entry, RequestUri: "/relative", StatusCode: 42, RequestHeaders: { a: 1 } }]
      }))
      assert.deepStrictEqual(issuePaths(bad), [
        "Entries.0.StatusCode",
        "Entries.1.RequestUri",
        "Entries.1.RequestHeaders.a",
        "Entries.1.StatusCode"
      ])
      assert.strictEqual(
        bad.issues[2]!.message,
        "Expected string, actual 1 or Expected ReadonlyArray<string>, actual 1"
      )
      assert.strictEqual(bad.issues[1]!.message, "expected an absolute http(s) URL")
      assert.include(bad.message, "is not a valid Azure SDK test-proxy recording")
      const path = yield* tempFile("recording.json", "[1, 2,")
      const notJson = yield* Effect.flip(TestProxy.load(path))
      assert.strictEqual(notJson._tag, "MalformedRecording")
    }).pipe(Effect.scoped, Effect.provide(NodeFileSystem.layer)))
})

describe("Har", () => {
  it.effect("decodes entries: pseudo-headers dropped, repeated headers joined, base64 content decoded", () =>
    Effect.gen(function*() {
      const [interaction] = yield* Har.decode({
        log: { version: "1.2", creator: { name: "t", version: "1" }, entries: [harEntry] }
      })
      assert.strictEqual(interaction!.request.method, "POST")
      assert.deepStrictEqual(interaction!.request.headers, {
        "content-type": "application/json",
        accept: "application/json, text/json"
      })
      assert.deepStrictEqual(interaction!.request.body, { _tag: "Json", value: { keyType: "Primary" } })
      assert.deepStrictEqual(interaction!.response.body, { _tag: "Json", value: { primaryKey: "<k>" } })
      assert.strictEqual(interaction!.source, "<input> log.entries[0]")
    }))

  it.effect("entries without a final response are skipped; include filters the rest", () =>
    Effect.gen(function*() {
      const blocked = { ...harEntry, response: { ...harEntry.response, status: 0 } }
      const other = { ...harEntry, request: { ...harEntry.request, url: "https://portal.azure.com/api/x" } }
      const interactions = yield* Har.decode({ log: { version: "1.2", entries: [blocked, harEntry, other] } }, {
        include: (interaction) => interaction.request.url.startsWith("https://management.azure.com/")
      })
      assert.strictEqual(interactions.length, 1)
      assert.strictEqual(interactions[0]!.source, "<input> log.entries[1]")
    }))

  it.effect("encode writes a HAR 1.2 that decode reads back", () =>
    Effect.gen(function*() {
      const interactions = yield* Har.decode({ log: { version: "1.2", entries: [harEntry] } })
      const archive = Har.encode(interactions)
      assert.strictEqual(archive.log.version, "1.2")
      assert.strictEqual(archive.log.entries[0]!.request.postData?.text, "{\"keyType\":\"Primary\"}")
      const again = yield* Har.decode(JSON.parse(JSON.stringify(archive)))
      assert.deepStrictEqual(
        again.map((i) => [i.request, i.response]),
        interactions.map((i) => [i.request, i.response])
      )
    }))

  it.effect("malformed archives fail with MalformedRecording", () =>
    Effect.gen(function*() {
      const wrongVersion = yield* Effect.flip(Har.decode({ log: { version: "2.0", entries: [] } }))
      assert.deepStrictEqual(issuePaths(wrongVersion), ["log.version"])
      assert.strictEqual(
        wrongVersion.issues[0]!.message,
        "Expected \"1.1\", actual \"2.0\" or Expected \"1.2\", actual \"2.0\""
      )
      assert.strictEqual(wrongVersion.format, "Har")
      const { content: _, ...noContent } = harEntry.response
      const bad = yield* Effect.flip(Har.decode({
        log: {
          version: "1.2",
          entries: [{ ...harEntry, response: noContent }, { request: {}, response: harEntry.response }]
        }
      }))
      assert.deepStrictEqual(issuePaths(bad), [
        "log.entries.0.response.content",
        "log.entries.1.request.method",
        "log.entries.1.request.url",
        "log.entries.1.request.headers"
      ])
      assert.include(bad.message, "<input> is not a valid HAR 1.2 file")
      const notAnArchive = yield* Effect.flip(Har.decode("GET / HTTP/1.1"))
      assert.deepStrictEqual(issuePaths(notAnArchive), ["(root)"])
    }))

  it.effect("reads a file", () =>
    Effect.gen(function*() {
      const interactions = yield* Har.load(packagePath("fixtures/recordings/rotation.har"))
      assert.strictEqual(interactions.length, 4)
      // the capture's gzip content-encoding is recorded, and dropped by the replay
      assert.strictEqual(interactions[0]!.response.headers["content-encoding"], "gzip")
    }).pipe(Effect.provide(NodeFileSystem.layer)))
})
