import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Equal from "effect/Equal"
import { program } from "../src/emulator-library.js"

describe("emulator.md (proposed block): emulator-library.ts", () => {
  it.live("regenerates through the emulator, whose state shows the key received", () =>
    Effect.gen(function*() {
      const { keys, live, stats } = yield* program.pipe(Effect.provide(NodeHttpClient.layer))
      assert.isTrue(Equal.equals(keys.secondaryKey, live.secondaryKey))
      assert.isAtLeast(stats.regenerations, 1)
      assert.strictEqual(stats.inFlight, 0)
    }))
})
