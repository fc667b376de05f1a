/**
 * The client, sending its requests through the Azure SDK test-proxy while it records: the proxy listens on
 * loopback and forwards to Resource Manager over https; the token is for Resource Manager.
 */
import { AzureCredential, CommunicationServices } from "@effect-acs/core"
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"

export const recordingClient = (recordingId: string, credential: AzureCredential.TokenCredential) =>
  CommunicationServices.layer({
    endpoint: "http://localhost:5000",
    allowInsecureLoopback: true,
    scope: "https://management.azure.com/.default"
  }).pipe(
    Layer.provide(AzureCredential.fromTokenCredential(credential)),
    Layer.provide(
      Layer.effect(
        HttpClient.HttpClient,
        Effect.map(
          HttpClient.HttpClient,
          HttpClient.mapRequest(HttpClientRequest.setHeaders({
            "x-recording-id": recordingId,
            "x-recording-mode": "record",
            "x-recording-upstream-base-uri": "https://management.azure.com"
          }))
        )
      ).pipe(Layer.provide(FetchHttpClient.layer))
    )
  )
