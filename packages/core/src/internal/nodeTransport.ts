import * as Cookies from "@effect/platform/Cookies"
import * as Headers from "@effect/platform/Headers"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientError from "@effect/platform/HttpClientError"
import type * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as IncomingMessage from "@effect/platform/HttpIncomingMessage"
import * as UrlParams from "@effect/platform/UrlParams"
import * as Cause from "effect/Cause"
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
import type { ReadableStream as NodeReadableStream } from "node:stream/web"
import type { Options } from "../NodeTransport.js"
import * as Body from "./body.js"

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
          ? `reading stopped after ${received} bytes`
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
    private readonly source: Http.IncomingHttpHeaders,
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
    let headers = Headers.fromInput(this.source as Record<string, string | ReadonlyArray<string> | undefined>)
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
    const header = this.source["set-cookie"]
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
// one exchange over node:http
// -------------------------------------------------------------------------------------------------------------

const tokenPattern = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/
// what Node's `validateHeaderValue` accepts: tab, visible ASCII and space, and Latin-1 beyond 0x7f

const valuePattern = /^[\t\x20-\x7e\x80-\xff]*$/

/** Node refused to build the request (it throws): a typed error that names what it refused, never its value. */
const refused = (
  request: HttpClientRequest.HttpClientRequest,
  headers: Record<string, string>,
  cause: unknown
): HttpClientError.RequestError => {
  let description = "Node refused to build the request"
  for (const name in headers) {
    if (!tokenPattern.test(name)) {
      description = "a request header name is not an HTTP token"
      break
    }
    if (!valuePattern.test(headers[name]!)) {
      description = `the request header "${name}" holds a character that cannot be sent ` +
        "(CR, LF, NUL or another control character, or one outside Latin-1)"
      break
    }
  }
  return new HttpClientError.RequestError({ request, reason: "Encode", description, cause })
}

type Source =
  | { readonly _tag: "None" }
  | { readonly _tag: "Bytes"; readonly bytes: string | Uint8Array }
  | { readonly _tag: "Readable"; readonly readable: Readable }

const none: Source = { _tag: "None" }

const exchange = (
  request: HttpClientRequest.HttpClientRequest,
  url: URL,
  https: boolean,
  agent: Http.Agent,
  headers: Record<string, string>,
  source: Source,
  signal: AbortSignal | undefined,
  limit: number,
  timeoutMillis: number | undefined
) =>
  Effect.async<HttpClientResponse.HttpClientResponse, HttpClientError.HttpClientError | Body.TimedOut>((resume) => {
    if (signal?.aborted === true) {
      resume(Effect.fail(
        new HttpClientError.RequestError({
          request,
          reason: "Transport",
          description: "the request was aborted",
          cause: signal.reason
        })
      ))
      return
    }
    const hostname = url.hostname
    let nodeRequest: Http.ClientRequest
    try {
      nodeRequest = (https ? Https.request : Http.request)({
        agent,
        method: request.method,
        hostname: hostname.charCodeAt(0) === 91 ? hostname.slice(1, -1) : hostname, // [::1] -> ::1
        port: url.port,
        path: url.pathname + url.search,
        headers,
        ...(url.username === "" && url.password === ""
          ? {}
          : { auth: `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}` })
      })
    } catch (cause) {
      resume(Effect.fail(refused(request, headers, cause)))
      return
    }

    let settled = false
    // the deadline of a direct exchange: no complete response (body included) by then, the request goes
    const timer = timeoutMillis === undefined ? undefined : setTimeout(() => {
      if (settled) return
      settle(Effect.fail(new Body.TimedOut()))
      nodeRequest.destroy()
      if (source._tag === "Readable") source.readable.destroy()
    }, timeoutMillis)
    const settle = (
      effect: Effect.Effect<HttpClientResponse.HttpClientResponse, HttpClientError.HttpClientError | Body.TimedOut>
    ) => {
      if (settled) return
      settled = true
      if (timer !== undefined) clearTimeout(timer)
      signal?.removeEventListener("abort", onAbort)
      resume(effect)
    }
    const failRequest = (reason: "Transport" | "Encode", cause: unknown, description?: string) =>
      settle(Effect.fail(
        new HttpClientError.RequestError({
          request,
          reason,
          cause,
          ...(description === undefined ? {} : { description })
        })
      ))
    function onAbort() {
      if (settled) return
      failRequest("Transport", signal?.reason, "the request was aborted")
      nodeRequest.destroy()
    }
    signal?.addEventListener("abort", onAbort, { once: true })

    // once the status and headers are in, a failure is the body's (a ResponseError when it is read)
    let bodyFailed: ((cause: unknown) => void) | undefined
    // these listeners stay for the request's life: an error after the outcome is known is ignored, not thrown
    nodeRequest.on("error", (cause) => bodyFailed === undefined ? failRequest("Transport", cause) : bodyFailed(cause))
    nodeRequest.on("close", () => {
      // once a response arrived, its own events tell how its body ended
      if (bodyFailed === undefined) {
        failRequest("Transport", new Error("the connection closed before a response arrived"))
      }
    })
    nodeRequest.on("response", (response) => {
      const status = response.statusCode ?? 0
      const remoteAddress = Option.fromNullable(response.socket?.remoteAddress)
      const respond = (body: Body) =>
        settle(Effect.succeed(new NodeTransportResponse(request, status, response.headers, remoteAddress, body)))
      bodyFailed = (cause) => {
        // every response closes: after its end, that is nothing to report
        if (!settled) respond({ _tag: "Failed", cause: new BodyIncomplete(cause) })
      }
      const tooLarge = (received: number | undefined, declared: number | undefined) => {
        respond({ _tag: "Failed", cause: new BodyTooLarge(limit, received, declared) })
        // the rest is never read: the connection goes, not back to the pool
        nodeRequest.destroy()
      }
      response.on("error", bodyFailed)
      response.on("close", () => bodyFailed!(undefined))
      const declared = response.headers["content-length"]
      if (declared !== undefined && Number(declared) > limit) {
        tooLarge(undefined, Number(declared))
        return
      }
      let chunks: Array<Buffer> = []
      let size = 0
      response.on("data", (chunk: Buffer) => {
        if (settled) return
        size += chunk.length
        if (size > limit) {
          chunks = []
          tooLarge(size, undefined)
          return
        }
        chunks.push(chunk)
      })
      response.on("end", () =>
        respond({
          _tag: "Bytes",
          bytes: size === 0 ? empty : chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size)
        }))
    })

    switch (source._tag) {
      case "None": {
        nodeRequest.end()
        break
      }
      case "Bytes": {
        nodeRequest.end(source.bytes)
        break
      }
      case "Readable": {
        source.readable.on("error", (cause) => {
          failRequest("Encode", cause, "the request body failed")
          nodeRequest.destroy()
        })
        source.readable.pipe(nodeRequest)
        break
      }
    }

    return Effect.sync(() => {
      if (settled) return
      settled = true
      if (timer !== undefined) clearTimeout(timer)
      signal?.removeEventListener("abort", onAbort)
      nodeRequest.destroy()
      if (source._tag === "Readable") source.readable.destroy()
    })
  })

