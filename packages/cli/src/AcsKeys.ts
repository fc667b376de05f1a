/**
 * The `acs-keys` command: regenerate, list and rotate the access keys of Azure Communication Services
 * resources, or run the local emulator.
 *
 * ```sh
 * acs-keys regenerate --resource-id /subscriptions/…/communicationServices/my-acs --key-type secondary
 * acs-keys list -s 1111… -g my-group -n my-acs --json
 * acs-keys rotate --resource-id … --publish-command "./store-secret.sh"
 * acs-keys rotate --from-file ids.txt --concurrency 32
 * acs-keys emulator --port 8080 --resource /subscriptions/…/communicationServices/my-acs
 * ```
 *
 * Every command definition is exported, and `run(args)` runs the whole command line in-process: it
 * writes to the `Stdio` in the context (the process's own by default) and returns the exit status
 * instead of exiting, so the command can be tested and embedded. `bin.ts` is the executable.
 *
 * @since 0.1.0
 */
import type * as AzureCredential from "@effect-acs/core/AzureCredential"
import type * as CliApp from "@effect/cli/CliApp"
import * as Command from "@effect/cli/Command"
import * as NodeContext from "@effect/platform-node/NodeContext"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import type * as CommandExecutor from "@effect/platform/CommandExecutor"
import type * as HttpClient from "@effect/platform/HttpClient"
import type { Teardown } from "@effect/platform/Runtime"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import { UsageError } from "./CliError.js"
import * as ExitCode from "./ExitCode.js"
import { TokenCredentialOverride } from "./internal/client.js"
import { fromOutput } from "./internal/console.js"
import * as Handlers from "./internal/handlers.js"
import * as Options from "./internal/options.js"
import { version as packageVersion } from "./internal/version.js"
import { Stdio } from "./Stdio.js"

/**
 * The name of the command.
 *
 * @example
 * ```ts
 * import { AcsKeys } from "@effect-acs/cli"
 *
 * AcsKeys.name // "acs-keys"
 * ```
 *
 * @since 0.1.0
 * @category constants
 */
export const name = "acs-keys"

/**
 * The version `acs-keys --version` prints.
 *
 * @example
 * ```ts
 * import { AcsKeys } from "@effect-acs/cli"
 *
 * AcsKeys.version // "0.1.0"
 * ```
 *
 * @since 0.1.0
 * @category constants
 */
export const version: string = packageVersion

/**
 * `acs-keys regenerate`: regenerates one key of a resource and prints it (redacted unless
 * `--show-secrets`).
 *
 * @example
 * ```ts
 * import { AcsKeys } from "@effect-acs/cli"
 * import * as Command from "@effect/cli/Command"
 *
 * Command.getNames(AcsKeys.regenerateCommand) // Set { "regenerate" }
 * ```
 *
 * @since 0.1.0
 * @category commands
 */
export const regenerateCommand = Command.make(
  "regenerate",
  { resource: Options.resource, keyType: Options.keyType, ...Options.connection, ...Options.output },
  Handlers.regenerate
).pipe(
  Command.withDescription(
    "Regenerate one access key (Primary or Secondary) of a Communication Services resource and print the new " +
      "key and connection string (redacted unless --show-secrets)."
  )
)

/**
 * `acs-keys list`: prints both keys of a resource (redacted unless `--show-secrets`).
 *
 * @example
 * ```ts
 * import { AcsKeys } from "@effect-acs/cli"
 * import * as Command from "@effect/cli/Command"
 *
 * Command.getNames(AcsKeys.listCommand) // Set { "list" }
 * ```
 *
 * @since 0.1.0
 * @category commands
 */
export const listCommand = Command.make(
  "list",
  { resource: Options.resource, ...Options.connection, ...Options.output },
  Handlers.list
).pipe(
  Command.withDescription(
    "Print both access keys and connection strings of a Communication Services resource (redacted unless " +
      "--show-secrets)."
  )
)

