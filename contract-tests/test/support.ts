import type { Interaction } from "@effect-acs/contract-tests"
import { AzureCredential, CommunicationServices, NodeTransport, RetryPolicy } from "@effect-acs/core"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import type * as HttpClient from "@effect/platform/HttpClient"
import * as Layer from "effect/Layer"
import { fileURLToPath } from "node:url"

/** The transports the suite runs over: msw intercepts them all (node:http once the builtin ESM exports are synced). */
export const transports: ReadonlyArray<{ readonly name: string; readonly layer: Layer.Layer<HttpClient.HttpClient> }> =
  [
    { name: "FetchHttpClient", layer: FetchHttpClient.layer },
    { name: "NodeHttpClient (node:http)", layer: NodeHttpClient.layer },
    { name: "NodeTransport (node:http)", layer: NodeTransport.layer }
  ]

/** The token the static credential serves: present on every request, never compared, never in a message. */
export const token = "contract-suite-token-7f3a9c"

/** Retries without waiting long: the suite sleeps in real time (msw is real I/O). */
export const fastRetry = RetryPolicy.exponential({
  baseDelay: "10 millis",
  maxDelay: "40 millis",
  maxRetryAfter: "100 millis"
})

/** The client over a transport, with a static token. */
export const clientLayer = (
  transport: Layer.Layer<HttpClient.HttpClient>,
  options: CommunicationServices.Options = {},
  credential: Layer.Layer<AzureCredential.AzureCredential> = AzureCredential.static(token)
) => CommunicationServices.layer(options).pipe(Layer.provide(credential), Layer.provide(transport))

/** A path under the package directory. */
export const packagePath = (relative: string) => fileURLToPath(new URL(`../${relative}`, import.meta.url))

/** The documented sample's resource (api-version 2020-08-20). */
export const sampleResource = {
  subscriptionId: "12345",
  resourceGroupName: "MyResourceGroup",
  communicationServiceName: "MyCommunicationResource"
} as const

/** The resource of the later documented examples (UUID subscription ids from 2023-03-31 on). */
export const laterResource = {
  subscriptionId: "11112222-3333-4444-5555-666677778888",
  resourceGroupName: "MyResourceGroup",
  communicationServiceName: "MyCommunicationResource"
} as const

export const armUrl = (
  resource: {
    readonly subscriptionId: string
    readonly resourceGroupName: string
    readonly communicationServiceName: string
  },
  operation: "regenerateKey" | "listKeys",
  apiVersion = "2020-08-20"
) =>
  `https://management.azure.com/subscriptions/${resource.subscriptionId}/resourceGroups/${resource.resourceGroupName}` +
  `/providers/Microsoft.Communication/communicationServices/${resource.communicationServiceName}/${operation}` +
  `?api-version=${apiVersion}`

export const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/

/** The JSON value of a body, or undefined. */
export const jsonOf = (body: Interaction.Body | undefined): unknown => body?._tag === "Json" ? body.value : undefined
