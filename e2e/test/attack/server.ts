/**
 * A programmable hostile Azure Resource Manager on loopback: a real `node:http` server on 127.0.0.1 (port 0)
 * that records every request it receives and answers as the test tells it to, including in ways no real
 * service would (endless, dripping or compressed bodies, redirects, secrets in every header).
 */
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import * as http from "node:http"
import type { AddressInfo } from "node:net"
import * as zlib from "node:zlib"

export interface RecordedRequest {
  readonly method: string
  readonly url: string
  readonly headers: http.IncomingHttpHeaders
  readonly body: string
}

export type Handler = (request: RecordedRequest, response: http.ServerResponse) => void | Promise<void>

export interface HostileServer {
  /** `http://127.0.0.1:<port>` */
  readonly url: string
  readonly port: number
  readonly requests: ReadonlyArray<RecordedRequest>
  /** Requests whose response has not finished (or been cut), plus background work registered with `track`. */
  readonly pending: () => number
  /** Registers work that outlives a response (a commit after the client gave up). */
  readonly track: (work: Promise<unknown>) => void
  /** Resolves once nothing is pending, checked twice a few milliseconds apart. */
  readonly idle: Effect.Effect<void>
  /** Resolves once `count` requests have been received. */
  readonly received: (count: number) => Effect.Effect<void>
  setHandler(handler: Handler): void
}

const sleep = (millis: number) => new Promise<void>((resolve) => setTimeout(resolve, millis))

/** Starts a hostile server for the scope; closing it cuts every connection still open. */
export const make = (initial: Handler): Effect.Effect<HostileServer, never, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.async<{ readonly server: http.Server; readonly self: HostileServer }>((resume) => {
      const requests: Array<RecordedRequest> = []
      let handler = initial
      let pending = 0
      const track = (work: Promise<unknown>) => {
        pending++
        void work.finally(() => pending--)
      }
      const server = http.createServer((req, res) => {
        pending++
        res.once("close", () => pending--)
        const chunks: Array<Buffer> = []
        let size = 0
        req.on("data", (chunk: Buffer) => {
          size += chunk.length
          if (size <= 1_000_000) chunks.push(chunk)
        })
        req.once("end", () => {
          const recorded: RecordedRequest = {
            method: req.method ?? "",
            url: req.url ?? "",
            headers: req.headers,
            body: Buffer.concat(chunks).toString("utf8")
          }
          requests.push(recorded)
          Promise.resolve()
            .then(() => handler(recorded, res))
            .catch(() => res.destroy())
        })
      })
      // a client that aborts mid-response is expected here, not an error of the test
      server.on("clientError", (_error, socket) => socket.destroy())
      server.listen(0, "127.0.0.1", () => {
        const port = (server.address() as AddressInfo).port
        const self: HostileServer = {
          url: `http://127.0.0.1:${port}`,
          port,
          requests,
          pending: () => pending,
          track,
          idle: Effect.promise(async () => {
            for (let quiet = 0; quiet < 2;) {
              await sleep(10)
              quiet = pending === 0 ? quiet + 1 : 0
            }
          }),
          received: (count) =>
            Effect.promise(async () => {
              while (requests.length < count) await sleep(2)
            }),
          setHandler(next) {
            handler = next
          }
        }
        resume(Effect.succeed({ server, self }))
      })
    }),
    ({ server }) =>
      Effect.async<void>((resume) => {
        server.closeAllConnections()
        server.close(() => resume(Effect.void))
      })
  ).pipe(Effect.map(({ self }) => self))

// -------------------------------------------------------------------------------------------------------------
// responders
// -------------------------------------------------------------------------------------------------------------

export type Headers = Record<string, string | number | ReadonlyArray<string>>

/** A complete response; `body` is sent as is when a string or buffer, as JSON otherwise. */
export const send = (
  response: http.ServerResponse,
  status: number,
  body: unknown,
  headers: Headers = {}
): void => {
  const payload = typeof body === "string" || Buffer.isBuffer(body) ? body : JSON.stringify(body)
  response.writeHead(status, { "content-type": "application/json; charset=utf-8", ...headers })
  response.end(payload)
}

