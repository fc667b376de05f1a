/**
 * What the platform floor programs do, over the transport they are given: @effect/platform's HttpClient alone
 * (execute, text, JSON.parse), no library, one Regenerate Key call against the local server, timed.
 */
import * as HttpBody from "@effect/platform/HttpBody"
import * as HttpClient from "@effect/platform/HttpClient"
import * as Effect from "effect/Effect"
import type * as Layer from "effect/Layer"
import { loaded, regenerateKeyUrl } from "./timing.js"

export const platformCall = (group: string, transport: Layer.Layer<HttpClient.HttpClient>) => {
  const start = loaded()
  const call = Effect.flatMap(
    HttpClient.post(regenerateKeyUrl(process.argv[2] ?? "8080", group), {
      headers: { accept: "application/json", authorization: "Bearer fake-bench-token" },
      body: HttpBody.text(JSON.stringify({ keyType: "Primary" }), "application/json")
    }),
    (response) => response.text
  )
  return Effect.runPromise(Effect.provide(call, transport)).then((text) => {
    start.firstResponse(typeof (JSON.parse(text) as { primaryKey?: unknown }).primaryKey === "string")
  })
}
