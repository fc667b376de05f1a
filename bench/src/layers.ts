/**
 * A quick in-process peel of the layers under our client, against the bench's server (started here as a
 * child process): raw node:http, NodeTransport's direct exchange run as an Effect, and our client, each in
 * interleaved batches of sequential calls; prints CPU and wall per call. Rough (one process, JIT shared):
 * for finding where the time goes, not for RESULTS.md.
 * `node --conditions=source --import tsx src/layers.ts [batches] [calls per batch] [rows, e.g. direct,async]`
 */
import * as NodeTransport from "@effect-acs/core/NodeTransport"
import * as HttpBody from "@effect/platform/HttpBody"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as Effect from "effect/Effect"
import * as Scope from "effect/Scope"
import * as ChildProcess from "node:child_process"
import * as Http from "node:http"
import * as Path from "node:path"
import * as Clients from "./clients.js"

const path = (service: string) =>
  `/subscriptions/${Clients.subscriptionId}/resourceGroups/layers/providers/Microsoft.Communication/communicationServices/${service}/regenerateKey?api-version=2020-08-20`
const requestBody = JSON.stringify({ keyType: "Primary" })
const headers = {
  accept: "application/json",
  authorization: `Bearer ${Clients.fakeToken}`,
  "content-type": "application/json",
  "content-length": String(Buffer.byteLength(requestBody))
}

/** node:http, as raw-node-http, with the given agent; `effect` wraps the exchange in `Effect.async`. */
const rawWith = (port: number, agent: Http.Agent, effect: boolean, bytes = false) => {
  const body = bytes ? new TextEncoder().encode(requestBody) : requestBody
  const exchange = (resolve: () => void, reject: (error: unknown) => void) => {
    const request = Http.request(
      { host: "127.0.0.1", port, path: path("acs-0"), method: "POST", agent, headers },
      (response) => {
        const chunks: Array<Buffer> = []
        response.on("data", (chunk: Buffer) => chunks.push(chunk))
        response.on("end", () => {
          JSON.parse(Buffer.concat(chunks).toString())
          resolve()
        })
        response.on("error", reject)
      }
    )
    request.on("error", reject)
    request.end(body)
  }
  const asEffect = Effect.async<void, unknown>((resume) =>
    exchange(() => resume(Effect.void), (error) => resume(Effect.fail(error)))
  )
  return {
    call: () => effect ? Effect.runPromise(asEffect) : new Promise<void>(exchange),
    close: async () => agent.destroy()
  }
}

/** NodeTransport's direct exchange (what our client sends through), run by `Effect.runPromise`. */
const directWith = async (port: number) => {
  const scope = Effect.runSync(Scope.make())
  const client = await Effect.runPromise(Scope.extend(NodeTransport.make(), scope))
  const direct = (client as unknown as Record<symbol, (...args: Array<unknown>) => unknown>)[
    Symbol.for("@effect-acs/core/DirectExchange")
  ]!
  const request = HttpClientRequest.post(`http://127.0.0.1:${port}${path("acs-0")}`, {
    headers,
    body: HttpBody.text(requestBody, "application/json")
  })
  const url = new URL(request.url)
  const plain = { ...request.headers }
  const effectWith = (deadline: number | undefined) =>
    Effect.flatMap(
      direct(request, url, plain, deadline) as Effect.Effect<{ text: Effect.Effect<string> }>,
      (response) => Effect.map(response.text, (text) => JSON.parse(text))
    )
  const effect = effectWith(30_000)
  const noDeadline = effectWith(undefined)
  const viaExecute = Effect.flatMap(
    HttpClient.withTracerDisabledWhen(client, () => true).execute(request),
    (response) => Effect.map(response.text, (text) => JSON.parse(text))
  )
  return [
    { call: () => Effect.runPromise(effect), close: () => Effect.runPromise(Scope.close(scope, Effect.void as never)) },
    { call: () => Effect.runPromise(viaExecute), close: async () => {} },
    { call: () => Effect.runPromise(noDeadline), close: async () => {} }
  ]
}

const batches = Number(process.argv[2] ?? "10")
const perBatch = Number(process.argv[3] ?? "1000")

const main = async () => {
  const server = ChildProcess.spawn(
    process.execPath,
    ["--conditions=source", "--import", "tsx", Path.join(import.meta.dirname, "server.ts")],
    { stdio: ["ignore", "pipe", "inherit", "ipc"] }
  )
  const port = await new Promise<number>((resolve) =>
    server.on("message", (message: { port?: number }) => message.port !== undefined && resolve(message.port))
  )
  const specIds = ["raw-node-http", "azure-sdk", "ours-node-transport", "ours-node-transport-notrace"]
  const agentOptions = {
    keepAlive: true,
    keepAliveMsecs: 1000,
    maxSockets: 64,
    maxFreeSockets: 64,
    timeout: 30_000,
    scheduling: "lifo" as const
  }
  const clients: Array<{ call: (service: string) => Promise<unknown>; close: () => Promise<unknown> }> = [
    ...(await Promise.all(specIds.map((id) => Clients.make(Clients.allSpecs.find((spec) => spec.id === id)!, port)))),
    rawWith(port, new Http.Agent({ keepAlive: true }), false),
    rawWith(port, new Http.Agent(agentOptions), false),
    rawWith(port, new Http.Agent(agentOptions), true),
    rawWith(port, new Http.Agent(agentOptions), true, true),
    ...(await directWith(port))
  ]
  const ids = [
    ...specIds,
    "raw (here)",
    "raw, NodeTransport's agent",
    "raw in Effect.async",
    "raw in Effect.async, body as bytes",
    "NodeTransport direct",
    "NodeTransport execute",
    "NodeTransport direct, no deadline"
  ]
  // an optional filter: the rows whose name holds one of these comma-separated words
  const only = process.argv[4]?.split(",")
  const skip = (index: number) => only !== undefined && !only.some((word) => ids[index]!.includes(word))
  const totals = clients.map(() => ({ cpu: 0, wall: 0, calls: 0 }))
  for (let batch = 0; batch < batches; batch++) {
    for (let k = 0; k < clients.length; k++) {
      const index = (k + batch) % clients.length
      const client = clients[index]!
      if (skip(index)) continue
      const cpu = process.cpuUsage()
      const start = performance.now()
      for (let i = 0; i < perBatch; i++) await client.call("acs-0")
      const wall = performance.now() - start
      const used = process.cpuUsage(cpu)
      if (batch > 0) {
        totals[index]!.cpu += used.user + used.system
        totals[index]!.wall += wall * 1000
        totals[index]!.calls += perBatch
      }
    }
  }
  for (let k = 0; k < clients.length; k++) {
    const t = totals[k]!
    if (skip(k)) continue
    console.log(
      `${ids[k]!.padEnd(30)} cpu/call ${(t.cpu / t.calls).toFixed(0)} us  wall/call ${(t.wall / t.calls).toFixed(0)} us`
    )
  }
  await Promise.all(clients.map((client) => client.close()))
  server.kill()
}
main()
