/**
 * The README main job: rotate the keys of a small fleet on a local ARM emulator, through the `acs-keys`
 * command, and prove it worked without ever printing a key.
 *
 * 1. Starts the emulator in-process on a free loopback port, serving 3 resources over 2 subscriptions.
 * 2. Reads their keys with `listKeys` (kept `Redacted`, in memory).
 * 3. Runs `acs-keys rotate --from-file fleet.json --publish-command ...` in-process, exactly as the
 *    command line would: progress on standard error (a bar on a terminal, plain lines in CI), each new
 *    connection string handed on standard input to a small "vault" script that stores it in a private
 *    temporary directory.
 * 4. Reads the keys again and checks, comparing `Redacted` values in code and printing only the verdicts:
 *    every key changed, no old key is still live, and the live connection strings are the ones published.
 *
 * Exits 0 when every check passes, 1 otherwise.
 *
 * Run it with `pnpm demo` (from the repository root) or
 * `tsx --conditions=source packages/cli/scripts/demo.ts`.
 */
import { AcsKeys, Stdio } from "@effect-acs/cli"
import * as AzureCredential from "@effect-acs/core/AzureCredential"
import * as CommunicationServices from "@effect-acs/core/CommunicationServices"
import * as Emulator from "@effect-acs/emulator/Emulator"
import type * as EmulatorState from "@effect-acs/emulator/EmulatorState"
import * as ResourceId from "@effect-acs/schema/ResourceId"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as FileSystem from "@effect/platform/FileSystem"
import * as Path from "@effect/platform/Path"
import * as Effect from "effect/Effect"
import * as Equivalence from "effect/Equivalence"
import * as Redacted from "effect/Redacted"
import * as path from "node:path"
import { fileURLToPath } from "node:url"

/** The fleet: 3 resources over 2 subscriptions (the emulator generates their keys). */
export const fleet: ReadonlyArray<EmulatorState.ResourceRef> = [
  {
    subscriptionId: "11111111-1111-4111-8111-111111111111",
    resourceGroupName: "rg-messaging",
    communicationServiceName: "acs-demo-eu"
  },
  {
    subscriptionId: "11111111-1111-4111-8111-111111111111",
    resourceGroupName: "rg-messaging",
    communicationServiceName: "acs-demo-us"
  },
  {
    subscriptionId: "22222222-2222-4222-8222-222222222222",
    resourceGroupName: "rg-support",
    communicationServiceName: "acs-demo-support"
  }
]

/**
 * The "vault" the publish command writes to: one file per resource and key, mode 0600. It reads the
 * connection string from its standard input and its names from `ACS_RESOURCE_ID` and `ACS_KEY_TYPE`.
 */
const vaultScript = `import { writeFileSync } from "node:fs"
import { join } from "node:path"
const chunks = []
for await (const chunk of process.stdin) chunks.push(chunk)
const connectionString = Buffer.concat(chunks).toString("utf8")
const name = process.env.ACS_RESOURCE_ID.replace(/[^A-Za-z0-9-]+/g, "_") + "." + process.env.ACS_KEY_TYPE
writeFileSync(join(process.argv[2], name), connectionString, { mode: 0o600 })
`

const vaultEntry = (resourceId: string, keyType: "Primary" | "Secondary") =>
  `${resourceId.replace(/[^A-Za-z0-9-]+/g, "_")}.${keyType}`

const sameSecret = Redacted.getEquivalence(Equivalence.string)

const quote = (value: string) => `"${value.replace(/(["\\$`])/g, "\\$1")}"`

const mark = (ok: boolean) => ok ? "✓" : "✗"

interface Check {
  readonly resource: string
  readonly keyType: "Primary" | "Secondary"
  readonly changed: boolean
  readonly oldGone: boolean
  readonly publishedIsLive: boolean
}

