/**
 * NodeTransport's HTTP/1.1 over raw sockets, met by servers that write bytes by hand: every framing a
 * server may use, split at random points, and every malformed or hostile response we could think of. Each
 * must end as a response or a typed error, never a defect, a hang or a connection reused after it carried
 * something unexpected.
 */
import { NodeTransport } from "@effect-acs/core"
import * as HttpClientError from "@effect/platform/HttpClientError"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import type * as Scope from "effect/Scope"
import type * as Http from "node:http"
import * as Module from "node:module"
import * as Net from "node:net"

// -------------------------------------------------------------------------------------------------------------
// a server that answers each request with bytes given by the test
// -------------------------------------------------------------------------------------------------------------

interface Received {
  readonly head: string
  readonly body: string
  readonly connection: number
}

interface RawServer {
  readonly url: string
  readonly received: Array<Received>
  readonly connections: () => number
}

/** Reads one request (head, then a body of its content-length) from a socket's buffered bytes. */
const takeRequest = (
  buffered: Buffer
): { readonly head: string; readonly body: string; readonly rest: Buffer } | undefined => {
  const end = buffered.indexOf("\r\n\r\n")
  if (end < 0) return undefined
  const head = buffered.toString("latin1", 0, end)
  const length = Number(/\r\ncontent-length: (\d+)/i.exec(head)?.[1] ?? 0)
  if (buffered.length < end + 4 + length) return undefined
  return {
    head,
    body: buffered.toString("utf8", end + 4, end + 4 + length),
    rest: buffered.subarray(end + 4 + length)
  }
}

/**
 * A TCP server: `answer(index, socket)` writes the response to the index-th request (in the order they
 * arrive, over every connection) as it likes, as pieces, with pauses, or not at all.
 */
const rawServer = (
  answer: (index: number, socket: Net.Socket) => void
): Effect.Effect<RawServer, never, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.async<{ server: Net.Server; state: RawServer }>((resume) => {
      const received: Array<Received> = []
      const sockets = new Set<Net.Socket>()
      let connections = 0
      const server = Net.createServer((socket) => {
        const connection = connections++
        sockets.add(socket)
        socket.on("close", () => sockets.delete(socket))
        socket.on("error", () => {})
        let buffered: Buffer = Buffer.alloc(0)
        socket.on("data", (chunk) => {
          buffered = Buffer.concat([buffered, chunk])
          for (;;) {
            const request = takeRequest(buffered)
            if (request === undefined) return
            buffered = request.rest
            received.push({ head: request.head, body: request.body, connection })
            answer(received.length - 1, socket)
          }
        })
      })
      server.on("close", () => sockets.forEach((socket) => socket.destroy()))
      server.listen(0, "127.0.0.1", () => {
        const { port } = server.address() as Net.AddressInfo
        resume(Effect.succeed({
          server,
          state: { url: `http://127.0.0.1:${port}`, received, connections: () => connections }
        }))
      })
      ;(server as unknown as { sockets: Set<Net.Socket> }).sockets = sockets
    }),
    ({ server }) =>
      Effect.async<void>((resume) => {
        for (const socket of (server as unknown as { sockets: Set<Net.Socket> }).sockets) socket.destroy()
        server.close(() => resume(Effect.void))
      })
  ).pipe(Effect.map(({ state }) => state))

/** Writes `bytes` as pieces cut at the given offsets, one piece per event-loop turn; then ends, if asked. */
const writeInPieces = (socket: Net.Socket, bytes: Buffer, cuts: ReadonlyArray<number>, end: boolean) => {
  const offsets = [
    0,
    ...[...new Set(cuts)].filter((cut) => cut > 0 && cut < bytes.length).sort((a, b) => a - b),
    bytes.length
  ]
  let index = 0
  const next = () => {
    if (socket.destroyed) return
    if (index >= offsets.length - 1) {
      if (end) socket.end()
      return
    }
    socket.write(bytes.subarray(offsets[index]!, offsets[index + 1]!))
    index++
    setImmediate(next)
  }
  next()
}

