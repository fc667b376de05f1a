import { Emulator } from "@effect-acs/emulator"
import * as NodeContext from "@effect/platform-node/NodeContext"
import * as FileSystem from "@effect/platform/FileSystem"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as Schedule from "effect/Schedule"
import * as util from "node:util"
import * as fleet from "../src/rotate-fleet.js"
import * as toFile from "../src/rotate-to-file.js"
import * as toKeyVault from "../src/rotate-to-key-vault.js"
import { assertNoSecretIn, at, emulatorCredential, idOf, resources, secretsOf, withLogs } from "./support.js"

const [acs] = resources(1) as [ReturnType<typeof resources>[number]]

/** An in-memory stand-in for Key Vault's SecretClient: every version of every secret, in order. */
const memoryVault = (refuse = false) => {
  const versions = new Map<string, Array<string>>()
  const vault: toKeyVault.SecretSetter = {
    setSecret: (name, value) => {
      if (refuse) {
        // what the SDK's RestError looks like: a status, a code, and the request, whose body is the secret
        return Promise.reject(Object.assign(new Error("Forbidden"), {
          statusCode: 403,
          code: "Forbidden",
          request: { body: JSON.stringify({ value }) }
        }))
      }
      versions.set(name, [...(versions.get(name) ?? []), value])
      return Promise.resolve({ name })
    }
  }
  return { vault, versions, latest: (name: string) => versions.get(name)?.at(-1) }
}

describe("rotation.md: rotate-to-file.ts", () => {
  it.scopedLive("rotates both keys; the file ends with the live Primary connection string, mode 0600", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const directory = yield* fs.makeTempDirectoryScoped({ prefix: "rotate-to-file-" })
      const path = `${directory}/acs-connection-string`
      const emulator = yield* Emulator.make({ resources: [acs] })
      const before = yield* secretsOf(emulator, [acs])
      const [report, lines] = yield* withLogs(
        toFile.rotateToFile({ resourceId: idOf(acs), path, grace: "20 millis" }).pipe(
          Effect.provide(toFile.ClientLive(emulatorCredential, at(emulator)))
        )
      )
      assert.deepStrictEqual(report.regenerated, ["Secondary", "Primary"])
      assert.deepStrictEqual(report.published, ["Secondary", "Primary"])
      assert.deepStrictEqual(report.steps.map((step) => step.action), [
        "regenerateKey",
        "publish",
        "verify",
        "regenerateKey",
        "publish"
      ])
      const live = yield* emulator.keys(acs)
      assert.strictEqual(yield* fs.readFileString(path), Redacted.value(live.primaryConnectionString))
      assert.strictEqual((yield* fs.stat(path)).mode & 0o777, 0o600)
      assert.deepStrictEqual(yield* fs.readDirectory(directory), ["acs-connection-string"])
      assert.isTrue(lines.some((line) => line.includes("giving clients 20ms to reload")))
      assert.isTrue(
        lines.some((line) => /regenerateKey Secondary \(x-ms-request-id [\w-]+, 1 attempt\(s\)\)/.test(line))
      )
      assertNoSecretIn(lines, [...before, ...(yield* secretsOf(emulator, [acs]))])
    }).pipe(Effect.provide(NodeContext.layer)))
})

describe("rotation.md: rotate-to-key-vault.ts", () => {
  it.scopedLive("publishes each new connection string as a new version of the secret", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.make({ resources: [acs] })
      const memory = memoryVault()
      const [report, lines] = yield* withLogs(
        toKeyVault.rotateToKeyVault({
          resourceId: idOf(acs),
          vault: memory.vault,
          secretName: "acs-connection-string",
          grace: "10 millis"
        }).pipe(Effect.provide(toKeyVault.ClientLive(emulatorCredential, at(emulator))))
      )
      const live = yield* emulator.keys(acs)
      assert.deepStrictEqual(report.regenerated, ["Secondary", "Primary"])
      assert.deepStrictEqual(memory.versions.get("acs-connection-string"), [
        Redacted.value(live.secondaryConnectionString),
        Redacted.value(live.primaryConnectionString)
      ])
      assert.isTrue(lines.some((line) => line.includes("rotated Secondary and Primary of")))
      assertNoSecretIn(lines, yield* secretsOf(emulator, [acs]))
    }))

  it.scopedLive("a vault that refuses: RotationFailed at Publish, whose cause holds no secret", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.make({ resources: [acs] })
      const [error, lines] = yield* withLogs(Effect.flip(
        toKeyVault.rotateToKeyVault({
          resourceId: idOf(acs),
          vault: memoryVault(true).vault,
          secretName: "acs-connection-string",
          grace: "10 millis",
          publishRetry: Schedule.recurs(2)
        }).pipe(Effect.provide(toKeyVault.ClientLive(emulatorCredential, at(emulator))))
      ))
      assert.strictEqual(error._tag === "RotationFailed" && error.step, "Publish")
      const cause = error._tag === "RotationFailed" ? error.cause : undefined
      assert.instanceOf(cause, toKeyVault.KeyVaultError)
      assert.include(cause, { secretName: "acs-connection-string", status: 403, code: "Forbidden" })
      const secrets = yield* secretsOf(emulator, [acs])
      assert.include(error.message, "Could not set the Key Vault secret acs-connection-string (403 Forbidden)")
      assert.isTrue(lines.some((line) => line.includes("what to do: The Secondary key is live but was not published")))
      assertNoSecretIn(
        [...lines, util.inspect(error, { depth: Infinity }), JSON.stringify(error), String(error)],
        secrets
      )
    }))
})

