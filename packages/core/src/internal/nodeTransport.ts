import * as Cookies from "@effect/platform/Cookies"
import * as Headers from "@effect/platform/Headers"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientError from "@effect/platform/HttpClientError"
import type * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as IncomingMessage from "@effect/platform/HttpIncomingMessage"
import * as UrlParams from "@effect/platform/UrlParams"
import * as Cause from "effect/Cause"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as FiberRef from "effect/FiberRef"
import * as Inspectable from "effect/Inspectable"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import * as Http from "node:http"
import * as Https from "node:https"
import { Readable } from "node:stream"
import type { Options } from "../NodeTransport.js"
import * as Body from "./body.js"
import * as Wire from "./wire.js"

export const defaults = {
  maxSockets: 64,
  maxFreeSockets: 64,
  keepAliveMsecs: 1000,
  idleTimeout: 30_000,
  maxResponseBytes: Body.defaultMaxResponseBytes
} as const

const resolve = (options: Options): { readonly [K in keyof Options]-?: number } => {
  const resolved = {
    maxSockets: options.maxSockets ?? defaults.maxSockets,
    maxFreeSockets: options.maxFreeSockets ?? defaults.maxFreeSockets,
    keepAliveMsecs: options.keepAliveMsecs ?? defaults.keepAliveMsecs,
    idleTimeout: options.idleTimeout ?? defaults.idleTimeout,
    maxResponseBytes: options.maxResponseBytes ?? defaults.maxResponseBytes
  }
  for (const [name, value] of Object.entries(resolved)) {
    if (!Number.isSafeInteger(value) || value < 1) {
      throw new Cause.IllegalArgumentException(`NodeTransport: ${name} must be a positive whole number, got ${value}`)
    }
  }
  return resolved
}

// -------------------------------------------------------------------------------------------------------------
// the body of a response, read before the response is handed over
// -------------------------------------------------------------------------------------------------------------

/** Why a body could not be kept: it is longer than the limit (the cause of the body's `ResponseError`). */
export class BodyTooLarge extends Error {
  override readonly name = "BodyTooLarge"
  constructor(readonly limit: number, readonly received: number | undefined, readonly declared: number | undefined) {
    super(
      `the response body is larger than the transport's limit of ${limit} bytes (maxResponseBytes): ${
        declared === undefined
          ? `it is at least ${received} bytes long, so reading stopped`
          : `its content-length is ${declared}, so it was not read`
      }`
    )
  }
}

/** Why a body is incomplete: the connection failed or closed after the status line and headers. */
export class BodyIncomplete extends Error {
  override readonly name = "BodyIncomplete"
  readonly code: string | undefined
  constructor(cause: unknown) {
    super("the connection ended before the response body was complete", { cause })
    this.code = typeof cause === "object" && cause !== null && typeof (cause as { code?: unknown }).code === "string"
      ? (cause as { code: string }).code
      : undefined
  }
}

export const isBodyTooLarge = (error: unknown): boolean =>
  HttpClientError.isHttpClientError(error) && error._tag === "ResponseError" && error.cause instanceof BodyTooLarge

type Body =
  | { readonly _tag: "Bytes"; readonly bytes: Uint8Array }
  | { readonly _tag: "Failed"; readonly cause: BodyTooLarge | BodyIncomplete }

const empty = new Uint8Array(0)
const decoder = new TextDecoder()

/**
 * A response whose body is already in memory (or known to be unusable): every accessor serves the same
 * bytes, synchronously, as many times as asked. It holds no socket, so nothing has to release it.
 */
class NodeTransportResponse extends Inspectable.Class implements HttpClientResponse.HttpClientResponse {
  readonly [HttpClientResponse.TypeId]: HttpClientResponse.TypeId
  readonly [IncomingMessage.TypeId]: IncomingMessage.TypeId

  constructor(
    readonly request: HttpClientRequest.HttpClientRequest,
    readonly status: number,
    /** The headers as received (never changed). */
    private readonly received: Headers.Headers,
    private readonly setCookie: string | ReadonlyArray<string> | undefined,
    readonly remoteAddress: Option.Option<string>,
    private readonly body: Body
  ) {
    super()
    this[HttpClientResponse.TypeId] = HttpClientResponse.TypeId
    this[IncomingMessage.TypeId] = IncomingMessage.TypeId
  }

