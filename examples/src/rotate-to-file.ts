/**
 * Rotate both keys of a communication service, publishing each new connection string to a file your
 * clients read (and reload when it changes): a mounted secret, a config file, an env file.
 *
 * From examples/, signed in to Azure:
 *
 *   ACS_RESOURCE_ID=/subscriptions/<id>/resourceGroups/<rg>/providers/Microsoft.Communication/communicationServices/<name> \
 *   ACS_CONNECTION_STRING_FILE=/run/secrets/acs-connection-string \
 *   ACS_ROTATION_GRACE="10 minutes" pnpm exec tsx --conditions=source src/rotate-to-file.ts
 */
import { DefaultAzureCredential } from "@azure/identity"
import { AzureCredential, CommunicationServices, Rotation } from "@effect-acs/core"
import * as NodeContext from "@effect/platform-node/NodeContext"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as Config from "effect/Config"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { pathToFileURL } from "node:url"
import { rotationAdvice } from "./handle-errors.js"
import { saveConnectionString } from "./handle-keys.js"

/** Publishes a key by writing its connection string to `path` (owner-only, atomically: see handle-keys.ts). */
export const writeSecretFile = (path: string) => (key: Rotation.PublishedKey) =>
  saveConnectionString(path, key.connectionString)

/**
 * Rotates both keys: Secondary first (clients use Primary now), then waits `grace` for clients to reload
 * the file, then Primary. Logs every step (never a key) and what to do if the rotation stops.
 */
export const rotateToFile = (options: {
  readonly resourceId: string
  readonly path: string
  readonly grace: Duration.DurationInput
}) =>
  Rotation.rotate({ resourceId: options.resourceId }, {
    publish: writeSecretFile(options.path),
    verify: (key) =>
      Effect.zipRight(
        Effect.log(`published the new ${key.keyType} key; giving clients ${Duration.format(options.grace)} to reload`),
        Effect.sleep(options.grace)
      ),
    first: "Secondary"
  }).pipe(
    Effect.tap((report) =>
      Effect.forEach(report.steps, (step) =>
        Effect.log(
          `${new Date(step.at).toISOString()} ${step.action} ${step.keyType ?? ""}`.trimEnd() +
            (step.requestId === undefined ? "" : ` (x-ms-request-id ${step.requestId}, ${step.attempts} attempt(s))`)
        ))
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
  Effect.gen(function*() {
    const resourceId = yield* Config.string("ACS_RESOURCE_ID")
    const path = yield* Config.string("ACS_CONNECTION_STRING_FILE")
    const grace = yield* Config.duration("ACS_ROTATION_GRACE").pipe(Config.withDefault(Duration.minutes(10)))
    return yield* rotateToFile({ resourceId, path, grace })
  }).pipe(
    Effect.provide(ClientLive(AzureCredential.fromTokenCredential(new DefaultAzureCredential()))),
    Effect.provide(NodeContext.layer),
    NodeRuntime.runMain
  )
}
