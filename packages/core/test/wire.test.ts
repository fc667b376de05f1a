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

/** node:http's module object, the one test tools patch (`syncBuiltinESMExports` carries a patch to ESM imports). */
const nodeHttp = Module.createRequire(import.meta.url)("node:http") as typeof Http

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
        "whitespace in a chunk extension",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2; a=1\r\n{}\r\n0\r\n\r\n",
        "body",
        "HPE_INVALID_CHUNK_SIZE"
      ],
      [
        "a chunk extension with an unterminated quoted string",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2;a=\"open\r\n{}\r\n0\r\n\r\n",
        "body",
        "HPE_INVALID_CHUNK_SIZE"
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
  const http = nodeHttp

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

// -------------------------------------------------------------------------------------------------------------
// differential: the same bytes read by NodeTransport and by node:http (llhttp)
// -------------------------------------------------------------------------------------------------------------

type Outcome =
  | { readonly _tag: "Response"; readonly status: number; readonly headers: string; readonly body: string }
  | { readonly _tag: "Refused"; readonly detail: string }

/** A response generated from a seed: a valid framing, then mutated the way a broken or hostile server would. */
const hostileResponse = (random: () => number): Buffer => {
  const pick = <A>(items: ReadonlyArray<A>): A => items[Math.floor(random() * items.length)]!
  const chance = (p: number) => random() < p
  const text = pick(["", body, "{\"a\":[1,2,3]}", "x".repeat(1 + Math.floor(random() * 300)), "ü✓\u0000\r\n"])
  const bytes = Buffer.from(text)
  const status = pick(["200 OK", "200", "201 Created", "204 No Content", "304 Not Modified", "404 Not Found", "500 x"])
  const head: Array<string> = [`HTTP/1.${chance(0.15) ? 0 : 1} ${status}`]
  if (chance(0.1)) head.unshift("HTTP/1.1 100 Continue\r\n")
  const weird = ["\t", " ", "\u0000", "\r", "\n", "\u007f", "\u00ff", ",", ";", ":", "\u0001"]
  const value = () =>
    Array.from({ length: Math.floor(random() * 8) }, () => chance(0.2) ? pick(weird) : pick(["a", "1", "-", "=", "z"]))
      .join("")
  const framing = pick(["length", "length", "chunked", "chunked", "close", "both"])
  let payload: Buffer = bytes
  if (framing === "length" || framing === "both") {
    const length = pick([String(bytes.length), String(bytes.length), ` ${bytes.length} `, String(bytes.length + 1)])
    head.push(`${pick(["Content-Length", "content-length", "CONTENT-LENGTH"])}: ${length}`)
    if (chance(0.15)) {
      head.push(`Content-Length: ${pick([String(bytes.length), String(Math.max(0, bytes.length - 1))])}`)
    }
  }
  if (framing === "chunked" || framing === "both") {
    head.push(
      `Transfer-Encoding: ${pick(["chunked", "chunked", "Chunked", "gzip, chunked", "chunked, gzip", " chunked"])}`
    )
    const chunks: Array<Buffer> = []
    let at = 0
    while (at < bytes.length) {
      const size = Math.min(bytes.length - at, 1 + Math.floor(random() * 64))
      const sizeText = chance(0.5) ? size.toString(16) : size.toString(16).toUpperCase()
      const extension = chance(0.7) ? "" : pick([
        ";ext=1",
        ";ext",
        ";a=1;b",
        ";ext=\"quoted, \\\"value\\\"\"",
        " ;ext=1",
        "; ext=1",
        ";ext = 1",
        "\t;ext=1",
        ";ext=",
        ";=1",
        ";e\u00ffxt=1",
        ";ext=1\u00ff",
        ";ext=\"open",
        "  "
      ])
      chunks.push(Buffer.from(`${sizeText}${extension}\r\n`, "latin1"), bytes.subarray(at, at + size))
      chunks.push(Buffer.from("\r\n"))
      at += size
    }
    chunks.push(Buffer.from(`0\r\n${chance(0.2) ? "x-trailer: 1\r\n" : ""}\r\n`))
    payload = Buffer.concat(chunks)
  }
  for (let i = Math.floor(random() * 4); i > 0; i--) {
    head.push(
      `${pick(["X-Ms-Request-Id", "x-a", "Set-Cookie", "Retry-After", "Connection", "Keep-Alive"])}: ${value()}`
    )
  }
  if (chance(0.05)) head.push(`X-Folded: a\r\n ${value()}`)
  if (chance(0.05)) head.push(`Bad Name: ${value()}`)
  // a response to a GET that has no body ends with its head, whatever its headers say: bytes after it would be
  // the start of the next response, which node:http refuses as soon as they arrive and NodeTransport when its
  // connection is next used, so neither reader's verdict would be about this response
  const bodiless = status.startsWith("204") || status.startsWith("304")
  let wire = Buffer.concat([
    Buffer.from(`${head.join("\r\n")}\r\n\r\n`, "latin1"),
    bodiless ? Buffer.alloc(0) : payload
  ])
  // byte-level damage: a byte changed, inserted or removed, or the response cut short
  for (let i = chance(0.5) ? Math.floor(random() * 3) : 0; i > 0; i--) {
    const at = Math.floor(random() * wire.length)
    const byte = Buffer.from([pick([0x0d, 0x0a, 0x00, 0x20, 0x3a, 0x30, 0x7f, 0xff, Math.floor(random() * 256)])])
    const kind = pick(["change", "insert", "remove"])
    wire = kind === "change"
      ? Buffer.concat([wire.subarray(0, at), byte, wire.subarray(at + 1)])
      : kind === "insert"
      ? Buffer.concat([wire.subarray(0, at), byte, wire.subarray(at)])
      : Buffer.concat([wire.subarray(0, at), wire.subarray(at + 1)])
  }
  if (chance(0.1)) wire = wire.subarray(0, Math.floor(random() * wire.length))
  return wire
}

/** What node:http (llhttp, strict) makes of the response to a GET of `url`. */
const nodeHttpOutcome = (url: string): Effect.Effect<Outcome> =>
  Effect.async<Outcome>((resume) => {
    let done = false
    const finish = (outcome: Outcome) => {
      if (done) return
      done = true
      resume(Effect.succeed(outcome))
    }
    const request = nodeHttp.get(url, { agent: false }, (response) => {
      const chunks: Array<Buffer> = []
      response.on("data", (chunk: Buffer) => chunks.push(chunk))
      response.on("end", () => {
        if (!response.complete) return finish({ _tag: "Refused", detail: "aborted" })
        finish({
          _tag: "Response",
          status: response.statusCode!,
          headers: headersText(response.headers),
          body: Buffer.concat(chunks).toString("hex")
        })
      })
      response.on("error", (error) => finish({ _tag: "Refused", detail: String(error) }))
      response.on("aborted", () => finish({ _tag: "Refused", detail: "aborted" }))
    })
    request.on("error", (error) =>
      finish({ _tag: "Refused", detail: (error as { code?: string }).code ?? String(error) }))
  })

/** Headers as one comparable text: names sorted, repeated `set-cookie`s joined (node:http lists them apart). */
const headersText = (headers: Readonly<Record<string, string | ReadonlyArray<string> | undefined>>) =>
  JSON.stringify(
    Object.keys(headers).sort().map((name) => {
      const value = headers[name]
      return [name, typeof value === "string" ? value : (value ?? []).join(", ")]
    })
  )

const sameOutcome = (a: Outcome, b: Outcome) =>
  a._tag === "Refused"
    ? b._tag === "Refused"
    : b._tag === "Response" && a.status === b.status && a.headers === b.headers && a.body === b.body

/** The status lines of `text` (the interim ones and the final one) and where the final head ends. */
const statusLinesOf = (text: string): { readonly lines: Array<string>; readonly headEnd: number } => {
  const lines: Array<string> = []
  let at = 0
  for (;;) {
    const end = text.indexOf("\r\n\r\n", at)
    const lineEnd = text.indexOf("\r\n", at)
    lines.push(text.slice(at, lineEnd < 0 ? text.length : lineEnd))
    if (end < 0 || !/^HTTP\/1\.[01] 1\d\d/.test(text.slice(at))) return { lines, headEnd: end < 0 ? -1 : end + 4 }
    at = end + 4
  }
}

/**
 * Where NodeTransport and node:http differ on purpose, each with the rule that makes it so. Anything else they
 * disagree on is a bug in one of them.
 */
const knownDifference = (
  bytes: Buffer,
  ours: Outcome,
  theirs: Outcome,
  nodeOnPrefix: (length: number) => Effect.Effect<Outcome>
): Effect.Effect<string | undefined> =>
  Effect.gen(function*() {
    const text = bytes.toString("latin1")
    const { headEnd, lines } = statusLinesOf(text)
    const detail = theirs._tag === "Refused" ? theirs.detail : ""
    if (ours._tag === "Refused" && theirs._tag === "Response") {
      // RFC 9112 §4: reason-phrase = *( HTAB / SP / VCHAR / obs-text ); llhttp lets a DEL or a control through,
      // and a stray byte between an interim response and the final one
      return lines.some((line) => !/^HTTP\/1\.[01] \d{3}(?: [\t\x20-\x7e\x80-\xff]*)?$/.test(line))
        ? "a status line that RFC 9112 forbids: refused by NodeTransport only"
        : undefined
    }
    if (ours._tag !== "Response" || theirs._tag !== "Refused" || headEnd < 0) return undefined
    const head = text.slice(0, headEnd)
    const lengths = [...head.matchAll(/\r\ncontent-length:([^\r]*)/gi)].map((match) => match[1]!.trim())
    if (
      detail === "HPE_UNEXPECTED_CONTENT_LENGTH" && lengths.length > 1 && new Set(lengths).size === 1 &&
      !/\r\ntransfer-encoding:/i.test(head)
    ) {
      // RFC 9112 §6.3: repeated identical content-lengths may be taken as one; llhttp refuses any repeat
      return "repeated identical content-lengths: read as one by NodeTransport only"
    }
    if (
      (ours.status === 204 || ours.status === 304) && ours.body === "" &&
      ["HPE_INVALID_TRANSFER_ENCODING", "HPE_UNEXPECTED_CONTENT_LENGTH", "HPE_INVALID_CONTENT_LENGTH"].includes(detail)
    ) {
      // RFC 9110 §15.3.5 and §15.4.5: a 204 or 304 has no content, so its framing headers frame nothing
      return "framing headers of a 204 or 304: ignored by NodeTransport only"
    }
    // bytes after the end of the message: llhttp reads them as the next response at once and fails the request;
    // NodeTransport answers with the message and drops the connection. The message alone must read alike.
    for (let length = headEnd; length < bytes.length; length++) {
      if (sameOutcome(ours, yield* nodeOnPrefix(length))) return "bytes after the message: NodeTransport keeps it"
    }
    return undefined
  })

/** Bytes as a JSON string with everything outside printable ASCII escaped, for a readable failure. */
const visible = (bytes: Buffer) =>
  JSON.stringify(bytes.toString("latin1")).replace(
    /[\x7f-\xff]/g,
    (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`
  )

describe("NodeTransport and node:http read the same bytes alike", () => {
  it.scopedLive("3,000 seeded hostile responses: the same status, headers and body, or both refuse, or a known difference", () =>
    Effect.gen(function*() {
      const cases = Array.from({ length: 3000 }, (_, i) => hostileResponse(seeded(0x5eed + i)))
      // NodeTransport's copy in pieces (its parser must not care where reads end), node:http's whole, or the
      // first `length` bytes of it
      const server: RawServer = yield* rawServer((index, socket) => {
        const [, reader, id, length] = /^GET \/(ours|node)\/(\d+)(?:\/(\d+))? /.exec(server.received[index]!.head)!
        const bytes = cases[Number(id)]!.subarray(0, length === undefined ? undefined : Number(length))
        const random = seeded(index)
        const cuts = reader === "ours" ? [Math.floor(random() * bytes.length), Math.floor(random() * bytes.length)] : []
        writeInPieces(socket, bytes, cuts, true)
      })
      const node = (path: string) =>
        nodeHttpOutcome(`${server.url}/node/${path}`).pipe(
          Effect.timeoutFail({ duration: "5 seconds", onTimeout: () => new Error(`node:http hung on ${path}`) }),
          Effect.orDie
        )
      const tally = { bothRead: 0, bothRefused: 0, known: {} as Record<string, number> }
      const disagreements: Array<string> = []
      for (let i = 0; i < cases.length; i++) {
        // a transport per case: bytes a server sends after a response are the next response's on a kept-alive
        // connection (for node:http too), so each case gets connections of its own
        const ours = yield* Effect.flatMap(NodeTransport.make(), (http) => http.get(`${server.url}/ours/${i}`)).pipe(
          Effect.flatMap((response) =>
            Effect.map(response.arrayBuffer, (bytes): Outcome => ({
              _tag: "Response",
              status: response.status,
              headers: headersText(response.headers),
              body: Buffer.from(bytes).toString("hex")
            }))
          ),
          Effect.catchAll((error) =>
            Effect.succeed<Outcome>({ _tag: "Refused", detail: `${error._tag} ${codeOf(error)}` })
          ),
          Effect.timeoutFail({ duration: "5 seconds", onTimeout: () => new Error(`case ${i}: NodeTransport hung`) }),
          Effect.scoped
        )
        const theirs = yield* node(String(i))
        if (sameOutcome(ours, theirs)) {
          if (ours._tag === "Response") tally.bothRead++
          else tally.bothRefused++
          continue
        }
        const known = yield* knownDifference(cases[i]!, ours, theirs, (length) => node(`${i}/${length}`))
        if (known !== undefined) tally.known[known] = (tally.known[known] ?? 0) + 1
        else {
          disagreements.push(
            `case ${i}: ours ${JSON.stringify(ours)}, node:http ${JSON.stringify(theirs)}, bytes ${visible(cases[i]!)}`
          )
        }
      }
      assert.deepStrictEqual(disagreements, [])
      // the generator reaches both sides, responses both read and responses both refuse, and the allowed
      // differences stay the exception (25,000 cases gave 7,342, 16,804 and 854: 3.4%)
      assert.isAbove(tally.bothRead, 600, JSON.stringify(tally))
      assert.isAbove(tally.bothRefused, 1500, JSON.stringify(tally))
      assert.isBelow(Object.values(tally.known).reduce((a, b) => a + b, 0), 300, JSON.stringify(tally))
    }))
})
