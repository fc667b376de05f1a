/**
 * Cold start and bundle size, the floor of any Effect client: the Effect runtime and one Regenerate Key call
 * over node:http inside `Effect.async` (no @effect/platform, no library). `node effect-node-http.mjs <port>`
 */
import * as Effect from "effect/Effect"
import * as Http from "node:http"
import { loaded, regenerateKeyUrl } from "./timing.js"

const start = loaded()
const body = JSON.stringify({ keyType: "Primary" })
const call = Effect.async<string, Error>((resume) => {
  const request = Http.request(regenerateKeyUrl(process.argv[2] ?? "8080", "cold-effect-node-http"), {
    method: "POST",
    // one call, then the process ends: no socket kept alive
    agent: false,
    headers: {
      accept: "application/json",
      authorization: "Bearer fake-bench-token",
      "content-type": "application/json",
      "content-length": Buffer.byteLength(body)
    }
  }, (response) => {
    let text = ""
    response.setEncoding("utf8")
    response.on("data", (chunk: string) => {
      text += chunk
    })
    response.on("end", () => resume(Effect.succeed(text)))
    response.on("error", (error) => resume(Effect.fail(error)))
  })
  request.on("error", (error) => resume(Effect.fail(error)))
  request.end(body)
  return Effect.sync(() => request.destroy())
})

Effect.runPromise(call).then((text) => {
  start.firstResponse(typeof (JSON.parse(text) as { primaryKey?: unknown }).primaryKey === "string")
})
