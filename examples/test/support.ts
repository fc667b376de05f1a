import type { CommunicationServices } from "@effect-acs/core"
import { AzureCredential, RetryPolicy } from "@effect-acs/core"
import { Emulator } from "@effect-acs/emulator"
import type { EmulatorState } from "@effect-acs/emulator"
import * as Effect from "effect/Effect"
import * as Logger from "effect/Logger"
import * as Redacted from "effect/Redacted"
import * as util from "node:util"

/** `count` resources spread over `subscriptions` subscriptions. */
export const resources = (count: number, subscriptions = 1): Array<EmulatorState.ResourceRef> =>
  Array.from({ length: count }, (_, i) => ({
    subscriptionId: `0000000${i % subscriptions}-0000-4000-8000-000000000000`,
    resourceGroupName: "rg-examples",
    communicationServiceName: `acs-${i}`
  }))

export const idOf = (resource: EmulatorState.ResourceRef) =>
  `/subscriptions/${resource.subscriptionId}/resourceGroups/${resource.resourceGroupName}` +
  `/providers/Microsoft.Communication/communicationServices/${resource.communicationServiceName}`

/** The credential the emulator accepts. */
export const emulatorCredential = AzureCredential.static(Emulator.defaultToken)

/** Retries that wait milliseconds, not seconds. */
export const fastRetry = RetryPolicy.exponential({
  baseDelay: "5 millis",
  maxDelay: "20 millis",
  maxRetryAfter: "1 second"
})

/** Options that point a client at the emulator. */
export const at = (
  emulator: Emulator.Service,
  options: CommunicationServices.Options = {}
): CommunicationServices.Options => ({
  endpoint: emulator.url,
  allowInsecureLoopback: true,
  retry: fastRetry,
  ...options
})

/** Every key and connection string of the resources, revealed: what no log line may contain. */
export const secretsOf = (emulator: Emulator.Service, refs: ReadonlyArray<EmulatorState.ResourceRef>) =>
  Effect.map(
    Effect.forEach(refs, (ref) => Effect.orDie(emulator.keys(ref))),
    (all) =>
      all.flatMap((keys) =>
        [keys.primaryKey, keys.secondaryKey, keys.primaryConnectionString, keys.secondaryConnectionString].map(
          Redacted.value
        )
      )
  )

/** Runs an effect and returns what it logged, in the logfmt, JSON and string formats, and as `util.inspect` shows it. */
export const withLogs = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.suspend(() => {
    const lines: Array<string> = []
    const collect = Logger.zip(
      Logger.zip(
        Logger.map(Logger.logfmtLogger, (line) => lines.push(line)),
        Logger.map(Logger.jsonLogger, (line) => lines.push(line))
      ),
      Logger.zip(
        Logger.map(Logger.stringLogger, (line) => lines.push(line)),
        Logger.make(({ message }) => lines.push(util.inspect(message, { depth: Infinity })))
      )
    )
    return effect.pipe(
      Effect.provide(Logger.replace(Logger.defaultLogger, collect)),
      Effect.map((value) => [value, lines] as const),
      Effect.tapError(() => Effect.sync(() => lines))
    )
  })

/** Fails if any line holds any of the secrets. */
export const assertNoSecretIn = (lines: ReadonlyArray<string>, secrets: ReadonlyArray<string>) => {
  for (const line of lines) {
    for (const secret of secrets) {
      if (line.includes(secret)) throw new Error(`a log line holds a secret: ${line.replace(secret, "<HERE>")}`)
    }
  }
}
