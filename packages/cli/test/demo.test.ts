import { Stdio } from "@effect-acs/cli"
import { AcsKeys } from "@effect-acs/cli"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { main } from "../scripts/demo.js"
import { assertNoSecret } from "./helpers.js"

describe("the demo (scripts/demo.ts)", () => {
  it.live("rotates the fleet through acs-keys, passes every check, and prints no key", () =>
    Effect.gen(function*() {
      const captured = Stdio.capture()
      const status = yield* main.pipe(
        Effect.provideService(Stdio.Stdio, captured.output),
        Effect.provide(AcsKeys.layer)
      )
      const stdout = captured.stdout()
      const stderr = captured.stderr()
      assert.strictEqual(status, 0, stdout + stderr)
      assertNoSecret(stdout + stderr, [])
      assert.match(stdout, /emulator listening on http:\/\/127\.0\.0\.1:\d+ \(3 resources, 2 subscriptions\)/)
      assert.match(stdout, /rotated 3 of 3 resources in /)
      assert.strictEqual(
        stdout.match(/^ {2}acs-demo-\S+ +(Primary|Secondary) +<redacted> +<redacted> +✓ +✓ +✓$/gm)?.length,
        6
      )
      assert.notInclude(stdout, "✗")
      assert.match(stdout, /✓ all 6 keys of 3 resources rotated/)
      // progress, as plain lines (not a terminal)
      assert.strictEqual(stderr.match(/^\[\d\/3\] rotated /gm)?.length, 3)
    }), 60_000)
})
