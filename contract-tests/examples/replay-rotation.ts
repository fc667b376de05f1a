/**
 * Replays a recorded key rotation against @effect-acs/core, end to end and without network:
 *
 * 1. load an Azure SDK test-proxy recording (a HAR works the same way, with `Har.load`),
 * 2. sanitize it (keys, connection strings' access keys and tokens become placeholders),
 * 3. check that what would be committed holds nothing that looks like a real secret,
 * 4. replay it to the client and run the rotation: list keys, regenerate Secondary, regenerate Primary,
 *    list keys again. The replay fails if the client sends anything the recording does not hold, or
 *    skips a recorded request.
 *
 * Run it from contract-tests/:  pnpm exec tsx --conditions=source examples/replay-rotation.ts
 */
import { Replay, Secrets, TestProxy } from "@effect-acs/contract-tests"
import { AzureCredential, CommunicationServices } from "@effect-acs/core"
import * as NodeContext from "@effect/platform-node/NodeContext"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as FileSystem from "@effect/platform/FileSystem"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import { fileURLToPath, pathToFileURL } from "node:url"

/** The recording: four POSTs captured by the test-proxy against a real resource. */
export const recording = fileURLToPath(new URL("../fixtures/recordings/rotation.testproxy.json", import.meta.url))

/** The resource the recording was made against. */
export const resource = {
  subscriptionId: "0b6a2f3c-5d4e-4f10-9a8b-7c6d5e4f3a21",
  resourceGroupName: "contract-rg",
  communicationServiceName: "contoso-acs"
} as const

/** The code under test: a full rotation of both keys. */
export const rotate = Effect.gen(function*() {
  const before = yield* CommunicationServices.listKeys(resource)
  const secondary = yield* CommunicationServices.regenerateKey({ ...resource, keyType: "Secondary" })
  const primary = yield* CommunicationServices.regenerateKey({ ...resource, keyType: "Primary" })
  const after = yield* CommunicationServices.listKeys(resource)
  return { before, secondary, primary, after }
})

/** The client as the application builds it, but with a token of its own: the replay never compares tokens. */
const ClientLive = CommunicationServices.layer({ apiVersion: "2023-04-01" }).pipe(
  Layer.provide(AzureCredential.static(Redacted.make("replay-token"))),
  Layer.provide(FetchHttpClient.layer)
)

const reveal = (value: Redacted.Redacted<string> | undefined) => value === undefined ? "-" : Redacted.value(value)

export const program = Effect.gen(function*() {
  const fs = yield* FileSystem.FileSystem
  // 1. load
  const recorded = yield* TestProxy.load(recording)
  // 2. sanitize, and 3. scan what would be committed
  const sanitized = Secrets.sanitize(recorded)
  const directory = yield* fs.makeTempDirectoryScoped({ prefix: "sanitized-" })
  const file = `${directory}/rotation.testproxy.json`
  yield* fs.writeFileString(file, JSON.stringify(TestProxy.encode(sanitized), null, 2))
  yield* Secrets.scanForSecrets([file])
  // 4. replay
  const keys = yield* rotate.pipe(Replay.replay(sanitized), Effect.provide(ClientLive))
  // placeholders only: printing them is safe
  yield* Effect.log(
    `before: primary ${reveal(keys.before.primaryKey)}, secondary ${reveal(keys.before.secondaryKey)}; ` +
      `regenerated secondary ${reveal(keys.secondary.secondaryKey)}, primary ${reveal(keys.primary.primaryKey)}; ` +
      `after: primary ${reveal(keys.after.primaryKey)}, secondary ${reveal(keys.after.secondaryKey)}`
  )
  return keys
}).pipe(Effect.scoped)

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  NodeRuntime.runMain(program.pipe(Effect.provide(NodeContext.layer)))
}
