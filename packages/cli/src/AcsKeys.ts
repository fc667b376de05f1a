/**
 * The `acs-keys` command: regenerate, list and rotate the access keys of Azure Communication Services
 * resources, or run the local emulator.
 *
 * ```sh
 * acs-keys regenerate --resource-id /subscriptions/…/communicationServices/my-acs --key-type secondary
 * acs-keys list -s 1111… -g my-group -n my-acs --json
 * acs-keys list-key --ids /subscriptions/… --query primaryConnectionString -o tsv --show-secrets   # as az
 * acs-keys rotate --resource-id … --publish-command "./store-secret.sh"
 * acs-keys rotate --from-file ids.txt --concurrency 32
 * acs-keys rotate --from-file ids.txt --journal rotation.db --run-id 2026-12   # resumed by the same command
 * acs-keys status --journal rotation.db --from-file ids.txt --run-id 2026-12
 * acs-keys emulator --port 8080 --resource /subscriptions/…/communicationServices/my-acs
 * ```
 *
 * The command line is described once, as data (`internal/spec.ts`): the `@effect/cli` options, the help,
 * the check for unknown options and docs/cli.md follow it. Each handler picks its renderer (text, `--json`,
 * or an az format with `-o`/`--query`) once.
 *
 * Every command definition is exported, and `run(args)` runs the whole command line in-process: it
 * writes to the `Stdio` in the context (the process's own by default) and returns the exit status
 * instead of exiting, so the command can be tested and embedded. `bin.ts` is the executable.
 *
 * @since 0.1.0
 */
import type * as AzureCredential from "@effect-acs/core/AzureCredential"
import * as NodeTransport from "@effect-acs/core/NodeTransport"
import type * as CliApp from "@effect/cli/CliApp"
import * as Command from "@effect/cli/Command"
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import * as NodePath from "@effect/platform-node/NodePath"
import * as NodeTerminal from "@effect/platform-node/NodeTerminal"
import type * as HttpClient from "@effect/platform/HttpClient"
import * as Runtime from "@effect/platform/Runtime"
import type { Teardown } from "@effect/platform/Runtime"
import * as Cause from "effect/Cause"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as FiberId from "effect/FiberId"
import { constVoid } from "effect/Function"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import { UsageError } from "./CliError.js"
import * as ExitCode from "./ExitCode.js"
import * as Argv from "./internal/argv.js"
import { TokenCredentialOverride } from "./internal/client.js"
import { fromOutput } from "./internal/console.js"
import * as Handlers from "./internal/handlers.js"
import * as Help from "./internal/help.js"
import * as Ledger from "./internal/ledger.js"
import * as Options from "./internal/options.js"
import * as ProcessGroup from "./internal/processGroup.js"
import * as Spec from "./internal/spec.js"
import * as Stop from "./internal/stop.js"
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
  { resource: Options.resource, keyType: Options.keyType, ...Options.connection, output: Options.output },
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
  { resource: Options.resource, ...Options.connection, output: Options.output },
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
    output: Options.output
  },
  Handlers.rotate
).pipe(Command.withDescription(Spec.commandNamed("rotate")!.description))

/**
 * `acs-keys status`: where a fleet run kept in a journal (`rotate --journal`) stands, read from the journal
 * only (`DurableFleet.status` of `@effect-acs/durable`).
 *
 * @example
 * ```ts
 * import { AcsKeys } from "@effect-acs/cli"
 * import * as Command from "@effect/cli/Command"
 *
 * Command.getNames(AcsKeys.statusCommand) // Set { "status" }
 * ```
 *
 * @since 0.2.0
 * @category commands
 */
