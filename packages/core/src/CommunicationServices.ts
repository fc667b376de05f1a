/**
 * The client: `regenerateKey` and `listKeys` of Azure Communication Services as typed Effects.
 *
 * `CommunicationServices` is a service built by `layer(options)` (or `layerConfig`) from an `HttpClient`
 * (yours: this library never picks a transport) and an `AzureCredential`. Every call validates its input
 * before any I/O, sends exactly the documented request, retries what is safe to retry, and fails with
 * one tagged error per failure mode. Keys come back `Redacted`.
 *
 * @since 0.1.0
 */
import type { CommunicationServiceKeys, KeyType } from "@effect-acs/schema"
import * as Operation from "@effect-acs/schema/Operation"
import type * as HttpClient from "@effect/platform/HttpClient"
import * as Config from "effect/Config"
import type * as ConfigError from "effect/ConfigError"
import * as Context from "effect/Context"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Schedule from "effect/Schedule"
import type { AzureCredential } from "./AzureCredential.js"
import type { CommunicationServicesError, InvalidInput } from "./Errors.js"
import * as internal from "./internal/client.js"
import type { RetryPolicy } from "./RetryPolicy.js"

/**
 * The Azure Resource Manager endpoints of the Azure clouds. The token scope follows the endpoint
 * (`{endpoint}/.default`).
 *
 * @example
 * ```ts
 * import { CommunicationServices } from "@effect-acs/core"
 *
 * CommunicationServices.layer({ endpoint: CommunicationServices.endpoints.AzureUSGovernment })
 * ```
 *
 * @since 0.1.0
 * @category constants
 */
export const endpoints: {
  readonly AzurePublic: "https://management.azure.com"
  readonly AzureUSGovernment: "https://management.usgovcloudapi.net"
  readonly AzureChina: "https://management.chinacloudapi.cn"
} = internal.endpoints

/**
 * The api-versions whose Regenerate Key and List Keys have the shape this client speaks, each covered by
 * the contract suite: `2020-08-20` (the default), `2023-03-31`, `2023-04-01`, `2025-05-01`, `2025-09-01`
 * and `2026-03-18`.
 *
 * @example
 * ```ts
 * import { CommunicationServices } from "@effect-acs/core"
 *
 * CommunicationServices.layer({ apiVersion: CommunicationServices.apiVersions[0] })
 * ```
 *
 * @since 0.1.0
 * @category constants
 */
export const apiVersions: typeof Operation.apiVersions = Operation.apiVersions

/**
 * The client's options; every one has a default.
 *
 * @example
 * ```ts
 * import { CommunicationServices, RetryPolicy } from "@effect-acs/core"
 *
 * const options: CommunicationServices.Options = {
 *   endpoint: CommunicationServices.endpoints.AzurePublic,
 *   apiVersion: "2020-08-20",
 *   retry: RetryPolicy.exponential({ maxRetries: 5 }),
 *   timeout: "20 seconds",
 *   userAgentSuffix: "key-rotator/1.0"
 * }
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** The Resource Manager endpoint; default `endpoints.AzurePublic`. Must be https (see `allowInsecureLoopback`). */
  readonly endpoint?: string | undefined
  /** The api-version sent with every request; default `2020-08-20`. */
  readonly apiVersion?: string | undefined
  /**
   * The retry policy (default `RetryPolicy.defaultPolicy`), any `Schedule` of failures (with `Retry-After`
   * honoured up to 60 seconds), or `false` for none.
   */
  readonly retry?: RetryPolicy | Schedule.Schedule<unknown, CommunicationServicesError> | false | undefined
  /** How long one attempt may take, response body included; default 30 seconds. Must be positive. */
  readonly timeout?: Duration.DurationInput | undefined
  /**
   * The largest response body read, in bytes; default 1 MiB (this API's bodies are under 2 KiB). It is
   * enforced while reading, on every transport: a longer 200 body is an `UnexpectedResponse`
   * (`BodyTooLarge`), a longer error body is described by its status alone.
   */
  readonly maxResponseBytes?: number | undefined
  /** Appended to the `User-Agent` header, e.g. `my-rotator/1.2` (printable ASCII, at most 256 characters). */
  readonly userAgentSuffix?: string | undefined
  /**
   * Send the W3C `traceparent` header of the call's span to the service, so that a trace can be followed
   * into Resource Manager's logs; default `false`: no trace context leaves the process.
   */
  readonly propagateTrace?: boolean | undefined
  /** The token scope; default `{endpoint origin}/.default`. */
  readonly scope?: string | undefined
  /**
   * Allow plain `http:` when the endpoint is a loopback address (`localhost`, `127.x.x.x`, `[::1]`), as
   * the emulator is. Bearer tokens are otherwise only ever sent over https.
   */
  readonly allowInsecureLoopback?: boolean | undefined
}