/** Writes what `next` yields, honouring back-pressure, until it yields `undefined` or the client goes away. */
export const stream = (
  response: http.ServerResponse,
  next: () => Buffer | undefined | Promise<Buffer | undefined>,
  end = true
): Promise<void> =>
  new Promise<void>((resolve) => {
    let closed = false
    response.once("close", () => {
      closed = true
      resolve()
    })
    const pump = async () => {
      while (!closed) {
        const chunk = await next()
        if (closed) return
        if (chunk === undefined) {
          if (end) response.end()
          return resolve()
        }
        if (!response.write(chunk)) {
          await new Promise<void>((drained) => {
            const done = () => {
              response.off("drain", done)
              response.off("close", done)
              drained()
            }
            response.on("drain", done)
            response.on("close", done)
          })
        }
      }
    }
    void pump().catch(() => response.destroy())
  })

/**
 * A body of `total` bytes (`Infinity`: endless): `prefix`, `chunk` repeated, then `suffix` (so that a finite body
 * can be valid JSON). After `fastBytes` bytes
 * it slows to one chunk every `slowMillis` (so that a client which reads everything cannot exhaust memory
 * before its timeout, in-process).
 */
export const bulk = (
  response: http.ServerResponse,
  options: {
    readonly status?: number | undefined
    readonly headers?: Headers | undefined
    readonly prefix?: string | undefined
    readonly suffix?: string | undefined
    readonly total: number
    readonly chunk?: Buffer | undefined
    readonly fastBytes?: number | undefined
    readonly slowMillis?: number | undefined
  }
): Promise<void> => {
  const chunk = options.chunk ?? Buffer.alloc(64 * 1024, " ")
  const fastBytes = options.fastBytes ?? Infinity
  response.writeHead(options.status ?? 200, { "content-type": "application/json", ...options.headers })
  let sent = 0
  let first = options.prefix === undefined ? undefined : Buffer.from(options.prefix)
  const suffix = Buffer.from(options.suffix ?? "")
  return stream(response, async () => {
    if (first !== undefined) {
      const out = first
      first = undefined
      sent += out.length
      return out
    }
    if (sent >= options.total) return undefined
    if (sent >= fastBytes) await sleep(options.slowMillis ?? 50)
    const remaining = options.total - sent - suffix.length
    if (remaining <= 0) {
      sent = options.total
      return suffix
    }
    const out = remaining >= chunk.length ? chunk : chunk.subarray(0, remaining)
    sent += out.length
    return out
  })
}

/** Sends `prefix`, then one byte every `intervalMillis`, forever (until the client goes away). */
export const drip = (
  response: http.ServerResponse,
  options: { readonly status?: number; readonly prefix: string; readonly intervalMillis: number }
): Promise<void> => {
  response.writeHead(options.status ?? 200, { "content-type": "application/json" })
  let first = true
  return stream(response, async () => {
    if (first) {
      first = false
      return Buffer.from(options.prefix)
    }
    await sleep(options.intervalMillis)
    return Buffer.from(" ")
  })
}

/**
 * A gzip bomb: `content-encoding: gzip` over zeros (well, spaces) that inflate to `inflatedBytes`, compressed
 * lazily, as fast as the client reads (a client that stops reading stops the compression).
 */
export const gzipBomb = (
  response: http.ServerResponse,
  options: { readonly status?: number; readonly inflatedBytes: number }
): Promise<void> => {
  response.writeHead(options.status ?? 200, { "content-type": "application/json", "content-encoding": "gzip" })
  const gzip = zlib.createGzip({ level: 9 })
  const block = Buffer.alloc(1024 * 1024, " ")
  let written = 0
  const feed = (): void => {
    while (written < options.inflatedBytes) {
      const size = Math.min(block.length, options.inflatedBytes - written)
      written += size
      if (!gzip.write(size === block.length ? block : block.subarray(0, size))) {
        gzip.once("drain", feed)
        return
      }
    }
    gzip.end()
  }
  response.once("close", () => gzip.destroy())
  feed()
  gzip.pipe(response)
  return new Promise<void>((resolve) => response.once("close", resolve))
}

/** Never answers (until the client goes away). */
export const hold = (response: http.ServerResponse): Promise<void> =>
  new Promise<void>((resolve) => response.once("close", resolve))
