import * as AzureCredential from "@effect-acs/core/AzureCredential"
import * as CommunicationServices from "@effect-acs/core/CommunicationServices"
import * as Errors from "@effect-acs/core/Errors"
import * as RetryPolicy from "@effect-acs/core/RetryPolicy"
import type * as HttpClient from "@effect/platform/HttpClient"
import * as Config from "effect/Config"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import type * as Redacted from "effect/Redacted"
import { tokenVariable } from "./spec.js"
import { version } from "./version.js"

/** The options that say where and how to call: endpoint, api-version, token, retries. */
export interface Connection {
  readonly endpoint: string
  readonly apiVersion: string
  readonly token: Option.Option<Redacted.Redacted<string>>
  readonly maxRetries: Option.Option<number>
}

/**
 * The `TokenCredential` used for real Azure endpoints; `undefined` (the default) means `@azure/identity`'s
 * `DefaultAzureCredential`. Set by `AcsKeys.run`'s options.
 */
export class TokenCredentialOverride extends Context.Reference<TokenCredentialOverride>()(
  "@effect-acs/cli/internal/TokenCredentialOverride",
  { defaultValue: (): AzureCredential.TokenCredential | undefined => undefined }
) {}

const loopbackHosts = /^(localhost|127(?:\.\d{1,3}){3}|\[::1\])$/i

/** Whether the endpoint is plain http to a loopback address (the emulator). */
const isLoopbackHttp = (endpoint: string): boolean => {
  const url = URL.canParse(endpoint) ? new URL(endpoint) : undefined
  return url !== undefined && url.protocol === "http:" && loopbackHosts.test(url.hostname)
}

/** `--token`, else `ACS_KEYS_TOKEN`. */
export const token = (given: Option.Option<Redacted.Redacted<string>>) =>
  Option.isSome(given)
    ? Effect.succeed(given)
    : Config.option(Config.redacted(tokenVariable)).pipe(Effect.orElseSucceed(() => Option.none()))

const defaultAzureCredential: Layer.Layer<AzureCredential.AzureCredential, Errors.CredentialError> = Layer.unwrapEffect(
  Effect.tryPromise({
    try: async () => {
      const identity = await import("@azure/identity")
      return AzureCredential.fromTokenCredential(new identity.DefaultAzureCredential())
    },
    catch: (cause) => new Errors.CredentialError({ reason: "DefaultAzureCredential could not be created", cause })
  })
)

/**
 * The credential: the token given (`--token` or `ACS_KEYS_TOKEN`); else, for an emulator endpoint (http to
 * loopback), the emulator's default token; else `DefaultAzureCredential` (or the override).
 */
const credential = (connection: Connection) =>
  Effect.gen(function*() {
    const given = yield* token(connection.token)
    if (Option.isSome(given)) return AzureCredential.static(given.value)
    if (isLoopbackHttp(connection.endpoint)) {
      // the emulator's module (and its server) is loaded only for an emulator endpoint
      const Emulator = yield* Effect.promise(() => import("@effect-acs/emulator/Emulator"))
      return AzureCredential.static(Emulator.defaultToken)
    }
    const override = yield* TokenCredentialOverride
    return override === undefined ? defaultAzureCredential : AzureCredential.fromTokenCredential(override)
  })

/** The client for one invocation. */
export const layer = (
  connection: Connection
): Layer.Layer<
  CommunicationServices.CommunicationServices,
  Errors.InvalidInput | Errors.CredentialError,
  HttpClient.HttpClient
> =>
  CommunicationServices.layer({
    endpoint: connection.endpoint,
    apiVersion: connection.apiVersion,
    allowInsecureLoopback: isLoopbackHttp(connection.endpoint),
    retry: Option.match(connection.maxRetries, {
      onNone: () => RetryPolicy.defaultPolicy,
      onSome: (maxRetries) => RetryPolicy.exponential({ maxRetries })
    }),
    userAgentSuffix: `acs-keys/${version}`
  }).pipe(Layer.provide(Layer.unwrapEffect(credential(connection))))