/** Runs the demo, writing to the `Stdio` in the context; succeeds with the exit status. */
export const main: Effect.Effect<number, never, AcsKeys.Environment> = Effect.gen(function*() {
  const output = yield* Stdio.Stdio
  const say = (text = "") => Effect.sync(() => output.stdout(`${text}\n`))
  const fs = yield* FileSystem.FileSystem
  const paths = yield* Path.Path

  yield* say("effect-acs demo: rotate the access keys of a fleet of Communication Services resources")
  yield* say("on a local Azure Resource Manager emulator, through the acs-keys command. No key is ever printed.")
  yield* say()

  // 1. the emulator, with a little latency so that the progress is visible
  const emulator = yield* Emulator.make({
    port: 0,
    resources: fleet,
    faults: { latency: { min: "20 millis", max: "150 millis" }, seed: 7 }
  })
  const subscriptions = new Set(fleet.map((resource) => resource.subscriptionId)).size
  yield* say(`emulator listening on ${emulator.url} (${fleet.length} resources, ${subscriptions} subscriptions)`)

  const client = yield* CommunicationServices.make({ endpoint: emulator.url, allowInsecureLoopback: true }).pipe(
    Effect.provide(AzureCredential.static(Emulator.defaultToken))
  )
  const ids = fleet.map((resource) => ResourceId.format(resource))
  const listAll = Effect.forEach(ids, (resourceId) => client.listKeys({ resourceId }))

  // 2. the keys before
  const before = yield* listAll

  // 3. the fleet file, the vault, and the command line
  const directory = yield* fs.makeTempDirectoryScoped({ prefix: "acs-keys-demo-" })
  const vault = paths.join(directory, "vault")
  yield* fs.makeDirectory(vault, { mode: 0o700 })
  const script = paths.join(directory, "vault.mjs")
  yield* fs.writeFileString(script, vaultScript)
  const fleetFile = paths.join(directory, "fleet.json")
  // both forms of a fleet file entry: a resource id, and the three names
  yield* fs.writeFileString(
    fleetFile,
    JSON.stringify([ids[0], ...fleet.slice(1).map((resource) => ({ ...resource }))], null, 2)
  )
  const publishCommand = `${quote(process.execPath)} ${quote(script)} ${quote(vault)}`
  const args = [
    "rotate",
    "--from-file",
    fleetFile,
    "--endpoint",
    emulator.url,
    "--concurrency",
    "2",
    "--publish-command",
    publishCommand
  ]
  yield* say()
  yield* say(
    `$ acs-keys rotate --from-file fleet.json --endpoint ${emulator.url} --concurrency 2 ` +
      `--publish-command "node vault.mjs <vault directory>"`
  )
  const status = yield* AcsKeys.run(args)
  yield* say()
  if (status !== 0) {
    yield* say(`✗ acs-keys rotate exited with status ${status}`)
    return 1
  }

  // 4. the keys after, and the checks
  const after = yield* listAll
  const checks: Array<Check> = []
  for (const [index, resourceId] of ids.entries()) {
    const old = before[index]!
    const now = after[index]!
    const live = [now.primaryKey, now.secondaryKey]
    for (const keyType of ["Primary", "Secondary"] as const) {
      const oldKey = keyType === "Primary" ? old.primaryKey : old.secondaryKey
      const newKey = keyType === "Primary" ? now.primaryKey : now.secondaryKey
      const liveConnectionString = keyType === "Primary" ? now.primaryConnectionString : now.secondaryConnectionString
      const published = yield* fs.readFileString(paths.join(vault, vaultEntry(resourceId, keyType))).pipe(
        Effect.map(Redacted.make),
        Effect.option
      )
      checks.push({
        resource: fleet[index]!.communicationServiceName,
        keyType,
        changed: oldKey !== undefined && newKey !== undefined && !sameSecret(oldKey, newKey),
        oldGone: oldKey !== undefined && live.every((key) => key === undefined || !sameSecret(key, oldKey)),
        publishedIsLive: published._tag === "Some" && liveConnectionString !== undefined &&
          sameSecret(published.value, liveConnectionString)
      })
    }
  }

  const header = ["resource", "key", "before", "after", "changed", "old key gone", "published = live"] as const
  const rows = checks.map((check) => [
    check.resource,
    check.keyType,
    "<redacted>",
    "<redacted>",
    mark(check.changed),
    mark(check.oldGone),
    mark(check.publishedIsLive)
  ])
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)))
  const line = (cells: ReadonlyArray<string>) => cells.map((cell, column) => cell.padEnd(widths[column]!)).join("  ")
  yield* say("checked with listKeys (values compared in memory, never printed):")
  yield* say(`  ${line(header)}`)
  yield* say(`  ${widths.map((width) => "-".repeat(width)).join("  ")}`)
  for (const row of rows) yield* say(`  ${line(row).trimEnd()}`)
  yield* say()

  const failed = checks.filter((check) => !(check.changed && check.oldGone && check.publishedIsLive))
  if (failed.length > 0) {
    yield* say(`✗ ${failed.length} of ${checks.length} keys failed a check`)
    return 1
  }
  yield* say(
    `✓ all ${checks.length} keys of ${fleet.length} resources rotated: every old key is gone, and every live ` +
      "connection string is the one that was published"
  )
  return 0
}).pipe(
  Effect.scoped,
  Effect.catchAllCause((cause) =>
    Effect.flatMap(Stdio.Stdio, (output) =>
      Effect.sync(() => {
        output.stderr(`demo failed: ${String(cause).split("\n")[0]}\n`)
        return 1
      }))
  )
)

const isEntryPoint = process.argv[1] !== undefined &&
  path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)

if (isEntryPoint) {
  NodeRuntime.runMain(Effect.provide(main, AcsKeys.layer), { disableErrorReporting: true, teardown: AcsKeys.teardown })
}
