/**
 * The exit status of `acs-keys`: one per failure mode, so that a script can tell a missing resource from
 * a throttled call or a rejected token without parsing messages.
 *
 * | code | meaning |
 * | ---: | --- |
 * | 0 | success |
 * | 1 | unexpected failure (a bug: please report it) |
 * | 2 | usage error: the command line is not valid (message and help on stderr) |
 * | 3 | `InvalidInput`: a value was rejected before any request (resource id, names, endpoint, api-version; for `--journal`, any entry of the fleet file or the run id) |
 * | 4 | `CredentialError`: no access token could be obtained |
 * | 5 | `TransportError`: no response (connection refused or broken, timeout) |
 * | 6 | `AuthenticationFailed`: HTTP 401 |
 * | 7 | `AuthorizationFailed`: HTTP 403 |
 * | 8 | `NotFound`: HTTP 404 (subscription, resource group or resource) |
 * | 9 | `Conflict`: HTTP 409 (e.g. another regeneration of the resource is running) |
 * | 10 | `Throttled`: HTTP 429 after the retries |
 * | 11 | `BadRequest`: HTTP 400 or another 4xx |
 * | 12 | `ServiceError`: HTTP 5xx after the retries |
 * | 13 | `UnexpectedResponse`: a status or body the API does not declare |
 * | 14 | `RotationFailed`: a rotation stopped (or, with `--from-file`, at least one did) |
 * | 15 | `FleetFileError`: the `--from-file` file is unreadable or malformed |
 * | 16 | `EmulatorStartError`: the emulator could not start (options, seed or state file, port) |
 * | 17 | `KeyRejected`: `rotate --verify data-plane`: the data plane refused the new key (the other key was left alone) |
 * | 18 | `DataPlaneTransportError`: `--verify data-plane`: the data plane could not be reached or did not answer |
 * | 19 | `DataPlaneUnexpectedResponse`: `--verify data-plane`: the data plane answered neither yes nor no |
 * | 20 | `InvalidConnectionString`: `--verify data-plane`: the new connection string cannot be used to verify |
 * | 21 | `JournalError`: the `--journal` cannot be opened (a file that cannot be created, a database that cannot be reached) |
 * | 130 | `Interrupted`: stopped by SIGINT (Ctrl-C), at a safe point (or at once by a second one) |
 * | 143 | `Terminated`: stopped by SIGTERM, at a safe point (or at once by a second signal) |
 *
 * @since 0.1.0
 */
import * as Redaction from "@effect-acs/core/Redaction"
import * as ValidationError from "@effect/cli/ValidationError"
import * as Predicate from "effect/Predicate"

/**
 * Every exit status, by name (the names of failures are the `_tag`s of their errors).
 *
 * @example
 * ```ts
 * import { ExitCode } from "@effect-acs/cli"
 *
 * ExitCode.exitCodes.NotFound // 8
 * ```
 *
 * @since 0.1.0
 * @category constants
 */
export const exitCodes = {
  Success: 0,
  Unexpected: 1,
  UsageError: 2,
  InvalidInput: 3,
  CredentialError: 4,
  TransportError: 5,
  AuthenticationFailed: 6,
  AuthorizationFailed: 7,
  NotFound: 8,
  Conflict: 9,
  Throttled: 10,
  BadRequest: 11,
  ServiceError: 12,
  UnexpectedResponse: 13,
  RotationFailed: 14,
  FleetFileError: 15,
  EmulatorStartError: 16,
  KeyRejected: 17,
  DataPlaneTransportError: 18,
  DataPlaneUnexpectedResponse: 19,
  InvalidConnectionString: 20,
  JournalError: 21,
  Interrupted: 130,
  Terminated: 143
} as const

/**
 * The name of an exit status.
 *
 * @example
 * ```ts
 * import type { ExitCode } from "@effect-acs/cli"
 *
 * const name: ExitCode.Name = "Throttled"
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type Name = keyof typeof exitCodes

/**
 * An exit status of `acs-keys`.
 *
 * @example
 * ```ts
 * import type { ExitCode } from "@effect-acs/cli"
 *
 * const code: ExitCode.ExitCode = 0
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type ExitCode = (typeof exitCodes)[Name]

/** The error tags of starting the emulator. */
const emulatorStartTags: ReadonlySet<string> = new Set([
  "InvalidOptionsError",
  "InvalidResourceError",
  "SeedFileError",
  "StateFileError",
  "ListenError"
])

/**
 * The failures of `DataPlane.verify`: a rotation stopped at `Verify` exits with the status of its cause, since
 * what to do differs (a refused key is published and does not work; an unknown answer may be retried).
 */