  private cachedHeaders: Headers.Headers | undefined
  get headers(): Headers.Headers {
    if (this.cachedHeaders !== undefined) return this.cachedHeaders
    let headers = this.received
    const body = this.body
    if (body._tag === "Failed" && body.cause instanceof BodyTooLarge && body.cause.declared === undefined) {
      // a body cut at the limit says so in its length, so that a reader that trusts a declared length over
      // its own limit (core's) refuses it without reading: the bytes received, at least the limit plus one
      headers = Headers.set(Headers.remove(headers, "transfer-encoding"), "content-length", String(body.cause.received))
    }
    return this.cachedHeaders = headers
  }

  private cachedCookies: Cookies.Cookies | undefined
  get cookies(): Cookies.Cookies {
    if (this.cachedCookies !== undefined) return this.cachedCookies
    const header = this.setCookie
    return this.cachedCookies = header === undefined ? Cookies.empty : Cookies.fromSetCookie(header)
  }

  private fail(cause: unknown): HttpClientError.ResponseError {
    return new HttpClientError.ResponseError({
      request: this.request,
      response: this,
      reason: "Decode",
      cause,
      ...(cause instanceof Error ? { description: cause.message } : {})
    })
  }

  private cachedText: Effect.Effect<string, HttpClientError.ResponseError> | undefined
  get text(): Effect.Effect<string, HttpClientError.ResponseError> {
    if (this.cachedText !== undefined) return this.cachedText
    const body = this.body
    return this.cachedText = body._tag === "Bytes"
      ? Effect.succeed(body.bytes.length === 0 ? "" : decoder.decode(body.bytes))
      : Effect.fail(this.fail(body.cause))
  }

  get json(): Effect.Effect<unknown, HttpClientError.ResponseError> {
    return Effect.flatMap(this.text, (text) =>
      Effect.try({
        try: () => text === "" ? null : JSON.parse(text) as unknown,
        catch: (cause) => this.fail(cause)
      }))
  }

  get urlParamsBody(): Effect.Effect<UrlParams.UrlParams, HttpClientError.ResponseError> {
    return Effect.flatMap(this.text, (text) =>
      Effect.try({
        try: () => UrlParams.fromInput(new URLSearchParams(text)),
        catch: (cause) => this.fail(cause)
      }))
  }

  get arrayBuffer(): Effect.Effect<ArrayBuffer, HttpClientError.ResponseError> {
    const body = this.body
    if (body._tag === "Failed") return Effect.fail(this.fail(body.cause))
    // a copy: the bytes may share a pooled buffer with other data
    return Effect.sync(() =>
      body.bytes.buffer.slice(body.bytes.byteOffset, body.bytes.byteOffset + body.bytes.byteLength) as ArrayBuffer
    )
  }

  get stream(): Stream.Stream<Uint8Array, HttpClientError.ResponseError> {
    const body = this.body
    if (body._tag === "Failed") return Stream.fail(this.fail(body.cause))
    return body.bytes.length === 0 ? Stream.empty : Stream.succeed(body.bytes)
  }

  get formData(): Effect.Effect<FormData, HttpClientError.ResponseError> {
    const body = this.body
    if (body._tag === "Failed") return Effect.fail(this.fail(body.cause))
    return Effect.tryPromise({
      try: () => {
        const headers: Record<string, string> = {}
        const contentType = this.headers["content-type"]
        if (contentType !== undefined) headers["content-type"] = contentType
        return new Response(body.bytes as Uint8Array<ArrayBuffer>, { headers }).formData()
      },
      catch: (cause) => this.fail(cause)
    })
  }

  [Body.eager](): Body.EagerBody {
    const body = this.body
    if (body._tag === "Bytes") return body
    return body.cause instanceof BodyTooLarge ? { _tag: "TooLarge" } : { _tag: "Failed", error: this.fail(body.cause) }
  }

  toJSON(): unknown {
    // unlike the platform's responses, never the body: it may hold the keys this library exists to protect
    return {
      _id: "@effect/platform/HttpClientResponse",
      request: this.request.toJSON(),
      status: this.status,
      headers: Inspectable.redact(this.headers),
      remoteAddress: this.remoteAddress.toJSON()
    }
  }
}

// -------------------------------------------------------------------------------------------------------------
// one exchange: started over the pool's own connections, or through node:http where it is intercepted
// -------------------------------------------------------------------------------------------------------------

const closedTransport = () => new Error("the transport is closed (its layer's scope ended)")

/** Starts an exchange that tells `receiver` what arrives; returns how to end it from this side. */
type Start = (receiver: Wire.Receiver) => () => void

