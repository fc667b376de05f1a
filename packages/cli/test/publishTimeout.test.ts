/**
 * `--publish-timeout` and the process group of a publish command: a hanging command is killed with its group
 * and the rotation stops at Publish; what a command leaves running in the background goes with its group
 * when it exits; bad values are usage errors.
 */
import { ExitCode, PublishCommand } from "@effect-acs/cli"
import { Emulator } from "@effect-acs/emulator"
import { assert, describe, it } from "@effect/vitest"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import { assertNoSecret, cli, idOf, ref, secretsOf } from "./helpers.js"
import { exitOf, groupAlive, publishWorkspace, spawnCli, waitUntil } from "./processes.js"

const acs = ref("acs-1")

describe("acs-keys rotate --publish-timeout", () => {
  it.scopedLive(
    "a hanging command is killed with its group at the timeout, retried, then the rotation fails at Publish (14)",
    () =>
      Effect.gen(function*() {
        const emulator = yield* Emulator.make({ resources: [acs] })
        const before = yield* emulator.keys(acs)
        const work = yield* publishWorkspace("sleep 1000 & sleep 1000")
        const child = yield* spawnCli([
          "rotate",
          "--resource-id",
          idOf(acs),
          "--endpoint",
          emulator.url,
          "--publish-command",
          work.command,
          "--publish-timeout",
          "2",
          "--publish-retries",
          "1"
        ])
        const exit = yield* exitOf(child)
        assert.strictEqual(exit.code, ExitCode.exitCodes.RotationFailed, child.stderr())
        const line = child.stderr().split("\n").find((l) => l.startsWith("acs-keys: "))
        assert.match(
          line ?? "",
          /^acs-keys: RotationFailed \(PublishCommandError\): Rotation of .+ stopped at Publish \(Secondary key\): .*the publish command did not finish within 2 s: its process group was killed$/
        )
        // two attempts (one retry), each in a group of its own, none left
        const groups = work.pgids("acs-1.Secondary")
        assert.strictEqual(groups.length, 2)
        assert.strictEqual(new Set(groups).size, 2)
        yield* waitUntil("the groups to be empty", () => groups.every((pgid) => !groupAlive(pgid)))
        const live = yield* emulator.keys(acs)
        assert.strictEqual(work.read("acs-1.Secondary"), Redacted.value(live.secondaryConnectionString))
        assert.strictEqual(Redacted.value(live.primaryKey), Redacted.value(before.primaryKey))
        assert.strictEqual((yield* emulator.stats).regenerations, 1)
        assertNoSecret(child.stdout() + child.stderr(), yield* secretsOf(emulator, acs))
      }),
    120_000
  )

  it.scopedLive(
    "what a command leaves in the background is killed with its group when it exits",
    () =>
      Effect.gen(function*() {
        const emulator = yield* Emulator.make({ resources: [acs] })
        // exits 0 at once, leaving a sleeper (its output closed, so that nothing waits for it)
        const work = yield* publishWorkspace("sleep 1000 >/dev/null 2>&1 </dev/null &")
        const result = yield* cli([
          "rotate",
          "--resource-id",
          idOf(acs),
          "--endpoint",
          emulator.url,
          "--publish-command",
          work.command
        ])
        assert.strictEqual(result.status, 0, result.stderr)
        const groups = [...work.pgids("acs-1.Secondary"), ...work.pgids("acs-1.Primary")]
        assert.strictEqual(groups.length, 2)
        yield* waitUntil("the groups to be empty", () => groups.every((pgid) => !groupAlive(pgid)))
        const live = yield* emulator.keys(acs)
        assert.strictEqual(work.read("acs-1.Secondary"), Redacted.value(live.secondaryConnectionString))
        assert.strictEqual(work.read("acs-1.Primary"), Redacted.value(live.primaryConnectionString))
      }),
    60_000
  )

  it.effect("bad values are usage errors (2), before anything runs; the help documents the option", () =>
    Effect.gen(function*() {
      for (const value of ["0", "-1", "NaN", "Infinity", "abc", "1e9"]) {
        const result = yield* cli([
          "rotate",
          "--resource-id",
          idOf(acs),
          "--endpoint",
          "http://127.0.0.1:1",
          "--publish-command",
          "true",
          "--publish-timeout",
          value
        ])
        assert.strictEqual(result.status, ExitCode.exitCodes.UsageError, `${value}: ${result.stderr}`)
        assert.match(result.stderr, /acs-keys: UsageError/, value)
        assert.notMatch(result.stderr, /TransportError/, value)
      }
      const zero = yield* cli(["rotate", "--resource-id", idOf(acs), "--publish-timeout", "0", "--endpoint", "x"])
      assert.include(zero.stderr, "--publish-timeout must be a positive number of seconds")
      // --settle takes 0 (no watch), not less, not more than a day
      for (const [value, refused] of [["-1", true], ["86401", true], ["0", false]] as const) {
        const settle = yield* cli(["rotate", "--resource-id", idOf(acs), "--settle", value, "--endpoint", "x"])
        assert.strictEqual(settle.stderr.includes("--settle must be a number of seconds from 0"), refused, value)
      }
      const help = yield* cli(["rotate", "--help"])
      assert.include(help.stdout, "--publish-timeout")
      assert.include(help.stdout, "process group is killed")
    }))

  it("PublishCommand.defaultTimeout is 60 seconds, as the CLI's default", () => {
    assert.strictEqual(Duration.toSeconds(PublishCommand.defaultTimeout), 60)
  })
})
