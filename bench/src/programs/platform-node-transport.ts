/**
 * Cold start and bundle size, the floor under our client: @effect/platform's HttpClient over NodeTransport
 * (execute, text, JSON.parse), no library. `node platform-node-transport.mjs <port>`
 */
import * as NodeTransport from "@effect-acs/core/NodeTransport"
import * as HttpBody from "@effect/platform/HttpBody"
import * as HttpClient from "@effect/platform/HttpClient"
import * as Effect from "effect/Effect"
import { loaded, regenerateKeyUrl } from "./timing.js"

const start = loaded()
const call = Effect.flatMap(
  HttpClient.post(regenerateKeyUrl(process.argv[2] ?? "8080", "cold-platform-node-transport"), {
    headers: { accept: "application/json", authorization: "Bearer fake-bench-token" },
    body: HttpBody.text(JSON.stringify({ keyType: "Primary" }), "application/json")
  }),
  (response) => response.text
)

Effect.runPromise(Effect.provide(call, NodeTransport.layer)).then((text) => {
  start.firstResponse(typeof (JSON.parse(text) as { primaryKey?: unknown }).primaryKey === "string")
})
