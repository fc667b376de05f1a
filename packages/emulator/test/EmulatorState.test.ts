import { EmulatorState } from "@effect-acs/emulator"
import { ConnectionString } from "@effect-acs/schema"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import { keyPattern } from "./helpers.js"

describe("EmulatorState", () => {
  it.effect("generateKey: 64 random bytes in base64, 88 characters, different each time", () =>
    Effect.gen(function*() {
      const keys = new Set<string>()
      for (let i = 0; i < 20; i++) {
        const key = Redacted.value(yield* EmulatorState.generateKey)
        assert.match(key, keyPattern)
        assert.strictEqual(Buffer.from(key, "base64").length, EmulatorState.keyBytes)
        keys.add(key)
      }
      assert.strictEqual(keys.size, 20)
    }))

  it.effect("connection strings decode through the schema package's ConnectionString", () =>
    Effect.gen(function*() {
      const key = yield* EmulatorState.generateKey
      const keys = EmulatorState.resourceKeys("my-acs", key, yield* EmulatorState.generateKey)
      const parts = yield* Schema.decode(ConnectionString.ConnectionStringFromRedacted)(keys.primaryConnectionString)
      assert.strictEqual(parts.endpoint, "https://my-acs.communication.azure.com/")
      assert.strictEqual(Redacted.value(parts.accessKey), Redacted.value(key))
      assert.strictEqual(EmulatorState.endpoint("x"), "https://x.communication.azure.com/")
    }))

  it.effect("AccessKey accepts base64 and refuses anything else without quoting it", () =>
    Effect.gen(function*() {
      assert.strictEqual(Redacted.value(yield* Schema.decodeUnknown(EmulatorState.AccessKey)("c2VjcmV0")), "c2VjcmV0")
      for (const bad of ["", "not base64!", "abc;def", "c2VjcmV0==="]) {
        const error = yield* Effect.flip(Schema.decodeUnknown(EmulatorState.AccessKey)(bad))
        assert.include(error.message, "non-empty base64")
        if (bad !== "") assert.notInclude(error.message, bad)
      }
      assert.strictEqual(Schema.encodeSync(EmulatorState.AccessKey)(Redacted.make("c2VjcmV0")), "c2VjcmV0")
    }))

  it.effect("StateFile: resources with optional keys; version 1 when present", () =>
    Effect.gen(function*() {
      const file = yield* Schema.decodeUnknown(EmulatorState.StateFile)({
        version: 1,
        resources: [
          { subscriptionId: "s", resourceGroupName: "rg", communicationServiceName: "acs", primaryKey: "cA==" }
        ]
      })
      assert.strictEqual(file.resources[0]?.secondaryKey, undefined)
      assert.strictEqual(String(file.resources[0]?.primaryKey), "<redacted>")
      yield* Effect.flip(Schema.decodeUnknown(EmulatorState.StateFile)({ version: 2, resources: [] }))
    }))
})