/** mulberry32: a small seeded generator, so that a failing case can be replayed from its seed. */
const seeded = (seed: number) => () => {
  seed |= 0
  seed = (seed + 0x6d2b79f5) | 0
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296
}

const failureOf = <A, E>(exit: Exit.Exit<A, E>): E => {
  if (Exit.isFailure(exit) && exit.cause._tag === "Fail") return exit.cause.error
  return assert.fail(`expected a typed failure, got ${Exit.isSuccess(exit) ? "a success" : String(exit.cause)}`)
}

const requestError = (error: unknown): HttpClientError.RequestError => {
  assert.isTrue(HttpClientError.isHttpClientError(error) && error._tag === "RequestError", String(error))
  return error as HttpClientError.RequestError
}

const codeOf = (error: { readonly cause?: unknown }): string | undefined =>
  (error.cause as { readonly code?: string } | undefined)?.code

const sleep = (millis: number) => Effect.promise(() => new Promise((resolve) => setTimeout(resolve, millis)))

const body = "{\"primaryKey\":\"k-1\",\"secondaryKey\":\"k-2\"}"

// -------------------------------------------------------------------------------------------------------------

describe("NodeTransport's HTTP/1.1", () => {
  describe("framing", () => {
    const framings: ReadonlyArray<readonly [string, (body: string) => string]> = [
      ["content-length", (text) => `HTTP/1.1 200 OK\r\nContent-Length: ${Buffer.byteLength(text)}\r\n\r\n${text}`],
      [
        "chunked, with extensions and trailers",
        (text) => {
          const bytes = Buffer.from(text)
          const half = Math.floor(bytes.length / 2)
          return `HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n${half.toString(16)};name=value\r\n` +
            `${bytes.subarray(0, half).toString()}\r\n${(bytes.length - half).toString(16).toUpperCase()}\r\n` +
            `${bytes.subarray(half).toString()}\r\n0\r\nx-trailer: yes\r\n\r\n`
        }
      ],
      [
        "two informational responses first",
        (text) =>
          `HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n` +
          `HTTP/1.1 200 OK\r\nContent-Length: ${Buffer.byteLength(text)}\r\n\r\n${text}`
      ],
      ["read until the connection closes", (text) => `HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n${text}`]
    ]
    for (const [name, frame] of framings) {
      it.scopedLive(`${name}: 40 seeded random splits all give the same status, headers and body`, () =>
        Effect.gen(function*() {
          const random = seeded(name.length * 7919)
          const text = `${body}{"ünïcode":"✓"}`
          const bytes = Buffer.from(frame(text))
          const server = yield* rawServer((_, socket) => {
            const cuts = Array.from({ length: 1 + Math.floor(random() * 6) }, () => Math.floor(random() * bytes.length))
            writeInPieces(socket, bytes, cuts, name.startsWith("read until"))
          })
          const http = yield* NodeTransport.make()
          for (let i = 0; i < 40; i++) {
            const response = yield* http.get(`${server.url}/${i}`)
            assert.strictEqual(response.status, 200, `run ${i}`)
            assert.strictEqual(yield* response.text, text, `run ${i}`)
          }
          // a kept-alive framing reuses its one connection; reading until close needs one per response
          assert.strictEqual(server.connections(), name.startsWith("read until") ? 40 : 1)
        }))
    }

    it.scopedLive("204, 304 and a HEAD have no body, whatever their content-length says; the socket is reused", () =>
      Effect.gen(function*() {
        const answers = [
          "HTTP/1.1 204 No Content\r\nContent-Length: 10\r\n\r\n",
          "HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\n",
          "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n",
          `HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\n\r\n${body}`
        ]
        const server = yield* rawServer((index, socket) => socket.write(answers[index]!))
        const http = yield* NodeTransport.make()
        assert.strictEqual(yield* Effect.flatMap(http.get(server.url), (response) => response.text), "")
        assert.strictEqual(yield* Effect.flatMap(http.get(server.url), (response) => response.text), "")
        assert.strictEqual(yield* Effect.flatMap(http.head(server.url), (response) => response.text), "")
        assert.strictEqual(yield* Effect.flatMap(http.get(server.url), (response) => response.text), body)
        assert.strictEqual(server.connections(), 1)
      }))

    it.scopedLive("repeated headers read as node:http gives them: set-cookie listed, retry-after first, others joined", () =>
      Effect.gen(function*() {
        const server = yield* rawServer((_, socket) =>
          socket.write(
            "HTTP/1.1 429 Too Many Requests\r\nRetry-After: 5\r\nretry-after: 3600\r\nX-Ms-Thing: a\r\n" +
              "x-ms-thing: b\r\nSet-Cookie: a=1\r\nSet-Cookie: b=2\r\nContent-Length: 2\r\n\r\n{}"
          )
        )
        const response = yield* (yield* NodeTransport.make()).get(server.url)
        assert.strictEqual(response.status, 429)
        assert.strictEqual(response.headers["retry-after"], "5")
        assert.strictEqual(response.headers["x-ms-thing"], "a, b")
        assert.deepStrictEqual(Object.keys(response.cookies.cookies).sort(), ["a", "b"])
      }))
  })

  describe("a malformed response is a typed error, and its connection is not reused", () => {
    const malformed: ReadonlyArray<readonly [string, string, "request" | "body", string]> = [
      ["a status line that is not HTTP/1.x", "HTTP/2 200 OK\r\n\r\n", "request", "HPE_INVALID_CONSTANT"],
      ["no status code", "HTTP/1.1 OK\r\nContent-Length: 0\r\n\r\n", "request", "HPE_INVALID_CONSTANT"],
      [
        "a header without a colon",
        "HTTP/1.1 200 OK\r\nbroken\r\nContent-Length: 0\r\n\r\n",
        "request",
        "HPE_INVALID_HEADER_TOKEN"
      ],
      [
        "a folded header line (obs-fold)",
        "HTTP/1.1 200 OK\r\nX-A: 1\r\n folded\r\nContent-Length: 0\r\n\r\n",
        "request",
        "HPE_INVALID_HEADER_TOKEN"
      ],
      [
        "a NUL in a header value",
        "HTTP/1.1 200 OK\r\nX-A: 1\u0000\r\nContent-Length: 0\r\n\r\n",
        "request",
        "HPE_INVALID_HEADER_TOKEN"
      ],
      [
        "a bare LF inside the head",
        "HTTP/1.1 200 OK\nX-A: 1\r\nContent-Length: 0\r\n\r\n",
        "request",
        "HPE_INVALID_CONSTANT"
      ],
      [
        "two different content-lengths",
        "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}",
        "request",
        "HPE_UNEXPECTED_CONTENT_LENGTH"
      ],
      [
        "a content-length and a transfer-encoding",
        "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n",
        "request",
        "HPE_UNEXPECTED_CONTENT_LENGTH"
      ],
      [
        "a content-length that is not a number",
        "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n",
        "request",
        "HPE_INVALID_CONTENT_LENGTH"
      ],
      [
        "a switch of protocols",
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: h2c\r\n\r\n",
        "request",
        "HPE_UNEXPECTED_UPGRADE"
      ],
      [
        "a chunk size that is not hexadecimal",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n",
        "body",
        "HPE_INVALID_CHUNK_SIZE"
      ],
      [
        "a chunk not followed by CRLF",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}XX0\r\n\r\n",
        "body",
        "HPE_STRICT"
      ],
      [
        "a chunk-size line without CR",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\n{}\r\n0\r\n\r\n",
        "body",
        "HPE_LF_EXPECTED"
      ]
    ]
    for (const [name, bytes, where, code] of malformed) {
      it.scopedLive(`${name}: ${where === "request" ? "a RequestError" : "a ResponseError for the body"} (${code})`, () =>
        Effect.gen(function*() {
          const good = `HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\n\r\n${body}`
          const server = yield* rawServer((index, socket) => socket.write(index === 0 ? bytes : good))
          const http = yield* NodeTransport.make()
          const exit = yield* Effect.exit(Effect.flatMap(http.get(server.url), (response) => response.text))
          const error = failureOf(exit)
          if (where === "request") {
            assert.strictEqual(requestError(error).reason, "Transport")
            assert.strictEqual(codeOf(error), code)
          } else {
            assert.strictEqual(error._tag, "ResponseError")
            assert.strictEqual(codeOf((error as HttpClientError.ResponseError).cause as { cause?: unknown }), code)
          }
          // the next request gets a new connection, and its answer
          assert.strictEqual(yield* Effect.flatMap(http.get(server.url), (response) => response.text), body)
          assert.strictEqual(server.connections(), 2)
        }))
    }

    it.scopedLive("a head that never ends is refused at 16 KiB, not buffered without bound", () =>
      Effect.gen(function*() {
        const server = yield* rawServer((_, socket) => {
          socket.write("HTTP/1.1 200 OK\r\n")
          const line = Buffer.from(`x-filler: ${"a".repeat(1000)}\r\n`)
          const pump = () => {
            for (let i = 0; i < 64 && !socket.destroyed; i++) socket.write(line)
            if (!socket.destroyed) setImmediate(pump)
          }
          pump()
        })
        const error = requestError(failureOf(yield* Effect.exit((yield* NodeTransport.make()).get(server.url))))
        assert.strictEqual(codeOf(error), "HPE_HEADER_OVERFLOW")
      }))

    it.scopedLive("a header value of 15,000 spaces is read (no quadratic trimming); its value is empty", () =>
      Effect.gen(function*() {
        const server = yield* rawServer((_, socket) =>
          socket.write(`HTTP/1.1 200 OK\r\nX-Spaces: ${" ".repeat(15_000)}\r\nContent-Length: 0\r\n\r\n`)
        )
        const response = yield* (yield* NodeTransport.make()).get(server.url)
        assert.strictEqual(response.headers["x-spaces"], "")
      }))

    it.scopedLive("chunk sizes past the limit are a body too large, whatever the chunk claims", () =>
      Effect.gen(function*() {
        const server = yield* rawServer((_, socket) =>
          socket.write("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffff\r\nabc")
        )
        const response = yield* (yield* NodeTransport.make({ maxResponseBytes: 1024 })).get(server.url)
        // refused on the chunk's claim, before its bytes: the server, which sends no more, is not waited for
        assert.isTrue(NodeTransport.isBodyTooLarge(failureOf(yield* Effect.exit(response.text))))
      }))

    it.scopedLive("bytes after the response: the answer is served, the connection is not reused", () =>
      Effect.gen(function*() {
        const good = `HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\n\r\n${body}`
        const server = yield* rawServer((index, socket) =>
          socket.write(index === 0 ? `${good}HTTP/1.1 200 OK\r\n` : good)
        )
        const http = yield* NodeTransport.make()
        assert.strictEqual(yield* Effect.flatMap(http.get(server.url), (response) => response.text), body)
        assert.strictEqual(yield* Effect.flatMap(http.get(server.url), (response) => response.text), body)
        assert.strictEqual(server.connections(), 2)
      }))

    it.scopedLive("bytes sent while the connection is idle: it is closed, the next request uses a new one", () =>
      Effect.gen(function*() {
        const good = `HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\n\r\n${body}`
        const server = yield* rawServer((index, socket) => {
          socket.write(good)
          if (index === 0) setTimeout(() => socket.write("HTTP/1.1 200 OK\r\nX-Smuggled: 1\r\n\r\n"), 20)
        })
        const http = yield* NodeTransport.make()
        assert.strictEqual((yield* http.get(server.url)).status, 200)
        yield* sleep(80)
        const second = yield* http.get(server.url)
        assert.isUndefined(second.headers["x-smuggled"])
        assert.strictEqual(yield* second.text, body)
        assert.strictEqual(server.connections(), 2)
      }))

    it.scopedLive("connection: close and a Keep-Alive timeout under a second are believed: no reuse", () =>
      Effect.gen(function*() {
        const answers = [
          `HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: ${body.length}\r\n\r\n${body}`,
          `HTTP/1.1 200 OK\r\nKeep-Alive: timeout=1\r\nContent-Length: ${body.length}\r\n\r\n${body}`,
          `HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\n\r\n${body}`,
          `HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\n\r\n${body}`
        ]
        const server = yield* rawServer((index, socket) => socket.write(answers[index]!))
        const http = yield* NodeTransport.make()
        for (let i = 0; i < 4; i++) assert.strictEqual(yield* Effect.flatMap(http.get(server.url), (r) => r.text), body)
        // one connection each for the first two, then one kept for the last two
        assert.strictEqual(server.connections(), 3)
      }))

    it.scopedLive("a connection closed by the server before answering is a RequestError (Transport)", () =>
      Effect.gen(function*() {
        const server = yield* rawServer((_, socket) => socket.end("HTTP/1.1 200 OK\r\nContent-"))
        const error = requestError(failureOf(yield* Effect.exit((yield* NodeTransport.make()).get(server.url))))
        assert.strictEqual(error.reason, "Transport")
      }))
  })

  describe("the request as written", () => {
    it.scopedLive("one write: method, path, the caller's headers, host, keep-alive and the body's length", () =>
      Effect.gen(function*() {
        const good = `HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\n\r\n${body}`
        const server = yield* rawServer((_, socket) => socket.write(good))
        const http = yield* NodeTransport.make()
        yield* http.execute(
          HttpClientRequest.post(`${server.url}/a%20b?x=1`).pipe(
            HttpClientRequest.setHeader("x-ms-client-request-id", "id-1"),
            HttpClientRequest.bodyText("{\"keyType\":\"Primary\"}", "application/json")
          )
        )
        yield* http.execute(HttpClientRequest.post(`${server.url}/listKeys`))
        yield* http.get(server.url.replace("http://", "http://user:p%40ss@"))
        const [regenerate, list, get] = server.received
        assert.match(regenerate!.head, /^POST \/a%20b\?x=1 HTTP\/1\.1\r\n/)
        assert.include(regenerate!.head, "x-ms-client-request-id: id-1")
        assert.include(regenerate!.head, `host: ${new URL(server.url).host}`)
        assert.include(regenerate!.head, "connection: keep-alive")
        assert.include(regenerate!.head, "content-length: 21")
        assert.strictEqual(regenerate!.body, "{\"keyType\":\"Primary\"}")
        // a POST without a body says so (Resource Manager answers 411 otherwise); a GET says nothing
        assert.include(list!.head, "content-length: 0")
        assert.notInclude(get!.head.toLowerCase(), "content-length")
        assert.include(get!.head, `authorization: Basic ${Buffer.from("user:p@ss").toString("base64")}`)
      }))

    for (
      const [name, request, message] of [
        [
          "a content-length that is not the body's",
          HttpClientRequest.post("http://127.0.0.1:9/").pipe(
            HttpClientRequest.bodyText("abc"),
            HttpClientRequest.setHeader("content-length", "10")
          ),
          "content-length"
        ],
        [
          "a transfer-encoding",
          HttpClientRequest.post("http://127.0.0.1:9/").pipe(
            HttpClientRequest.setHeader("transfer-encoding", "chunked")
          ),
          "transfer-encoding"
        ],
        ["a method that is not a token", HttpClientRequest.make("GET /x" as "GET")("http://127.0.0.1:9/"), "method"]
      ] as const
    ) {
      it.scopedLive(`${name} is a RequestError (Encode) before any I/O`, () =>
        Effect.gen(function*() {
          const error = requestError(failureOf(yield* Effect.exit((yield* NodeTransport.make()).execute(request))))
          assert.strictEqual(error.reason, "Encode")
          assert.include(error.message, message)
        }))
    }
  })

  describe("the pool", () => {
    it.scopedLive("a request interrupted while it waits for a socket leaves the queue; the others are served", () =>
      Effect.gen(function*() {
        const good = `HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\n\r\n${body}`
        const server = yield* rawServer((_, socket) => setTimeout(() => socket.write(good), 50))
        const http = yield* NodeTransport.make({ maxSockets: 1 })
        const first = yield* Effect.fork(http.get(`${server.url}/1`))
        yield* sleep(10)
        const waiting = yield* Effect.fork(http.get(`${server.url}/2`))
        const third = yield* Effect.fork(http.get(`${server.url}/3`))
        yield* sleep(10)
        yield* Fiber.interrupt(waiting)
        assert.strictEqual((yield* Fiber.join(first)).status, 200)
        assert.strictEqual((yield* Fiber.join(third)).status, 200)
        assert.deepStrictEqual(server.received.map((request) => request.head.split(" ")[1]), ["/1", "/3"])
        assert.strictEqual(server.connections(), 1)
      }))

    it.scopedLive("a request interrupted mid-exchange destroys its connection; the next one opens another", () =>
      Effect.gen(function*() {
        const good = `HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\n\r\n${body}`
        const server = yield* rawServer((index, socket) => {
          if (index > 0) socket.write(good)
        })
        const http = yield* NodeTransport.make({ maxSockets: 1 })
        const hung = yield* Effect.fork(http.get(server.url))
        yield* sleep(30)
        yield* Fiber.interrupt(hung)
        assert.strictEqual(yield* Effect.flatMap(http.get(server.url), (response) => response.text), body)
        assert.strictEqual(server.connections(), 2)
      }))
  })
})

