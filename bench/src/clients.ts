/**
 * The clients under test, each built once and exposing one `call` that makes a complete Regenerate Key
 * call (request sent, body read and parsed, result checked).
 *
 * Every client uses its own resource group (its `id`), so the server can count its requests apart from
 * the others'. `service` names the Communication Services resource, so concurrent callers can target
 * different resources (our client serialises regenerations of one resource, by design).
 */
import { CommunicationServiceManagementClient } from "@azure/arm-communication"
import type { AccessToken, TokenCredential } from "@azure/core-auth"
import type { PipelineRequest, SendRequest } from "@azure/core-rest-pipeline"
import { AzureCredential, CommunicationServices, NodeTransport } from "@effect-acs/core"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as HttpBody from "@effect/platform/HttpBody"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Tracer from "effect/Tracer"
import * as Http from "node:http"
import * as Undici from "undici"

/** An obviously fake subscription id (the Azure SDK wants a UUID) and token. */
export const subscriptionId = "00000000-0000-0000-0000-000000000000"
export const fakeToken = "fake-bench-token"

export type Transport = "fetch" | "node:http" | "undici"
export type Kind = "raw" | "effect" | "platform" | "azure" | "ours"

export interface ClientSpec {
  /** Also the resource group its calls use. */
  readonly id: string
  readonly label: string
  readonly kind: Kind
  readonly transport: Transport
  /** A note for the results table. */
  readonly note: string
  /** A reference row measured only with `BENCH_ALL=1` (keeps the default run within its time budget). */
  readonly extra?: boolean
}

export interface Client extends ClientSpec {
  readonly call: (service: string) => Promise<void>
  readonly close: () => Promise<void>
}

export const allSpecs: ReadonlyArray<ClientSpec> = [
  {
    id: "raw-fetch",
    label: "fetch (raw)",
    kind: "raw",
    transport: "fetch",
    note: "global fetch, Node's bundled undici"
  },
  {
    id: "raw-node-http",
    label: "node:http (raw)",
    kind: "raw",
    transport: "node:http",
    note: "http.request, keep-alive Agent"
  },
  {
    id: "raw-undici",
    label: "undici.request (raw)",
    kind: "raw",
    transport: "undici",
    note: "undici 7.30.2 request, own Agent"
  },
  {
    id: "azure-sdk",
    label: "Azure SDK",
    kind: "azure",
    transport: "node:http",
    note: "@azure/arm-communication 4.2.0, core-rest-pipeline 1.22.2 (node:http, keep-alive), retries off"
  },
  {
    id: "effect-node-http",
    label: "Effect.async / node:http",
    kind: "effect",
    transport: "node:http",
    note: "reference: the node:http (raw) call inside Effect.async, run by a ManagedRuntime: what the Effect " +
      "runtime alone costs per call, no @effect/platform"
  },
  {
    id: "platform-fetch",
    label: "Effect HttpClient / FetchHttpClient",
    kind: "platform",
    transport: "fetch",
    note: "reference: @effect/platform alone (execute, text, JSON.parse), no library",
    extra: true
  },
  {
    id: "platform-node-http-ka",
    label: "Effect HttpClient / NodeHttpClient keep-alive",
    kind: "platform",
    transport: "node:http",
    note: "reference: @effect/platform alone, keep-alive Agent",
    extra: true
  },
  {
    id: "platform-undici",
    label: "Effect HttpClient / layerUndici",
    kind: "platform",
    transport: "undici",
    note: "reference: @effect/platform alone (execute, text, JSON.parse), no library"
  },
  {
    id: "platform-node-transport",
    label: "Effect HttpClient / NodeTransport",
    kind: "platform",
    transport: "node:http",
    note: "reference: NodeTransport as a plain HttpClient (execute, text, JSON.parse), no library; tracer on, so " +
      "the platform's span per request"
  },
  {
    id: "ours-fetch",
    label: "ours / FetchHttpClient",
    kind: "ours",
    transport: "fetch",
    note: "FetchHttpClient.layer"
  },
  {
    id: "ours-node-http",
    label: "ours / NodeHttpClient",
    kind: "ours",
    transport: "node:http",
    note: "NodeHttpClient.layer (its default Agent: keepAlive false, a new connection per call)"
  },
  {
    id: "ours-node-http-ka",
    label: "ours / NodeHttpClient keep-alive",
    kind: "ours",
    transport: "node:http",
    note: "NodeHttpClient.layerWithoutAgent + makeAgentLayer({ keepAlive: true })"
  },
  {
    id: "ours-undici",
    label: "ours / NodeHttpClient.layerUndici",
    kind: "ours",
    transport: "undici",
    note: "NodeHttpClient.layerUndici (undici Agent)"
  },
  {
    id: "ours-node-transport",
    label: "ours / NodeTransport",
    kind: "ours",
    transport: "node:http",
    note: "NodeTransport.layer (this library's transport: HTTP/1.1 over node:net, kept alive): the recommended one"
  },
  {
    id: "ours-node-transport-notrace",
    label: "ours / NodeTransport, tracer off",
    kind: "ours",
    transport: "node:http",
    note: "as above, with Layer.setTracerEnabled(false) (no spans)"
  },
  {
    id: "ours-node-transport-traced",
    label: "ours / NodeTransport, spans recorded",
    kind: "ours",
    transport: "node:http",
    note: "as above, with a tracer that records every span (what an OpenTelemetry exporter would be handed)"
  },
  {
    id: "ours-undici-notrace",
    label: "ours / layerUndici, tracer off",
    kind: "ours",
    transport: "undici",
    note: "as above, with Layer.setTracerEnabled(false) (no spans: what tracing costs)"
  }
]