/**
 * A resource, named by its parts or by its ARM resource id.
 *
 * @example
 * ```ts
 * import type { CommunicationServices } from "@effect-acs/core"
 *
 * const byParts: CommunicationServices.ResourceInput = {
 *   subscriptionId: "12345",
 *   resourceGroupName: "MyResourceGroup",
 *   communicationServiceName: "MyCommunicationResource"
 * }
 * const byId: CommunicationServices.ResourceInput = {
 *   resourceId:
 *     "/subscriptions/12345/resourceGroups/MyResourceGroup/providers/Microsoft.Communication/communicationServices/MyCommunicationResource"
 * }
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type ResourceInput =
  | { readonly resourceId: string }
  | {
    readonly subscriptionId: string
    readonly resourceGroupName: string
    readonly communicationServiceName: string
  }

/**
 * A resource and the key to regenerate (`Primary` or `Secondary`, in any letter case).
 *
 * @example
 * ```ts
 * import type { CommunicationServices } from "@effect-acs/core"
 *
 * const input: CommunicationServices.RegenerateKeyInput = {
 *   resourceId:
 *     "/subscriptions/12345/resourceGroups/MyResourceGroup/providers/Microsoft.Communication/communicationServices/MyCommunicationResource",
 *   keyType: "secondary"
 * }
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type RegenerateKeyInput = ResourceInput & {
  readonly keyType: KeyType.KeyType | (string & {})
}

/**
 * The keys, with what identifies the exchange that produced them (for audit logs and support requests).
 *
 * @example
 * ```ts
 * import { CommunicationServices } from "@effect-acs/core"
 * import * as Effect from "effect/Effect"
 *
 * const audited = Effect.gen(function*() {
 *   const client = yield* CommunicationServices.CommunicationServices
 *   const response = yield* client.listKeysResponse({ resourceId: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Communication/communicationServices/acs" })
 *   yield* Effect.log(`listed keys (x-ms-request-id ${response.requestId}, ${response.attempts} attempt(s))`)
 *   return response.keys
 * })
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface KeysResponse {
  readonly keys: CommunicationServiceKeys.CommunicationServiceKeys
  readonly requestId: string | undefined
  readonly correlationRequestId: string | undefined
  readonly clientRequestId: string
  readonly attempts: number
  /**
   * An earlier attempt of this call ended with an unknown outcome (a timeout, a lost response, a 5xx) before
   * this one was answered. That attempt may still reach the service after this answer and replace the keys:
   * read them again a while later (`Rotation.rotate` does, see its `settle` option).
   */
  readonly priorOutcomeUnknown: boolean
  /**
   * The writes the subscription has left in its Resource Manager budget after this call
   * (`x-ms-ratelimit-remaining-subscription-writes`), when the response said.
   */
  readonly remainingWrites: number | undefined
}

/**
 * The operations of the client.
 *
 * @example
 * ```ts
 * import type { CommunicationServices } from "@effect-acs/core"
 *
 * const rotateSecondary = (client: CommunicationServices.CommunicationServicesService, resourceId: string) =>
 *   client.regenerateKey({ resourceId, keyType: "Secondary" })
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface CommunicationServicesService {
  /**
   * Regenerates one access key and returns it (with its connection string). Regenerating `Primary`
   * returns only the primary pair, and `Secondary` only the secondary pair. Calls for the same resource
   * never overlap within one client.
   */
  readonly regenerateKey: (
    input: RegenerateKeyInput
  ) => Effect.Effect<CommunicationServiceKeys.CommunicationServiceKeys, CommunicationServicesError>
  /** Reads both access keys and connection strings. */
  readonly listKeys: (
    input: ResourceInput
  ) => Effect.Effect<CommunicationServiceKeys.CommunicationServiceKeys, CommunicationServicesError>
  /** `regenerateKey`, with the request ids and attempt count. */
  readonly regenerateKeyResponse: (
    input: RegenerateKeyInput
  ) => Effect.Effect<KeysResponse, CommunicationServicesError>
  /** `listKeys`, with the request ids and attempt count. */
  readonly listKeysResponse: (input: ResourceInput) => Effect.Effect<KeysResponse, CommunicationServicesError>
}

