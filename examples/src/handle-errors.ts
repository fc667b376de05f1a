/**
 * What to do about each failure of `regenerateKey` / `listKeys`, and of a rotation.
 *
 * `advice` switches over every tag of `Errors.CommunicationServicesError`: if a tag were added, this file
 * would stop compiling. `regenerateOrExplain` shows where it fits: after the unknown outcome was handled.
 */
import { CommunicationServices, Errors } from "@effect-acs/core"
import type { Rotation } from "@effect-acs/core"
import * as Effect from "effect/Effect"

export const advice = (error: Errors.CommunicationServicesError): string => {
  if (Errors.isOutcomeUnknown(error)) {
    return "The key may or may not have been regenerated: call listKeys and use the live key."
  }
  switch (error._tag) {
    case "InvalidInput":
      return `Nothing was sent: fix ${error.field} (${error.reason}).`
    case "CredentialError":
      return "No token: sign in (az login), or check the managed identity or service principal."
    case "TransportError":
      return error.reason === "Connect"
        ? "Nothing was sent: check DNS, proxy and firewall for the Resource Manager endpoint."
        : `The ${error.operation} did not complete (${error.reason}): try again later.`
    case "AuthenticationFailed":
      return "The token was refused: is it from the right tenant, and for this cloud's endpoint?"
    case "AuthorizationFailed":
      return `Grant the identity Microsoft.Communication/communicationServices/${error.operation}/action.`
    case "NotFound":
      return `No such ${error.missing === "Unknown" ? "resource" : error.missing}: check ${error.resourceId}.`
    case "Conflict":
      return "Another regeneration of this resource is running: try again in a few seconds."
    case "Throttled":
      return `The subscription's write budget is spent: wait ${error.retryAfterMillis ?? 1000} ms.`
    case "BadRequest":
      return `Refused (${error.status} ${error.code ?? "no code"}): ${error.armMessage ?? "no message"}.`
    case "ServiceError":
      return `Azure failed (${error.status}): retry later, or quote ${error.correlationRequestId} to support.`
    case "UnexpectedResponse":
      return `Not an answer this client understands (${error.reason}): report ${error.requestId} with the api-version.`
  }
}

/** What a stopped rotation leaves behind, and what to do next. */
export const rotationAdvice = (error: Rotation.RotationFailed): string => {
  switch (error.step) {
    case "ReadKeys":
      return "Nothing changed: the current keys could not be read. Fix the cause and run the rotation again."
    case "Regenerate":
      return error.livePublished
        ? `The ${error.keyType} key did not change, and its live value was published again: run again later.`
        : `The ${error.keyType} key was not regenerated and is unchanged: clients hold every live key. Run again later.`
    case "Recover":
      return `Unknown whether ${error.keyType} changed: call listKeys and publish the live ${error.keyType} key now.`
    case "Publish":
      return `The ${error.keyType} key is live but was not published: call listKeys and publish it now.`
    case "Verify":
      return `Clients did not switch to the new ${error.keyType} key: do not regenerate the other key until they do.`
  }
}

/** Regenerates a key; on an unknown outcome reads the live keys; any other failure is logged with advice. */
export const regenerateOrExplain = (resourceId: string, keyType: "Primary" | "Secondary") =>
  CommunicationServices.regenerateKey({ resourceId, keyType }).pipe(
    Effect.catchIf(Errors.isOutcomeUnknown, () => CommunicationServices.listKeys({ resourceId })),
    Effect.tapError((error) => Effect.logError(`${error.message}\n  what to do: ${advice(error)}`))
  )
