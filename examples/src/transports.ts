/**
 * The client over each transport. The library never picks one: the `HttpClient` is yours to provide.
 */
import type { AzureCredential } from "@effect-acs/core"
import { CommunicationServices, NodeTransport } from "@effect-acs/core"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import type * as HttpClient from "@effect/platform/HttpClient"
import * as Layer from "effect/Layer"

/**
 * The recommended one on Node: this library's own transport (HTTP/1.1 over node:net / node:tls), keep-alive,
 * bodies read eagerly and bounded, redirects never followed (no extra package).
 */
export const Node: Layer.Layer<HttpClient.HttpClient> = NodeTransport.layer

/** The global `fetch` (Node's built-in undici, Deno, Bun, browsers). */
export const Fetch: Layer.Layer<HttpClient.HttpClient> = FetchHttpClient.layer

/** `node:http` / `node:https`, with an agent the layer creates (and closes with it). */
export const NodeHttp: Layer.Layer<HttpClient.HttpClient> = NodeHttpClient.layer

/** `node:https` with a keep-alive agent: connections are reused across calls. */
export const NodeHttpKeepAlive: Layer.Layer<HttpClient.HttpClient> = NodeHttpClient.layerWithoutAgent.pipe(
  Layer.provide(NodeHttpClient.makeAgentLayer({ keepAlive: true }))
)

/** The `undici` package, with a dispatcher the layer creates (and closes with it). */
export const Undici: Layer.Layer<HttpClient.HttpClient> = NodeHttpClient.layerUndici

/** The client over the transport given. */
export const ClientLive = (
  transport: Layer.Layer<HttpClient.HttpClient>,
  credential: Layer.Layer<AzureCredential.AzureCredential>,
  options: CommunicationServices.Options = {}
) => CommunicationServices.layer(options).pipe(Layer.provide(credential), Layer.provide(transport))
