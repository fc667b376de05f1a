import { Emulator } from "@effect-acs/emulator"
import { assert, describe, it } from "@effect/vitest"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Effect from "effect/Effect"
import * as Equal from "effect/Equal"
import * as Layer from "effect/Layer"
import * as emulatorQuickstart from "../src/emulator-quickstart.js"
import * as firstProgram from "../src/first-program.js"
import * as regenerateKey from "../src/regenerate-key.js"
import { assertNoSecretIn, at, emulatorCredential, idOf, resources, secretsOf, withLogs } from "./support.js"

const [acs] = resources(1) as [ReturnType<typeof resources>[number]]

describe("index.md: first-program.ts", () => {
  it.scopedLive("regenerates the Secondary key and logs it redacted", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.make({ resources: [acs] })
      const before = yield* emulator.keys(acs)
      const [connectionString, lines] = yield* withLogs(
        firstProgram.regenerateSecondary(idOf(acs)).pipe(
          Effect.provide(firstProgram.ClientLive(emulatorCredential, at(emulator)))
        )
      )
      const after = yield* emulator.keys(acs)
      assert.isTrue(Equal.equals(connectionString, after.secondaryConnectionString))
      assert.isFalse(Equal.equals(before.secondaryKey, after.secondaryKey))
      assert.isTrue(lines.some((line) => line.includes("<redacted>")))
      assertNoSecretIn(lines, yield* secretsOf(emulator, [acs]))
    }))
})

describe("getting-started.md: regenerate-key.ts", () => {
  it.scopedLive("regenerates the key asked for", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.make({ resources: [acs] })
      const keys = yield* regenerateKey.regenerate(idOf(acs), "Primary").pipe(
        Effect.provide(regenerateKey.ClientLive(emulatorCredential, at(emulator)))
      )
      const live = yield* emulator.keys(acs)
      assert.isTrue(Equal.equals(keys.primaryKey, live.primaryKey))
      assert.isUndefined(keys.secondaryKey)
    }))

  it.scopedLive("recovers an unknown outcome with listKeys: the keys returned are the live ones", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.make({
        resources: [acs],
        faults: { errorRate: 1, when: "after", operations: ["regenerateKey"] }
      })
      const before = yield* emulator.keys(acs)
      const [keys, lines] = yield* withLogs(
        regenerateKey.regenerate(idOf(acs), "Secondary").pipe(
          Effect.provide(regenerateKey.ClientLive(emulatorCredential, at(emulator)))
        )
      )
      const live = yield* emulator.keys(acs)
      assert.isFalse(Equal.equals(before.secondaryKey, live.secondaryKey))
      assert.isTrue(Equal.equals(keys.secondaryKey, live.secondaryKey))
      assert.isTrue(Equal.equals(keys.primaryKey, live.primaryKey))
      assert.isTrue(lines.some((line) => line.includes("outcome of regenerating Secondary is unknown (ServiceError)")))
    }))

  it.scopedLive("a missing resource fails with NotFound, logged with what to check", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.make({ resources: [acs] })
      const missing = { ...acs, communicationServiceName: "acs-missing" }
      const result = yield* withLogs(
        regenerateKey.regenerate(idOf(missing), "Secondary").pipe(
          Effect.provide(regenerateKey.ClientLive(emulatorCredential, at(emulator))),
          Effect.flip
        )
      )
      const [error, lines] = result
      assert.strictEqual(error._tag, "NotFound")
      assert.isTrue(lines.some((line) => line.includes("Resource not found: check ACS_RESOURCE_ID")))
    }))

  it.scopedLive("main reads ACS_RESOURCE_ID and ACS_KEY_TYPE, and logs only redacted keys", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.make({ resources: [acs] })
      const [keys, lines] = yield* withLogs(regenerateKey.main.pipe(
        Effect.provide(regenerateKey.ClientLive(emulatorCredential, at(emulator))),
        Effect.provide(Layer.setConfigProvider(
          ConfigProvider.fromMap(new Map([["ACS_RESOURCE_ID", idOf(acs)], ["ACS_KEY_TYPE", "Primary"]]))
        ))
      ))
      assert.isDefined(keys.primaryConnectionString)
      assert.isTrue(lines.some((line) => line.includes("<redacted>")))
      assertNoSecretIn(lines, yield* secretsOf(emulator, [acs]))
    }))
})

describe("getting-started.md: emulator-quickstart.ts", () => {
  it.live("starts the emulator, regenerates through it, and finds the key received live", () =>
    Effect.gen(function*() {
      const [isLive, lines] = yield* withLogs(emulatorQuickstart.program)
      assert.isTrue(isLive)
      assert.isTrue(
        lines.some((line) => /emulator at http:\/\/127\.0\.0\.1:\d+: the Secondary key received is live/.test(line))
      )
    }))
})
