import { CommunicationServices, Errors } from "@effect-acs/core"
import { Emulator } from "@effect-acs/emulator"
import * as NodeContext from "@effect/platform-node/NodeContext"
import * as FileSystem from "@effect/platform/FileSystem"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as util from "node:util"
import * as handleKeys from "../src/handle-keys.js"
import { ClientLive } from "../src/regenerate-key.js"
import { assertNoSecretIn, at, emulatorCredential, idOf, resources, withLogs } from "./support.js"

const [acs] = resources(1) as [ReturnType<typeof resources>[number]]
const key = "k".repeat(86) + "=="
const connectionString = Redacted.make(`endpoint=https://acs-0.communication.azure.com/;accesskey=${key}`)

describe("security.md: handle-keys.ts", () => {
  it.effect("a fingerprint is short, stable and not the key", () =>
    Effect.sync(() => {
      const fingerprint = handleKeys.fingerprint(Redacted.make(key))
      assert.match(fingerprint, /^[0-9a-f]{12}$/)
      assert.strictEqual(fingerprint, handleKeys.fingerprint(Redacted.make(key)))
      assert.notInclude(key, fingerprint)
    }))

  it.effect("a connection string is described by its endpoint and fingerprint; a malformed one is not quoted", () =>
    Effect.gen(function*() {
      const description = yield* handleKeys.describeConnectionString(connectionString)
      assert.strictEqual(
        description,
        `https://acs-0.communication.azure.com/ (key ${handleKeys.fingerprint(Redacted.make(key))})`
      )
      const error = yield* Effect.flip(
        handleKeys.describeConnectionString(Redacted.make(`endpoint=x;accesskey=${key}`))
      )
      assertNoSecretIn([error.message, util.inspect(error, { depth: Infinity })], [key])
    }))

  it.scopedLive("saves owner-only, also over a file that was world-readable, and logs no secret", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const directory = yield* fs.makeTempDirectoryScoped({ prefix: "handle-keys-" })
      const path = `${directory}/connection-string`
      yield* fs.writeFileString(path, "old", { mode: 0o644 })
      const [, lines] = yield* withLogs(handleKeys.saveConnectionString(path, connectionString))
      assert.strictEqual(yield* fs.readFileString(path), Redacted.value(connectionString))
      assert.strictEqual((yield* fs.stat(path)).mode & 0o777, 0o600)
      assert.deepStrictEqual(yield* fs.readDirectory(directory), ["connection-string"])
      assert.isTrue(lines.some((line) => line.includes("https://acs-0.communication.azure.com/ (key ")))
      assertNoSecretIn(lines, [key])
    }).pipe(Effect.provide(NodeContext.layer)))
})

describe("security.md: what the page says about the client and the emulator", () => {
  it.effect("bearer tokens go over https only; http only to loopback, and only when opted in", () =>
    Effect.gen(function*() {
      const listKeys = (options: CommunicationServices.Options) =>
        Effect.flip(
          CommunicationServices.listKeys({ resourceId: idOf(acs) }).pipe(
            Effect.provide(ClientLive(emulatorCredential, options))
          )
        )
      for (
        const options of [
          { endpoint: "http://management.azure.com" },
          { endpoint: "http://127.0.0.1:1" },
          { endpoint: "http://10.0.0.1", allowInsecureLoopback: true }
        ]
      ) {
        const error = yield* listKeys(options)
        assert.strictEqual(error._tag === "InvalidInput" && error.field, "endpoint")
      }
    }))

  it.scopedLive("an authentication error does not hold the token that was refused", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.make({ resources: [acs], tokens: ["other"] })
      const error = yield* Effect.flip(
        CommunicationServices.listKeys({ resourceId: idOf(acs) }).pipe(
          Effect.provide(ClientLive(emulatorCredential, at(emulator)))
        )
      )
      assert.strictEqual(error._tag, "AuthenticationFailed")
      assertNoSecretIn([error.message, util.inspect(error, { depth: Infinity }), JSON.stringify(error)], [
        Emulator.defaultToken
      ])
      assert.isFalse(Errors.isOutcomeUnknown(error))
    }))

  it.scopedLive("the emulator's state file holds the keys in plain text, mode 0600", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const directory = yield* fs.makeTempDirectoryScoped({ prefix: "emulator-state-" })
      const stateFile = `${directory}/state.json`
      const emulator = yield* Emulator.make({ resources: [acs], stateFile })
      const keys = yield* emulator.keys(acs)
      const text = yield* fs.readFileString(stateFile)
      assert.include(text, Redacted.value(keys.primaryKey))
      assert.strictEqual((yield* fs.stat(stateFile)).mode & 0o777, 0o600)
    }).pipe(Effect.provide(NodeContext.layer)))
})