export const statusCommand = Command.make(
  "status",
  { ...Options.status, output: Options.output },
  Handlers.status
).pipe(Command.withDescription(Spec.commandNamed("status")!.description))

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
  { ...Options.emulator, output: Options.output },
  Handlers.emulator
).pipe(
  Command.withDescription(
    "Run the local Azure Resource Manager emulator of Regenerate Key and List Keys in the foreground (Ctrl-C " +
      "stops it), with optional throttling, fault injection and data plane (--data-plane). Prints its URL."
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
 * Command.getSubcommands(AcsKeys.command) // regenerate, list, rotate, status, emulator
 * ```
 *
 * @since 0.1.0
 * @category commands
 */
export const command = Command.make(
  name,
  {},
  () => Effect.fail(new UsageError({ reason: Argv.missingCommand }))
).pipe(
  Command.withDescription(
    "Regenerate, list and rotate the access keys of Azure Communication Services resources, or run the local emulator."
  ),
  Command.withSubcommands([regenerateCommand, listCommand, rotateCommand, statusCommand, emulatorCommand])
)

/**
 * What `run` needs: a file system, a path service and a terminal (for `@effect/cli`) and an HTTP client
 * (`layer` provides them all for Node). Publish commands are run with `node:child_process` directly (a
 * process group of their own, see `PublishCommand`).
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
export type Environment = CliApp.CliApp.Environment | HttpClient.HttpClient

/**
 * The Node environment of `run`: Node's file system, path and terminal services, and `NodeTransport` of
 * `@effect-acs/core` (node:http with keep-alive and bounded bodies: light to load, which a command run once
 * needs more than the throughput of undici), closed when the layer is released.
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
export const layer: Layer.Layer<Environment> = Layer.mergeAll(
  NodeFileSystem.layer,
  NodePath.layer,
  NodeTerminal.layer,
  NodeTransport.layer
)

/**
 * The signals that stop `acs-keys` (`main` listens to both).
 *
 * @example
 * ```ts
 * import type { AcsKeys } from "@effect-acs/cli"
 *
 * const signal: AcsKeys.Signal = "SIGINT"
 * ```
 *
 * @since 0.2.0
 * @category models
 */
export type Signal = "SIGINT" | "SIGTERM"

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
  /**
   * Completes when the command is asked to stop (`main`: the first SIGINT or SIGTERM). The command is then
   * interrupted: a rotation stops at its next safe point (the regeneration and publication under way
   * finish) and prints what it did; a fleet is stopped through `Rotation.rotateFleet`'s `stop` (no resource
   * starts any more) and prints its summary. `run` returns `Interrupted` (130) for SIGINT, `Terminated`
   * (143) for SIGTERM.
   */
  readonly stop?: Effect.Effect<Signal> | undefined
}

const cli: (args: ReadonlyArray<string>) => Effect.Effect<void, unknown, Environment> = Command.run(command, {
  name,
  version
})

const signalCode = (signal: Signal): ExitCode.ExitCode =>
  signal === "SIGINT" ? ExitCode.exitCodes.Interrupted : ExitCode.exitCodes.Terminated

const oneLine = (text: string) => text.replace(/\s+/g, " ").trim()

const defectMessage = (defect: unknown): string => {
  try {
    return defect instanceof Error ? `${defect.name}: ${defect.message}` : String(defect)
  } catch {
    return "(the defect could not be rendered)"
  }
}

/**
 * Runs a command line (the arguments after the executable, as `process.argv.slice(2)`) and returns its
 * exit status (see `ExitCode`). It never fails: a failure is written to standard error as one line
 * (`acs-keys: <Tag>: <message>`, with the HTTP status, the ARM code and message and the request ids when
 * there was a response) and becomes its exit status. Output goes to the `Stdio` in the context. With
 * `options.stop`, the command is interrupted when `stop` completes (see `RunOptions`).
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
  Effect.scoped(Effect.gen(function*() {
    const output = yield* Stdio
    const plan = Argv.plan(args)
    if (plan._tag === "Help" || plan._tag === "Version") {
      output.stdout(Help.answer(plan, { color: output.color === true, columns: output.columns }))
      return ExitCode.exitCodes.Success
    }
    // a command that stops by itself (a fleet, with its summary) claims the stop; any other is interrupted
    const stopRequested = yield* Deferred.make<void>()
    let claims = 0
    const stopService: Stop.Service = {
      requested: Deferred.await(stopRequested),
      isRequested: Deferred.isDone(stopRequested),
      claim: Effect.acquireRelease(Effect.sync(() => claims++), () => Effect.sync(() => claims--))
    }
    const fiber = yield* Effect.fork(
      (plan._tag === "Usage" ? Effect.fail(new UsageError({ reason: plan.reason })) : cli(["node", name, ...plan.args]))
        .pipe(
          Effect.withConsole(fromOutput(output)),
          Effect.provideService(TokenCredentialOverride, options?.tokenCredential),
          Effect.provideService(Stop.Stop, stopService)
        )
    )
    let stoppedBy: Signal | undefined
    if (options?.stop !== undefined) {
      yield* Effect.forkScoped(Effect.flatMap(options.stop, (signal) =>
        Effect.suspend(() => {
          stoppedBy = signal
          output.stderr(
            `${name}: ${signal}: stopping at the next safe point (a regeneration under way and its publication ` +
              `finish first, a publish command within --publish-timeout); send it again to stop at once\n`
          )
          return Effect.zipRight(
            Deferred.succeed(stopRequested, undefined),
            Effect.suspend(() => claims > 0 ? Effect.void : Fiber.interrupt(fiber))
          )
        })))
    }
    const exit = yield* Fiber.await(fiber)
    if (Exit.isSuccess(exit)) return ExitCode.exitCodes.Success
    const failure = Cause.failureOption(exit.cause)
    if (Option.isSome(failure)) {
      // after a usage error, this line follows the one @effect/cli printed
      output.stderr(`${name}: ${ExitCode.describe(failure.value)}\n`)
      if (stoppedBy === undefined || !Cause.isInterrupted(exit.cause)) return ExitCode.fromError(failure.value)
    }
    if (Cause.isInterrupted(exit.cause)) {
      if (stoppedBy !== undefined) {
        output.stderr(`${name}: ${stoppedBy === "SIGINT" ? "Interrupted" : "Terminated"} (${stoppedBy})\n`)
        return signalCode(stoppedBy)
      }
      if (Cause.isInterruptedOnly(exit.cause)) return ExitCode.exitCodes.Interrupted
    }
    const defect = Cause.squash(exit.cause)
    output.stderr(
      `${name}: unexpected failure (a bug, please report it): ${oneLine(ExitCode.messageOf(defectMessage(defect)))}\n`
    )
    return ExitCode.exitCodes.Unexpected
  }))

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

/** The second signal: kill the publish commands' groups, say which keys may be live unpublished, exit now. */
const force = (signal: Signal): never => {
  const killed = ProcessGroup.killAll()
  const lines = [
    `${name}: ${signal} again: stopping now${
      killed === 0
        ? ""
        : `; killed ${killed} running publish command${killed === 1 ? "" : "s"} (with their process groups)`
    }\n`
  ]
  for (const ledger of Ledger.active) {
    for (const key of ledger.unpublished()) {
      lines.push(
        `${name}: the ${key.keyType} key of ${key.resourceId} may be live but was not published: ` +
          "acs-keys list --show-secrets shows it; publish it before anything else\n"
      )
    }
    for (const resource of ledger.unfinished()) {
      if (resource.pending.size === 0) {
        lines.push(
          `${name}: the rotation of ${resource.resourceId} stopped part-way${
            resource.published.length === 0 ? "" : ` (published ${resource.published.join(", ")})`
          }\n`
        )
      }
    }
  }
  // writes to pipes, files and terminals are synchronous on Linux and macOS: nothing is lost by exiting
  process.stderr.write(lines.join(""))
  return process.exit(signalCode(signal))
}

/** `NodeRuntime.runMain`, but a first signal completes `stop` and a second one forces the exit. */
const runMain = (stop: Deferred.Deferred<Signal>) =>
  Runtime.makeRunMain(({ fiber, teardown: teardownOf }) => {
    const keepAlive = setInterval(constVoid, 2 ** 31 - 1)
    let received = false
    const onSignal = (signal: Signal) => () => {
      if (received) return force(signal)
      received = true
      // the program watches this: it interrupts the command, which stops at its next safe point
      Deferred.unsafeDone(stop, Exit.succeed(signal))
    }
    // listening until the process exits: a second signal while the command winds down still forces it
    process.on("SIGINT", onSignal("SIGINT"))
    process.on("SIGTERM", onSignal("SIGTERM"))
    fiber.addObserver((exit) => {
      clearInterval(keepAlive)
      teardownOf(exit, (code) => process.exit(code))
    })
  })

/**
 * Runs `acs-keys` as the process (what `bin.ts` does): `run(argv)` on Node, exiting with its status.
 *
 * Signals: the first SIGINT (Ctrl-C) or SIGTERM stops the command at its next safe point (see
 * `RunOptions.stop`), then it exits with `Interrupted` (130) or `Terminated` (143). A second one stops at
 * once: the publish commands still running are killed with their process groups, the keys that may be
 * live but were not published are named on standard error, and the process exits with the status of that
 * signal. Publish commands never outlive the process (see `PublishCommand`).
 *
 * @example
 * ```ts
 * import { AcsKeys } from "@effect-acs/cli"
 *
 * // what bin.ts does: AcsKeys.main(process.argv.slice(2))
 * const start: (argv: ReadonlyArray<string>) => void = AcsKeys.main
 * ```
 *
 * @since 0.2.0
 * @category running
 */
export const main = (argv: ReadonlyArray<string>): void => {
  const stop = Deferred.unsafeMake<Signal>(FiberId.none)
  runMain(stop)(run(argv, { stop: Deferred.await(stop) }).pipe(Effect.provide(layer)), {
    disableErrorReporting: true,
    teardown
  })
}