/** The clients of this run: all with `BENCH_ALL=1`, otherwise all but the extra reference rows. */
export const specs: ReadonlyArray<ClientSpec> = allSpecs.filter((spec) =>
  process.env["BENCH_ALL"] === "1" || spec.extra !== true
)

const requestBody = JSON.stringify({ keyType: "Primary" })
const requestBodyLength = Buffer.byteLength(requestBody)

const pathFor = (group: string, service: string) =>
  `/subscriptions/${subscriptionId}/resourceGroups/${group}/providers/Microsoft.Communication/communicationServices/${service}/regenerateKey?api-version=2020-08-20`

const requestHeaders = {
  accept: "application/json",
  authorization: `Bearer ${fakeToken}`,
  "content-type": "application/json"
}

const check = (status: number, text: string) => {
  if (status !== 200) throw new Error(`unexpected status ${status}`)
  const json = JSON.parse(text) as { primaryKey?: unknown }
  if (typeof json.primaryKey !== "string") throw new Error("no primaryKey in the response")
}

const rawFetch = (spec: ClientSpec, origin: string): Client => ({
  ...spec,
  call: async (service) => {
    const response = await fetch(origin + pathFor(spec.id, service), {
      method: "POST",
      headers: requestHeaders,
      body: requestBody
    })
    check(response.status, await response.text())
  },
  close: async () => {}
})

/** One POST over node:http with a keep-alive agent, its response read whole and checked. */
const nodeHttpCall = (
  agent: Http.Agent,
  port: number,
  path: string,
  headers: Http.OutgoingHttpHeaders,
  done: (error?: unknown) => void
): Http.ClientRequest => {
  const request = Http.request(
    { host: "127.0.0.1", port, path, method: "POST", agent, headers },
    (response) => {
      let text = ""
      response.setEncoding("utf8")
      response.on("data", (chunk: string) => {
        text += chunk
      })
      response.on("end", () => {
        try {
          check(response.statusCode ?? 0, text)
          done()
        } catch (error) {
          done(error)
        }
      })
      response.on("error", done)
    }
  )
  request.on("error", done)
  request.end(requestBody)
  return request
}

const rawNodeHttp = (spec: ClientSpec, port: number): Client => {
  const agent = new Http.Agent({ keepAlive: true })
  const headers = { ...requestHeaders, "content-length": requestBodyLength }
  return {
    ...spec,
    call: (service) =>
      new Promise<void>((resolve, reject) => {
        nodeHttpCall(agent, port, pathFor(spec.id, service), headers, (error) => error ? reject(error) : resolve())
      }),
    close: async () => agent.destroy()
  }
}