/** Over a connection of the pool, once one is free: abandoning it destroys the connection, or leaves the queue. */
const viaPool = (origin: Wire.Origin, outgoing: Wire.Outgoing): Start => (receiver) => {
  let connection: Wire.Connection | undefined
  const waiter = origin.acquire((free) => {
    connection = free
    free.send(outgoing, receiver)
  })
  return () => {
    if (connection !== undefined) connection.abandon()
    else if (waiter !== undefined) origin.cancel(waiter)
  }
}

/** node:http's own `request`, as it was when this module loaded. */
const nodeRequest = Http.request
const interceptedKey = Symbol.for("@effect-acs/core/NodeTransport/intercepted")

/**
 * Whether requests must go through node:http, where test tools intercept them: when its `request` was
 * replaced after this module loaded (msw, nock and the like, once `syncBuiltinESMExports` ran), or when a
 * replay says so (`@effect-acs/contract-tests` does while it replays: its msw may have been set up first).
 */
const intercepted = (): boolean =>
  Http.request !== nodeRequest || (globalThis as { [interceptedKey]?: boolean })[interceptedKey] === true

/** node:http's headers as the pool's parser gives them: strings (repeats joined), `set-cookie` apart. */
const fieldsOfNode = (headers: Http.IncomingHttpHeaders): Wire.Fields => {
  const record: Record<string, string> = {}
  for (const name in headers) {
    const value = headers[name]
    if (value !== undefined) record[name] = typeof value === "string" ? value : value.join(", ")
  }
  return { headers: record, cookies: headers["set-cookie"] }
}

/** Through node:http (the pool's agents, made on first use), telling the receiver what the pool's parser would. */
const viaNodeHttp = (
  url: URL,
  pool: Wire.Pool,
  method: string,
  headers: Record<string, string>,
  body: string | Uint8Array | undefined
): Start =>
(receiver) => {
  const https = url.protocol === "https:"
  const hostname = url.hostname
  const outgoing = (https ? Https.request : Http.request)({
    agent: pool.agents[https ? "https" : "http"],
    method,
    hostname: hostname.charCodeAt(0) === 91 ? hostname.slice(1, -1) : hostname, // [::1] -> ::1
    port: url.port,
    path: url.pathname + url.search,
    headers
  })
  // the receiver hears of one ending only: the events after it (every request and response closes) are not news
  let ended = false
  let headArrived = false
  const stop = () => {
    ended = true
    outgoing.destroy()
  }
  const fail = (cause: unknown) => {
    if (ended) return
    ended = true
    receiver.fail(cause ?? Wire.closedEarly(), headArrived)
  }
  outgoing.on("error", fail)
  // once a response arrived, its own events tell how its body ended (an interceptor may close the request first)
  outgoing.on("close", () => headArrived || fail(undefined))
  outgoing.on("response", (response) => {
    headArrived = true
    if (
      receiver.head(response.statusCode ?? 0, fieldsOfNode(response.headers), response.socket?.remoteAddress) === "stop"
    ) {
      return stop()
    }
    response.on("data", (chunk: Buffer) => {
      if (!ended && !receiver.data(chunk)) stop()
    })
    response.on("end", () => {
      if (ended) return
      ended = true
      receiver.end()
    })
    response.on("error", fail)
    response.on("close", () => fail(undefined))
  })
  outgoing.end(body)
  return stop
}

