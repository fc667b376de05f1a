/**
 * Rotate every communication service listed in a file (one resource id a line; blank lines and `#`
 * comments are skipped), each into its own Key Vault secret `acs-<name>`, within the Resource Manager
 * write budget of every subscription.
 *
 * From examples/, signed in to Azure:
 *
 *   ACS_RESOURCES_FILE=resources.txt KEY_VAULT_URL=https://<vault>.vault.azure.net \
 *     pnpm exec tsx --conditions=source src/rotate-fleet.ts
 */
import { DefaultAzureCredential } from "@azure/identity"
import { SecretClient } from "@azure/keyvault-secrets"
import { AzureCredential, Rotation } from "@effect-acs/core"
import * as NodeContext from "@effect/platform-node/NodeContext"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as FileSystem from "@effect/platform/FileSystem"
import * as Config from "effect/Config"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import { pathToFileURL } from "node:url"
import { ClientLive, publishToKeyVault, type SecretSetter } from "./rotate-to-key-vault.js"

/** The Key Vault secret of a resource: `acs-<name>` (secret names allow letters, digits and dashes). */
export const secretName = (resourceId: string) =>
  `acs-${resourceId.slice(resourceId.lastIndexOf("/") + 1).replace(/[^0-9A-Za-z-]/g, "-")}`

/** The resource ids of a file, streamed: the file is never held in memory whole. */
export const resourcesOf = (path: string) =>
  Stream.unwrap(Effect.map(FileSystem.FileSystem, (fs) => fs.stream(path))).pipe(
    Stream.decodeText(),
    Stream.splitLines,
    Stream.map((line) => line.trim()),
    Stream.filter((line) => line !== "" && !line.startsWith("#")),
    Stream.map((resourceId) => ({ resourceId }))
  )

/** Rotates the fleet and returns its summary; every event is logged as it happens. */
export const rotateFleet = (options: {
  readonly resourcesFile: string
  readonly vault: SecretSetter
  readonly grace: Duration.DurationInput
  readonly concurrency?: number | undefined
  readonly budget?: { readonly capacity: number; readonly perSecond: number } | false | undefined
}) =>
  Rotation.rotateFleet(resourcesOf(options.resourcesFile), {
    publish: (key) => publishToKeyVault(options.vault, secretName(key.resourceId))(key),
    verify: () => Effect.sleep(options.grace),
    // resources rotating at once. verify's wait holds a slot: with a 10-minute grace, 100 at once rotate
    // about 600 resources an hour. The budget, not this, bounds the rate of writes.
    concurrency: options.concurrency ?? 100,
    // per subscription: 200 writes, refilled at 10 a second (a rotation makes 2: one regenerateKey per key)
    budget: options.budget ?? Rotation.armWriteBudget,
    onEvent: (event) => {
      switch (event._tag) {
        case "Rotated":
          return Effect.log(`rotated ${event.resourceId} in ${event.report.finishedAt - event.report.startedAt} ms`)
        case "Failed":
          return Effect.logError(event.error.message)
        case "Throttled":
          return Effect.logWarning(`subscription ${event.subscriptionId} throttled: pausing ${event.waitMillis} ms`)
        case "Skipped":
          return Effect.logWarning(`${event.resourceId} is listed more than once: rotated once`)
      }
    }
  }).pipe(
    Effect.tap((summary) =>
      Effect.log(
        `${summary.rotated}/${summary.total} rotated, ${summary.failed.length} failed, ` +
          `${summary.throttled} throttled, in ${Duration.format(Duration.millis(summary.durationMillis))}`
      )
    )
  )

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const azure = new DefaultAzureCredential()
  Effect.gen(function*() {
    const summary = yield* rotateFleet({
      resourcesFile: yield* Config.string("ACS_RESOURCES_FILE"),
      vault: new SecretClient(yield* Config.string("KEY_VAULT_URL"), azure),
      grace: yield* Config.duration("ACS_ROTATION_GRACE").pipe(Config.withDefault(Duration.minutes(10)))
    })
    if (summary.failed.length > 0) {
      return yield* Effect.fail(new Error(`${summary.failed.length} of ${summary.total} rotations failed`))
    }
    return summary
  }).pipe(
    Effect.provide(ClientLive(AzureCredential.fromTokenCredential(azure))),
    Effect.provide(NodeContext.layer),
    NodeRuntime.runMain
  )
}
