import { CommunicationServices } from "@effect-acs/core"
import * as NodeContext from "@effect/platform-node/NodeContext"
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import { readFileSync } from "node:fs"
import { replayRecording } from "../examples/replay-recording.js"
import { program } from "../examples/replay-rotation.js"
import { packagePath } from "./support.js"

describe("examples/replay-rotation.ts", () => {
  it.effect("loads, sanitizes, scans and replays the recorded rotation", () =>
    Effect.gen(function*() {
      const keys = yield* program
      assert.strictEqual(Redacted.value(keys.before.primaryKey!), "<key-1>")
      assert.strictEqual(Redacted.value(keys.before.secondaryKey!), "<key-2>")
      assert.strictEqual(Redacted.value(keys.secondary.secondaryKey!), "<key-3>")
      assert.strictEqual(Redacted.value(keys.primary.primaryKey!), "<key-4>")
      assert.strictEqual(Redacted.value(keys.after.primaryKey!), "<key-4>")
      assert.strictEqual(Redacted.value(keys.after.secondaryKey!), "<key-3>")
    }).pipe(Effect.provide(NodeContext.layer)))

  it("docs/contract-testing.md shows it verbatim", () => {
    const guide = readFileSync(packagePath("../docs/contract-testing.md"), "utf8")
    const shown = /<!-- example:start -->\n```ts\n([\s\S]*?)```\n<!-- example:end -->/.exec(guide)
    assert.isNotNull(shown)
    assert.strictEqual(shown![1], readFileSync(packagePath("examples/replay-rotation.ts"), "utf8"))
  })
})

describe("examples/replay-recording.ts", () => {
  it.effect("replays an Azure CLI cassette's key operations to a program, at the cassette's endpoint", () =>
    Effect.gen(function*() {
      const resource = {
        subscriptionId: "7d3c1f52-9a0b-4e6d-8c2f-1b5a4e3d2c10",
        resourceGroupName: "clitest.RG000001",
        communicationServiceName: "acs000002"
      }
      const keys = yield* replayRecording(
        packagePath("fixtures/formats/vcr.azure-cli.yaml"),
        Effect.gen(function*() {
          const before = yield* CommunicationServices.listKeys(resource)
          yield* CommunicationServices.regenerateKey({ ...resource, keyType: "Primary" })
          yield* CommunicationServices.regenerateKey({ ...resource, keyType: "Secondary" })
          return before
        })
      )
      assert.strictEqual(Redacted.value(keys.primaryKey!), `${"x".repeat(40)}==`)
    }).pipe(Effect.provide(NodeFileSystem.layer)))

  it("docs/contract-testing.md shows it verbatim", () => {
    const guide = readFileSync(packagePath("../docs/contract-testing.md"), "utf8")
    const shown = /<!-- replay-recording:start -->\n```ts\n([\s\S]*?)```\n<!-- replay-recording:end -->/.exec(guide)
    assert.isNotNull(shown)
    assert.strictEqual(shown![1], readFileSync(packagePath("examples/replay-recording.ts"), "utf8"))
  })
})
