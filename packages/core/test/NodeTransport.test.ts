import { AzureCredential, CommunicationServices, Errors, NodeTransport, RetryPolicy } from "@effect-acs/core"
import * as HttpBody from "@effect/platform/HttpBody"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import { assert, describe, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import { identity } from "effect/Function"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import * as TestClock from "effect/TestClock"
import * as ChildProcess from "node:child_process"
import * as Fs from "node:fs"
import * as Http from "node:http"
import * as Https from "node:https"
import type * as Net from "node:net"
import * as Os from "node:os"
import * as Path from "node:path"
import * as Zlib from "node:zlib"
import * as Body from "../src/internal/body.js"
import { liveClock } from "../src/internal/timeout.js"

// -------------------------------------------------------------------------------------------------------------
// loopback servers that record what they see
// -------------------------------------------------------------------------------------------------------------

interface Seen {
  readonly method: string
  readonly url: string
  readonly headers: Http.IncomingHttpHeaders
  readonly body: string
  readonly socket: Net.Socket
  /** the response was closed before it was finished: the client went away */
  aborted: boolean
}

type Handler = (request: Http.IncomingMessage, response: Http.ServerResponse, seen: Seen) => void

interface Loopback {
  readonly url: string
  readonly seen: Array<Seen>
  /** connections accepted so far */
  readonly connections: () => number
  /** connections open now */
  readonly open: () => number
}

const listen = (server: Http.Server | Https.Server, scheme: "http" | "https") =>
  Effect.acquireRelease(
    Effect.async<string>((resume) => {
      server.listen(0, "127.0.0.1", () => {
        const address = server.address() as Net.AddressInfo
        resume(Effect.succeed(`${scheme}://127.0.0.1:${address.port}`))
      })
    }),
    () =>
      Effect.async<void>((resume) => {
        server.closeAllConnections()
        server.close(() => resume(Effect.void))
      })
  )

const serve = (handler: Handler): Effect.Effect<Loopback, never, Scope.Scope> =>
  Effect.gen(function*() {
    const seen: Array<Seen> = []
    let connections = 0
    let open = 0
    const server = Http.createServer((request, response) => {
      const chunks: Array<Buffer> = []
      request.on("data", (chunk: Buffer) => chunks.push(chunk))
      request.on("end", () => {
        const entry: Seen = {
          method: request.method ?? "",
          url: request.url ?? "",
          headers: request.headers,
          body: Buffer.concat(chunks).toString(),
          socket: request.socket,
          aborted: false
        }
        seen.push(entry)
        response.on("close", () => {
          if (!response.writableFinished) entry.aborted = true
        })
        handler(request, response, entry)
      })
    })
    server.on("connection", (socket) => {
      connections++
      open++
      socket.on("close", () => open--)
    })
    const url = yield* listen(server, "http")
    return { url, seen, connections: () => connections, open: () => open }
  })

const json = (response: Http.ServerResponse, status: number, body: unknown, headers: Http.OutgoingHttpHeaders = {}) => {
  const text = JSON.stringify(body)
  response.writeHead(status, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(text),
    ...headers
  })
  response.end(text)
}

/** Writes `chunk` for as long as the client reads, until it goes away; returns how many bytes were written. */
const endless = (response: Http.ServerResponse, chunk: Buffer, written: { bytes: number }) => {
  response.writeHead(200, { "content-type": "application/json" })
  const pump = () => {
    while (!response.destroyed) {
      written.bytes += chunk.length
      if (!response.write(chunk)) return void response.once("drain", pump)
    }
  }
  pump()
}

const sleep = (millis: number) => Effect.promise(() => new Promise((resolve) => setTimeout(resolve, millis)))

/** Waits (in real time, at most about 5 s) until `condition` holds. */
const eventually = (condition: () => boolean, what: string) =>
  Effect.gen(function*() {
    for (let i = 0; i < 500; i++) {
      if (condition()) return
      yield* sleep(10)
    }
    assert.fail(`timed out waiting until ${what}`)
  })

const client = NodeTransport.make

const openssl = ChildProcess.spawnSync("openssl", ["version"]).status === 0

/** A self-signed certificate made by openssl (its subject and extensions as given): its file, and the key. */
const certificate = (subject: ReadonlyArray<string>) =>
  Effect.gen(function*() {
    const dir = Fs.mkdtempSync(Path.join(Os.tmpdir(), "node-transport-"))
    yield* Effect.addFinalizer(() => Effect.sync(() => Fs.rmSync(dir, { recursive: true, force: true })))
    const key = Path.join(dir, "key.pem")
    const cert = Path.join(dir, "cert.pem")
    const made = ChildProcess.spawnSync("openssl", [
      "req",
      "-x509",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-keyout",
      key,
      "-out",
      cert,
      "-days",
      "1",
      ...subject
    ])
    assert.strictEqual(made.status, 0, String(made.stderr))
    return { cert, key: Fs.readFileSync(key) }
  })