const exchange = (
  request: HttpClientRequest.HttpClientRequest,
  url: URL,
  pool: Wire.Pool,
  headers: Record<string, string>,
  body: string | Uint8Array | undefined,
  signal: AbortSignal | undefined,
  limit: number,
  timeoutMillis: number | undefined
) =>
  Effect.async<HttpClientResponse.HttpClientResponse, HttpClientError.HttpClientError | Body.TimedOut>((resume) => {
    const failRequest = (reason: "Transport" | "Encode", cause: unknown, description?: string) =>
      new HttpClientError.RequestError({
        request,
        reason,
        cause,
        ...(description === undefined ? {} : { description })
      })
    if (signal?.aborted === true) {
      resume(Effect.fail(failRequest("Transport", signal.reason, "the request was aborted")))
      return
    }
    if (pool.isClosed) {
      resume(Effect.fail(failRequest("Transport", closedTransport())))
      return
    }
    const authorized = withAuth(url, headers)
    const outgoing = Wire.encode(request.method, url, authorized, body)
    if (outgoing instanceof Wire.Unsendable) {
      resume(Effect.fail(failRequest("Encode", outgoing, outgoing.message)))
      return
    }
    const start = intercepted()
      ? viaNodeHttp(url, pool, request.method, authorized, body)
      : viaPool(pool.origin(url), outgoing)

    let settled = false
    let abandon: (() => void) | undefined
    const settle = (
      effect: Effect.Effect<HttpClientResponse.HttpClientResponse, HttpClientError.HttpClientError | Body.TimedOut>
    ) => {
      if (settled) return
      settled = true
      if (timer !== undefined) clearTimeout(timer)
      signal?.removeEventListener("abort", onAbort)
      resume(effect)
    }
    // the deadline of a direct exchange: no complete response (body included) by then, the request goes
    const timer = timeoutMillis === undefined ? undefined : setTimeout(() => {
      settle(Effect.fail(new Body.TimedOut()))
      abandon?.()
    }, timeoutMillis)
    function onAbort() {
      settle(Effect.fail(failRequest("Transport", signal?.reason, "the request was aborted")))
      abandon?.()
    }
    signal?.addEventListener("abort", onAbort, { once: true })

    let status = 0
    let responseHeaders = Headers.empty
    let cookies: ReadonlyArray<string> | undefined
    let remoteAddress: Option.Option<string> = Option.none()
    let chunks: Array<Buffer> = []
    let size = 0
    const respond = (body: Body) =>
      settle(Effect.succeed(new NodeTransportResponse(request, status, responseHeaders, cookies, remoteAddress, body)))
    const tooLarge = (received: number | undefined, declared: number | undefined) => {
      chunks = []
      respond({ _tag: "Failed", cause: new BodyTooLarge(limit, received, declared) })
    }
    const receiver: Wire.Receiver = {
      head: (code, fields, address) => {
        status = code
        // a record of lower-cased names and string values, made for this response: the platform's Headers as is
        responseHeaders = Headers.unsafeFromRecord(fields.headers)
        cookies = fields.cookies
        remoteAddress = Option.fromNullable(address)
        const declared = fields.headers["content-length"]
        if (declared === undefined || !(Number(declared) > limit)) return "read"
        // the rest is never read: the connection goes, not back to the pool
        tooLarge(undefined, Number(declared))
        return "stop"
      },
      // refused on a chunk's own claim: the body would be at least that long
      announced: (bytes) => size + bytes <= limit || (tooLarge(size + bytes, undefined), false),
      data: (chunk) => {
        size += chunk.length
        if (size > limit) return (tooLarge(size, undefined), false)
        chunks.push(chunk)
        return true
      },
      end: () =>
        respond({
          _tag: "Bytes",
          bytes: size === 0 ? empty : chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size)
        }),
      fail: (cause, headArrived) =>
        headArrived
          ? respond({ _tag: "Failed", cause: new BodyIncomplete(cause) })
          : settle(Effect.fail(failRequest("Transport", cause)))
    }
    try {
      abandon = start(receiver)
    } catch (cause) {
      // node:http refused what the encoder accepted: nothing was sent
      settle(Effect.fail(failRequest("Encode", cause)))
      return
    }

    return Effect.sync(() => {
      if (settled) return
      settled = true
      if (timer !== undefined) clearTimeout(timer)
      signal?.removeEventListener("abort", onAbort)
      abandon?.()
    })
  })