/** The same node:http call inside `Effect.async`, run by a runtime built once: the Effect runtime's share. */
const effectNodeHttp = (spec: ClientSpec, port: number): Client => {
  const agent = new Http.Agent({ keepAlive: true })
  const headers = { ...requestHeaders, "content-length": requestBodyLength }
  const runtime = ManagedRuntime.make(Layer.empty)
  return {
    ...spec,
    call: (service) =>
      runtime.runPromise(Effect.async<void, unknown>((resume) => {
        const request = nodeHttpCall(
          agent,
          port,
          pathFor(spec.id, service),
          headers,
          (error) => resume(error === undefined ? Effect.void : Effect.fail(error))
        )
        return Effect.sync(() => request.destroy())
      })),
    close: async () => {
      agent.destroy()
      await runtime.dispose()
    }
  }
}

const rawUndici = (spec: ClientSpec, origin: string): Client => {
  const dispatcher = new Undici.Agent()
  return {
    ...spec,
    call: async (service) => {
      const response = await Undici.request(origin + pathFor(spec.id, service), {
        dispatcher,
        method: "POST",
        headers: requestHeaders,
        body: requestBody
      })
      check(response.statusCode, await response.body.text())
    },
    close: () => dispatcher.close()
  }
}

/** A static credential: the SDK's bearer policy caches it, as it would a real token. */
export const staticTokenCredential: TokenCredential = {
  getToken: async (): Promise<AccessToken> => ({ token: fakeToken, expiresOnTimestamp: Date.now() + 24 * 3_600_000 })
}

/**
 * The Azure SDK refuses bearer tokens over http, so it is given an https base URL and a policy placed
 * after the bearer-token policy rewrites each request to the local http server.
 */
export const makeAzureClient = (port: number, credential: TokenCredential = staticTokenCredential) => {
  const httpsBase = `https://127.0.0.1:${port}`
  const httpBase = `http://127.0.0.1:${port}`
  const client = new CommunicationServiceManagementClient(credential, subscriptionId, {
    endpoint: httpsBase,
    $host: httpsBase,
    apiVersion: "2020-08-20",
    retryOptions: { maxRetries: 0 }
  })
  client.pipeline.addPolicy({
    name: "benchLoopbackRewrite",
    sendRequest: (request: PipelineRequest, next: SendRequest) => {
      request.url = httpBase + request.url.slice(httpsBase.length)
      request.allowInsecureConnection = true
      return next(request)
    }
  }, { afterPolicies: ["bearerTokenAuthenticationPolicy"] })
  return client
}

const azureSdk = (spec: ClientSpec, port: number): Client => {
  const client = makeAzureClient(port)
  return {
    ...spec,
    call: async (service) => {
      const keys = await client.communicationServices.regenerateKey(spec.id, service, { keyType: "Primary" })
      if (typeof keys.primaryKey !== "string") throw new Error("no primaryKey in the response")
    },
    close: async () => {}
  }
}

const nodeHttpKeepAlive = NodeHttpClient.layerWithoutAgent.pipe(
  Layer.provide(NodeHttpClient.makeAgentLayer({ keepAlive: true }))
)

/** The transport of each Effect-based client. */
export const transports: Record<string, Layer.Layer<HttpClient.HttpClient>> = {
  "platform-fetch": FetchHttpClient.layer,
  "platform-node-http-ka": nodeHttpKeepAlive,
  "platform-undici": NodeHttpClient.layerUndici,
  "platform-node-transport": NodeTransport.layer,
  "ours-fetch": FetchHttpClient.layer,
  "ours-node-http": NodeHttpClient.layer,
  "ours-node-http-ka": nodeHttpKeepAlive,
  "ours-undici": NodeHttpClient.layerUndici,
  "ours-undici-notrace": NodeHttpClient.layerUndici,
  "ours-node-transport": NodeTransport.layer,
  "ours-node-transport-notrace": NodeTransport.layer,
  "ours-node-transport-traced": NodeTransport.layer
}