const failureOf = <A, E>(exit: Exit.Exit<A, E>): E => {
  if (Exit.isFailure(exit) && exit.cause._tag === "Fail") return exit.cause.error
  return assert.fail(`expected a typed failure, got ${Exit.isSuccess(exit) ? "a success" : String(exit.cause)}`)
}

const KiB = 1024
const MiB = 1024 * KiB

// -------------------------------------------------------------------------------------------------------------

describe("NodeTransport", () => {
  it.scopedLive("serves a response: status, headers, and the same buffered body through every accessor", () =>
    Effect.gen(function*() {
      const server = yield* serve((_, response) =>
        json(response, 201, { hello: "wörld" }, { "x-ms-request-id": "r-1" })
      )
      const http = yield* client()
      const response = yield* http.execute(
        HttpClientRequest.post(`${server.url}/things?x=1`, {
          headers: { "x-custom": "yes" },
          body: HttpBody.text("{\"a\":1}", "application/json")
        })
      )
      assert.strictEqual(response.status, 201)
      assert.strictEqual(response.headers["x-ms-request-id"], "r-1")
      assert.deepStrictEqual(yield* response.json, { hello: "wörld" })
      assert.strictEqual(yield* response.text, "{\"hello\":\"wörld\"}")
      assert.strictEqual(new TextDecoder().decode(yield* response.arrayBuffer), "{\"hello\":\"wörld\"}")
      const chunks = yield* Stream.runCollect(response.stream)
      assert.strictEqual(Buffer.concat(Chunk.toArray(chunks)).toString(), "{\"hello\":\"wörld\"}")
      // read twice, the same again
      assert.deepStrictEqual(yield* response.json, { hello: "wörld" })
      assert.strictEqual(server.seen[0]!.method, "POST")
      assert.strictEqual(server.seen[0]!.url, "/things?x=1")
      assert.strictEqual(server.seen[0]!.headers["x-custom"], "yes")
      assert.strictEqual(server.seen[0]!.headers["content-length"], "7")
      assert.strictEqual(server.seen[0]!.body, "{\"a\":1}")
      // the inspected response never shows the body (it may hold keys)
      assert.notInclude(String(response), "wörld")
      assert.notInclude(JSON.stringify(response), "wörld")
    }))

  it.scopedLive("an empty body (204) reads as empty text and an empty stream", () =>
    Effect.gen(function*() {
      const server = yield* serve((_, response) => {
        response.writeHead(204)
        response.end()
      })
      const response = yield* (yield* client()).post(server.url)
      assert.strictEqual(response.status, 204)
      assert.strictEqual(yield* response.text, "")
      assert.strictEqual(yield* response.json, null)
      assert.strictEqual(Chunk.size(yield* Stream.runCollect(response.stream)), 0)
      assert.strictEqual(server.seen[0]!.headers["content-length"], "0", "a POST without a body says so")
    }))

  it.scopedLive("keeps connections alive: one socket serves sequential requests", () =>
    Effect.gen(function*() {
      const server = yield* serve((_, response) => json(response, 200, { ok: true }))
      const http = yield* client()
      for (let i = 0; i < 3; i++) {
        const response = yield* http.get(`${server.url}/${i}`)
        assert.deepStrictEqual(yield* response.json, { ok: true })
      }
      assert.strictEqual(server.seen.length, 3)
      assert.strictEqual(server.seen[0]!.socket, server.seen[1]!.socket)
      assert.strictEqual(server.seen[1]!.socket, server.seen[2]!.socket)
      assert.strictEqual(server.connections(), 1)
    }))

  it.scopedLive("maxSockets bounds the connections to one origin: concurrent requests wait for a socket", () =>
    Effect.gen(function*() {
      const server = yield* serve((_, response) => setTimeout(() => json(response, 200, { ok: true }), 20))
      const http = yield* client({ maxSockets: 1 })
      const statuses = yield* Effect.forEach(
        [1, 2, 3],
        (i) => Effect.map(http.get(`${server.url}/${i}`), (response) => response.status),
        { concurrency: "unbounded" }
      )
      assert.deepStrictEqual(statuses, [200, 200, 200])
      assert.strictEqual(server.connections(), 1)
    }))

  it.live("closing the layer closes its pooled sockets", () =>
    Effect.gen(function*() {
      const scope = yield* Scope.make()
      const server = yield* Scope.extend(serve((_, response) => json(response, 200, { ok: true })), scope)
      const layerScope = yield* Scope.make()
      const context = yield* Layer.buildWithScope(NodeTransport.layer, layerScope)
      const response = yield* HttpClient.get(server.url).pipe(Effect.provide(context))
      assert.strictEqual(response.status, 200)
      assert.strictEqual(server.open(), 1, "the socket is kept for reuse")
      yield* Scope.close(layerScope, Exit.void)
      yield* eventually(() => server.open() === 0, "the server saw the pooled socket close")
      yield* Scope.close(scope, Exit.void)
    }))

  it.scopedLive("idleTimeout closes an idle pooled socket, never a request in flight", () =>
    Effect.gen(function*() {
      const server = yield* serve((_, response) => setTimeout(() => json(response, 200, { ok: true }), 300))
      const http = yield* client({ idleTimeout: 100 })
      // the answer takes three times the idle timeout: the request is not cut
      assert.strictEqual((yield* http.get(server.url)).status, 200)
      assert.strictEqual(server.open(), 1)
      yield* eventually(() => server.open() === 0, "the idle socket was closed")
    }))

  it.live("after the layer closes, no socket or timer of the transport is left", () =>
    Effect.gen(function*() {
      const count = () => {
        const counts: Record<string, number> = {}
        for (const name of process.getActiveResourcesInfo()) counts[name] = (counts[name] ?? 0) + 1
        return counts
      }
      yield* sleep(50) // what earlier tests closed is gone
      const before = count()
      yield* Effect.scoped(Effect.gen(function*() {
        const server = yield* serve((_, response) => json(response, 200, { ok: true }))
        const http = yield* client()
        yield* Effect.forEach([1, 2, 3, 4], () => http.get(server.url), { concurrency: 4 })
        assert.isAtLeast(server.open(), 1)
      }))
      yield* sleep(50)
      const after = count()
      assert.isAtMost(after["TCPSocketWrap"] ?? 0, before["TCPSocketWrap"] ?? 0, "sockets")
      assert.isAtMost(after["TCPServerWrap"] ?? 0, before["TCPServerWrap"] ?? 0, "servers")
      assert.isAtMost(after["Timeout"] ?? 0, before["Timeout"] ?? 0, "timers")
    }))

  describe("bounded bodies", () => {
    it.scopedLive("a content-length over maxResponseBytes is refused before reading; the socket is destroyed", () =>
      Effect.gen(function*() {
        const server = yield* serve((request, response) => {
          if (request.url === "/small") return json(response, 200, { ok: true })
          response.writeHead(200, { "content-type": "application/json", "content-length": String(10 * MiB) })
          response.write(Buffer.alloc(64 * KiB, 0x20)) // and never the rest
        })
        const http = yield* client({ maxResponseBytes: 256 * KiB })
        const response = yield* http.get(`${server.url}/big`)
        assert.strictEqual(response.status, 200)
        assert.strictEqual(response.headers["content-length"], String(10 * MiB))
        for (const read of [response.text, response.json, response.arrayBuffer, Stream.runDrain(response.stream)]) {
          const error = failureOf(yield* Effect.exit(read as Effect.Effect<unknown, unknown>))
          assert.isTrue(NodeTransport.isBodyTooLarge(error), String(error))
          assert.strictEqual((error as { _tag: string })._tag, "ResponseError")
          assert.strictEqual((error as { reason: string }).reason, "Decode")
          assert.include(String((error as Error).message), "262144 bytes")
        }
        yield* eventually(() => server.seen[0]!.aborted, "the server saw the connection close")
        // the socket was not put back in the pool: the next request opens another
        assert.strictEqual((yield* http.get(`${server.url}/small`)).status, 200)
        assert.strictEqual(server.connections(), 2)
      }))

    it.scopedLive("an endless chunked body is read up to the limit only: the server is cut off", () =>
      Effect.gen(function*() {
        const written = { bytes: 0 }
        const server = yield* serve((_, response) => endless(response, Buffer.alloc(16 * KiB, 0x20), written))
        const http = yield* client({ maxResponseBytes: 256 * KiB })
        const response = yield* http.get(server.url)
        assert.isTrue(NodeTransport.isBodyTooLarge(failureOf(yield* Effect.exit(response.text))))
        // the cut body's length says it is over the limit, so core's reader refuses it unread
        assert.isAbove(Number(response.headers["content-length"]), 256 * KiB)
        assert.isUndefined(response.headers["transfer-encoding"])
        const body = yield* Body.read(response, 256 * KiB)
        assert.strictEqual(body._tag, "TooLarge")
        yield* eventually(() => server.seen[0]!.aborted, "the server saw the connection close")
        // what the server managed to write is bounded by the limit and the socket buffers, not endless
        const settled = written.bytes
        yield* sleep(100)
        assert.strictEqual(written.bytes, settled, "the server stopped writing")
        assert.isBelow(written.bytes, 32 * MiB)
      }))

    for (const framing of ["content-length", "chunked"] as const) {
      it.scopedLive(`a body of exactly maxResponseBytes is read, one byte more is not (${framing})`, () =>
        Effect.gen(function*() {
          const server = yield* serve((request, response) => {
            const size = Number(request.url!.slice(1))
            const body = Buffer.alloc(size, 0x61)
            if (framing === "content-length") {
              response.writeHead(200, { "content-length": size })
              response.end(body)
            } else {
              response.writeHead(200)
              for (let at = 0; at < size; at += 1000) response.write(body.subarray(at, at + 1000))
              response.end()
            }
          })
          const http = yield* client({ maxResponseBytes: 4096 })
          const exact = yield* http.get(`${server.url}/4096`)
          assert.strictEqual((yield* exact.text).length, 4096)
          const over = yield* http.get(`${server.url}/4097`)
          assert.isTrue(NodeTransport.isBodyTooLarge(failureOf(yield* Effect.exit(over.text))))
          assert.strictEqual((yield* Body.read(over, 4096))._tag, "TooLarge")
        }))
    }

    it.scopedLive("a connection that ends mid-body gives the status, then a ResponseError for the body", () =>
      Effect.gen(function*() {
        const server = yield* serve((_, response) => {
          response.writeHead(500, { "content-length": 100 })
          response.write("0123456789", () => response.socket?.destroy())
        })
        const response = yield* (yield* client()).get(server.url)
        assert.strictEqual(response.status, 500)
        const error = failureOf(yield* Effect.exit(response.text))
        assert.strictEqual(error._tag, "ResponseError")
        assert.isFalse(NodeTransport.isBodyTooLarge(error))
      }))
  })

  it.scopedLive("never follows a redirect: the 3xx is the response, the other origin receives nothing", () =>
    Effect.gen(function*() {
      const elsewhere = yield* serve((_, response) => json(response, 200, { primaryKey: "not-yours" }))
      const server = yield* serve((request, response) => {
        response.writeHead(request.method === "POST" ? 307 : 302, { location: `${elsewhere.url}/keys` })
        response.end()
      })
      const http = yield* client()
      const get = yield* http.get(server.url)
      assert.strictEqual(get.status, 302)
      assert.strictEqual(get.headers["location"], `${elsewhere.url}/keys`)
      const post = yield* http.execute(HttpClientRequest.post(server.url, { body: HttpBody.text("{}") }))
      assert.strictEqual(post.status, 307)
      yield* sleep(50)
      assert.strictEqual(elsewhere.seen.length, 0)
      assert.strictEqual(elsewhere.connections(), 0)
    }))

  it.scopedLive("never decompresses: a gzip body is handed over as the bytes sent", () =>
    Effect.gen(function*() {
      const gzipped = Zlib.gzipSync(Buffer.alloc(64 * KiB, 0x20))
      const server = yield* serve((_, response) => {
        response.writeHead(200, { "content-encoding": "gzip", "content-length": gzipped.length })
        response.end(gzipped)
      })
      const response = yield* (yield* client()).get(server.url)
      const bytes = new Uint8Array(yield* response.arrayBuffer)
      assert.strictEqual(bytes.length, gzipped.length)
      assert.deepStrictEqual([bytes[0], bytes[1]], [0x1f, 0x8b])
      assert.isUndefined(server.seen[0]!.headers["accept-encoding"], "nothing asks for compression")
    }))

  describe("aborting", () => {
    it.scopedLive("interrupting the request destroys it: the server sees the connection go", () =>
      Effect.gen(function*() {
        const server = yield* serve(() => {}) // never answers
        const http = yield* client()
        const fiber = yield* Effect.fork(http.get(server.url))
        yield* eventually(() => server.seen.length === 1, "the server received the request")
        yield* Fiber.interrupt(fiber)
        yield* eventually(() => server.seen[0]!.aborted, "the server saw the request closed")
        yield* eventually(() => server.open() === 0, "the socket was closed")
      }))

    it.scopedLive("a timeout around the request aborts it too", () =>
      Effect.gen(function*() {
        const server = yield* serve(() => {})
        const exit = yield* Effect.exit(Effect.timeout((yield* client()).get(server.url), "100 millis"))
        assert.strictEqual(failureOf(exit)._tag, "TimeoutException")
        yield* eventually(() => server.seen[0]?.aborted === true, "the server saw the request closed")
      }))

    it.scopedLive("closing the request's scope (HttpClient.withScope) aborts it with a RequestError", () =>
      Effect.gen(function*() {
        const server = yield* serve(() => {})
        const http = HttpClient.withScope(yield* client())
        const scope = yield* Scope.make()
        const fiber = yield* Effect.fork(Scope.extend(Effect.exit(http.get(server.url)), scope))
        yield* eventually(() => server.seen.length === 1, "the server received the request")
        yield* Scope.close(scope, Exit.void)
        const error = failureOf(yield* Fiber.join(fiber))
        assert.strictEqual(error._tag, "RequestError")
        assert.strictEqual(error.reason, "Transport")
        yield* eventually(() => server.seen[0]!.aborted, "the server saw the request closed")
      }))

    it.scopedLive("a scope closed after the response does not disturb the pooled socket", () =>
      Effect.gen(function*() {
        const server = yield* serve((_, response) => json(response, 200, { ok: true }))
        const http = HttpClient.withScope(yield* client())
        for (let i = 0; i < 2; i++) {
          const text = yield* Effect.scoped(Effect.flatMap(http.get(server.url), (response) => response.text))
          assert.strictEqual(text, "{\"ok\":true}")
        }
        assert.strictEqual(server.connections(), 1)
      }))
  })

  describe("errors", () => {
    it.scopedLive("a refused connection is a RequestError (Transport) whose cause keeps the code", () =>
      Effect.gen(function*() {
        const port = yield* Effect.async<number>((resume) => {
          const probe = Http.createServer()
          probe.listen(0, "127.0.0.1", () => {
            const { port } = probe.address() as Net.AddressInfo
            probe.close(() => resume(Effect.succeed(port)))
          })
        })
        const error = failureOf(yield* Effect.exit((yield* client()).get(`http://127.0.0.1:${port}/`)))
        assert.strictEqual(error._tag, "RequestError")
        assert.strictEqual(error.reason, "Transport")
        assert.strictEqual((error.cause as { code?: string }).code, "ECONNREFUSED")
      }))

    const badValues: ReadonlyArray<readonly [string, string]> = [
      ["CR", "secret-1\rx"],
      ["LF", "secret-1\nx"],
      ["CRLF and a header", "secret-1\r\nx-injected: 1"],
      ["NUL", "secret-1\u0000"],
      ["a character outside Latin-1", "secret-1\u2603"]
    ]
    for (const [name, value] of badValues) {
      it.scopedLive(`a header value with ${name} is a RequestError (Encode), not a defect; nothing is sent`, () =>
        Effect.gen(function*() {
          const server = yield* serve((_, response) => json(response, 200, {}))
          const request = HttpClientRequest.get(server.url).pipe(HttpClientRequest.setHeader("x-token", value))
          const error = failureOf(yield* Effect.exit((yield* client()).execute(request)))
          assert.strictEqual(error._tag, "RequestError")
          assert.strictEqual(error.reason, "Encode")
          assert.include(error.message, "x-token")
          assert.notInclude(error.message, "secret-1")
          yield* sleep(20)
          assert.strictEqual(server.connections(), 0)
        }))
    }

    it.scopedLive("a header name that is not a token is a RequestError (Encode)", () =>
      Effect.gen(function*() {
        const request = HttpClientRequest.get("http://127.0.0.1:9/").pipe(HttpClientRequest.setHeader("x bad", "1"))
        const error = failureOf(yield* Effect.exit((yield* client()).execute(request)))
        assert.strictEqual(error._tag, "RequestError")
        assert.strictEqual(error.reason, "Encode")
      }))

    it.live("an option that is not a positive whole number is a defect naming it", () =>
      Effect.gen(function*() {
        const exit = yield* Effect.exit(Effect.scoped(NodeTransport.make({ maxSockets: 0 })))
        assert.isTrue(Exit.isFailure(exit) && exit.cause._tag === "Die")
        assert.include(String(Exit.isFailure(exit) && exit.cause._tag === "Die" && exit.cause.defect), "maxSockets")
      }))

    it.scopedLive.skipIf(!openssl)(
      "https: a self-signed certificate is refused before anything is sent",
      () =>
        Effect.gen(function*() {
          const { cert, key } = yield* certificate(["-subj", "/CN=127.0.0.1"])
          let requests = 0
          const server = Https.createServer(
            { key, cert: Fs.readFileSync(cert) },
            (_, response) => {
              requests++
              response.end()
            }
          )
          const url = yield* listen(server, "https")
          const error = failureOf(yield* Effect.exit((yield* client()).get(url)))
          assert.strictEqual(error._tag, "RequestError")
          assert.strictEqual(error.reason, "Transport")
          assert.strictEqual((error.cause as { code?: string }).code, "DEPTH_ZERO_SELF_SIGNED_CERT")
          assert.strictEqual(requests, 0)
        })
    )
  })

  it.scopedLive.skipIf(!openssl)(
    "https with a certificate the process trusts: served, kept alive, and a new connection resumes the TLS session",
    () =>
      Effect.gen(function*() {
        const { cert, key } = yield* certificate([
          "-subj",
          "/CN=localhost",
          "-addext",
          "subjectAltName=DNS:localhost,IP:127.0.0.1"
        ])
        const resumed: Array<boolean> = []
        let served = 0
        const server = Https.createServer(
          { key, cert: Fs.readFileSync(cert) },
          (request, response) => {
            served++
            // the second answer closes its connection: the third request needs a new one
            json(response, 200, { path: request.url }, served === 2 ? { connection: "close" } : {})
          }
        )
        server.on("secureConnection", (socket) => resumed.push(socket.isSessionReused()))
        const url = (yield* listen(server, "https")).replace("127.0.0.1", "localhost")
        // (asynchronously: the server answers from this process)
        const stdout = yield* Effect.async<string>((resume) => {
          ChildProcess.execFile(
            process.execPath,
            [
              "--conditions=source",
              "--import",
              "tsx",
              Path.join(import.meta.dirname, "child", "https-get.ts"),
              url,
              "4"
            ],
            { env: { ...process.env, NODE_EXTRA_CA_CERTS: cert }, encoding: "utf8", timeout: 60_000 },
            (_, out) => resume(Effect.succeed(out))
          )
        })
        const result = JSON.parse(stdout.trim().split("\n").at(-1) ?? "{}") as {
          readonly responses?: ReadonlyArray<{ readonly status: number; readonly body: string }>
          readonly error?: string
        }
        assert.isUndefined(result.error, result.error)
        assert.deepStrictEqual(result.responses?.map((response) => JSON.parse(response.body).path), [
          "/0",
          "/1",
          "/2",
          "/3"
        ])
        assert.deepStrictEqual(resumed, [false, true], "two connections, the second resuming the first's session")
      })
  )

  describe("composes as any HttpClient", () => {
    it.scopedLive("mapRequest, filterStatusOk and retry", () =>
      Effect.gen(function*() {
        let count = 0
        const server = yield* serve((_, response) => json(response, count++ === 0 ? 503 : 200, { count }))
        const http = (yield* client()).pipe(
          HttpClient.mapRequest(HttpClientRequest.prependUrl(server.url)),
          HttpClient.filterStatusOk,
          HttpClient.retry({ times: 2 })
        )
        const response = yield* http.get("/retried")
        assert.strictEqual(response.status, 200)
        assert.deepStrictEqual(server.seen.map((seen) => seen.url), ["/retried", "/retried"])
      }))

    it.scopedLive("a streamed request body is sent; a failing one is a RequestError (Encode)", () =>
      Effect.gen(function*() {
        const server = yield* serve((_, response) => json(response, 200, {}))
        const http = yield* client()
        const body = Stream.make("a", "b", "c").pipe(Stream.encodeText)
        yield* http.execute(HttpClientRequest.post(server.url, { body: HttpBody.stream(body) }))
        assert.strictEqual(server.seen[0]!.body, "abc")
        const failing = Stream.concat(Stream.make(new Uint8Array([1])), Stream.fail("boom"))
        const error = failureOf(
          yield* Effect.exit(http.execute(HttpClientRequest.post(server.url, { body: HttpBody.stream(failing) })))
        )
        assert.strictEqual(error._tag, "RequestError")
        assert.strictEqual(error.reason, "Encode")
      }))
  })

  describe("the client over NodeTransport", () => {
    const token = "nodetransport-token"
    const resource = {
      subscriptionId: "12345",
      resourceGroupName: "MyResourceGroup",
      communicationServiceName: "MyCommunicationResource"
    }
    // the documented 200 of Regenerate Key (2020-08-20)
    const documented = {
      primaryKey: "1234",
      primaryConnectionString: "endpoint=https://mycommunicationresource.communication.azure.com/;accesskey=1234"
    }
    const layer = (url: string, options: CommunicationServices.Options = {}) =>
      CommunicationServices.layer({ endpoint: url, allowInsecureLoopback: true, retry: false, ...options }).pipe(
        Layer.provide(AzureCredential.static(Redacted.make(token))),
        Layer.provide(NodeTransport.layer)
      )

    it.scopedLive("regenerateKey and listKeys over one kept-alive connection", () =>
      Effect.gen(function*() {
        const server = yield* serve((request, response) =>
          json(
            response,
            200,
            request.url!.includes("/listKeys") ? { ...documented, secondaryKey: "5678" } : documented,
            { "x-ms-request-id": "req-1" }
          )
        )
        const { keys, listed } = yield* Effect.gen(function*() {
          const keys = yield* CommunicationServices.regenerateKey({ ...resource, keyType: "Primary" })
          const listed = yield* CommunicationServices.listKeys(resource)
          return { keys, listed }
        }).pipe(Effect.provide(layer(server.url)))
        assert.strictEqual(Redacted.value(keys.primaryKey!), "1234")
        assert.strictEqual(Redacted.value(keys.primaryConnectionString!), documented.primaryConnectionString)
        assert.strictEqual(Redacted.value(listed.secondaryKey!), "5678")
        const regenerate = server.seen[0]!
        assert.strictEqual(regenerate.method, "POST")
        assert.strictEqual(
          regenerate.url,
          "/subscriptions/12345/resourceGroups/MyResourceGroup/providers/Microsoft.Communication/communicationServices/MyCommunicationResource/regenerateKey?api-version=2020-08-20"
        )
        assert.strictEqual(regenerate.body, "{\"keyType\":\"Primary\"}")
        assert.strictEqual(regenerate.headers["authorization"], `Bearer ${token}`)
        assert.strictEqual(regenerate.headers["accept-encoding"], "identity")
        assert.isUndefined(regenerate.headers["traceparent"])
        assert.strictEqual(server.seen[1]!.headers["content-length"], "0")
        assert.strictEqual(server.connections(), 1)
      }))

    for (const framing of ["content-length", "chunked"] as const) {
      it.scopedLive(`a 200 over 1 MiB (${framing}) is UnexpectedResponse BodyTooLarge`, () =>
        Effect.gen(function*() {
          const head = `{"primaryKey":"1234","primaryConnectionString":"${documented.primaryConnectionString}"`
          const text = head + " ".repeat(2 * MiB - head.length - 1) + "}"
          const server = yield* serve((_, response) => {
            response.writeHead(200, framing === "content-length" ? { "content-length": Buffer.byteLength(text) } : {})
            response.end(text)
          })
          const exit = yield* Effect.exit(
            CommunicationServices.regenerateKey({ ...resource, keyType: "Primary" }).pipe(
              Effect.provide(layer(server.url))
            )
          )
          const error = failureOf(exit)
          assert.strictEqual(error._tag, "UnexpectedResponse")
          assert.strictEqual((error as { reason?: string }).reason, "BodyTooLarge")
        }))
    }

    describe("the per-attempt timeout (NodeTransport ends the exchange itself at the deadline)", () => {
      const regenerate = Effect.flatMap(
        CommunicationServices.CommunicationServices,
        (client) => client.regenerateKeyResponse({ ...resource, keyType: "Primary" })
      )
      const activeTimers = () => process.getActiveResourcesInfo().filter((name) => name === "Timeout").length

      it.scopedLive("no answer: TransportError Timeout, the request destroyed, even in an uninterruptible region", () =>
        Effect.gen(function*() {
          const server = yield* serve(() => {}) // never answers
          for (const wrap of [identity, Effect.uninterruptible]) {
            const error = yield* Effect.flip(
              wrap(regenerate).pipe(
                Effect.provide(layer(server.url, { timeout: "200 millis" }))
              )
            )
            assert.strictEqual(error._tag, "TransportError")
            assert.strictEqual((error as Errors.TransportError).reason, "Timeout")
            assert.strictEqual((error as Errors.TransportError).description, "no complete response within 200ms")
            assert.strictEqual((error as Errors.TransportError).attempts, 1)
            assert.isTrue(Errors.isOutcomeUnknown(error), "a regeneration that timed out may have happened")
          }
          assert.strictEqual(server.seen.length, 2)
          yield* eventually(() => server.seen.every((seen) => seen.aborted) && server.open() === 0, "both destroyed")
        }))

      it.scopedLive("a listKeys with no answer is a Timeout whose outcome is known (nothing changed)", () =>
        Effect.gen(function*() {
          const server = yield* serve(() => {})
          const error = yield* Effect.flip(
            CommunicationServices.listKeys(resource).pipe(
              Effect.provide(layer(server.url, { timeout: "150 millis" }))
            )
          )
          assert.strictEqual((error as Errors.TransportError).reason, "Timeout")
          assert.isFalse(Errors.isOutcomeUnknown(error))
        }))

      it.scopedLive("the deadline covers the body: headers in time, a body that drips past it, is a Timeout", () =>
        Effect.gen(function*() {
          const server = yield* serve((_, response) => {
            response.writeHead(200, { "content-type": "application/json" })
            response.write("{\"primaryKey\":")
            const drip = setInterval(() => response.destroyed ? clearInterval(drip) : response.write(" "), 50)
            response.on("close", () => clearInterval(drip))
          })
          const error = yield* Effect.flip(
            regenerate.pipe(Effect.provide(layer(server.url, { timeout: "300 millis" })))
          )
          assert.strictEqual((error as Errors.TransportError).reason, "Timeout")
          yield* eventually(() => server.seen[0]!.aborted, "the dripping response is cut")
        }))

      it.scopedLive("the deadline is per attempt: a hung attempt, then an answered retry with the same request id", () =>
        Effect.gen(function*() {
          const server = yield* serve((_, response, seen) => {
            if (server.seen.indexOf(seen) > 0) json(response, 200, documented)
          })
          const response = yield* regenerate.pipe(Effect.provide(layer(server.url, {
            timeout: "200 millis",
            retry: RetryPolicy.exponential({ maxRetries: 1, baseDelay: "1 millis" })
          })))
          assert.strictEqual(response.attempts, 2)
          assert.strictEqual(server.seen.length, 2)
          assert.strictEqual(
            server.seen[0]!.headers["x-ms-client-request-id"],
            server.seen[1]!.headers["x-ms-client-request-id"]
          )
          assert.strictEqual(response.clientRequestId, server.seen[1]!.headers["x-ms-client-request-id"])
        }))

      it.scopedLive("an answer in time clears the deadline's timer: no timer is left per call", () =>
        Effect.gen(function*() {
          const server = yield* serve((_, response) => json(response, 200, documented))
          const before = activeTimers()
          yield* Effect.gen(function*() {
            for (let i = 0; i < 40; i++) yield* regenerate
            // 40 uncleared timers of an hour would all still be active
            assert.isBelow(activeTimers() - before, 10)
          }).pipe(Effect.provide(layer(server.url, { timeout: "1 hour" })))
        }))

      it.scopedLive("a token not in hand within the timeout is a CredentialError; nothing is sent", () =>
        Effect.gen(function*() {
          const server = yield* serve((_, response) => json(response, 200, documented))
          const error = yield* Effect.flip(regenerate.pipe(Effect.provide(
            CommunicationServices.layer({ endpoint: server.url, allowInsecureLoopback: true, timeout: "150 millis" })
              .pipe(
                Layer.provide(Layer.succeed(AzureCredential.AzureCredential, { getToken: () => Effect.never })),
                Layer.provide(NodeTransport.layer)
              )
          )))
          assert.strictEqual(error._tag, "CredentialError")
          assert.strictEqual((error as Errors.CredentialError).reason, "no token within 150ms")
          assert.strictEqual(server.seen.length, 0)
        }))

      it.scopedLive("a cached token is used while fresh, fetched again when it is not", () =>
        Effect.gen(function*() {
          const server = yield* serve((_, response) => json(response, 200, documented))
          for (const [lifetime, fetches] of [[60 * 60_000, 1], [60_000, 3]] as const) {
            let fetched = 0
            const credential = AzureCredential.fromTokenCredential({
              getToken: async () => {
                fetched++
                return { token: `${token}-${fetched}`, expiresOnTimestamp: Date.now() + lifetime }
              }
            })
            const before = server.seen.length
            yield* Effect.gen(function*() {
              for (let i = 0; i < 3; i++) yield* regenerate
            }).pipe(Effect.provide(
              CommunicationServices.layer({ endpoint: server.url, allowInsecureLoopback: true }).pipe(
                Layer.provide(credential),
                Layer.provide(NodeTransport.layer)
              )
            ))
            // within the refresh margin (2 minutes) a token is never fresh
            assert.strictEqual(fetched, fetches)
            assert.deepStrictEqual(
              server.seen.slice(before).map((seen) => seen.headers["authorization"]),
              fetches === 1
                ? [`Bearer ${token}-1`, `Bearer ${token}-1`, `Bearer ${token}-1`]
                : [`Bearer ${token}-1`, `Bearer ${token}-2`, `Bearer ${token}-3`]
            )
          }
        }))

      it.scoped("under a TestClock the timeout follows the test's clock (the general path)", () =>
        Effect.gen(function*() {
          const server = yield* serve(() => {})
          const fiber = yield* Effect.fork(
            Effect.flip(regenerate.pipe(Effect.provide(layer(server.url, { timeout: "10 seconds" }))))
          )
          yield* eventually(() => server.seen.length === 1, "the request arrives").pipe(Effect.withClock(liveClock))
          yield* TestClock.adjust("10 seconds")
          const error = yield* Fiber.join(fiber)
          assert.strictEqual((error as Errors.TransportError).reason, "Timeout")
        }))
    })

    it.scopedLive("a refused connection is TransportError Connect (nothing was sent)", () =>
      Effect.gen(function*() {
        const port = yield* Effect.async<number>((resume) => {
          const probe = Http.createServer()
          probe.listen(0, "127.0.0.1", () => {
            const { port } = probe.address() as Net.AddressInfo
            probe.close(() => resume(Effect.succeed(port)))
          })
        })
        const exit = yield* Effect.exit(
          CommunicationServices.regenerateKey({ ...resource, keyType: "Primary" }).pipe(
            Effect.provide(layer(`http://127.0.0.1:${port}`))
          )
        )
        const error = failureOf(exit)
        assert.strictEqual(error._tag, "TransportError")
        assert.strictEqual((error as { reason?: string }).reason, "Connect")
        assert.isFalse((error as { outcomeUnknown?: boolean }).outcomeUnknown)
      }))
  })
})