/**
 * The service tag.
 *
 * @example
 * ```ts
 * import { CommunicationServices } from "@effect-acs/core"
 * import * as Effect from "effect/Effect"
 *
 * const program = Effect.gen(function*() {
 *   const client = yield* CommunicationServices.CommunicationServices
 *   return yield* client.listKeys({
 *     subscriptionId: "12345",
 *     resourceGroupName: "MyResourceGroup",
 *     communicationServiceName: "MyCommunicationResource"
 *   })
 * })
 * ```
 *
 * @since 0.1.0
 * @category tags
 */
export class CommunicationServices extends Context.Tag("@effect-acs/core/CommunicationServices")<
  CommunicationServices,
  CommunicationServicesService
>() {}

/**
 * Builds the service from an `HttpClient` and an `AzureCredential`. Fails with `InvalidInput` (field
 * `endpoint` or `apiVersion`) when the options are unusable, e.g. an http endpoint that is not an opted-in
 * loopback address.
 *
 * @example
 * ```ts
 * import { CommunicationServices } from "@effect-acs/core"
 * import * as Effect from "effect/Effect"
 *
 * const client = CommunicationServices.make({ apiVersion: "2023-04-01" })
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: (
  options?: Options
) => Effect.Effect<CommunicationServicesService, InvalidInput, HttpClient.HttpClient | AzureCredential> = internal.make

/**
 * The service as a layer.
 *
 * @example
 * ```ts
 * import { AzureCredential, CommunicationServices } from "@effect-acs/core"
 * import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
 * import { DefaultAzureCredential } from "@azure/identity"
 * import * as Layer from "effect/Layer"
import type * as Schedule from "effect/Schedule"
 *
 * const CommunicationServicesLive = CommunicationServices.layer().pipe(
 *   Layer.provide(AzureCredential.fromTokenCredential(new DefaultAzureCredential())),
 *   Layer.provide(FetchHttpClient.layer)
 * )
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (
  options?: Options
): Layer.Layer<CommunicationServices, InvalidInput, HttpClient.HttpClient | AzureCredential> =>
  Layer.effect(CommunicationServices, make(options))

/**
 * The service as a layer whose options are read from `Config`.
 *
 * @example
 * ```ts
 * import { CommunicationServices } from "@effect-acs/core"
 * import * as Config from "effect/Config"
 *
 * const CommunicationServicesLive = CommunicationServices.layerConfig({
 *   endpoint: Config.string("ARM_ENDPOINT").pipe(Config.withDefault(CommunicationServices.endpoints.AzurePublic)),
 *   apiVersion: Config.string("ACS_API_VERSION").pipe(Config.withDefault("2020-08-20"))
 * })
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layerConfig = (
  options: Config.Config.Wrap<Options>
): Layer.Layer<
  CommunicationServices,
  InvalidInput | ConfigError.ConfigError,
  HttpClient.HttpClient | AzureCredential
> => Layer.effect(CommunicationServices, Effect.flatMap(Config.unwrap(options), make))

/**
 * Regenerates one access key of a resource, through the `CommunicationServices` in the environment.
 *
 * @example
 * ```ts
 * import { CommunicationServices } from "@effect-acs/core"
 * import * as Effect from "effect/Effect"
 *
 * const program = Effect.gen(function*() {
 *   const keys = yield* CommunicationServices.regenerateKey({
 *     resourceId:
 *       "/subscriptions/12345/resourceGroups/MyResourceGroup/providers/Microsoft.Communication/communicationServices/MyCommunicationResource",
 *     keyType: "Secondary"
 *   })
 *   return keys.secondaryConnectionString // Redacted
 * })
 * ```
 *
 * @since 0.1.0
 * @category accessors
 */
export const regenerateKey = (
  input: RegenerateKeyInput
): Effect.Effect<
  CommunicationServiceKeys.CommunicationServiceKeys,
  CommunicationServicesError,
  CommunicationServices
> => Effect.flatMap(CommunicationServices, (client) => client.regenerateKey(input))

/**
 * Reads both access keys of a resource, through the `CommunicationServices` in the environment.
 *
 * @example
 * ```ts
 * import { CommunicationServices } from "@effect-acs/core"
 *
 * const keys = CommunicationServices.listKeys({
 *   subscriptionId: "12345",
 *   resourceGroupName: "MyResourceGroup",
 *   communicationServiceName: "MyCommunicationResource"
 * })
 * ```
 *
 * @since 0.1.0
 * @category accessors
 */
export const listKeys = (
  input: ResourceInput
): Effect.Effect<
  CommunicationServiceKeys.CommunicationServiceKeys,
  CommunicationServicesError,
  CommunicationServices
> => Effect.flatMap(CommunicationServices, (client) => client.listKeys(input))