const fromWeb = (stream: ReadableStream<Uint8Array>): Readable =>
  Readable.fromWeb(stream as unknown as NodeReadableStream<Uint8Array>)

interface Agents {
  readonly http: Http.Agent
  readonly https: Https.Agent
}

/** One request over the agents: its body encoded as Node wants it, then the exchange. */
const sendWith = (agents: Agents, limit: number) =>
(
  request: HttpClientRequest.HttpClientRequest,
  url: URL,
  headers: Record<string, string>,
  signal: AbortSignal | undefined,
  timeoutMillis: number | undefined
): Effect.Effect<HttpClientResponse.HttpClientResponse, HttpClientError.HttpClientError | Body.TimedOut> => {
  const https = url.protocol === "https:"
  if (!https && url.protocol !== "http:") {
    return Effect.fail(
      new HttpClientError.RequestError({
        request,
        reason: "InvalidUrl",
        description: `only http: and https: URLs can be requested, not ${url.protocol}`
      })
    )
  }
  const agent = https ? agents.https : agents.http
  const go = (headers: Record<string, string>, source: Source) =>
    exchange(request, url, https, agent, headers, source, signal, limit, timeoutMillis)
  const body = request.body
  switch (body._tag) {
    case "Empty":
      return go(headers, none)
    case "Uint8Array":
      return go(headers, { _tag: "Bytes", bytes: body.body })
    case "Raw": {
      const raw = body.body
      if (typeof raw === "string" || raw instanceof Uint8Array) return go(headers, { _tag: "Bytes", bytes: raw })
      if (raw instanceof Readable) return go(headers, { _tag: "Readable", readable: raw })
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
      return go(
        { ...headers, "content-type": web.headers.get("content-type") ?? "multipart/form-data" },
        { _tag: "Readable", readable: fromWeb(web.body!) }
      )
    }
    case "Stream":
      return Effect.flatMap(
        Stream.toReadableStreamEffect(body.stream),
        (stream) => go(headers, { _tag: "Readable", readable: fromWeb(stream) })
      )
  }
}

/** The platform's shape of an exchange: the request's own headers, no deadline (it has no TimedOut). */
const send = (agents: Agents, limit: number) => {
  const sendOf = sendWith(agents, limit)
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
const fromAgents = (agents: Agents, limit: number): HttpClient.HttpClient => {
  const exchangeOf = send(agents, limit)
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
  const sendOf = sendWith(agents, limit)
  const direct: Body.DirectExchange = (request, url, headers, timeoutMillis) =>
    sendOf(request, url, headers, undefined, timeoutMillis)
  return Object.assign(client, { [Body.eager]: true, [Body.direct]: direct })
}

export const make = (options: Options = {}): Effect.Effect<HttpClient.HttpClient, never, Scope.Scope> =>
  Effect.suspend(() => {
    const resolved = resolve(options)
    const agentOptions: Https.AgentOptions = {
      keepAlive: true,
      keepAliveMsecs: resolved.keepAliveMsecs,
      maxSockets: resolved.maxSockets,
      maxFreeSockets: resolved.maxFreeSockets,
      // how long an idle pooled socket is kept (a server's shorter `Keep-Alive: timeout=` hint wins)
      timeout: resolved.idleTimeout,
      scheduling: "lifo"
    }
    return Effect.map(
      Effect.acquireRelease(
        Effect.sync((): Agents => ({ http: new Http.Agent(agentOptions), https: new Https.Agent(agentOptions) })),
        (agents) =>
          Effect.sync(() => {
            agents.http.destroy()
            agents.https.destroy()
          })
      ),
      (agents) => fromAgents(agents, resolved.maxResponseBytes)
    )
  })

export const layerWith = (options: Options): Layer.Layer<HttpClient.HttpClient> =>
  Layer.scoped(HttpClient.HttpClient, make(options))

export const layer: Layer.Layer<HttpClient.HttpClient> = layerWith({})