const verifyTags: ReadonlySet<string> = new Set([
  "KeyRejected",
  "DataPlaneTransportError",
  "DataPlaneUnexpectedResponse",
  "InvalidConnectionString"
])

/** Names that are not error tags. */
const signalNames: ReadonlySet<string> = new Set(["Success", "Interrupted", "Terminated"])

const tagOf = (error: unknown): string | undefined =>
  Predicate.isRecord(error) && Predicate.isString(error._tag) ? error._tag : undefined

/**
 * The name of the exit status of a failure: its `_tag` when it has its own status, `UsageError` for a
 * command line the parser rejected, `RotationFailed` for a fleet with failures, the tag of its cause for a
 * rotation stopped at `Verify` by `DataPlane.verify` (`KeyRejected`...), `EmulatorStartError` for any error
 * starting the emulator, otherwise `Unexpected`.
 *
 * @example
 * ```ts
 * import { CliError, ExitCode } from "@effect-acs/cli"
 *
 * ExitCode.nameOf(new CliError.FleetIncomplete({ total: 3, failed: 1 })) // "RotationFailed"
 * ```
 *
 * @since 0.1.0
 * @category conversions
 */
export const nameOf = (error: unknown): Name => {
  if (ValidationError.isValidationError(error)) return "UsageError"
  const tag = tagOf(error)
  if (tag === undefined) return "Unexpected"
  if (tag === "FleetIncomplete") return "RotationFailed"
  // a fleet a journaled run refuses before it starts: an entry (or the run id) is not valid
  if (tag === "InvalidFleet") return "InvalidInput"
  if (tag === "RotationFailed" && Predicate.isRecord(error) && error.step === "Verify") {
    const cause = tagOf(error.cause)
    if (cause !== undefined && verifyTags.has(cause)) return cause as Name
  }
  if (emulatorStartTags.has(tag)) return "EmulatorStartError"
  return tag in exitCodes && !signalNames.has(tag) ? tag as Name : "Unexpected"
}

/**
 * The exit status of a failure (see `nameOf`).
 *
 * @example
 * ```ts
 * import { ExitCode } from "@effect-acs/cli"
 * import { Errors } from "@effect-acs/core"
 *
 * ExitCode.fromError(new Errors.InvalidInput({ field: "keyType", reason: "bad" })) // 3
 * ```
 *
 * @since 0.1.0
 * @category conversions
 */
export const fromError = (error: unknown): ExitCode => exitCodes[nameOf(error)]

/**
 * The message of a failure, fit to print: secrets masked, control characters replaced, bounded in length
 * (`Redaction.untrusted` of `@effect-acs/core`), on one line. A message that cannot be computed (a getter
 * that throws) is replaced by a note saying so.
 *
 * @example
 * ```ts
 * import { ExitCode } from "@effect-acs/cli"
 *
 * ExitCode.messageOf(new Error("refused endpoint=https://x/;accesskey=c2VjcmV0LXNlY3JldA==")) // "refused endpoint=https://x/;accesskey=<redacted>"
 * ```
 *
 * @since 0.2.0
 * @category conversions
 */
export const messageOf = (error: unknown): string => {
  let message: string
  try {
    message = Predicate.isRecord(error) && Predicate.isString(error.message)
      ? error.message
      : error instanceof Error
      ? error.message
      : Predicate.isString(error)
      ? error
      : "(no message)"
  } catch {
    message = "(the message could not be rendered)"
  }
  return Redaction.untrusted(message).replace(/\s+/g, " ").trim()
}

/**
 * A failure as one line of text: its tag (with the tag of its cause, for a failed rotation) and its message,
 * which for a failed call holds the HTTP status, the ARM code and message and the request ids. The message is
 * masked (`messageOf`): no secret reaches this line, whatever the error holds.
 *
 * @example
 * ```ts
 * import { ExitCode } from "@effect-acs/cli"
 * import { Errors } from "@effect-acs/core"
 *
 * ExitCode.describe(new Errors.InvalidInput({ field: "keyType", reason: "Expected Primary or Secondary" }))
 * // "InvalidInput: Invalid keyType: Expected Primary or Secondary"
 * ```
 *
 * @since 0.1.0
 * @category conversions
 */
export const describe = (error: unknown): string => {
  if (ValidationError.isValidationError(error)) {
    return "UsageError: the command line is not valid (see above, and acs-keys --help)"
  }
  const tag = tagOf(error) ?? "Unexpected"
  const cause = Predicate.isRecord(error) && tag === "RotationFailed" ? tagOf(error.cause) : undefined
  return `${Redaction.untrusted(tag, { maxLength: 100 })}${
    cause === undefined ? "" : ` (${Redaction.untrusted(cause, { maxLength: 100 })})`
  }: ${messageOf(error)}`
}
