/**
 * Rotate on a schedule in Azure Functions (Node.js programming model v4): the timer's handler and the Effect
 * program it runs. Each run replaces only the key clients do not use now (mode `alternate`), publishes it as
 * a new version of a Key Vault secret, and records which key that is in the secret's `keyType` tag, so the
 * next run replaces the other one. `azure-functions-app.ts` registers the handler with `app.timer`.
 *
 * The handler is typed with the two fields it uses of `@azure/functions`' `Timer` and `InvocationContext`,
 * so this file does not depend on the Functions runtime (and is tested against the emulator).
 */
import type { CommunicationServices } from "@effect-acs/core"
import { Rotation } from "@effect-acs/core"
import type { KeyType } from "@effect-acs/schema"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import type * as ManagedRuntime from "effect/ManagedRuntime"
import * as Predicate from "effect/Predicate"
import * as Redacted from "effect/Redacted"

/** What the handler reads of `Timer` (from `@azure/functions`). */
export interface TimerInfo {
  readonly isPastDue: boolean
}

/** What the handler uses of `InvocationContext` (from `@azure/functions`): its logger. */
export interface InvocationLog {
  readonly invocationId: string
  log(...args: Array<unknown>): void
  error(...args: Array<unknown>): void
}

/** What the rotation needs of Key Vault: `SecretClient` from `@azure/keyvault-secrets` is one. */
export interface KeyVaultSecrets {
  getSecret(name: string): Promise<{ readonly properties: { readonly tags?: Record<string, string> | undefined } }>
  setSecret(name: string, value: string, options?: { tags?: Record<string, string> }): Promise<unknown>
}

/** Key Vault refused a read or a write; the SDK's own error is not kept (its request may hold the secret). */
export class VaultError extends Data.TaggedError("VaultError")<{
  readonly secretName: string
  readonly operation: "getSecret" | "setSecret"
}> {
  override get message() {
    return `Key Vault ${this.operation} of ${this.secretName} failed`
  }
}

/** Where the scheduled rotation publishes. */
export interface ScheduleOptions {
  readonly resourceId: string
  readonly vault: KeyVaultSecrets
  readonly secretName: string
}

/**
 * The key clients use now: the `keyType` tag of the secret's latest version, or `Primary` when the secret
 * does not exist yet (a first run) or has no such tag. Any other failure to read it stops the run before
 * anything is regenerated: guessing could replace the key clients use.
 */
export const keyInUse = (options: ScheduleOptions): Effect.Effect<KeyType.KeyType, VaultError> =>
  Effect.tryPromise({
    try: () =>
      options.vault.getSecret(options.secretName).then(
        (secret) => secret.properties.tags?.["keyType"],
        (cause) => {
          if (Predicate.hasProperty(cause, "statusCode") && cause.statusCode === 404) return undefined
          throw cause
        }
      ),
    catch: () => new VaultError({ secretName: options.secretName, operation: "getSecret" })
  }).pipe(Effect.map((tag) => tag === "Secondary" ? "Secondary" : "Primary"))

/**
 * One scheduled run: replace the key clients do not use (one write), publish it with its `keyType` tag.
 * Clients that read the secret's latest version move to it; the key they used until now is left alone.
 */
export const rotateOnSchedule = (options: ScheduleOptions) =>
  Effect.gen(function*() {
    const inUse = yield* keyInUse(options)
    return yield* Rotation.rotate({ resourceId: options.resourceId }, {
      mode: "alternate",
      first: inUse === "Primary" ? "Secondary" : "Primary",
      publish: (key) =>
        Effect.tryPromise({
          try: () =>
            options.vault.setSecret(options.secretName, Redacted.value(key.connectionString), {
              tags: { keyType: key.keyType }
            }),
          catch: () => new VaultError({ secretName: options.secretName, operation: "setSecret" })
        })
    })
  })

/**
 * The timer's handler. The runtime (the client and its credential) is built once per worker and shared by
 * every invocation; a failed rotation rejects, so the invocation is marked failed (and the error, which holds
 * no secret, is logged by the host).
 */
export const rotationHandler = <ER>(
  runtime: ManagedRuntime.ManagedRuntime<CommunicationServices.CommunicationServices, ER>,
  options: ScheduleOptions
) =>
async (timer: TimerInfo, context: InvocationLog): Promise<void> => {
  if (timer.isPastDue) context.log("this run is late (a missed schedule): rotating now")
  const report = await runtime.runPromise(
    rotateOnSchedule(options).pipe(
      Effect.tapError((error) => Effect.sync(() => context.error(error.message)))
    )
  )
  context.log(
    `rotated ${report.regenerated.join(", ")} of ${report.resourceId} into ${options.secretName}; ` +
      `next run replaces ${report.next}`
  )
}