const transportOf = (id: string) => {
  const transport = transports[id]
  if (transport === undefined) throw new Error(`no transport for ${id}`)
  return transport
}

/**
 * @effect/platform's HttpClient alone, as a minimal Effect program would use it: the floor under our client
 * on each transport.
 */
const platform = async (spec: ClientSpec, port: number): Promise<Client> => {
  const runtime = ManagedRuntime.make(transportOf(spec.id))
  const http = await runtime.runPromise(HttpClient.HttpClient)
  const body = HttpBody.text(requestBody, "application/json")
  const headers = { accept: "application/json", authorization: `Bearer ${fakeToken}` }
  return {
    ...spec,
    call: (service) =>
      runtime.runPromise(
        Effect.flatMap(
          http.execute(
            HttpClientRequest.post(`http://127.0.0.1:${port}${pathFor(spec.id, service)}`, { body, headers })
          ),
          (response) => Effect.map(response.text, (text) => check(response.status, text))
        )
      ),
    close: () => runtime.dispose()
  }
}

/**
 * A tracer that keeps every ended span (the last 4,096, as an exporter's batch would), so that the cost of
 * spans that are really recorded shows, not only of spans nobody looks at.
 */
const recordingTracer = Layer.unwrapEffect(Effect.map(Effect.tracer, (native) => {
  const ended: Array<Tracer.Span> = []
  return Layer.setTracer(Tracer.make({
    span: (name, parent, context, links, startTime, kind, options) => {
      const span = native.span(name, parent, context, links, startTime, kind, options)
      const end = span.end.bind(span)
      span.end = (endTime, exit) => {
        end(endTime, exit)
        if (ended.push(span) > 4096) ended.shift()
      }
      return span
    },
    context: (f) => f()
  }))
}))

/** How a client's spans are handled: the default tracer, none, or recorded. */
export type Tracing = "default" | "off" | "recorded"

export const tracingOf = (id: string): Tracing =>
  id.endsWith("-notrace") ? "off" : id.endsWith("-traced") ? "recorded" : "default"

/** Our client over one transport, in a ManagedRuntime built once. */
export const makeOurs = async (
  id: string,
  transport: Layer.Layer<HttpClient.HttpClient>,
  port: number,
  options: { readonly tracing?: Tracing } = {}
) => {
  const runtime = ManagedRuntime.make(
    CommunicationServices.layer({ endpoint: `http://127.0.0.1:${port}`, allowInsecureLoopback: true }).pipe(
      Layer.provide(AzureCredential.static(fakeToken)),
      Layer.provide(transport),
      Layer.provide(
        options.tracing === "off"
          ? Layer.setTracerEnabled(false)
          : options.tracing === "recorded"
          ? recordingTracer
          : Layer.empty
      )
    )
  )
  const client = await runtime.runPromise(CommunicationServices.CommunicationServices)
  const call = async (service: string) => {
    const keys = await runtime.runPromise(client.regenerateKey({
      subscriptionId,
      resourceGroupName: id,
      communicationServiceName: service,
      keyType: "Primary"
    }))
    if (keys.primaryKey === undefined) throw new Error("no primaryKey in the response")
  }
  return { call, close: () => runtime.dispose() }
}

export const make = async (spec: ClientSpec, port: number): Promise<Client> => {
  const origin = `http://127.0.0.1:${port}`
  switch (spec.kind) {
    case "raw":
      return spec.transport === "fetch"
        ? rawFetch(spec, origin)
        : spec.transport === "node:http"
        ? rawNodeHttp(spec, port)
        : rawUndici(spec, origin)
    case "effect":
      return effectNodeHttp(spec, port)
    case "platform":
      return platform(spec, port)
    case "azure":
      return azureSdk(spec, port)
    case "ours":
      return {
        ...spec,
        ...(await makeOurs(spec.id, transportOf(spec.id), port, { tracing: tracingOf(spec.id) }))
      }
  }
}
