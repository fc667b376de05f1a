/**
 * `acs-keys`: regenerate, list and rotate the access keys of Azure Communication Services resources from the
 * command line, or run the local emulator.
 *
 * @since 0.1.0
 */

/**
 * The command definitions and `run(args)`, which runs a command line in-process and returns its exit status.
 *
 * @example
 * ```ts
 * import { AcsKeys } from "@effect-acs/cli"
 *
 * console.log(AcsKeys.name)
 * ```
 *
 * @since 0.1.0
 */
export * as AcsKeys from "./AcsKeys.js"

/**
 * The failures of `acs-keys` itself: usage, fleet file, publish command, incomplete fleet.
 *
 * @example
 * ```ts
 * import { CliError } from "@effect-acs/cli"
 *
 * console.log(Object.keys(CliError))
 * ```
 *
 * @since 0.1.0
 */
export * as CliError from "./CliError.js"

/**
 * The exit status of every failure mode, as a constant map.
 *
 * @example
 * ```ts
 * import { ExitCode } from "@effect-acs/cli"
 *
 * console.log(ExitCode.exitCodes)
 * ```
 *
 * @since 0.1.0
 */
export * as ExitCode from "./ExitCode.js"

/**
 * The fleet file of `rotate --from-file`, streamed.
 *
 * @example
 * ```ts
 * import { FleetFile } from "@effect-acs/cli"
 *
 * console.log(Object.keys(FleetFile))
 * ```
 *
 * @since 0.1.0
 */
export * as FleetFile from "./FleetFile.js"

/**
 * `--publish-command`: the new connection string on a command's standard input.
 *
 * @example
 * ```ts
 * import { PublishCommand } from "@effect-acs/cli"
 *
 * console.log(PublishCommand.environmentVariables)
 * ```
 *
 * @since 0.1.0
 */
export * as PublishCommand from "./PublishCommand.js"

/**
 * Where the command writes: the process's streams, or captured in memory.
 *
 * @example
 * ```ts
 * import { Stdio } from "@effect-acs/cli"
 *
 * console.log(Stdio.capture().stdout())
 * ```
 *
 * @since 0.1.0
 */
export * as Stdio from "./Stdio.js"
