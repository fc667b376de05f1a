/**
 * A first program: regenerate the Secondary key of a communication service.
 *
 * Sign in first (`az login`, or any other source `DefaultAzureCredential` reads), then, from examples/:
 *
 *   ACS_RESOURCE_ID=/subscriptions/<id>/resourceGroups/<rg>/providers/Microsoft.Communication/communicationServices/<name> \
 *     pnpm exec tsx --conditions=source src/first-program.ts
 */
import { DefaultAzureCredential } from "@azure/identity"
import { AzureCredential, CommunicationServices } from "@effect-acs/core"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as Config from "effect/Config"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { pathToFileURL } from "node:url"

/** Regenerates the Secondary key and returns its new connection string (a `Redacted<string>`). */
export const regenerateSecondary = (resourceId: string) =>
  Effect.gen(function*() {
    const keys = yield* CommunicationServices.regenerateKey({ resourceId, keyType: "Secondary" })
    // a Redacted value prints as <redacted>: in logs, in errors, in JSON
    yield* Effect.log("regenerated the Secondary key", keys.secondaryConnectionString)
    return keys.secondaryConnectionString
  })

/** The client: a credential, a transport (yours to choose) and options (the default: Azure's public cloud). */
export const ClientLive = (
  credential: Layer.Layer<AzureCredential.AzureCredential>,
  options: CommunicationServices.Options = {}
) => CommunicationServices.layer(options).pipe(Layer.provide(credential), Layer.provide(FetchHttpClient.layer))

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  Config.string("ACS_RESOURCE_ID").pipe(
    Effect.flatMap(regenerateSecondary),
    Effect.provide(ClientLive(AzureCredential.fromTokenCredential(new DefaultAzureCredential()))),
    NodeRuntime.runMain
  )
}