describe("rotation.md: rotate-fleet.ts", () => {
  const fleetOf = resources(6, 2)

  const resourcesFile = (lines: ReadonlyArray<string>) =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const directory = yield* fs.makeTempDirectoryScoped({ prefix: "fleet-" })
      const path = `${directory}/resources.txt`
      yield* fs.writeFileString(path, lines.join("\n") + "\n")
      return path
    })

  it.scopedLive("rotates every resource of the file into its own secret; a missing one fails alone", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.make({ resources: fleetOf })
      const missing = { ...fleetOf[0]!, communicationServiceName: "acs-gone" }
      const path = yield* resourcesFile([
        "# the fleet",
        ...fleetOf.map(idOf),
        "",
        `  ${idOf(missing)}  `
      ])
      const memory = memoryVault()
      const [summary, lines] = yield* withLogs(
        fleet.rotateFleet({ resourcesFile: path, vault: memory.vault, grace: "10 millis", concurrency: 4 }).pipe(
          Effect.provide(toKeyVault.ClientLive(emulatorCredential, at(emulator)))
        )
      )
      assert.strictEqual(summary.total, 7)
      assert.strictEqual(summary.rotated, 6)
      assert.deepStrictEqual(summary.failed.map((failure) => failure.error.step), ["Regenerate"])
      for (const resource of fleetOf) {
        const live = yield* emulator.keys(resource)
        const latest = memory.latest(fleet.secretName(idOf(resource)))
        assert.strictEqual(latest, Redacted.value(live.primaryConnectionString))
      }
      assert.strictEqual(fleet.secretName(idOf(fleetOf[3]!)), "acs-acs-3")
      assert.isTrue(lines.some((line) => line.includes("6/7 rotated, 1 failed, 0 throttled")))
      assertNoSecretIn(lines, yield* secretsOf(emulator, fleetOf))
    }).pipe(Effect.provide(NodeContext.layer)))

  it.scopedLive("within the write budget, the service never throttles", () =>
    Effect.gen(function*() {
      const budget = { capacity: 4, perSecond: 40 }
      const emulator = yield* Emulator.make({
        resources: fleetOf,
        throttle: { capacity: budget.capacity, refillPerSecond: budget.perSecond }
      })
      const path = yield* resourcesFile(fleetOf.map(idOf))
      const [summary] = yield* withLogs(
        fleet.rotateFleet({ resourcesFile: path, vault: memoryVault().vault, grace: "1 millis", budget }).pipe(
          Effect.provide(toKeyVault.ClientLive(emulatorCredential, at(emulator)))
        )
      )
      assert.strictEqual(summary.rotated, 6)
      assert.strictEqual((yield* emulator.stats).throttled, 0)
      // 2 writes a rotation: the two regenerations
      assert.strictEqual((yield* emulator.stats).requests, 12)
    }).pipe(Effect.provide(NodeContext.layer)))

  it.scopedLive("without a budget, a throttled subscription is paused and its rotations go on", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.make({
        resources: fleetOf.slice(0, 3),
        throttle: { capacity: 3, refillPerSecond: 10 }
      })
      const path = yield* resourcesFile(fleetOf.slice(0, 3).map(idOf))
      const [summary, lines] = yield* withLogs(
        fleet.rotateFleet({ resourcesFile: path, vault: memoryVault().vault, grace: "1 millis", budget: false }).pipe(
          Effect.provide(toKeyVault.ClientLive(emulatorCredential, at(emulator, { retry: false })))
        )
      )
      assert.strictEqual(summary.rotated, 3)
      assert.isAbove(summary.throttled, 0)
      assert.isTrue(lines.some((line) => /subscription 0000000\d-[\w-]+ throttled: pausing \d+ ms/.test(line)))
    }).pipe(Effect.provide(NodeContext.layer)))
})
