/**
 * Rotate both keys of a communication service, publishing each new connection string as a new version of
 * an Azure Key Vault secret (clients read its latest version). `@azure/keyvault-secrets` is this
 * program's dependency, not the library's.
 *
 * From examples/, signed in to Azure with an identity that may set secrets in the vault:
 *
 *   ACS_RESOURCE_ID=/subscriptions/<id>/resourceGroups/<rg>/providers/Microsoft.Communication/communicationServices/<name> \
 *   KEY_VAULT_URL=https://<vault>.vault.azure.net ACS_SECRET_NAME=acs-connection-string \
 *   pnpm exec tsx --conditions=source src/rotate-to-key-vault.ts
 */
import { DefaultAzureCredential } from "@azure/identity"
import { SecretClient } from "@azure/keyvault-secrets"
import { AzureCredential, CommunicationServices, Rotation } from "@effect-acs/core"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as Config from "effect/Config"
import * as Data from "effect/Data"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Predicate from "effect/Predicate"
import * as Redacted from "effect/Redacted"
import type * as Schedule from "effect/Schedule"
import { pathToFileURL } from "node:url"
import { rotationAdvice } from "./handle-errors.js"

/** What publishing needs of a vault: `SecretClient` from `@azure/keyvault-secrets` is one. */
export interface SecretSetter {
  setSecret(name: string, value: string, options?: { abortSignal?: AbortSignal }): Promise<unknown>
}

/**
 * The secret could not be set. It keeps the HTTP status and error code only: the SDK's own error
 * carries the request, whose body is the secret, and a `RotationFailed` keeps `publish`'s error as its cause.
 */
export class KeyVaultError extends Data.TaggedError("KeyVaultError")<{
  readonly secretName: string
  readonly status: number | undefined
  readonly code: string | undefined
}> {
  override get message() {
    return `Could not set the Key Vault secret ${this.secretName} (${this.status ?? "no status"} ${
      this.code ?? "no code"
    })`
  }
}

/**
 * Sets the connection string as the new version of the secret `secretName`. Each call is bounded by an
 * abort signal of its own: a rotation runs `publish` uninterruptibly, so an `Effect.timeout` around it
 * would wait for the call to end.
 */
export const publishToKeyVault = (vault: SecretSetter, secretName: string) => (key: Rotation.PublishedKey) =>
  Effect.tryPromise({
    try: () =>
      vault.setSecret(secretName, Redacted.value(key.connectionString), { abortSignal: AbortSignal.timeout(30_000) }),
    catch: (cause) =>
      new KeyVaultError({
        secretName,
        status: Predicate.hasProperty(cause, "statusCode") && Predicate.isNumber(cause.statusCode)
          ? cause.statusCode
          : undefined,
        code: Predicate.hasProperty(cause, "code") && Predicate.isString(cause.code) ? cause.code : undefined
      })
  })

/** Rotates both keys of the resource into the secret, giving clients `grace` to pick up the first new key. */
export const rotateToKeyVault = (options: {
  readonly resourceId: string
  readonly vault: SecretSetter
  readonly secretName: string
  readonly grace: Duration.DurationInput
  readonly publishRetry?: Schedule.Schedule<unknown, unknown> | undefined
}) =>
  Rotation.rotate({ resourceId: options.resourceId }, {
    publish: publishToKeyVault(options.vault, options.secretName),
    verify: () => Effect.sleep(options.grace),
    // default: 3 retries, exponential from 500 ms
    publishRetry: options.publishRetry
  }).pipe(
    Effect.tap((report) =>
      Effect.log(`rotated ${report.regenerated.join(" and ")} of ${report.resourceId} into ${options.secretName}`)
    ),
    Effect.tapErrorTag("RotationFailed", (error) =>
      Effect.logError(`${error.message}\n  what to do: ${rotationAdvice(error)}`))
  )

/** The client over fetch, with the given credential and options (the default: Azure's public cloud). */
export const ClientLive = (
  credential: Layer.Layer<AzureCredential.AzureCredential>,
  options: CommunicationServices.Options = {}
) => CommunicationServices.layer(options).pipe(Layer.provide(credential), Layer.provide(FetchHttpClient.layer))

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const azure = new DefaultAzureCredential()
  Effect.gen(function*() {
    const vault = new SecretClient(yield* Config.string("KEY_VAULT_URL"), azure)
    return yield* rotateToKeyVault({
      resourceId: yield* Config.string("ACS_RESOURCE_ID"),
      vault,
      secretName: yield* Config.string("ACS_SECRET_NAME").pipe(Config.withDefault("acs-connection-string")),
      grace: yield* Config.duration("ACS_ROTATION_GRACE").pipe(Config.withDefault(Duration.minutes(10)))
    })
  }).pipe(
    Effect.provide(ClientLive(AzureCredential.fromTokenCredential(azure))),
    NodeRuntime.runMain
  )
}
