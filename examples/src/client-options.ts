/**
 * Every option of the client, for a key rotator in Azure US Government.
 */
import type { AzureCredential } from "@effect-acs/core"
import { CommunicationServices, RetryPolicy } from "@effect-acs/core"
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as Layer from "effect/Layer"

export const options: CommunicationServices.Options = {
  // the cloud; the token scope follows the endpoint: https://management.usgovcloudapi.net/.default
  endpoint: CommunicationServices.endpoints.AzureUSGovernment,
  // one of CommunicationServices.apiVersions, each covered by the contract suite (default 2020-08-20)
  apiVersion: "2023-04-01",
  // more patient than the default (3 retries, 0.8 s base, 60 s cap, Retry-After honoured up to 60 s)
  retry: RetryPolicy.exponential({
    maxRetries: 5,
    baseDelay: "1 second",
    maxDelay: "30 seconds",
    maxRetryAfter: "2 minutes"
  }),
  // one attempt, response body included (default 30 seconds)
  timeout: "20 seconds",
  // User-Agent: effect-acs/0.1.0 (Node v20.19.0; linux) key-rotator/1.4.0
  userAgentSuffix: "key-rotator/1.4.0"
}

/** The client with these options; `overrides` replace some of them (the tests point it at the emulator). */
export const ClientLive = (
  credential: Layer.Layer<AzureCredential.AzureCredential>,
  overrides: CommunicationServices.Options = {}
) =>
  CommunicationServices.layer({ ...options, ...overrides }).pipe(
    Layer.provide(credential),
    Layer.provide(FetchHttpClient.layer)
  )
