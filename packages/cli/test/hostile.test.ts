/* eslint-disable no-control-regex */
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { randomBytes } from "node:crypto"
import * as Http from "node:http"
import { assertNoSecret, cli, idOf, ref, token } from "./helpers.js"

/** A loopback server that answers every request with `answer`, for the life of the test's scope. */
const hostile = (answer: (response: Http.ServerResponse) => void) =>
  Effect.acquireRelease(
    Effect.async<Http.Server>((resume) => {
      const server = Http.createServer((request, response) => {
        request.resume()
        answer(response)
      })
      server.listen(0, "127.0.0.1", () => resume(Effect.succeed(server)))
    }),
    (server) =>
      Effect.async<void>((resume) => {
        server.closeAllConnections()
        server.close(() => resume(Effect.void))
      })
  ).pipe(Effect.map((server) => {
    const address = server.address()
    return `http://127.0.0.1:${typeof address === "object" && address !== null ? address.port : 0}`
  }))

const deep = (depth: number) => "[".repeat(depth) + "]".repeat(depth)

const list = (endpoint: string, ...extra: ReadonlyArray<string>) =>
  cli([
    "list",
    "--resource-id",
    idOf(ref("acs")),
    "--endpoint",
    endpoint,
    "--token",
    token,
    "--max-retries",
    "0",
    ...extra
  ])

describe("acs-keys against a hostile server: typed exit codes, never \"a bug\", nothing secret printed", () => {
  it.scopedLive("an error body nested 100,000 levels deep is BadRequest (11), in text and JSON", () =>
    Effect.gen(function*() {
      const key = randomBytes(64).toString("base64")
      const endpoint = yield* hostile((response) => {
        response.writeHead(400, { "content-type": "application/json", "x-ms-request-id": `req ${key}` })
        response.end(`{"error":{"code":"Deep","message":"key ${key}","details":${deep(100_000)}}}`)
      })
      for (const extra of [[], ["--json"]]) {
        const run = yield* list(endpoint, ...extra)
        assert.strictEqual(run.status, 11, run.stderr)
        assert.notInclude(run.stderr + run.stdout, "a bug")
        assertNoSecret(run.stdout + run.stderr, [key])
      }
    }))

  it.scopedLive("a 200 nested 100,000 levels deep, or larger than the limit, is UnexpectedResponse (13)", () =>
    Effect.gen(function*() {
      for (
        const body of [
          deep(100_000),
          `{"primaryKey":${deep(100_000)}}`,
          JSON.stringify({ primaryKey: "a".repeat(2 * 1024 * 1024) })
        ]
      ) {
        const endpoint = yield* hostile((response) => {
          response.writeHead(200, { "content-type": "application/json" })
          response.end(body)
        })
        const run = yield* list(endpoint)
        assert.strictEqual(run.status, 13, run.stderr)
        assert.notInclude(run.stderr, "a bug")
      }
    }))

  it.scopedLive("a redirect to another origin is not followed: UnexpectedResponse (13), and the other origin sees nothing", () =>
    Effect.gen(function*() {
      let reached = 0
      const other = yield* hostile((response) => {
        reached++
        response.writeHead(200, { "content-type": "application/json" })
        response.end(JSON.stringify({ primaryKey: randomBytes(64).toString("base64") }))
      })
      const endpoint = yield* hostile((response) => {
        response.writeHead(302, { location: `${other}/elsewhere` })
        response.end()
      })
      const run = yield* list(endpoint)
      assert.strictEqual(run.status, 13, run.stderr)
      assert.strictEqual(reached, 0)
    }))

  it.scopedLive("keys with control characters: -o tsv and -o table stay one line each, no escape reaches the terminal", () =>
    Effect.gen(function*() {
      const endpoint = yield* hostile((response) => {
        response.writeHead(200, { "content-type": "application/json" })
        response.end(JSON.stringify({
          primaryKey: "abc\tdef\nghi\u001b[2J\u009b31m",
          primaryConnectionString: "endpoint=https://x/;accesskey=\r\nforged line"
        }))
      })
      const tsv = yield* list(endpoint, "-o", "tsv", "--show-secrets")
      assert.strictEqual(tsv.status, 0, tsv.stderr)
      assert.strictEqual(tsv.stdout.split("\n").length, 2, JSON.stringify(tsv.stdout))
      assert.strictEqual(tsv.stdout.split("\t").length, 2, JSON.stringify(tsv.stdout))
      assert.notMatch(tsv.stdout, /[\u001b\u009b\r]/)
      const table = yield* list(endpoint, "-o", "table", "--show-secrets")
      assert.strictEqual(table.stdout.trimEnd().split("\n").length, 3, JSON.stringify(table.stdout))
      assert.notMatch(table.stdout, /[\u001b\u009b\r]/)
      // JSON and YAML escape them
      const json = yield* list(endpoint, "-o", "json", "--show-secrets")
      assert.strictEqual(JSON.parse(json.stdout).primaryKey, "abc\tdef\nghi\u001b[2J\u009b31m")
    }))
})
