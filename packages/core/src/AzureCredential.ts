/**
 * Where the bearer tokens come from.
 *
 * `AzureCredential` is a service with one method, `getToken`, that yields an access token (`Redacted`)
 * and its expiry. Tokens are cached per scope and refreshed two minutes ahead of their expiry; concurrent
 * callers that find the token stale share one refresh. Two layers build it: `fromTokenCredential` adapts
 * any `@azure/identity` `TokenCredential` (such as `DefaultAzureCredential`), and `static` serves a
 * token obtained elsewhere (the emulator's, or one from `az account get-access-token`).
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import type { CredentialError } from "./Errors.js"
import * as internal from "./internal/credential.js"

/**
 * An access token and the time it stops being valid (epoch milliseconds).
 *
 * @example
 * ```ts
 * import type { AzureCredential } from "@effect-acs/core"
 * import * as Redacted from "effect/Redacted"
 *
 * const token: AzureCredential.AccessToken = { token: Redacted.make("..."), expiresAt: Date.now() + 3_600_000 }
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface AccessToken {
  readonly token: Redacted.Redacted<string>
  readonly expiresAt: number
}

/**
 * What to ask a token for: the scope (`https://management.azure.com/.default` for the public cloud) and,
 * after a claims challenge, the claims the service demanded.
 *
 * @example
 * ```ts
 * import type { AzureCredential } from "@effect-acs/core"
 *
 * const request: AzureCredential.TokenRequest = { scope: "https://management.azure.com/.default" }
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface TokenRequest {
  readonly scope: string
  readonly claims?: string | undefined
}

/**
 * The credential's one operation.
 *
 * @example
 * ```ts
 * import type { AzureCredential } from "@effect-acs/core"
 *
 * const expiry = (credential: AzureCredential.AzureCredentialService) =>
 *   credential.getToken({ scope: "https://management.azure.com/.default" })
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface AzureCredentialService {
  /**
   * A valid token for the scope: from the cache while it has more than two minutes left, otherwise a new
   * one. A request with `claims` always asks the source for a new token.
   */
  readonly getToken: (request: TokenRequest) => Effect.Effect<AccessToken, CredentialError>
}

/**
 * The service tag.
 *
 * @example
 * ```ts
 * import { AzureCredential } from "@effect-acs/core"
 * import * as Effect from "effect/Effect"
 *
 * const program = Effect.gen(function*() {
 *   const credential = yield* AzureCredential.AzureCredential
 *   const token = yield* credential.getToken({ scope: "https://management.azure.com/.default" })
 *   return token.expiresAt
 * })
 * ```
 *
 * @since 0.1.0
 * @category tags
 */
export class AzureCredential extends Context.Tag("@effect-acs/core/AzureCredential")<
  AzureCredential,
  AzureCredentialService
>() {}

/**
 * The part of `@azure/identity`'s `TokenCredential` this library uses, so that `@azure/identity` stays an
 * optional peer dependency: any `TokenCredential` (`DefaultAzureCredential`, `ClientSecretCredential`,
 * `ManagedIdentityCredential`, ...) satisfies it.
 *
 * @example
 * ```ts
 * import type { AzureCredential } from "@effect-acs/core"
 * import { ManagedIdentityCredential } from "@azure/identity"
 *
 * const credential: AzureCredential.TokenCredential = new ManagedIdentityCredential()
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface TokenCredential {
  getToken(
    scopes: string | Array<string>,
    options?: { claims?: string; abortSignal?: AbortSignal }
  ): Promise<{ token: string; expiresOnTimestamp: number } | null>
}

/**
 * How long before its expiry a cached token is refreshed.
 *
 * @example
 * ```ts
 * import { AzureCredential } from "@effect-acs/core"
 * import * as Duration from "effect/Duration"
 *
 * Duration.toMinutes(AzureCredential.refreshMargin) // 2
 * ```
 *
 * @since 0.1.0
 * @category constants
 */
export const refreshMargin = internal.refreshMargin

/**
 * Builds a caching `AzureCredential` from a function that fetches a fresh token.
 *
 * @example
 * ```ts
 * import { AzureCredential } from "@effect-acs/core"
 * import * as Effect from "effect/Effect"
 * import * as Redacted from "effect/Redacted"
 *
 * const credential = AzureCredential.make(() =>
 *   Effect.succeed({ token: Redacted.make("token"), expiresAt: Date.now() + 3_600_000 })
 * )
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: (
  fetch: (request: TokenRequest) => Effect.Effect<AccessToken, CredentialError>
) => Effect.Effect<AzureCredentialService> = internal.make

/**
 * Adapts an `@azure/identity` `TokenCredential`.
 *
 * @example
 * ```ts
 * import { AzureCredential } from "@effect-acs/core"
 * import { DefaultAzureCredential } from "@azure/identity"
 *
 * const CredentialLive = AzureCredential.fromTokenCredential(new DefaultAzureCredential())
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const fromTokenCredential = (credential: TokenCredential): Layer.Layer<AzureCredential> =>
  Layer.effect(AzureCredential, internal.make(internal.fetchFromTokenCredential(credential)))

const staticLayer = (
  token: Redacted.Redacted<string> | string,
  options?: { readonly expiresAt?: number | undefined }
): Layer.Layer<AzureCredential> => {
  const accessToken: AccessToken = {
    token: Redacted.isRedacted(token) ? token : Redacted.make(token),
    expiresAt: options?.expiresAt ?? Number.MAX_SAFE_INTEGER
  }
  return Layer.succeed(AzureCredential, { getToken: () => Effect.succeed(accessToken) })
}

export {
  /**
   * A token obtained elsewhere, served as is (it never expires unless `expiresAt` says so). Use it for the
   * emulator, or with a token from `az account get-access-token`.
   *
   * @example
   * ```ts
   * import { AzureCredential } from "@effect-acs/core"
   * import * as Redacted from "effect/Redacted"
   *
   * const CredentialLive = AzureCredential.static(Redacted.make("emulator-token"))
   * ```
   *
   * @since 0.1.0
   * @category layers
   */
  staticLayer as static
}
