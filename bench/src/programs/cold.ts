/**
 * What each cold-start program of ours does, over the transport it is given: import the library, make one
 * Regenerate Key call against the local server, print when modules were loaded and when the response
 * arrived (milliseconds since the process started, and process CPU milliseconds at both points).
 */
import * as AzureCredential from "@effect-acs/core/AzureCredential"
import * as CommunicationServices from "@effect-acs/core/CommunicationServices"
import type * as HttpClient from "@effect/platform/HttpClient"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { loaded } from "./timing.js"

export const coldCall = (name: string, transport: Layer.Layer<HttpClient.HttpClient>) => {
  const start = loaded()
  const port = process.argv[2] ?? "8080"
  const program = CommunicationServices.regenerateKey({
    subscriptionId: "00000000-0000-0000-0000-000000000000",
    resourceGroupName: `cold-${name}`,
    communicationServiceName: "acs-0",
    keyType: "Primary"
  }).pipe(
    Effect.provide(
      CommunicationServices.layer({ endpoint: `http://127.0.0.1:${port}`, allowInsecureLoopback: true }).pipe(
        Layer.provide(AzureCredential.static("fake-bench-token")),
        Layer.provide(transport)
      )
    )
  )
  return Effect.runPromise(program).then((keys) => start.firstResponse(keys.primaryKey !== undefined))
}