/** The `authorization` of a URL's credentials (`http://user:pass@host`), as node:http sends it. */
const withAuth = (url: URL, headers: Record<string, string>): Record<string, string> =>
  url.username === "" && url.password === "" || "authorization" in headers
    ? headers
    : {
      ...headers,
      authorization: `Basic ${
        Buffer.from(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`).toString("base64")
      }`
    }

/** A streamed request body, collected: requests are written whole, with their length. */
const collected = (
  request: HttpClientRequest.HttpClientRequest,
  bytes: Effect.Effect<Uint8Array, unknown>
): Effect.Effect<Uint8Array, HttpClientError.RequestError> =>
  Effect.mapError(
    bytes,
    (cause) =>
      new HttpClientError.RequestError({ request, reason: "Encode", cause, description: "the request body failed" })
  )

/** One request over the pool: its body as bytes, then the exchange. */
const sendWith = (pool: Wire.Pool, limit: number) =>
(
  request: HttpClientRequest.HttpClientRequest,
  url: URL,
  headers: Record<string, string>,
  signal: AbortSignal | undefined,
  timeoutMillis: number | undefined
): Effect.Effect<HttpClientResponse.HttpClientResponse, HttpClientError.HttpClientError | Body.TimedOut> => {
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    return Effect.fail(
      new HttpClientError.RequestError({
        request,
        reason: "InvalidUrl",
        description: `only http: and https: URLs can be requested, not ${url.protocol}`
      })
    )
  }
  const go = (headers: Record<string, string>, body: string | Uint8Array | undefined) =>
    exchange(request, url, pool, headers, body, signal, limit, timeoutMillis)
  const body = request.body
  switch (body._tag) {
    case "Empty":
      return go(headers, undefined)
    case "Uint8Array":
      return go(headers, body.body)
    case "Raw": {
      const raw = body.body
      if (typeof raw === "string" || raw instanceof Uint8Array) return go(headers, raw)
      if (raw instanceof Readable) {
        return Effect.flatMap(
          collected(request, Effect.tryPromise(async () => Buffer.concat(await raw.toArray() as Array<Buffer>))),
          (bytes) => go(headers, bytes)
        )
      }
      return Effect.fail(
        new HttpClientError.RequestError({
          request,
          reason: "Encode",
          description: "a raw body must be a string, a Uint8Array or a Node Readable"
        })
      )
    }
    case "FormData": {
      const web = new Response(body.formData)
      return Effect.flatMap(
        collected(request, Effect.tryPromise(async () => new Uint8Array(await web.arrayBuffer()))),
        (bytes) => go({ ...headers, "content-type": web.headers.get("content-type") ?? "multipart/form-data" }, bytes)
      )
    }
    case "Stream":
      return Effect.flatMap(
        collected(
          request,
          Effect.map(Stream.runCollect(body.stream), (chunks) => Buffer.concat(Chunk.toReadonlyArray(chunks)))
        ),
        (bytes) => go(headers, bytes)
      )
  }
}

/** The platform's shape of an exchange: the request's own headers, no deadline (it has no TimedOut). */
const send = (pool: Wire.Pool, limit: number) => {
  const sendOf = sendWith(pool, limit)
  return (
    request: HttpClientRequest.HttpClientRequest,
    url: URL,
    signal: AbortSignal | undefined
  ): Effect.Effect<HttpClientResponse.HttpClientResponse, HttpClientError.HttpClientError> =>
    sendOf(request, url, request.headers, signal, undefined) as Effect.Effect<
      HttpClientResponse.HttpClientResponse,
      HttpClientError.HttpClientError
    >
}

/**
 * The client: the platform's own `HttpClient.make` where tracing is on for the request (its span, its
 * trace headers, its interruption by `AbortSignal`), and the lean path where tracing is off for it (as in
 * this library's client): no span, no `AbortController`, no registry of responses; the exchange is ended by
 * interrupting the fiber, and the body, already read, holds nothing open.
 */
const fromPool = (pool: Wire.Pool, limit: number): HttpClient.HttpClient => {
  const exchangeOf = send(pool, limit)
  const traced = HttpClient.make(exchangeOf)
  const client = HttpClient.makeWith<never, never, HttpClientError.HttpClientError, never>(
    (effect) =>
      Effect.flatMap(
        effect,
        (request) =>
          Effect.withFiberRuntime<HttpClientResponse.HttpClientResponse, HttpClientError.HttpClientError>((fiber) => {
            if (
              fiber.getFiberRef(FiberRef.currentTracerEnabled) &&
              !fiber.getFiberRef(HttpClient.currentTracerDisabledWhen)(request)
            ) {
              return traced.execute(request)
            }
            const url = UrlParams.makeUrl(request.url, request.urlParams, request.hash)
            return url._tag === "Left"
              ? Effect.fail(new HttpClientError.RequestError({ request, reason: "InvalidUrl", cause: url.left }))
              : exchangeOf(request, url.right, undefined)
          })
      ),
    Effect.succeed
  )
  const sendOf = sendWith(pool, limit)
  const direct: Body.DirectExchange = (request, url, headers, timeoutMillis) =>
    sendOf(request, url, headers, undefined, timeoutMillis)
  return Object.assign(client, { [Body.eager]: true, [Body.direct]: direct })
}

export const make = (options: Options = {}): Effect.Effect<HttpClient.HttpClient, never, Scope.Scope> =>
  Effect.suspend(() => {
    const resolved = resolve(options)
    return Effect.map(
      Effect.acquireRelease(Effect.sync(() => new Wire.Pool(resolved)), (pool) => Effect.sync(() => pool.close())),
      (pool) => fromPool(pool, resolved.maxResponseBytes)
    )
  })

export const layerWith = (options: Options): Layer.Layer<HttpClient.HttpClient> =>
  Layer.scoped(HttpClient.HttpClient, make(options))

export const layer: Layer.Layer<HttpClient.HttpClient> = layerWith({})
