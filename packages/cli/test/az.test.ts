/**
 * The Azure CLI's spellings (`list-key`, `regenerate-key`, `--ids`, `-o`, `--query`) against the emulator over
 * real HTTP: every output format prints the keys object itself, parsed back with a library that knows the
 * format, and secrets stay redacted unless `--show-secrets`, whatever the format.
 */
import { AcsKeys, ExitCode, Stdio } from "@effect-acs/cli"
import { Emulator } from "@effect-acs/emulator"
import { assert, describe, it } from "@effect/vitest"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Redacted from "effect/Redacted"
import * as Yaml from "yaml"
import { assertNoSecret, cli, idOf, ref, secretsOf } from "./helpers.js"

const acs = ref("az-acs")
const fields = ["primaryKey", "secondaryKey", "primaryConnectionString", "secondaryConnectionString"]
const redacted = Object.fromEntries(fields.map((field) => [field, "<redacted>"]))

describe("acs-keys as az spells it", () => {
  it.scopedLive("list-key and list, --ids and --resource-id, -s -g -n: the same resource, the same keys", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.make({ resources: [acs] })
      const endpoint = ["--endpoint", emulator.url]
      const spellings = [
        ["list", "--resource-id", idOf(acs)],
        ["list-key", "--ids", idOf(acs)],
        ["list-key", "-g", acs.resourceGroupName, "-n", acs.communicationServiceName, "-s", acs.subscriptionId],
        ["list-key", `--ids=${idOf(acs)}`]
      ]
      const live = yield* emulator.keys(acs)
      for (const args of spellings) {
        const result = yield* cli([...args, ...endpoint, "-o", "json", "--show-secrets"])
        assert.strictEqual(result.status, 0, `${args.join(" ")}: ${result.stderr}`)
        assert.deepStrictEqual(JSON.parse(result.stdout), {
          primaryKey: Redacted.value(live.primaryKey),
          secondaryKey: Redacted.value(live.secondaryKey),
          primaryConnectionString: Redacted.value(live.primaryConnectionString),
          secondaryConnectionString: Redacted.value(live.secondaryConnectionString)
        }, args.join(" "))
      }
      assert.strictEqual((yield* emulator.stats).byStatus[200], spellings.length)
    }))

  it.scopedLive("regenerate-key --ids: regenerates, and -o tsv --query prints the new key on one line", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.make({ resources: [acs] })
      const before = yield* emulator.keys(acs)
      const result = yield* cli([
        "regenerate-key",
        "--ids",
        idOf(acs),
        "--key-type",
        "Secondary",
        "--endpoint",
        emulator.url,
        "--query",
        "secondaryConnectionString",
        "-o",
        "tsv",
        "--show-secrets"
      ])
      assert.strictEqual(result.status, 0, result.stderr)
      const after = yield* emulator.keys(acs)
      assert.notStrictEqual(Redacted.value(after.secondaryKey), Redacted.value(before.secondaryKey))
      assert.strictEqual(result.stdout, `${Redacted.value(after.secondaryConnectionString)}\n`)
    }))

  it.scopedLive("--query primaryConnectionString -o tsv: one line, <redacted> without --show-secrets", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.make({ resources: [acs] })
      const args = ["list-key", "--ids", idOf(acs), "--endpoint", emulator.url, "--query", "primaryConnectionString"]
      const hidden = yield* cli([...args, "-o", "tsv"])
      assert.strictEqual(hidden.status, 0, hidden.stderr)
      assert.strictEqual(hidden.stdout, "<redacted>\n")
      const shown = yield* cli([...args, "-o", "tsv", "--show-secrets"])
      assert.strictEqual(shown.stdout, `${Redacted.value((yield* emulator.keys(acs)).primaryConnectionString)}\n`)
      // --query alone is -o json, as in az
      const json = yield* cli(args)
      assert.strictEqual(JSON.parse(json.stdout), "<redacted>")
      // a list of values, one a line
      const both = yield* cli([...args.slice(0, -1), "[primaryKey, secondaryKey]", "-o", "tsv"])
      assert.strictEqual(both.stdout, "<redacted>\n<redacted>\n")
      // nothing matches: JMESPath's null prints as an empty line in tsv, null in json
      const none = yield* cli([...args.slice(0, -1), "nothing", "-o", "tsv"])
      assert.strictEqual(none.stdout, "\n")
    }))

  it.scopedLive("every format prints the keys object, redacted unless --show-secrets; -o none prints nothing", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.make({ resources: [acs] })
      const args = (format: string, ...more: Array<string>) => [
        "list",
        "--resource-id",
        idOf(acs),
        "--endpoint",
        emulator.url,
        "-o",
        format,
        ...more
      ]
      const secrets = yield* secretsOf(emulator, acs)
      const parsed: Record<string, (text: string) => unknown> = {
        json: JSON.parse,
        jsonc: JSON.parse,
        yaml: (text) => Yaml.parse(text),
        tsv: (text) => {
          const lines = text.split("\n")
          assert.strictEqual(lines.length, 2, "tsv: one line and its newline")
          return Object.fromEntries(lines[0]!.split("\t").map((value, i) => [fields[i], value]))
        },
        table: (text) => {
          const [header, rule, row, ...rest] = text.trimEnd().split("\n")
          assert.strictEqual(rest.length, 0, "table: a header, a rule, one row")
          assert.deepStrictEqual(header!.split(/\s+/), fields.map((f) => f[0]!.toUpperCase() + f.slice(1)))
          assert.match(rule!, /^[- ]+$/)
          return Object.fromEntries(row!.split(/\s+/).map((value, i) => [fields[i], value]))
        }
      }
      for (const [format, parse] of Object.entries(parsed)) {
        const hidden = yield* cli(args(format))
        assert.strictEqual(hidden.status, 0, `${format}: ${hidden.stderr}`)
        assertNoSecret(hidden.stdout + hidden.stderr, secrets)
        assert.deepStrictEqual(parse(hidden.stdout), redacted, format)
        const shown = yield* cli(args(format, "--show-secrets"))
        assert.deepStrictEqual(parse(shown.stdout), Object.fromEntries(fields.map((f, i) => [f, secrets[i]])), format)
      }
      const none = yield* cli(args("none", "--show-secrets"))
      assert.strictEqual(none.status, 0, none.stderr)
      assert.strictEqual(none.stdout, "")
      assert.strictEqual(none.stderr, "")
    }))

  it.effect("an unknown format or a query that is not JMESPath: usage errors, before any request", () =>
    Effect.gen(function*() {
      const base = ["list", "--ids", idOf(acs), "--endpoint", "http://127.0.0.1:1"]
      const format = yield* cli([...base, "-o", "xml"])
      assert.strictEqual(format.status, ExitCode.exitCodes.UsageError)
      assert.match(format.stderr, /json/)
      const query = yield* cli([...base, "--query", "primaryKey[", "-o", "tsv"])
      assert.strictEqual(query.status, ExitCode.exitCodes.UsageError)
      assert.match(query.stderr, /--query is not JMESPath/)
      assert.notMatch(query.stderr, /TransportError/)
    }))

  it.effect("rotate without --publish-command refuses -o none and --query: the new keys must be printed", () =>
    Effect.gen(function*() {
      const base = ["rotate", "--ids", idOf(acs), "--endpoint", "http://127.0.0.1:1"]
      for (const extra of [["-o", "none"], ["--query", "keys", "-o", "tsv"]]) {
        const result = yield* cli([...base, ...extra])
        assert.strictEqual(result.status, ExitCode.exitCodes.UsageError, result.stderr)
        assert.match(result.stderr, /--publish-command/)
        assert.notMatch(result.stderr, /TransportError/)
      }
    }))

  it.scopedLive("rotate -o yaml: the rotation's result, with the keys it printed", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.make({ resources: [acs] })
      const result = yield* cli(["rotate", "--ids", idOf(acs), "--endpoint", emulator.url, "-o", "yaml"])
      assert.strictEqual(result.status, 0, result.stderr)
      const value = Yaml.parse(result.stdout)
      assert.deepStrictEqual(value.regenerated, ["Secondary", "Primary"])
      assert.deepStrictEqual(value.keys.map((key: { keyType: string }) => key.keyType), ["Secondary", "Primary"])
      assert.strictEqual(value.keys[0].connectionString, "<redacted>")
    }))

  it.scopedLive("-o json on a failure: the error object on standard output, the one line on standard error", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.make({ resources: [] })
      const result = yield* cli(["list-key", "--ids", idOf(acs), "--endpoint", emulator.url, "-o", "json"])
      assert.strictEqual(result.status, ExitCode.exitCodes.NotFound)
      assert.strictEqual(JSON.parse(result.stdout).error._tag, "NotFound")
      assert.match(result.stderr, /^acs-keys: NotFound: /m)
      const tsv = yield* cli(["list-key", "--ids", idOf(acs), "--endpoint", emulator.url, "-o", "tsv"])
      assert.strictEqual(tsv.status, ExitCode.exitCodes.NotFound)
      assert.strictEqual(tsv.stdout, "")
    }))

  it.scopedLive("rotate --json or -o, stopped after the first key: what it prints holds that key (it is live)", () =>
    Effect.gen(function*() {
      const formats: ReadonlyArray<readonly [ReadonlyArray<string>, (text: string) => any]> = [
        [["--json"], (text) => JSON.parse(text)],
        [["-o", "yaml"], (text) => Yaml.parse(text)]
      ]
      for (const [format, parse] of formats) {
        const emulator = yield* Emulator.make({ resources: [acs] })
        const stop = yield* Deferred.make<AcsKeys.Signal>()
        const run = yield* cli(
          [
            "rotate",
            "--ids",
            idOf(acs),
            "--endpoint",
            emulator.url,
            "--grace-seconds",
            "600",
            "--show-secrets",
            ...format
          ],
          { stop: Deferred.await(stop) }
        ).pipe(Effect.fork)
        // the first regeneration happened: its key is published (printed) even if the stop comes first
        while ((yield* emulator.stats).regenerations === 0) yield* Effect.sleep("10 millis")
        yield* Deferred.succeed(stop, "SIGINT")
        const result = yield* Fiber.join(run)
        assert.strictEqual(result.status, ExitCode.exitCodes.Interrupted, result.stderr)
        const printed = parse(result.stdout)
        assert.strictEqual(printed.interrupted, true)
        const live = yield* emulator.keys(acs)
        assert.deepStrictEqual(
          printed.keys.map((key: { keyType: string; key: string }) => [key.keyType, key.key]),
          [["Secondary", Redacted.value(live.secondaryKey)]],
          format.join(" ")
        )
      }
    }))

  it.scopedLive("-o jsonc is coloured only where the output shows colours; the JSON is the same", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.make({ resources: [acs] })
      const args = ["list-key", "--ids", idOf(acs), "--endpoint", emulator.url, "-o", "jsonc"]
      const outputs: Array<string> = []
      for (const color of [true, false]) {
        const captured = Stdio.capture({ color })
        const status = yield* AcsKeys.run(args).pipe(
          Effect.provideService(Stdio.Stdio, captured.output),
          Effect.provide(AcsKeys.layer)
        )
        assert.strictEqual(status, 0, captured.stderr())
        outputs.push(captured.stdout())
      }
      const [colored, plain] = outputs as [string, string]
      assert.include(colored, "\x1b[")
      assert.notInclude(plain, "\x1b[")
      // eslint-disable-next-line no-control-regex
      assert.deepStrictEqual(JSON.parse(colored.replace(/\x1b\[[\d;]*m/g, "")), JSON.parse(plain))
      assert.deepStrictEqual(JSON.parse(plain), redacted)
    }))
})
