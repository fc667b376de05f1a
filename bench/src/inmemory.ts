/**
 * The library's own cost per call, without I/O: our client over an in-memory transport that answers at
 * once with the documented 200 (its body already read, as NodeTransport's is). Prints CPU and wall per call.
 * `node --conditions=source --import tsx src/inmemory.ts [calls] [direct|general]`
 */
import { AzureCredential, CommunicationServices } from "@effect-acs/core"
import * as Headers from "@effect/platform/Headers"
import * as HttpClient from "@effect/platform/HttpClient"
import type * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"

const body = JSON.stringify({
  primaryKey: "1234",
  primaryConnectionString: "endpoint=http://example.com;accesskey=1234"
})
const headers = {
  "content-type": "application/json; charset=utf-8",
  "x-ms-request-id": "6f2bd8a4-0d8f-4b56-9e3e-3c1c5b0c2f11",
  "x-ms-ratelimit-remaining-subscription-writes": "1199"
}
const eager = Symbol.for("@effect-acs/core/EagerBody")
const direct = Symbol.for("@effect-acs/core/DirectExchange")
const bytes = new TextEncoder().encode(body)
const platformHeaders = Headers.fromInput(headers)
const respond = (request: HttpClientRequest.HttpClientRequest) => {
  const response = HttpClientResponse.fromWeb(request, new Response(null, { status: 200 }))
  return Object.create(response, {
    headers: { value: platformHeaders },
    [eager]: { value: () => ({ _tag: "Bytes", bytes }) }
  }) as HttpClientResponse.HttpClientResponse
}
/**
 * Answers at once, its body already in memory (as NodeTransport's responses are), without the platform's make;
 * with `direct` (the default, as NodeTransport unwrapped), also through the client's direct exchange, as
 * NodeTransport is (`general` measures the path of any other transport).
 */
const mode = process.argv[3] ?? "direct"
const transport = Layer.succeed(
  HttpClient.HttpClient,
  Object.assign(
    HttpClient.makeWith<never, never, never, never>((effect) => Effect.map(effect, respond), Effect.succeed),
    mode === "direct"
      ? {
        [eager]: true,
        [direct]: (request: HttpClientRequest.HttpClientRequest) => Effect.sync(() => respond(request))
      }
      : { [eager]: true }
  )
)

const calls = Number(process.argv[2] ?? "20000")
const runtime = ManagedRuntime.make(
  CommunicationServices.layer({ endpoint: "http://127.0.0.1:1", allowInsecureLoopback: true }).pipe(
    Layer.provide(AzureCredential.static("fake-bench-token")),
    Layer.provide(transport)
  )
)
const main = async () => {
  const client = await runtime.runPromise(CommunicationServices.CommunicationServices)
  const call = () =>
    runtime.runPromise(client.regenerateKey({
      subscriptionId: "00000000-0000-0000-0000-000000000000",
      resourceGroupName: "rg",
      communicationServiceName: "acs",
      keyType: "Primary"
    }))
  for (let i = 0; i < 3000; i++) await call()
  const cpu = process.cpuUsage()
  const start = performance.now()
  for (let i = 0; i < calls; i++) await call()
  const wall = performance.now() - start
  const used = process.cpuUsage(cpu)
  console.log(
    JSON.stringify({ wallPerCallMicros: (wall * 1000) / calls, cpuPerCallMicros: (used.user + used.system) / calls })
  )
  await runtime.dispose()
}
main()
