/**
 * The same task, regenerating the Secondary key and handling a missing resource and a lost response, with
 * `@azure/arm-communication` (before) and with effect-acs (after).
 */
import { CommunicationServiceManagementClient } from "@azure/arm-communication"
import type { TokenCredential } from "@azure/identity"
import { CommunicationServices, Errors } from "@effect-acs/core"
import * as Effect from "effect/Effect"
import type * as Redacted from "effect/Redacted"

// ---------------------------------------------------------------------------------------------------------------
// before: @azure/arm-communication
// ---------------------------------------------------------------------------------------------------------------

/** Returns the new connection string as a plain string, or `undefined` when the resource does not exist. */
export const regenerateWithAzureSdk = async (
  credential: TokenCredential,
  resource: { subscriptionId: string; resourceGroupName: string; communicationServiceName: string }
): Promise<string | undefined> => {
  // the SDK's default api-version is its newest (2025-09-01 in 4.2.0); pin it to keep the wire stable
  const client = new CommunicationServiceManagementClient(credential, resource.subscriptionId, {
    apiVersion: "2020-08-20"
  })
  try {
    const keys = await client.communicationServices.regenerateKey(
      resource.resourceGroupName,
      resource.communicationServiceName,
      { keyType: "Secondary" }
    )
    return keys.secondaryConnectionString // a plain string: one console.log away from a leak
  } catch (error) {
    // a RestError (from @azure/core-rest-pipeline), or a network error: told apart by properties
    const status = (error as { statusCode?: number }).statusCode
    if (status === 404) return undefined
    if (status === undefined || status >= 500) {
      // the key may or may not have changed: read what is live
      const keys = await client.communicationServices.listKeys(
        resource.resourceGroupName,
        resource.communicationServiceName
      )
      return keys.secondaryConnectionString
    }
    throw error
  }
}

// ---------------------------------------------------------------------------------------------------------------
// after: effect-acs
// ---------------------------------------------------------------------------------------------------------------

/** Returns the new connection string, `Redacted`, or `undefined` when the resource does not exist. */
export const regenerateWithEffectAcs = (resource: {
  subscriptionId: string
  resourceGroupName: string
  communicationServiceName: string
}): Effect.Effect<
  Redacted.Redacted<string> | undefined,
  Errors.CommunicationServicesError,
  CommunicationServices.CommunicationServices
> =>
  CommunicationServices.regenerateKey({ ...resource, keyType: "Secondary" }).pipe(
    // exactly the failures after which the key may have changed (see docs/errors.md)
    Effect.catchIf(Errors.isOutcomeUnknown, () => CommunicationServices.listKeys(resource)),
    Effect.map((keys) => keys.secondaryConnectionString),
    Effect.catchTag("NotFound", () => Effect.succeed(undefined))
  )