/**
 * `acs-keys rotate`: rotates both keys of one resource without an outage (`Rotation.rotate`), or of every
 * resource of a file (`--from-file`, `Rotation.rotateFleet`), publishing each new key with
 * `--publish-command` or by printing it.
 *
 * @example
 * ```ts
 * import { AcsKeys } from "@effect-acs/cli"
 * import * as Command from "@effect/cli/Command"
 *
 * Command.getNames(AcsKeys.rotateCommand) // Set { "rotate" }
 * ```
 *
 * @since 0.1.0
 * @category commands
 */
export const rotateCommand = Command.make(
  "rotate",
  {
    target: Options.rotateTarget,
    first: Options.first,
    ...Options.rotate,
    ...Options.connection,
    ...Options.output
  },
  Handlers.rotate
).pipe(
  Command.withDescription(
    "Rotate both keys without an outage: regenerate the key clients do not use (Secondary first by default), " +
      "publish it, then regenerate and publish the other. One resource, or every resource of --from-file."
  )
)

/**
 * `acs-keys emulator`: runs the local ARM emulator in the foreground until interrupted, and prints its URL.
 *
 * @example
 * ```ts
 * import { AcsKeys } from "@effect-acs/cli"
 * import * as Command from "@effect/cli/Command"
 *
 * Command.getNames(AcsKeys.emulatorCommand) // Set { "emulator" }
 * ```
 *
 * @since 0.1.0
 * @category commands
 */
export const emulatorCommand = Command.make(
  "emulator",
  { ...Options.emulator, json: Options.output.json },
  Handlers.emulator
).pipe(
  Command.withDescription(
    "Run the local Azure Resource Manager emulator of Regenerate Key and List Keys in the foreground (Ctrl-C " +
      "stops it), with optional throttling and fault injection. Prints its URL."
  )
)

/**
 * `acs-keys` and its subcommands.
 *
 * @example
 * ```ts
 * import { AcsKeys } from "@effect-acs/cli"
 * import * as Command from "@effect/cli/Command"
 *
 * Command.getSubcommands(AcsKeys.command) // regenerate, list, rotate, emulator
 * ```
 *
 * @since 0.1.0
 * @category commands
 */
export const command = Command.make(
  name,
  {},
  () =>
    Effect.fail(
      new UsageError({ reason: "missing command: regenerate, list, rotate or emulator (see acs-keys --help)" })
    )
).pipe(
  Command.withDescription(
    "Regenerate, list and rotate the access keys of Azure Communication Services resources, or run the local emulator."
  ),
  Command.withSubcommands([regenerateCommand, listCommand, rotateCommand, emulatorCommand])
)

/**
 * What `run` needs: a file system, a path service and a terminal (for `@effect/cli`), a command executor
 * (for `--publish-command`) and an HTTP client (`layer` provides them all for Node).
 *
 * @example
 * ```ts
 * import type { AcsKeys } from "@effect-acs/cli"
 * import type * as Layer from "effect/Layer"
 *
 * type Provides = Layer.Layer<AcsKeys.Environment>
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type Environment = CliApp.CliApp.Environment | CommandExecutor.CommandExecutor | HttpClient.HttpClient

/**
 * The Node environment of `run`: `NodeContext.layer` and `NodeHttpClient.layerUndici` (undici, which
 * keeps connections alive across calls: the fastest Node transport in bench/RESULTS.md), closed when the
 * layer is released.
 *
 * @example
 * ```ts
 * import { AcsKeys } from "@effect-acs/cli"
 * import * as Effect from "effect/Effect"
 *
 * const program = AcsKeys.run(["list", "--resource-id", "/subscriptions/…"]).pipe(Effect.provide(AcsKeys.layer))
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<Environment> = Layer.mergeAll(NodeContext.layer, NodeHttpClient.layerUndici)

/**
 * Options of an in-process run.
 *
 * @example
 * ```ts
 * import type { AcsKeys } from "@effect-acs/cli"
 * import { ManagedIdentityCredential } from "@azure/identity"
 *
 * const options: AcsKeys.RunOptions = { tokenCredential: new ManagedIdentityCredential() }
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface RunOptions {
  /**
   * The credential for real Azure endpoints, instead of `@azure/identity`'s `DefaultAzureCredential`
   * (`--token` and emulator endpoints still take precedence).
   */
  readonly tokenCredential?: AzureCredential.TokenCredential | undefined
}

