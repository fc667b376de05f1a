/**
 * The emulator as a library: start it in a scope, point a client at it, and read its side of the story.
 *
 * From examples/:  pnpm exec tsx --conditions=source src/emulator-library.ts
 */
import { AzureCredential, CommunicationServices } from "@effect-acs/core"
import { Emulator } from "@effect-acs/emulator"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as Effect from "effect/Effect"
import { pathToFileURL } from "node:url"

export const resource = { subscriptionId: "1111", resourceGroupName: "rg", communicationServiceName: "my-acs" }

export const program = Effect.scoped(Effect.gen(function*() {
  // started now, stopped (every connection closed) when the scope closes
  const emulator = yield* Emulator.make({
    resources: [resource],
    throttle: { capacity: 20, refillPerSecond: 5 },
    faults: { seed: 42, errorRate: 0.1, when: "after" }
  })
  const client = yield* CommunicationServices.make({ endpoint: emulator.url, allowInsecureLoopback: true }).pipe(
    Effect.provide(AzureCredential.static(Emulator.defaultToken))
  )
  const keys = yield* client.regenerateKey({ ...resource, keyType: "Secondary" })
  // the emulator's view, to assert on (Redacted, never logged in clear)
  const live = yield* emulator.keys(resource)
  const stats = yield* emulator.stats // requests, byStatus, throttled, dropped, faults, regenerations, inFlight
  return { keys, live, stats }
}))

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  NodeRuntime.runMain(
    program.pipe(
      Effect.tap(({ stats }) => Effect.log(`${stats.requests} request(s), ${stats.regenerations} regeneration(s)`)),
      Effect.provide(NodeHttpClient.layer)
    )
  )
}