describe("NodeTransport where node:http is intercepted", () => {
  const require = Module.createRequire(import.meta.url)
  const http = require("node:http") as typeof Http

  it.scopedLive("a replaced http.request (msw, nock) is used, so the tool sees the request; restored, it is not", () =>
    Effect.gen(function*() {
      const good = `HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\n\r\n${body}`
      const server = yield* rawServer((_, socket) => socket.write(good))
      const transport = yield* NodeTransport.make()
      const original = http.request
      const seen: Array<string> = []
      yield* Effect.acquireRelease(
        Effect.sync(() => {
          http.request = ((...args: Parameters<typeof original>) => {
            seen.push(String((args[0] as { path?: string }).path))
            return original(...args)
          }) as typeof original
          Module.syncBuiltinESMExports()
        }),
        () =>
          Effect.sync(() => {
            http.request = original
            Module.syncBuiltinESMExports()
          })
      )
      assert.strictEqual(yield* Effect.flatMap(transport.get(`${server.url}/seen`), (response) => response.text), body)
      assert.deepStrictEqual(seen, ["/seen"])
      http.request = original
      Module.syncBuiltinESMExports()
      assert.strictEqual(
        yield* Effect.flatMap(transport.get(`${server.url}/unseen`), (response) => response.text),
        body
      )
      assert.deepStrictEqual(seen, ["/seen"])
    }))

  it.scopedLive("the replay flag sends through node:http too, with its limits and typed errors", () =>
    Effect.gen(function*() {
      const key = Symbol.for("@effect-acs/core/NodeTransport/intercepted")
      const flags = globalThis as { [key]?: boolean }
      yield* Effect.acquireRelease(Effect.sync(() => flags[key] = true), () => Effect.sync(() => flags[key] = false))
      const server = yield* rawServer((index, socket) =>
        socket.write(
          index === 0
            ? `HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\n\r\n${body}`
            : "HTTP/1.1 200 OK\r\nContent-Length: 5000\r\n\r\n"
        )
      )
      const transport = yield* NodeTransport.make({ maxResponseBytes: 1024 })
      assert.strictEqual(yield* Effect.flatMap(transport.get(server.url), (response) => response.text), body)
      const response = yield* transport.get(server.url)
      assert.isTrue(NodeTransport.isBodyTooLarge(failureOf(yield* Effect.exit(response.text))))
    }))
})
