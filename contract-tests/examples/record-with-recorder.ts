/**
 * Records a program's traffic with `Recorder`, no .NET test-proxy needed: the recorder sits between the
 * transport and the client, sanitizes every exchange as it completes, and writes a test-proxy recording
 * (or a HAR) when the layer's scope closes; what it writes has passed the secret scan.
 */
import { Recorder } from "@effect-acs/contract-tests"
import type { AzureCredential } from "@effect-acs/core"
import { CommunicationServices } from "@effect-acs/core"
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as Layer from "effect/Layer"

export const recordedClient = (
  path: string,
  credential: Layer.Layer<AzureCredential.AzureCredential>,
  options: CommunicationServices.Options = {}
) =>
  CommunicationServices.layer(options).pipe(
    Layer.provide(credential),
    Layer.provide(Recorder.layer({ path, format: "TestProxy" })),
    Layer.provide(NodeHttpClient.layer),
    Layer.provide(NodeFileSystem.layer)
  )
