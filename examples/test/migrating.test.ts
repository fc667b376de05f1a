import { Emulator } from "@effect-acs/emulator"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Equal from "effect/Equal"
import { regenerateWithAzureSdk, regenerateWithEffectAcs } from "../src/migrate-azure-sdk.js"
import { ClientLive } from "../src/regenerate-key.js"
import { at, emulatorCredential, resources } from "./support.js"

const [acs] = resources(1) as [ReturnType<typeof resources>[number]]

describe("migrating.md: migrate-azure-sdk.ts (our side)", () => {
  it.scopedLive("regenerates the Secondary key", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.make({ resources: [acs] })
      const connectionString = yield* regenerateWithEffectAcs(acs).pipe(
        Effect.provide(ClientLive(emulatorCredential, at(emulator)))
      )
      assert.isTrue(Equal.equals(connectionString, (yield* emulator.keys(acs)).secondaryConnectionString))
    }))

  it.scopedLive("a missing resource is undefined; an unknown outcome is read back with listKeys", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.make({
        resources: [acs],
        faults: { dropRate: 1, when: "after", operations: ["regenerateKey"] }
      })
      const client = ClientLive(emulatorCredential, at(emulator))
      const missing = yield* regenerateWithEffectAcs({ ...acs, communicationServiceName: "acs-gone" }).pipe(
        Effect.provide(client)
      )
      assert.isUndefined(missing)
      const recovered = yield* regenerateWithEffectAcs(acs).pipe(Effect.provide(client))
      assert.isTrue(Equal.equals(recovered, (yield* emulator.keys(acs)).secondaryConnectionString))
    }))

  it("the Azure SDK side type-checks (it is not run: it would need Azure)", () => {
    assert.isFunction(regenerateWithAzureSdk)
  })
})
