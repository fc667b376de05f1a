import * as NodeContext from "@effect/platform-node/NodeContext"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import { readFileSync } from "node:fs"
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
