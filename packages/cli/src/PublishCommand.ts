/**
 * `acs-keys rotate --publish-command "<cmd>"`: hands every new connection string to a command of yours (a
 * Key Vault update, a deployment variable, a config file writer).
 *
 * The contract:
 *
 * - The command line is run **through the system shell** (`/bin/sh -c "<cmd>"` on Unix, `cmd.exe /d /s /c`
 *   on Windows), so pipes, redirections and quoting work as in a terminal.
 * - It runs once per published key: twice per rotated resource (the first key, then the other), in that
 *   order, and never twice at once for the same resource.
 * - The connection string arrives on its **standard input**, exactly (no newline after it), then end of
 *   input. It is never on its command line nor in its environment.
 * - Its environment is that of `acs-keys`, plus `ACS_RESOURCE_ID` (the ARM resource id) and `ACS_KEY_TYPE`
 *   (`Primary` or `Secondary`), minus `ACS_KEYS_TOKEN` (the token `acs-keys` may read is not the
 *   command's business).
 * - Exit status 0 means published. Anything else fails the publication, which the rotation retries (see
 *   `--publish-retries`) before it stops with `RotationFailed` at step `Publish`.
 * - Its standard output and standard error go to the standard error of `acs-keys` (standard output
 *   stays for results).
 * - It runs in a **process group of its own** (on Unix), which is killed, with everything the command started
 *   in it: when the command exits (what it left running in the background goes too); when one attempt takes
 *   longer than the timeout (`--publish-timeout`, default 60 seconds: the attempt fails and is retried);
 *   when `acs-keys` is forced to stop (a second Ctrl-C); and when `acs-keys` dies, even by SIGKILL (a
 *   watchdog in the group holds a pipe from `acs-keys` and kills the group when the pipe closes). Being in
 *   its own group, the command does not receive the terminal's Ctrl-C: a first Ctrl-C lets it finish. A
 *   command that leaves its group on purpose (`setsid`) is out of reach.
 *
 * @since 0.1.0
 */
import type { Rotation } from "@effect-acs/core"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import { PublishCommandError } from "./CliError.js"
import * as ProcessGroup from "./internal/processGroup.js"
import { Stdio } from "./Stdio.js"

/**
 * The environment variables a publish command receives (beside those of `acs-keys`).
 *
 * @example
 * ```ts
 * import { PublishCommand } from "@effect-acs/cli"
 *
 * PublishCommand.environmentVariables.resourceId // "ACS_RESOURCE_ID"
 * ```
 *
 * @since 0.1.0
 * @category constants
 */
export const environmentVariables = {
  resourceId: "ACS_RESOURCE_ID",
  keyType: "ACS_KEY_TYPE"
} as const

/**
 * Variables never passed on to the command: this command's token, and the secrets `DefaultAzureCredential`
 * reads from the environment.
 */
const withheld: ReadonlySet<string> = new Set([
  "ACS_KEYS_TOKEN",
  "AZURE_CLIENT_SECRET",
  "AZURE_CLIENT_CERTIFICATE_PASSWORD",
  "AZURE_PASSWORD",
  "IDENTITY_HEADER",
  "MSI_SECRET"
])

const environment = (key: Rotation.PublishedKey): Record<string, string> => {
  const env: Record<string, string> = {}
  for (const [name, value] of Object.entries(process.env)) {
    if (value !== undefined && !withheld.has(name.toUpperCase())) env[name] = value
  }
  env[environmentVariables.resourceId] = key.resourceId
  env[environmentVariables.keyType] = key.keyType
  return env
}

/**
 * Options of `make`.
 *
 * @example
 * ```ts
 * import type { PublishCommand } from "@effect-acs/cli"
 *
 * const options: PublishCommand.Options = { timeout: "2 minutes" }
 * ```
 *
 * @since 0.2.0
 * @category models
 */
export interface Options {
  /**
   * How long one run of the command may take; then its process group is killed and the attempt fails
   * (the rotation retries it). Default `defaultTimeout`.
   */
  readonly timeout?: Duration.DurationInput | undefined
}

