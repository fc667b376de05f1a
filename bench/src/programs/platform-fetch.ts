/**
 * Bundle size only: @effect/platform's HttpClient over its smallest transport, FetchHttpClient (Node's own
 * fetch), making one call (execute, text, JSON.parse), no library: the platform's own floor.
 * `node platform-fetch.mjs <port>`
 */
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as HttpBody from "@effect/platform/HttpBody"
import * as HttpClient from "@effect/platform/HttpClient"
import * as Effect from "effect/Effect"
import { loaded, regenerateKeyUrl } from "./timing.js"

const start = loaded()
const call = Effect.flatMap(
  HttpClient.post(regenerateKeyUrl(process.argv[2] ?? "8080", "cold-platform-fetch"), {
    headers: { accept: "application/json", authorization: "Bearer fake-bench-token" },
    body: HttpBody.text(JSON.stringify({ keyType: "Primary" }), "application/json")
  }),
  (response) => response.text
)

Effect.runPromise(Effect.provide(call, FetchHttpClient.layer)).then((text) => {
  start.firstResponse(typeof (JSON.parse(text) as { primaryKey?: unknown }).primaryKey === "string")
})