const cli: (args: ReadonlyArray<string>) => Effect.Effect<void, unknown, Environment> = Command.run(command, {
  name,
  version
})

const oneLine = (text: string) => text.replace(/\s+/g, " ").trim()

/**
 * Runs a command line (the arguments after the executable, as `process.argv.slice(2)`) and returns its
 * exit status (see `ExitCode`). It never fails: a failure is written to standard error as one line
 * (`acs-keys: <Tag>: <message>`, with the HTTP status, the ARM code and message and the request ids when
 * there was a response) and becomes its exit status. Output goes to the `Stdio` in the context.
 *
 * @example
 * ```ts
 * import { AcsKeys, Stdio } from "@effect-acs/cli"
 * import * as Effect from "effect/Effect"
 *
 * const captured = Stdio.capture()
 * const program = AcsKeys.run(["list", "--resource-id", "not-an-id", "--endpoint", "http://127.0.0.1:1"]).pipe(
 *   Effect.provideService(Stdio.Stdio, captured.output),
 *   Effect.provide(AcsKeys.layer)
 * )
 * // running it resolves to 3 (InvalidInput), and captured.stderr() says why
 * ```
 *
 * @since 0.1.0
 * @category running
 */
export const run = (
  args: ReadonlyArray<string>,
  options?: RunOptions
): Effect.Effect<ExitCode.ExitCode, never, Environment> =>
  Effect.gen(function*() {
    const output = yield* Stdio
    const exit = yield* cli(["node", name, ...args]).pipe(
      Effect.withConsole(fromOutput(output)),
      Effect.provideService(TokenCredentialOverride, options?.tokenCredential),
      Effect.exit
    )
    if (Exit.isSuccess(exit)) return ExitCode.exitCodes.Success
    const failure = Cause.failureOption(exit.cause)
    if (Option.isSome(failure)) {
      // after a usage error, this line follows the one @effect/cli printed
      output.stderr(`${name}: ${ExitCode.describe(failure.value)}\n`)
      return ExitCode.fromError(failure.value)
    }
    if (Cause.isInterruptedOnly(exit.cause)) return ExitCode.exitCodes.Interrupted
    const defect = Cause.squash(exit.cause)
    output.stderr(
      `${name}: unexpected failure (a bug, please report it): ${
        oneLine(defect instanceof Error ? `${defect.name}: ${defect.message}` : String(defect))
      }\n`
    )
    return ExitCode.exitCodes.Unexpected
  })

/**
 * The teardown of `NodeRuntime.runMain` for `run`: exits with the status `run` returned (130 when
 * interrupted), once standard output and standard error are flushed.
 *
 * @example
 * ```ts
 * import { AcsKeys } from "@effect-acs/cli"
 * import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
 * import * as Effect from "effect/Effect"
 *
 * export const main = (argv: ReadonlyArray<string>) =>
 *   NodeRuntime.runMain(AcsKeys.run(argv).pipe(Effect.provide(AcsKeys.layer)), { teardown: AcsKeys.teardown })
 * ```
 *
 * @since 0.1.0
 * @category running
 */
export const teardown: Teardown = (exit, onExit) => {
  const code = Exit.isSuccess(exit)
    ? typeof exit.value === "number" ? exit.value : 0
    : Cause.isInterruptedOnly(exit.cause)
    ? ExitCode.exitCodes.Interrupted
    : ExitCode.exitCodes.Unexpected
  process.stdout.write("", () => process.stderr.write("", () => onExit(code)))
}
