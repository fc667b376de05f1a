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
 *
 * @since 0.1.0
 */
import type { Rotation } from "@effect-acs/core"
import * as Command from "@effect/platform/Command"
import type * as CommandExecutor from "@effect/platform/CommandExecutor"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as Stream from "effect/Stream"
import { PublishCommandError } from "./CliError.js"
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
 * A `publish` for `Rotation.rotate` / `Rotation.rotateFleet` that runs `command` through the shell with the
 * connection string on its standard input (see the module description for the whole contract).
 *
 * @example
 * ```ts
 * import { PublishCommand } from "@effect-acs/cli"
 * import { Rotation } from "@effect-acs/core"
 *
 * const rotation = Rotation.rotate(
 *   { resourceId: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Communication/communicationServices/acs" },
 *   { publish: PublishCommand.make("az keyvault secret set --vault-name kv --name acs --file /dev/stdin") }
 * )
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (command: string) =>
(
  key: Rotation.PublishedKey
): Effect.Effect<void, PublishCommandError, CommandExecutor.CommandExecutor> =>
  Effect.scoped(Effect.gen(function*() {
    const output = yield* Stdio
    const failed = (reason: string, exitCode?: number) =>
      new PublishCommandError({ resourceId: key.resourceId, keyType: key.keyType, exitCode, reason })
    const child = yield* Command.make(command).pipe(
      Command.runInShell(true),
      Command.env(environment(key), { extendEnv: false }),
      Command.start,
      Effect.mapError((error) => failed(`the publish command could not be started (${error.message})`))
    )
    const input = new TextEncoder().encode(Redacted.value(key.connectionString))
    const forward = (stream: Stream.Stream<Uint8Array, unknown>) =>
      stream.pipe(
        Stream.decodeText(),
        Stream.runForEach((text) => Effect.sync(() => output.stderr(text))),
        Effect.ignore
      )
    const [status] = yield* Effect.all([
      child.exitCode.pipe(
        Effect.mapError(() => failed("the publish command was killed by a signal"))
      ),
      // a command that exits without reading its input is not an error of ours: its status tells
      Stream.run(Stream.make(input), child.stdin).pipe(Effect.ignore),
      forward(child.stdout),
      forward(child.stderr)
    ], { concurrency: "unbounded" })
    if (status !== 0) return yield* failed(`the publish command exited with status ${status}`, status)
  }))
