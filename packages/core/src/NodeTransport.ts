/**
 * A lean `HttpClient` for Node, the recommended transport there: HTTP/1.1 over sockets of its own
 * (`node:net` / `node:tls`), each request written at once and each response read by a strict, bounded
 * parser, at about a third of the CPU of node:http's `ClientRequest`.
 *
 * It is an `@effect/platform` `HttpClient` like any other (built with `HttpClient.make`: `mapRequest`,
 * `retry`, `withScope` and the rest compose with it), with these guarantees of its own: connections are
 * kept alive and reused through one pool per layer (closed with the layer), and reused only after a
 * complete, well-framed response; a malformed response is a typed error; the response body is read
 * eagerly, up to `maxResponseBytes`, before the response is handed over, so a response holds no socket;
 * a body over the limit is not read further and its connection is destroyed; redirects are never followed
 * and bodies never decompressed; an interruption, or the request's scope closing, destroys the request;
 * a header value that cannot be sent is a `RequestError`, never a defect. Where node:http is intercepted
 * (msw, nock: `http.request` replaced; or a replay of `@effect-acs/contract-tests`), requests go through
 * node:http instead, with the same guarantees, so such tools still see them. See docs/configuration.md.
 *
 * @since 0.2.0
 */
import type * as HttpClient from "@effect/platform/HttpClient"
import type * as Effect from "effect/Effect"
import type * as Layer from "effect/Layer"
import type * as Scope from "effect/Scope"
import * as internal from "./internal/nodeTransport.js"

/**
 * The options of `layerWith` and `make`; every one has a default (`defaults`). Each is a positive whole
 * number: any other value is a defect when the layer is built.
 *
 * @example
 * ```ts
 * import type { NodeTransport } from "@effect-acs/core"
 *
 * const options: NodeTransport.Options = { maxSockets: 16, idleTimeout: 10_000 }
 * ```
 *
 * @since 0.2.0
 * @category models
 */
export interface Options {
  /** The most sockets open at once to one origin; more requests wait for one (default 64). */
  readonly maxSockets?: number | undefined
  /** The most idle sockets kept open for reuse, per origin (default 64). */
  readonly maxFreeSockets?: number | undefined
  /** The initial delay of TCP keep-alive probes on an open socket, in milliseconds (default 1000). */
  readonly keepAliveMsecs?: number | undefined
  /**
   * How long an idle socket is kept for reuse, in milliseconds (default 30000); a server that announces a
   * shorter `Keep-Alive: timeout=` is believed, less one second.
   */
  readonly idleTimeout?: number | undefined
  /**
   * The most bytes of a response body read into memory (default 1048576, core's default limit). A
   * `content-length` over it is refused before reading; an undeclared body is read until it passes the
   * limit. Either way the connection is destroyed, and every body accessor of the response fails with a
   * `ResponseError` (reason `Decode`, `isBodyTooLarge`); a cut body's `content-length` header is the
   * number of bytes received (over the limit), so that a reader with a lower or equal limit of its own
   * refuses it without reading. Keep it at least as large as the client's `maxResponseBytes`.
   */
  readonly maxResponseBytes?: number | undefined
}

/**
 * The default options.
 *
 * @example
 * ```ts
 * import { NodeTransport } from "@effect-acs/core"
 *
 * console.log(NodeTransport.defaults.maxResponseBytes) // 1048576
 * ```
 *
 * @since 0.2.0
 * @category constants
 */
export const defaults: {
  readonly maxSockets: number
  readonly maxFreeSockets: number
  readonly keepAliveMsecs: number
  readonly idleTimeout: number
  readonly maxResponseBytes: number
} = internal.defaults

/**
 * Builds the client and its pool of kept-alive connections, which the scope closes.
 *
 * @example
 * ```ts
 * import { NodeTransport } from "@effect-acs/core"
 * import * as HttpClient from "@effect/platform/HttpClient"
 * import * as Effect from "effect/Effect"
 *
 * const status = Effect.scoped(Effect.gen(function*() {
 *   const client = yield* NodeTransport.make({ maxSockets: 8 })
 *   const response = yield* client.get("http://127.0.0.1:8080/health")
 *   return response.status
 * }))
 * ```
 *
 * @since 0.2.0
 * @category constructors
 */
export const make: (options?: Options) => Effect.Effect<HttpClient.HttpClient, never, Scope.Scope> = internal.make

/**
 * The client with the given options, as a layer: its connections live as long as the layer.
 *
 * @example
 * ```ts
 * import { AzureCredential, CommunicationServices, NodeTransport } from "@effect-acs/core"
 * import { DefaultAzureCredential } from "@azure/identity"
 * import * as Layer from "effect/Layer"
 *
 * const CommunicationServicesLive = CommunicationServices.layer().pipe(
 *   Layer.provide(AzureCredential.fromTokenCredential(new DefaultAzureCredential())),
 *   Layer.provide(NodeTransport.layerWith({ maxSockets: 16 }))
 * )
 * ```
 *
 * @since 0.2.0
 * @category layers
 */
export const layerWith: (options: Options) => Layer.Layer<HttpClient.HttpClient> = internal.layerWith

/**
 * The client with the default options, as a layer.
 *
 * @example
 * ```ts
 * import { AzureCredential, CommunicationServices, NodeTransport } from "@effect-acs/core"
 * import { DefaultAzureCredential } from "@azure/identity"
 * import * as Layer from "effect/Layer"
 *
 * const CommunicationServicesLive = CommunicationServices.layer().pipe(
 *   Layer.provide(AzureCredential.fromTokenCredential(new DefaultAzureCredential())),
 *   Layer.provide(NodeTransport.layer)
 * )
 * ```
 *
 * @since 0.2.0
 * @category layers
 */
export const layer: Layer.Layer<HttpClient.HttpClient> = internal.layer

/**
 * Whether an error is the `ResponseError` of a body over this transport's `maxResponseBytes`.
 *
 * @example
 * ```ts
 * import { NodeTransport } from "@effect-acs/core"
 * import * as HttpClient from "@effect/platform/HttpClient"
 * import * as Effect from "effect/Effect"
 *
 * const body = (client: HttpClient.HttpClient) =>
 *   client.get("http://127.0.0.1:8080/big").pipe(
 *     Effect.flatMap((response) => response.text),
 *     Effect.catchIf(NodeTransport.isBodyTooLarge, () => Effect.succeed("(too large)"))
 *   )
 * ```
 *
 * @since 0.2.0
 * @category guards
 */
export const isBodyTooLarge: (error: unknown) => boolean = internal.isBodyTooLarge