/**
 * How long one run of a publish command may take by default: 60 seconds (as `Rotation`'s `publishTimeout`).
 *
 * @example
 * ```ts
 * import { PublishCommand } from "@effect-acs/cli"
 * import * as Duration from "effect/Duration"
 *
 * Duration.toSeconds(PublishCommand.defaultTimeout) // 60
 * ```
 *
 * @since 0.2.0
 * @category constants
 */
export const defaultTimeout: Duration.Duration = Duration.seconds(60)

/** After a timeout's SIGTERM, how long the group has before SIGKILL. */
const killGrace = 2_000

/** After the command exited, how long its output pipes may stay open. */
const drainGrace = 1_000

const describeTimeout = (millis: number) => millis % 1000 === 0 ? `${millis / 1000} s` : `${millis} ms`

/**
 * A `publish` for `Rotation.rotate` / `Rotation.rotateFleet` that runs `command` through the shell with the
 * connection string on its standard input, in a process group of its own killed on timeout, interruption
 * and exit of this process (see the module description for the whole contract).
 *
 * @example
 * ```ts
 * import { PublishCommand } from "@effect-acs/cli"
 * import { Rotation } from "@effect-acs/core"
 *
 * const rotation = Rotation.rotate(
 *   { resourceId: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Communication/communicationServices/acs" },
 *   {
 *     publish: PublishCommand.make("cat | az keyvault secret set --vault-name kv --name acs --file /dev/stdin", {
 *       timeout: "2 minutes"
 *     }),
 *     publishTimeout: "2 minutes"
 *   }
 * )
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (command: string, options?: Options) => {
  const timeoutMillis = Duration.toMillis(options?.timeout ?? defaultTimeout)
  return (key: Rotation.PublishedKey): Effect.Effect<void, PublishCommandError> =>
    Effect.flatMap(Stdio, (output) =>
      Effect.async<void, PublishCommandError>((resume) => {
        const failed = (reason: string, exitCode?: number) =>
          Effect.fail(new PublishCommandError({ resourceId: key.resourceId, keyType: key.keyType, exitCode, reason }))
        let group: ProcessGroup.Started
        try {
          group = ProcessGroup.spawn(command, environment(key))
        } catch (error) {
          resume(failed(`the publish command could not be started (${error instanceof Error ? error.name : "error"})`))
          return
        }
        const { child } = group
        let done = false
        let timedOut = false
        const timers: Array<ReturnType<typeof setTimeout>> = []
        const finish = (result: Effect.Effect<void, PublishCommandError>) => {
          if (done) return
          done = true
          for (const timer of timers) clearTimeout(timer)
          resume(result)
        }
        if (Number.isFinite(timeoutMillis)) {
          timers.push(setTimeout(() => {
            timedOut = true
            group.kill("SIGTERM")
            timers.push(setTimeout(() => group.kill("SIGKILL"), killGrace))
          }, timeoutMillis))
        }
        for (const stream of [child.stdout, child.stderr]) {
          stream?.setEncoding("utf8")
          stream?.on("data", (text: string) => output.stderr(text))
        }
        child.once("error", (error: NodeJS.ErrnoException) => {
          group.kill("SIGKILL")
          finish(failed(`the publish command could not be started (${error.code ?? error.name})`))
        })
        const settle = (code: number | null, signal: NodeJS.Signals | null) => {
          if (timedOut) {
            return finish(
              failed(
                `the publish command did not finish within ${
                  describeTimeout(timeoutMillis)
                }: its process group was killed`
              )
            )
          }
          if (code === 0) return finish(Effect.void)
          if (code !== null) return finish(failed(`the publish command exited with status ${code}`, code))
          return finish(failed(`the publish command was killed by ${signal ?? "a signal"}`))
        }
        child.once("exit", (code, signal) => {
          // what it printed last is still in the pipes: wait for them to close (its group is gone by now, so
          // only a process that left the group could hold them open: not for long)
          const drained = setTimeout(() => {
            child.stdout?.destroy()
            child.stderr?.destroy()
            settle(code, signal)
          }, drainGrace)
          timers.push(drained)
          child.once("close", () => settle(code, signal))
        })
        // exactly the connection string, then end of input (a command may exit without reading it)
        child.stdin?.end(Redacted.value(key.connectionString))
        return Effect.sync(() => {
          // interrupted: the command goes, with its group
          done = true
          for (const timer of timers) clearTimeout(timer)
          group.kill("SIGKILL")
        })
      }))
}
