import { Emulator } from "@effect-acs/emulator"
import { assert, describe, it, vi } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Redacted from "effect/Redacted"
import * as util from "node:util"
import * as timer from "../src/azure-functions-timer.js"
import { ClientLive } from "../src/rotate-to-file.js"
import { assertNoSecretIn, at, emulatorCredential, idOf, resources, secretsOf } from "./support.js"

const [acs] = resources(1) as [ReturnType<typeof resources>[number]]

/** An in-memory Key Vault: every version of the secret with its tags; `getSecret` fails as the SDK does. */
const memoryVault = (refuseReads = false) => {
  const versions: Array<{ value: string; tags: Record<string, string> }> = []
  const vault: timer.KeyVaultSecrets = {
    getSecret: (name) => {
      if (refuseReads) return Promise.reject(Object.assign(new Error("Forbidden"), { statusCode: 403 }))
      const latest = versions.at(-1)
      return latest === undefined
        ? Promise.reject(Object.assign(new Error(`${name} not found`), { statusCode: 404, code: "SecretNotFound" }))
        : Promise.resolve({ properties: { tags: latest.tags } })
    },
    setSecret: (_name, value, options) => {
      versions.push({ value, tags: { ...options?.tags } })
      return Promise.resolve({})
    }
  }
  return { vault, versions }
}

/** A stand-in for the InvocationContext the host passes: what it was told to log. */
const invocation = () => {
  const lines: Array<string> = []
  const context: timer.InvocationLog = {
    invocationId: "00000000-0000-4000-8000-000000000001",
    log: (...args) => lines.push(util.format(...args)),
    error: (...args) => lines.push(`error: ${util.format(...args)}`)
  }
  return { context, lines }
}

describe("scheduling.md: azure-functions-timer.ts", () => {
  it.scopedLive("three scheduled runs replace Secondary, Primary, Secondary: never the key in use", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.make({ resources: [acs] })
      const runtime = ManagedRuntime.make(ClientLive(emulatorCredential, at(emulator)))
      yield* Effect.addFinalizer(() => runtime.disposeEffect)
      const memory = memoryVault()
      const handler = timer.rotationHandler(runtime, {
        resourceId: idOf(acs),
        vault: memory.vault,
        secretName: "acs-connection-string"
      })
      const secrets: Array<string> = yield* secretsOf(emulator, [acs])
      const replaced: Array<string> = []
      const { context, lines } = invocation()
      for (const [run, expected] of (["Secondary", "Primary", "Secondary"] as const).entries()) {
        const before = yield* emulator.keys(acs)
        yield* Effect.promise(() => handler({ isPastDue: run === 0 }, context))
        const after = yield* emulator.keys(acs)
        replaced.push(memory.versions.at(-1)!.tags["keyType"]!)
        const [changed, untouched] = expected === "Secondary"
          ? [[before.secondaryKey, after.secondaryKey], [before.primaryKey, after.primaryKey]]
          : [[before.primaryKey, after.primaryKey], [before.secondaryKey, after.secondaryKey]]
        assert.notStrictEqual(Redacted.value(changed[0]!), Redacted.value(changed[1]!))
        assert.strictEqual(Redacted.value(untouched[0]!), Redacted.value(untouched[1]!))
        const live = expected === "Secondary" ? after.secondaryConnectionString : after.primaryConnectionString
        assert.strictEqual(memory.versions.at(-1)!.value, Redacted.value(live))
        secrets.push(...(yield* secretsOf(emulator, [acs])))
      }
      assert.deepStrictEqual(replaced, ["Secondary", "Primary", "Secondary"])
      assert.strictEqual((yield* emulator.stats).regenerations, 3) // one write a run
      assert.strictEqual(lines[0], "this run is late (a missed schedule): rotating now")
      assert.deepStrictEqual(lines.slice(1).map((line) => line.replace(/ of \S+ into /, " of <id> into ")), [
        "rotated Secondary of <id> into acs-connection-string; next run replaces Primary",
        "rotated Primary of <id> into acs-connection-string; next run replaces Secondary",
        "rotated Secondary of <id> into acs-connection-string; next run replaces Primary"
      ])
      assertNoSecretIn(lines, secrets)
    }))

  it.scopedLive("a vault that cannot be read stops the run before any regeneration; the invocation fails", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.make({ resources: [acs] })
      const runtime = ManagedRuntime.make(ClientLive(emulatorCredential, at(emulator)))
      yield* Effect.addFinalizer(() => runtime.disposeEffect)
      const before = yield* secretsOf(emulator, [acs])
      const { context, lines } = invocation()
      const handler = timer.rotationHandler(runtime, {
        resourceId: idOf(acs),
        vault: memoryVault(true).vault,
        secretName: "acs-connection-string"
      })
      const error = yield* Effect.flip(Effect.tryPromise(() => handler({ isPastDue: false }, context)))
      assert.include(String(error.cause), "Key Vault getSecret of acs-connection-string failed")
      assert.deepStrictEqual(lines, ["error: Key Vault getSecret of acs-connection-string failed"])
      assert.strictEqual((yield* emulator.stats).regenerations, 0)
      assert.deepStrictEqual(yield* secretsOf(emulator, [acs]), before)
    }))
})

describe("scheduling.md: azure-functions-app.ts", () => {
  // a specifier the type-checker does not resolve: the module is loaded twice, once without its settings
  const app: string = "../src/azure-functions-app.js"

  it.effect("loads outside the Functions host with its app settings, and refuses to load without them", () =>
    Effect.gen(function*() {
      vi.stubEnv("ACS_RESOURCE_ID", "")
      const missing = yield* Effect.flip(Effect.tryPromise(() => import(`${app}?missing`)))
      assert.include(String(missing.cause), "the app setting KEY_VAULT_URL is not set")
      vi.stubEnv("KEY_VAULT_URL", "https://my-vault.vault.azure.net")
      vi.stubEnv("ACS_RESOURCE_ID", idOf(acs))
      vi.stubEnv("ACS_SECRET_NAME", "acs-connection-string")
      // outside the host, app.timer only warns that it registers nothing
      const warn = vi.spyOn(console, "warn").mockImplementation(() => {})
      yield* Effect.promise(() => import(app))
      const warnings = warn.mock.calls.map((args) => args.join(" "))
      warn.mockRestore()
      assert.isTrue(warnings.some((line) => line.includes(`"rotate-acs-keys"`)), warnings.join("\n"))
      vi.unstubAllEnvs()
    }))
})
