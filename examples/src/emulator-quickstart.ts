/**
 * The program of regenerate-key.ts against the local emulator: no Azure subscription, no network.
 *
 * From examples/:  pnpm exec tsx --conditions=source src/emulator-quickstart.ts
 */
import { AzureCredential } from "@effect-acs/core"
import { Emulator } from "@effect-acs/emulator"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as Effect from "effect/Effect"
import * as Equal from "effect/Equal"
import { pathToFileURL } from "node:url"
import { ClientLive, regenerate } from "./regenerate-key.js"

/** The emulated resource (its keys are generated when the emulator starts). */
export const resource = {
  subscriptionId: "00000000-0000-0000-0000-000000000000",
  resourceGroupName: "rg-quickstart",
  communicationServiceName: "acs-quickstart"
}

export const resourceId = `/subscriptions/${resource.subscriptionId}/resourceGroups/${resource.resourceGroupName}` +
  `/providers/Microsoft.Communication/communicationServices/${resource.communicationServiceName}`

/** Starts the emulator, regenerates the Secondary key through it, and checks that the key received is live. */
export const program = Effect.gen(function*() {
  // listens on a free port of 127.0.0.1 until the scope closes
  const emulator = yield* Emulator.make({ resources: [resource] })
  const keys = yield* regenerate(resourceId, "Secondary").pipe(
    Effect.provide(
      ClientLive(AzureCredential.static(Emulator.defaultToken), {
        endpoint: emulator.url, // http://127.0.0.1:<port>
        allowInsecureLoopback: true // plain http, to a loopback address only
      })
    )
  )
  const live = yield* emulator.keys(resource)
  // Redacted values compare by content with Equal.equals, without being revealed
  const isLive = Equal.equals(keys.secondaryKey, live.secondaryKey)
  yield* Effect.log(`emulator at ${emulator.url}: the Secondary key received is ${isLive ? "live" : "NOT live"}`)
  return isLive
}).pipe(Effect.scoped)

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  NodeRuntime.runMain(program)
}
