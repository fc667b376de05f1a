import { AcsKeys, ExitCode, Stdio } from "@effect-acs/cli"
import { Emulator } from "@effect-acs/emulator"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import { cli, closedPort, idOf, ref } from "./helpers.js"

const acs = ref("my-acs")
const usage = ExitCode.exitCodes.UsageError

describe("acs-keys: argument parsing", () => {
  it.scopedLive("regenerate: both resource forms name the same resource; --key-type in any case", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.make({ resources: [acs] })
      const byId = yield* cli([
        "regenerate",
        "--resource-id",
        idOf(acs),
        "--key-type",
        "sEcOnDaRy",
        "--endpoint",
        emulator.url,
        "--json"
      ])
      assert.strictEqual(byId.status, 0, byId.stderr)
      const first = JSON.parse(byId.stdout)
      assert.strictEqual(first.keyType, "Secondary")
      assert.strictEqual(first.resourceId, idOf(acs))
      assert.deepStrictEqual(Object.keys(first.keys), ["secondaryKey", "secondaryConnectionString"])

      const byParts = yield* cli([
        "regenerate",
        "-s",
        acs.subscriptionId,
        "-g",
        acs.resourceGroupName,
        "-n",
        acs.communicationServiceName,
        "-k",
        "PRIMARY",
        "--endpoint",
        emulator.url,
        "--json"
      ])
      assert.strictEqual(byParts.status, 0, byParts.stderr)
      const second = JSON.parse(byParts.stdout)
      assert.strictEqual(second.keyType, "Primary")
      assert.strictEqual(second.resourceId, idOf(acs))
      assert.strictEqual((yield* emulator.stats).regenerations, 2)
    }))

  it.scopedLive("list: both resource forms", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.make({ resources: [acs] })
      for (
        const resource of [
          ["--resource-id", idOf(acs)],
          ["--subscription", acs.subscriptionId, "--resource-group", "myresourcegroup", "--name", "my-acs"]
        ]
      ) {
        const result = yield* cli(["list", ...resource, "--endpoint", emulator.url, "--json"])
        assert.strictEqual(result.status, 0, result.stderr)
        assert.deepStrictEqual(Object.keys(JSON.parse(result.stdout).keys), [
          "primaryKey",
          "secondaryKey",
          "primaryConnectionString",
          "secondaryConnectionString"
        ])
      }
      assert.strictEqual((yield* emulator.stats).byStatus[200], 2)
    }))

  it.effect("usage errors exit 2 without any request", () =>
    Effect.gen(function*() {
      const endpoint = `http://127.0.0.1:${yield* closedPort}`
      const id = idOf(acs)
      const cases: ReadonlyArray<readonly [string, ReadonlyArray<string>, RegExp]> = [
        ["no command", [], /missing command/],
        ["an unknown command", ["rotatee"], /./],
        ["regenerate without a key type", ["regenerate", "--resource-id", id], /key-type/],
        [
          "a key type that is neither",
          ["regenerate", "--resource-id", id, "--key-type", "tertiary"],
          /Primary or Secondary/
        ],
        ["list without a resource", ["list"], /--resource-id/],
        ["a resource named twice", ["list", "--resource-id", id, "--name", "x"], /cannot be combined/],
        ["a resource half named", ["list", "--subscription", "s", "--name", "x"], /missing --resource-group/],
        ["rotate without a resource or file", ["rotate"], /--from-file/],
        [
          "rotate with a resource and a file",
          ["rotate", "--resource-id", id, "--from-file", "ids.txt"],
          /cannot be combined/
        ],
        ["rotate --first of another kind", ["rotate", "--resource-id", id, "--first", "both"], /Primary or Secondary/],
        ["rotate --concurrency 0", ["rotate", "--from-file", "ids.txt", "--concurrency", "0"], /--concurrency/],
        ["--max-retries -1", ["list", "--resource-id", id, "--max-retries", "-1"], /--max-retries/],
        ["emulator --port out of range", ["emulator", "--port", "70000"], /--port/],
        ["emulator --resource not an id", ["emulator", "--resource", "/subscriptions/s"], /not a communication/],
        ["emulator --error-rate above 1", ["emulator", "--error-rate", "2"], /--error-rate/]
      ]
      for (const [what, args, message] of cases) {
        const result = yield* cli(
          args.length === 0 || args[0] === "emulator" ? args : [...args, "--endpoint", endpoint]
        )
        assert.strictEqual(result.status, usage, `${what}: ${result.stderr}`)
        assert.match(result.stderr, message, what)
        assert.match(result.stderr, /acs-keys: UsageError: /, what)
        assert.strictEqual(result.stdout.trim(), "", what)
      }
    }))

  it.effect("--help and --version succeed", () =>
    Effect.gen(function*() {
      const help = yield* cli(["--help"])
      assert.strictEqual(help.status, 0)
      for (const command of ["regenerate", "list", "rotate", "emulator"]) assert.include(help.stdout, command)
      const rotateHelp = yield* cli(["rotate", "--help"])
      assert.strictEqual(rotateHelp.status, 0)
      assert.include(rotateHelp.stdout, "--publish-command")
      const version = yield* cli(["--version"])
      assert.strictEqual(version.status, 0)
      assert.include(version.stdout, AcsKeys.version)
    }))

  it.live("emulator: serves in the foreground, prints its URL, and stops when interrupted", () =>
    Effect.gen(function*() {
      const id = idOf(acs)
      const captured: Array<string> = []
      const output: Stdio.Output = {
        stdout: (text) => captured.push(text),
        stderr: () => {},
        isTTY: false,
        columns: 80
      }
      const fiber = yield* AcsKeys.run([
        "emulator",
        "--port",
        "0",
        "--resource",
        id,
        "--token",
        "a-custom-token",
        "--json"
      ]).pipe(Effect.provideService(Stdio.Stdio, output), Effect.provide(AcsKeys.layer), Effect.fork)
      // wait for the line that says where it listens (a condition, polled)
      let line: string | undefined
      for (let i = 0; i < 2000 && line === undefined; i++) {
        line = captured.join("").split("\n").find((l) => l.startsWith("{"))
        if (line === undefined) yield* Effect.sleep("5 millis")
      }
      assert.isDefined(line, "the emulator printed no URL")
      const started = JSON.parse(line!)
      assert.match(started.url, /^http:\/\/127\.0\.0\.1:\d+$/)
      assert.strictEqual(started.resources, 1)

      // the default token is not accepted: the one given is
      const refused = yield* cli(["list", "--resource-id", id, "--endpoint", started.url])
      assert.strictEqual(refused.status, ExitCode.exitCodes.AuthenticationFailed)
      const listed = yield* cli(["list", "--resource-id", id, "--endpoint", started.url, "--token", "a-custom-token"])
      assert.strictEqual(listed.status, 0, listed.stderr)
      assert.notInclude(captured.join(""), "a-custom-token")

      yield* Fiber.interrupt(fiber)
      const after = yield* cli(["list", "--resource-id", id, "--endpoint", started.url, "--max-retries", "0"])
      assert.strictEqual(after.status, ExitCode.exitCodes.TransportError)
    }))
})
