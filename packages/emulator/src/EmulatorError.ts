/**
 * The errors of the emulator as a library: starting it (options, seed and state files, listening) and
 * reading or changing its state. Requests the emulator answers never fail with these: they become ARM
 * error responses.
 *
 * No message ever quotes an access key: a malformed seed or state file is described by the path of the
 * bad value, not by the value.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"

/**
 * The options given to `Emulator.make` / `Emulator.layer` are inconsistent (a rate outside `[0, 1]`, a
 * throttle capacity below 1, an empty token list, ...).
 *
 * @example
 * ```ts
 * import { EmulatorError } from "@effect-acs/emulator"
 *
 * const error = new EmulatorError.InvalidOptionsError({ option: "faults.errorRate", reason: "must be in [0, 1]" })
 * error.message // "Invalid emulator option faults.errorRate: must be in [0, 1]"
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class InvalidOptionsError extends Schema.TaggedError<InvalidOptionsError>(
  "@effect-acs/emulator/InvalidOptionsError"
)("InvalidOptionsError", {
  option: Schema.String,
  reason: Schema.String
}) {
  /**
   * @since 0.1.0
   */
  override get message(): string {
    return `Invalid emulator option ${this.option}: ${this.reason}`
  }
}

/**
 * A resource given in the options, in a seed file or to `addResource` does not satisfy the parameter
 * schemas (subscription id, resource group name, communication service name) or carries a malformed
 * access key.
 *
 * @example
 * ```ts
 * import { EmulatorError } from "@effect-acs/emulator"
 *
 * new EmulatorError.InvalidResourceError({ reason: "communicationServiceName must not be empty" }).message
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class InvalidResourceError extends Schema.TaggedError<InvalidResourceError>(
  "@effect-acs/emulator/InvalidResourceError"
)("InvalidResourceError", {
  reason: Schema.String
}) {
  /**
   * @since 0.1.0
   */
  override get message(): string {
    return `Invalid emulator resource: ${this.reason}`
  }
}

/**
 * The resource named is not known to the emulator.
 *
 * @example
 * ```ts
 * import { EmulatorError } from "@effect-acs/emulator"
 *
 * new EmulatorError.UnknownResourceError({
 *   subscriptionId: "s",
 *   resourceGroupName: "rg",
 *   communicationServiceName: "acs"
 * }).message
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class UnknownResourceError extends Schema.TaggedError<UnknownResourceError>(
  "@effect-acs/emulator/UnknownResourceError"
)("UnknownResourceError", {
  subscriptionId: Schema.String,
  resourceGroupName: Schema.String,
  communicationServiceName: Schema.String
}) {
  /**
   * @since 0.1.0
   */
  override get message(): string {
    return `The emulator has no communication service ${this.communicationServiceName} in resource group ` +
      `${this.resourceGroupName} of subscription ${this.subscriptionId}`
  }
}

/**
 * The seed file is missing, unreadable, larger than 64 MiB, not UTF-8, not JSON (or JSON nested deeper than 64
 * levels), or not of the seed file shape.
 *
 * @example
 * ```ts
 * import { EmulatorError } from "@effect-acs/emulator"
 *
 * new EmulatorError.SeedFileError({ path: "seed.json", reason: "the file is not valid JSON" }).message
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class SeedFileError extends Schema.TaggedError<SeedFileError>("@effect-acs/emulator/SeedFileError")(
  "SeedFileError",
  {
    path: Schema.String,
    reason: Schema.String
  }
) {
  /**
   * @since 0.1.0
   */
  override get message(): string {
    return `Bad emulator seed file ${this.path}: ${this.reason}`
  }
}

/**
 * The state file could not be read (unreadable, larger than 64 MiB, not UTF-8, not JSON or nested deeper than 64
 * levels, not of the state file shape) or written.
 *
 * @example
 * ```ts
 * import { EmulatorError } from "@effect-acs/emulator"
 *
 * new EmulatorError.StateFileError({ path: "state.json", operation: "read", reason: "the file is not valid JSON" })
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class StateFileError extends Schema.TaggedError<StateFileError>("@effect-acs/emulator/StateFileError")(
  "StateFileError",
  {
    path: Schema.String,
    operation: Schema.Literal("read", "write"),
    reason: Schema.String
  }
) {
  /**
   * @since 0.1.0
   */
  override get message(): string {
    return `Cannot ${this.operation} the emulator state file ${this.path}: ${this.reason}`
  }
}

/**
 * The HTTP server could not listen on the host and port asked for (port in use, address not available).
 *
 * @example
 * ```ts
 * import { EmulatorError } from "@effect-acs/emulator"
 *
 * new EmulatorError.ListenError({ host: "127.0.0.1", port: 8080, reason: "EADDRINUSE" }).message
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class ListenError extends Schema.TaggedError<ListenError>("@effect-acs/emulator/ListenError")(
  "ListenError",
  {
    host: Schema.String,
    port: Schema.Number,
    reason: Schema.String
  }
) {
  /**
   * @since 0.1.0
   */
  override get message(): string {
    return `The emulator cannot listen on ${this.host}:${this.port}: ${this.reason}`
  }
}

/**
 * Every way starting the emulator can fail.
 *
 * @since 0.1.0
 * @category errors
 */
export type StartError = InvalidOptionsError | InvalidResourceError | SeedFileError | StateFileError | ListenError
