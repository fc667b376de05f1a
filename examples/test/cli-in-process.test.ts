import { Emulator } from "@effect-acs/emulator"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { listThroughCli } from "../src/cli-in-process.js"

const resource = { subscriptionId: "1111", resourceGroupName: "rg", communicationServiceName: "my-acs" }
const id = "/subscriptions/1111/resourceGroups/rg/providers/Microsoft.Communication/communicationServices/my-acs"

describe("examples/src/cli-in-process.ts", () => {
  it.live("lists the keys through acs-keys in-process, redacted", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.Emulator
      const { keys, status } = yield* listThroughCli(id, emulator.url)
      assert.strictEqual(status, 0)
      assert.strictEqual(keys.primaryKey, "<redacted>")
      assert.strictEqual(keys.secondaryConnectionString, "<redacted>")
    }).pipe(Effect.provide(Emulator.layer({ resources: [resource] }))))
})
