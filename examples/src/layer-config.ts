/**
 * The client's options read from the environment (or any `ConfigProvider`), with `layerConfig`.
 *
 *   ARM_ENDPOINT                 default https://management.azure.com
 *   ACS_API_VERSION              default 2020-08-20
 *   ACS_TIMEOUT                  default 30 seconds (e.g. "20 seconds")
 *   ACS_MAX_RETRIES              default 3
 *   ACS_USER_AGENT_SUFFIX        default none
 *   ACS_ALLOW_INSECURE_LOOPBACK  default false (true only for an emulator on 127.0.0.1)
 */
import type { AzureCredential } from "@effect-acs/core"
import { CommunicationServices, RetryPolicy } from "@effect-acs/core"
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as Config from "effect/Config"
import * as Duration from "effect/Duration"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"

export const ClientLive = (credential: Layer.Layer<AzureCredential.AzureCredential>) =>
  CommunicationServices.layerConfig({
    endpoint: Config.string("ARM_ENDPOINT").pipe(Config.withDefault(CommunicationServices.endpoints.AzurePublic)),
    apiVersion: Config.string("ACS_API_VERSION").pipe(Config.withDefault("2020-08-20")),
    timeout: Config.duration("ACS_TIMEOUT").pipe(Config.withDefault(Duration.seconds(30))),
    retry: Config.integer("ACS_MAX_RETRIES").pipe(
      Config.map((maxRetries) => RetryPolicy.exponential({ maxRetries })),
      Config.withDefault(RetryPolicy.defaultPolicy)
    ),
    userAgentSuffix: Config.string("ACS_USER_AGENT_SUFFIX").pipe(Config.option, Config.map(Option.getOrUndefined)),
    allowInsecureLoopback: Config.boolean("ACS_ALLOW_INSECURE_LOOPBACK").pipe(Config.withDefault(false))
  }).pipe(
    Layer.provide(credential),
    Layer.provide(FetchHttpClient.layer)
  )
