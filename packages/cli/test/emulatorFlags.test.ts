/**
 * `acs-keys emulator`'s options for what `Emulator.make` offers (request size, api-versions, error statuses,
 * commit latency) take effect: the emulator is started by the command, and called over real HTTP.
 */
import { AcsKeys, ExitCode, Stdio } from "@effect-acs/cli"
import { Emulator } from "@effect-acs/emulator"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import { cli, idOf, ref } from "./helpers.js"

const acs = ref("flags-acs")

/** Runs `acs-keys emulator --json args` for the scope, and returns its URL once it listens. */
const startEmulator = (args: ReadonlyArray<string>) =>
  Effect.gen(function*() {
    const captured = Stdio.capture()
    const fiber = yield* AcsKeys.run(["emulator", "--resource", idOf(acs), "--json", ...args]).pipe(
      Effect.provideService(Stdio.Stdio, captured.output),
      Effect.provide(AcsKeys.layer),
      Effect.fork
    )
    yield* Effect.addFinalizer(() => Fiber.interrupt(fiber))
    for (let i = 0; i < 2000; i++) {
      const line = captured.stdout().split("\n").find((l) => l.startsWith("{"))
      if (line !== undefined) return JSON.parse(line).url as string
      if (fiber.unsafePoll() !== null) break
      yield* Effect.sleep("5 millis")
    }
    return yield* Effect.dieMessage(`the emulator did not start: ${captured.stderr()}`)
  })

const post = (url: string, body: string) =>
  Effect.promise(() =>
    fetch(`${url}${idOf(acs)}/regenerateKey?api-version=2020-08-20`, {
      method: "POST",
      headers: { authorization: `Bearer ${Emulator.defaultToken}`, "content-type": "application/json" },
      body
    }).then((response) => response.status)
  )

describe("acs-keys emulator: every option of the emulator", () => {
  it.scopedLive("--data-plane: connection strings point at the emulator, and rotate --verify data-plane passes", () =>
    Effect.gen(function*() {
      const url = yield* startEmulator(["--data-plane"])
      const shown = yield* cli([
        "list",
        "--ids",
        idOf(acs),
        "--endpoint",
        url,
        "--query",
        "primaryConnectionString",
        "-o",
        "tsv",
        "--show-secrets"
      ])
      assert.isTrue(shown.stdout.startsWith(`endpoint=${url}/acs/`), shown.stdout.slice(0, 40))
      const rotated = yield* cli(["rotate", "--ids", idOf(acs), "--endpoint", url, "--verify", "data-plane", "--json"])
      assert.strictEqual(rotated.status, ExitCode.exitCodes.Success, rotated.stderr)
      assert.deepStrictEqual(JSON.parse(rotated.stdout).verified, ["Secondary"])
      // without it, the connection strings name Azure's data plane, not the emulator
      const plain = yield* startEmulator([])
      const other = yield* cli([
        "list",
        "--ids",
        idOf(acs),
        "--endpoint",
        plain,
        "--query",
        "primaryConnectionString",
        "-o",
        "tsv",
        "--show-secrets"
      ])
      assert.isFalse(other.stdout.startsWith(`endpoint=${plain}`), other.stdout.slice(0, 40))
    }))

  it.scopedLive("--max-request-bytes: a larger body is answered 413, a smaller one is served", () =>
    Effect.gen(function*() {
      const url = yield* startEmulator(["--max-request-bytes", "40"])
      assert.strictEqual(yield* post(url, JSON.stringify({ keyType: "Primary", padding: "x".repeat(100) })), 413)
      assert.strictEqual(yield* post(url, JSON.stringify({ keyType: "Primary" })), 200)
    }))

  it.scopedLive("--api-version: only the versions given are accepted", () =>
    Effect.gen(function*() {
      const url = yield* startEmulator(["--api-version", "2023-03-31"])
      const list = (version: string) =>
        cli(["list", "--ids", idOf(acs), "--endpoint", url, "--api-version", version, "-o", "none"])
      assert.strictEqual((yield* list("2023-03-31")).status, 0)
      assert.strictEqual((yield* list("2020-08-20")).status, ExitCode.exitCodes.BadRequest)
    }))

  it.scopedLive("--error-status with --error-rate 1: every fault answers that status", () =>
    Effect.gen(function*() {
      const url = yield* startEmulator(["--error-rate", "1", "--error-status", "503"])
      for (let i = 0; i < 5; i++) {
        const result = yield* cli(["list", "--ids", idOf(acs), "--endpoint", url, "--max-retries", "0", "--json"])
        assert.strictEqual(result.status, ExitCode.exitCodes.ServiceError)
        assert.strictEqual(JSON.parse(result.stdout).error.status, 503)
      }
    }))

  it.scopedLive("--commit-latency-ms: a regeneration holds the resource; one arriving meanwhile gets 409", () =>
    Effect.gen(function*() {
      const url = yield* startEmulator(["--commit-latency-ms", "3000", "--fault-operation", "regenerateKey"])
      const regenerate = (keyType: string) =>
        cli(["regenerate", "--ids", idOf(acs), "-k", keyType, "--endpoint", url, "--max-retries", "0", "-o", "none"])
      const results = yield* Effect.all([regenerate("Primary"), regenerate("Secondary")], { concurrency: 2 })
      assert.deepStrictEqual(
        results.map((result) => result.status).sort((a, b) => a - b),
        [ExitCode.exitCodes.Success, ExitCode.exitCodes.Conflict]
      )
    }))
})
