/**
 * The failures of `acs-keys` itself, beside those of the client (`@effect-acs/core`'s `Errors`), of a
 * rotation (`Rotation.RotationFailed`) and of starting the emulator (`EmulatorError`). None of them ever
 * holds a key, a connection string or a token.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"

/**
 * The command line is not usable as given (a missing or conflicting option that the option parser cannot
 * tell by itself).
 *
 * @example
 * ```ts
 * import { CliError } from "@effect-acs/cli"
 *
 * new CliError.UsageError({ reason: "give --resource-id or --subscription, --resource-group and --name" }).message
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class UsageError extends Schema.TaggedError<UsageError>("@effect-acs/cli/UsageError")("UsageError", {
  reason: Schema.String
}) {
  /**
   * @since 0.1.0
   */
  override get message(): string {
    return this.reason
  }
}

/**
 * The fleet file of `rotate --from-file` cannot be read, or is neither one resource id a line nor a JSON
 * array of resource ids or `{subscriptionId, resourceGroupName, communicationServiceName}` objects.
 * `line` (text) or `element` (JSON, 1-based) says where.
 *
 * @example
 * ```ts
 * import { CliError } from "@effect-acs/cli"
 *
 * new CliError.FleetFileError({ path: "ids.json", element: 3, reason: "not valid JSON" }).message
 * // "ids.json, element 3: not valid JSON"
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class FleetFileError extends Schema.TaggedError<FleetFileError>("@effect-acs/cli/FleetFileError")(
  "FleetFileError",
  {
    path: Schema.String,
    line: Schema.optional(Schema.Number),
    element: Schema.optional(Schema.Number),
    reason: Schema.String
  }
) {
  /**
   * @since 0.1.0
   */
  override get message(): string {
    const where = this.line !== undefined
      ? `, line ${this.line}`
      : this.element !== undefined
      ? `, element ${this.element}`
      : ""
    return `${this.path}${where}: ${this.reason}`
  }
}

/**
 * The `--publish-command` could not be started, or exited with a non-zero status or on a signal. The
 * message names the resource and the key, never the connection string (which only ever went to the
 * command's standard input).
 *
 * @example
 * ```ts
 * import { CliError } from "@effect-acs/cli"
 *
 * new CliError.PublishCommandError({
 *   resourceId: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Communication/communicationServices/acs",
 *   keyType: "Secondary",
 *   exitCode: 1,
 *   reason: "the publish command exited with status 1"
 * }).message
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class PublishCommandError
  extends Schema.TaggedError<PublishCommandError>("@effect-acs/cli/PublishCommandError")("PublishCommandError", {
    resourceId: Schema.String,
    keyType: Schema.Literal("Primary", "Secondary"),
    exitCode: Schema.optional(Schema.Number),
    reason: Schema.String
  })
{
  /**
   * @since 0.1.0
   */
  override get message(): string {
    return `publishing the ${this.keyType} key of ${this.resourceId} failed: ${this.reason}`
  }
}

/**
 * At least one rotation of a fleet (`rotate --from-file`) failed; each failure was reported as it happened
 * and in the summary.
 *
 * @example
 * ```ts
 * import { CliError } from "@effect-acs/cli"
 *
 * new CliError.FleetIncomplete({ total: 30, failed: 2 }).message // "2 of 30 rotations failed"
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class FleetIncomplete extends Schema.TaggedError<FleetIncomplete>("@effect-acs/cli/FleetIncomplete")(
  "FleetIncomplete",
  {
    total: Schema.Number,
    failed: Schema.Number
  }
) {
  /**
   * @since 0.1.0
   */
  override get message(): string {
    return `${this.failed} of ${this.total} rotation${this.total === 1 ? "" : "s"} failed`
  }
}
