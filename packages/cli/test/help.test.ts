/**
 * Help and usage errors as an operator meets them: every option described with its default, `acs-keys` in
 * every usage line, an unknown or misspelt option named first (with a suggestion), and no ANSI escape unless
 * standard output is a terminal without `NO_COLOR`: checked in-process and on the real executable, piped and
 * on a pseudo-terminal (`script`).
 */
/* eslint-disable no-control-regex */
import { AcsKeys, ExitCode } from "@effect-acs/cli"
import * as CliConfig from "@effect/cli/CliConfig"
import * as Command from "@effect/cli/Command"
import * as HelpDoc from "@effect/cli/HelpDoc"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as ChildProcess from "node:child_process"
import * as crypto from "node:crypto"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import * as Spec from "../src/internal/spec.js"
import { cli, closedPort, idOf, ref } from "./helpers.js"

const packageDirectory = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..")
const usage = ExitCode.exitCodes.UsageError
const ansi = /\x1b\[/

interface Ran {
  readonly status: number
  readonly stdout: string
  readonly stderr: string
}

/** A process's exit status and output. */
const exec = (file: string, argv: ReadonlyArray<string>, env: NodeJS.ProcessEnv = process.env) =>
  Effect.async<Ran>((resume) => {
    ChildProcess.execFile(
      file,
      argv,
      { cwd: packageDirectory, env },
      (error, stdout, stderr) =>
        resume(Effect.succeed({ status: error === null ? 0 : (error.code as number), stdout, stderr }))
    )
  })

/** The real executable (the sources), piped; or on a pseudo-terminal when `tty` (through util-linux `script`). */
const run = (
  args: ReadonlyArray<string>,
  options: { readonly tty?: boolean; readonly env?: NodeJS.ProcessEnv } = {}
) => {
  const command = [process.execPath, "--import", "tsx", "--conditions=source", path.join("src", "bin.ts"), ...args]
  const quoted = command.map((word) => `'${word.replace(/'/g, "'\\''")}'`).join(" ")
  const env = { ...process.env, NO_COLOR: "", FORCE_COLOR: "", TERM: "xterm-256color", ...options.env }
  return options.tty === true
    ? exec("script", ["-qec", quoted, "/dev/null"], env)
    : exec(command[0]!, command.slice(1), env)
}

describe("acs-keys --help", () => {
  it.effect("every option of every command has its description and its default; every usage line names acs-keys", () =>
    Effect.gen(function*() {
      for (const command of Spec.commands) {
        const help = yield* cli([command.name, "--help"])
        assert.strictEqual(help.status, 0)
        const usageLines = help.stdout.split("USAGE\n")[1]!.split("\n\n")[0]!.split("\n")
        assert.isAtLeast(usageLines.length, 1 + command.aliases.length)
        for (const line of usageLines) assert.match(line, /^ {2}acs-keys /, line)
        const options = help.stdout.split("\nOPTIONS\n")[1]!.split("\n\n")[0]!
        for (const flag of command.flags) {
          const at = options.search(new RegExp(`^ {2}(-\\w, )?--${flag.name}(?=[ ,\\n])`, "m"))
          assert.isAbove(at, -1, `${command.name}: --${flag.name}`)
          const entry = options.slice(at).split(/\n {2}(?=-)/)[0]!.replace(/\s+/g, " ")
          assert.include(entry, flag.description.replace(/\s+/g, " "), `${command.name} --${flag.name}`)
          assert.include(entry, `default: ${flag.default}`, `${command.name} --${flag.name}`)
        }
        assert.notInclude(help.stdout, "A user-defined piece of text")
        assert.notInclude(help.stdout, "\x1b[")
      }
      const top = yield* cli(["--help"])
      for (const command of Spec.commands) assert.include(top.stdout, command.name)
      for (const line of top.stdout.split("USAGE\n")[1]!.split("\n\n")[0]!.split("\n")) {
        assert.match(line, /^ {2}acs-keys /)
      }
    }))

  it("the options of the help are those @effect/cli parses (one source: spec.ts)", () => {
    {
      const helpOf = (command: Command.Command<string, never, unknown, unknown>) =>
        [
          [...Command.getNames(command)][0]!,
          HelpDoc.toAnsiText(Command.getHelp(command, CliConfig.defaultConfig)).replace(/\x1b\[[\d;]*m/g, "")
        ] as const
      const subcommands = [
        helpOf(AcsKeys.regenerateCommand as never),
        helpOf(AcsKeys.listCommand as never),
        helpOf(AcsKeys.rotateCommand as never),
        helpOf(AcsKeys.emulatorCommand as never)
      ]
      for (const [name, parsed] of subcommands) {
        const spelled = new Set([...parsed.matchAll(/(?<![\w-])(--?[a-z][\w-]*)/g)].map((match) => match[1]!))
        const documented = [...Spec.commandNamed(name)!.flags, ...Spec.globalFlags].flatMap((flag) =>
          [flag.name, ...(flag.aliases ?? [])].map(Spec.spelling)
        )
        for (const spelling of documented) assert.isTrue(spelled.has(spelling), `${name}: ${spelling} is not parsed`)
        const options = [...spelled].filter((s) => parsed.includes(`\n${s}`) || parsed.includes(`(${s}`))
        // @effect/cli's interactive wizard is not offered (the first check of the command line refuses it)
        for (const option of options.filter((o) => o !== "--wizard")) {
          assert.include(documented, option, `${name}: ${option} is parsed but not documented`)
        }
      }
    }
  })

  it.effect("an unknown or misspelt option is named first, with a suggestion, before any other complaint", () =>
    Effect.gen(function*() {
      const endpoint = ["--endpoint", `http://127.0.0.1:${yield* closedPort}`]
      const cases: ReadonlyArray<readonly [ReadonlyArray<string>, RegExp]> = [
        // no resource either: the unknown option is what is reported, not "name the resource"
        [["list", "--jsn"], /unknown option --jsn for acs-keys list; did you mean --json\?/],
        [["list", "--resource-grop", "rg"], /unknown option --resource-grop .*did you mean --resource-group\?/],
        [["list-key", "--id", idOf(ref("x"))], /unknown option --id .*did you mean --ids\?/],
        [
          ["regenerate", "--key", "primary", "--ids", idOf(ref("x"))],
          /unknown option --key .*did you mean --key-type\?/
        ],
        [["rotate", "--publish-comand", "x"], /did you mean --publish-command\?/],
        [["emulator", "--max-request-byte", "10"], /did you mean --max-request-bytes\?/],
        [["list", "--output=tabel"], /invalid value "tabel" for --output: expected json, .*; did you mean table\?/],
        [["list", "-o", "jsno"], /did you mean json\?/],
        [["lst", "--ids", "x"], /unknown command "lst"; did you mean list\?/],
        [["list-keys"], /did you mean list-key\?/],
        [["--ids", "x", "list"], /options go after the command/],
        [["list", "--bogus-thing"], /unknown option --bogus-thing for acs-keys list$/m]
      ]
      for (const [args, message] of cases) {
        const result = yield* cli([...args, ...endpoint])
        assert.strictEqual(result.status, usage, `${args.join(" ")}: ${result.stderr}`)
        assert.match(result.stderr, message, args.join(" "))
        assert.notMatch(result.stderr, /name the resource/, args.join(" "))
        assert.strictEqual(result.stdout, "", args.join(" "))
      }
    }))

  it.effect("an option's value may look like an option: it is not checked as one", () =>
    Effect.gen(function*() {
      const result = yield* cli([
        "rotate",
        "--ids",
        idOf(ref("x")),
        "--publish-command",
        "--not-an-option",
        "--endpoint",
        `http://127.0.0.1:${yield* closedPort}`,
        "--max-retries",
        "0"
      ])
      assert.notMatch(result.stderr, /unknown option/)
      assert.strictEqual(result.status, ExitCode.exitCodes.RotationFailed, result.stderr)
    }))

  it.effect("a secret typed as an unknown option or argument is not echoed", () =>
    Effect.gen(function*() {
      const key = crypto.randomBytes(64).toString("base64")
      const secret = `endpoint=https://x.communication.azure.com/;accesskey=${key}`
      for (const args of [["list", `--${secret}`], ["list", secret], [secret], ["list", "-o", secret]]) {
        const result = yield* cli(args)
        assert.strictEqual(result.status, usage, args.join(" "))
        assert.notInclude(result.stderr, key.slice(0, 20), args.join(" "))
      }
    }))

  it.live("the real executable: no ANSI when piped, bold headings on a terminal, none with NO_COLOR", () =>
    Effect.gen(function*() {
      const piped = yield* run(["list", "--help"])
      assert.strictEqual(piped.status, 0, piped.stderr)
      assert.include(piped.stdout, "acs-keys list ")
      assert.notMatch(piped.stdout, ansi)
      const terminal = yield* run(["list", "--help"], { tty: true })
      assert.match(terminal.stdout, /\x1b\[1mUSAGE\x1b\[0m/)
      const noColor = yield* run(["list", "--help"], { tty: true, env: { NO_COLOR: "1" } })
      assert.include(noColor.stdout, "USAGE")
      assert.notMatch(noColor.stdout, ansi)
      // a usage error from the option parser, piped: plain too
      const invalid = yield* run(["emulator", "--port", "70000"])
      assert.strictEqual(invalid.status, usage)
      assert.match(invalid.stderr, /--port/)
      assert.notMatch(invalid.stderr, ansi)
      const version = yield* run(["--version"])
      assert.strictEqual(version.stdout, `${AcsKeys.version}\n`)
    }))

  it.live("the workspace's bin (bin/acs-keys.js, what pnpm exec acs-keys runs) answers, and runs a command", () =>
    Effect.gen(function*() {
      const launch = (args: ReadonlyArray<string>) => exec(process.execPath, [path.join("bin", "acs-keys.js"), ...args])
      const version = yield* launch(["--version"])
      assert.strictEqual(version.stdout, `${AcsKeys.version}\n`, version.stderr)
      const invalid = yield* launch(["list", "--ids", "not-an-id", "--endpoint", "http://127.0.0.1:1"])
      assert.strictEqual(invalid.status, ExitCode.exitCodes.InvalidInput, invalid.stderr)
      assert.match(invalid.stderr, /^acs-keys: InvalidInput: /m)
    }))
})
