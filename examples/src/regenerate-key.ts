/**
 * Regenerate one key of a communication service, and handle what can go wrong.
 *
 * Sign in first (`az login`, or any other source `DefaultAzureCredential` reads), then, from examples/:
 *
 *   ACS_RESOURCE_ID=/subscriptions/<id>/resourceGroups/<rg>/providers/Microsoft.Communication/communicationServices/<name> \
 *   ACS_KEY_TYPE=Secondary pnpm exec tsx --conditions=source src/regenerate-key.ts
 */
import { DefaultAzureCredential } from "@azure/identity"
import { AzureCredential, CommunicationServices, Errors } from "@effect-acs/core"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as Config from "effect/Config"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { pathToFileURL } from "node:url"

/**
 * Regenerates `keyType` and returns the keys that are live afterwards.
 *
 * When the outcome is unknown (the response was lost, or the service answered 5xx, after the client's
 * retries), the key may or may not have been regenerated: `listKeys` reads the live keys, and those are
 * the ones to use. Every other failure is logged with what to do, and stays in the error channel.
 */
export const regenerate = (resourceId: string, keyType: "Primary" | "Secondary") =>
  CommunicationServices.regenerateKey({ resourceId, keyType }).pipe(
    Effect.catchIf(Errors.isOutcomeUnknown, (error) =>
      Effect.zipRight(
        Effect.logWarning(`the outcome of regenerating ${keyType} is unknown (${error._tag}): reading the live keys`),
        CommunicationServices.listKeys({ resourceId })
      )),
    Effect.tapErrorTag(
      "CredentialError",
      () => Effect.logError("no Azure token: run `az login`, or check the identity")
    ),
    Effect.tapErrorTag(
      "AuthorizationFailed",
      (error) =>
        Effect.logError(`the identity may not call ${error.operation} on ${error.resourceId}: grant it a role that may`)
    ),
    Effect.tapErrorTag("NotFound", (error) => Effect.logError(`${error.missing} not found: check ACS_RESOURCE_ID`))
  )

/** The client: a credential, a transport (yours to choose) and options (the default: Azure's public cloud). */
export const ClientLive = (
  credential: Layer.Layer<AzureCredential.AzureCredential>,
  options: CommunicationServices.Options = {}
) => CommunicationServices.layer(options).pipe(Layer.provide(credential), Layer.provide(FetchHttpClient.layer))

/** Reads the resource and the key type from the environment, regenerates, and logs (redacted) what it got. */
export const main = Effect.gen(function*() {
  const resourceId = yield* Config.string("ACS_RESOURCE_ID")
  const keyType = yield* Config.literal("Primary", "Secondary")("ACS_KEY_TYPE").pipe(Config.withDefault("Secondary"))
  const keys = yield* regenerate(resourceId, keyType)
  // prints <redacted> for every key and connection string: hand them to your clients instead (see rotation.md)
  yield* Effect.log(`the ${keyType} key of ${resourceId} was regenerated`, keys)
  return keys
})

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main.pipe(
    Effect.provide(ClientLive(AzureCredential.fromTokenCredential(new DefaultAzureCredential()))),
    NodeRuntime.runMain
  )
}
