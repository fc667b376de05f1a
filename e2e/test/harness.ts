import type { Rotation } from "@effect-acs/core"
import { AzureCredential, CommunicationServices, RetryPolicy } from "@effect-acs/core"
import { Emulator } from "@effect-acs/emulator"
import type { EmulatorState } from "@effect-acs/emulator"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"

/** `count` resources spread over `subscriptions` subscriptions. */
export const resources = (count: number, subscriptions = 1): Array<EmulatorState.ResourceRef> =>
  Array.from({ length: count }, (_, i) => ({
    subscriptionId: `0000000${i % subscriptions}-0000-4000-8000-000000000000`,
    resourceGroupName: "rg-e2e",
    communicationServiceName: `acs-${i}`
  }))

/**
 * The emulator (with the given options) and a core client talking to it over real loopback HTTP through
 * `NodeHttpClient.layer`, with fast retries so that tests wait little.
 */
export const emulatorAndClient = (
  options: Emulator.Options,
  clientOptions: CommunicationServices.Options = {}
) =>
  Layer.unwrapScoped(Effect.gen(function*() {
    const emulator = yield* Emulator.make({ throttle: false, ...options })
    const client = CommunicationServices.layer({
      endpoint: emulator.url,
      allowInsecureLoopback: true,
      retry: RetryPolicy.exponential({ baseDelay: "5 millis", maxDelay: "20 millis", maxRetryAfter: "1 second" }),
      ...clientOptions
    }).pipe(
      Layer.provide(AzureCredential.static(Emulator.defaultToken)),
      Layer.provide(NodeHttpClient.layer)
    )
    return Layer.merge(client, Layer.succeed(Emulator.Emulator, emulator))
  }))

/** A publish that remembers, per resource and key type, the last value it was given. */
export const publishedKeys = () => {
  const last = new Map<string, string>()
  const name = (resourceId: string, keyType: string) => `${resourceId.toLowerCase()}|${keyType}`
  return {
    count: () => last.size,
    publish: (key: Rotation.PublishedKey) =>
      Effect.sync(() => last.set(name(key.resourceId, key.keyType), Redacted.value(key.key))),
    get: (resourceId: string, keyType: string) => last.get(name(resourceId, keyType))
  }
}

/** The live key of a resource, read from the emulator's state (not through the API). */
export const liveKey = (resource: EmulatorState.ResourceRef, keyType: "Primary" | "Secondary") =>
  Effect.flatMap(Emulator.Emulator, (emulator) =>
    Effect.map(
      emulator.keys(resource),
      (keys) => Redacted.value(keyType === "Primary" ? keys.primaryKey : keys.secondaryKey)
    ))

export const idOf = (resource: EmulatorState.ResourceRef) =>
  `/subscriptions/${resource.subscriptionId}/resourceGroups/${resource.resourceGroupName}/providers/Microsoft.Communication/communicationServices/${resource.communicationServiceName}`
