/**
 * The typed failures of the harness: one tag per failure mode.
 *
 * Loading a recording fails with `ReadError` (the file could not be read) or `MalformedRecording` (it is
 * not JSON, or not of the format's shape). A replay fails with `RequestMismatch` (a request did not match
 * the interaction it was closest to), `UnexpectedRequest` (a request arrived after every interaction was
 * answered) or `UnusedInteractions` (the program finished without sending some recorded requests). A scan
 * fails with `SecretsFound`. No error ever quotes a key, a connection string, a token or a JWT.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"

/**
 * The formats the loaders read.
 *
 * @example
 * ```ts
 * import { ContractError } from "@effect-acs/contract-tests"
 *
 * ContractError.RecordingFormat.literals // ["DocumentedExample", "TestProxy", "Har", "Vcr", "PowerShell"]
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export const RecordingFormat = Schema.Literal("DocumentedExample", "TestProxy", "Har", "Vcr", "PowerShell")

/**
 * `"DocumentedExample" | "TestProxy" | "Har" | "Vcr" | "PowerShell"`.
 *
 * @example
 * ```ts
 * import type { ContractError } from "@effect-acs/contract-tests"
 *
 * const format: ContractError.RecordingFormat = "Har"
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type RecordingFormat = typeof RecordingFormat.Type

/**
 * What each format is called in messages.
 *
 * @example
 * ```ts
 * import { ContractError } from "@effect-acs/contract-tests"
 *
 * ContractError.formatNames.Vcr // "vcrpy cassette (Azure CLI, azure-sdk-for-python)"
 * ```
 *
 * @since 0.2.0
 * @category models
 */
export const formatNames: Readonly<Record<RecordingFormat, string>> = {
  DocumentedExample: "API documentation example",
  TestProxy: "Azure SDK test-proxy recording",
  Har: "HAR 1.2 file",
  Vcr: "vcrpy cassette (Azure CLI, azure-sdk-for-python)",
  PowerShell: "Azure PowerShell recording"
}

/**
 * One thing wrong with a recording: where (a path such as `Entries.2.RequestUri`, or `(root)`) and what.
 *
 * @example
 * ```ts
 * import { ContractError } from "@effect-acs/contract-tests"
 *
 * const issue = ContractError.Issue.make({ path: "Entries.0.StatusCode", message: "is missing" })
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export class Issue extends Schema.Class<Issue>("Issue")({
  path: Schema.String,
  message: Schema.String
}) {}

/**
 * Why one format refused a recording, when no format was named and every one was tried.
 *
 * @example
 * ```ts
 * import { ContractError } from "@effect-acs/contract-tests"
 *
 * const attempt = ContractError.Attempt.make({
 *   format: "Har",
 *   issues: [ContractError.Issue.make({ path: "log", message: "is missing" })]
 * })
 * ```
 *
 * @since 0.2.0
 * @category models
 */
export class Attempt extends Schema.Class<Attempt>("Attempt")({
  format: RecordingFormat,
  issues: Schema.Array(Issue)
}) {}

/**
 * A file could not be read (missing, a directory, no permission).
 *
 * @example
 * ```ts
 * import { ContractError } from "@effect-acs/contract-tests"
 *
 * new ContractError.ReadError({ path: "fixtures/missing.json", reason: "NotFound" }).message
 * // "Cannot read fixtures/missing.json: NotFound"
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class ReadError extends Schema.TaggedError<ReadError>("@effect-acs/contract-tests/ReadError")("ReadError", {
  path: Schema.String,
  reason: Schema.String
}) {
  /**
   * @since 0.1.0
   */
  override get message(): string {
    return `Cannot read ${this.path}: ${this.reason}`
  }
}

/**
 * A recording that is not JSON, or not of its format's shape. `issues` says where and what, without
 * quoting secrets.
 *
 * @example
 * ```ts
 * import { ContractError } from "@effect-acs/contract-tests"
 *
 * const error = new ContractError.MalformedRecording({
 *   format: "TestProxy",
 *   source: "recordings/rotation.json",
 *   issues: [ContractError.Issue.make({ path: "Entries.0.StatusCode", message: "is missing" })]
 * })
 * error.message
 * // "recordings/rotation.json is not a valid Azure SDK test-proxy recording: at Entries.0.StatusCode: is missing"
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class MalformedRecording extends Schema.TaggedError<MalformedRecording>(
  "@effect-acs/contract-tests/MalformedRecording"
)("MalformedRecording", {
  format: RecordingFormat,
  source: Schema.String,
  issues: Schema.Array(Issue),
  /**
   * When the format was detected: every format tried, in order, and why each refused the file (`format`
   * is then the first one tried and `issues` its issues).
   */
  tried: Schema.optionalWith(Schema.Array(Attempt), { exact: true })
}) {
  /**
   * @since 0.1.0
   */
  override get message(): string {
    if (this.tried !== undefined) {
      return `${this.source} is not a recording of any supported format:\n` +
        this.tried.map((attempt) => `  as ${formatNames[attempt.format]}: ${showIssues(attempt.issues, 3)}`).join(
          "\n"
        )
    }
    return `${this.source} is not a valid ${formatNames[this.format]}: ${showIssues(this.issues, 5)}`
  }
}

const showIssues = (issues: ReadonlyArray<Issue>, limit: number): string => {
  const shown = issues.slice(0, limit).map((issue) => `at ${issue.path}: ${issue.message}`)
  const more = issues.length > limit ? `; and ${issues.length - limit} more` : ""
  return `${shown.join("; ")}${more}`
}

/**
 * A request reached the replay but did not match the interaction it was closest to. `diff` says what
 * differs (expected is the interaction, got is the request), with every secret masked; the request was
 * answered with a network error.
 *
 * @example
 * ```ts
 * import { ContractError } from "@effect-acs/contract-tests"
 *
 * const error = new ContractError.RequestMismatch({
 *   request: "POST https://management.azure.com/subscriptions/s/resourceGroups/rg/providers/Microsoft.Communication/communicationServices/acs/listKeys?api-version=2023-04-01",
 *   sequence: 1,
 *   closest: 0,
 *   expected: "POST https://management.azure.com/subscriptions/s/resourceGroups/rg/providers/Microsoft.Communication/communicationServices/acs/listKeys?api-version=2020-08-20 -> 200",
 *   diff: "  query: expected api-version=2020-08-20, got api-version=2023-04-01",
 *   unhandled: 1
 * })
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class RequestMismatch extends Schema.TaggedError<RequestMismatch>(
  "@effect-acs/contract-tests/RequestMismatch"
)("RequestMismatch", {
  /** The request's method and URL (secrets masked). */
  request: Schema.String,
  /** Which request this was, counting from 1. */
  sequence: Schema.Number,
  /** The index (from 0) of the interaction it was compared with. */
  closest: Schema.Number,
  /** That interaction, described as `METHOD url -> status` (secrets masked). */
  expected: Schema.String,
  /** What differs, one aspect per line. */
  diff: Schema.String,
  /** How many requests in all went unanswered. */
  unhandled: Schema.Number
}) {
  /**
   * @since 0.1.0
   */
  override get message(): string {
    const others = this.unhandled > 1 ? ` (${this.unhandled} requests in all went unanswered)` : ""
    return `Request #${this.sequence} ${this.request} does not match interaction #${this.closest} (${this.expected})` +
      `${others}:\n${this.diff}`
  }
}

/**
 * A request arrived after every interaction had been answered.
 *
 * @example
 * ```ts
 * import { ContractError } from "@effect-acs/contract-tests"
 *
 * new ContractError.UnexpectedRequest({ request: "POST https://management.azure.com/x", sequence: 3, total: 2, unhandled: 1 })
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class UnexpectedRequest extends Schema.TaggedError<UnexpectedRequest>(
  "@effect-acs/contract-tests/UnexpectedRequest"
)("UnexpectedRequest", {
  /** The request's method and URL (secrets masked). */
  request: Schema.String,
  /** Which request this was, counting from 1. */
  sequence: Schema.Number,
  /** How many interactions the replay had (all answered). */
  total: Schema.Number,
  /** How many requests in all went unanswered. */
  unhandled: Schema.Number
}) {
  /**
   * @since 0.1.0
   */
  override get message(): string {
    return `Request #${this.sequence} ${this.request} arrived after all ${this.total} interaction(s) were answered` +
      (this.unhandled > 1 ? ` (${this.unhandled} requests in all went unanswered)` : "")
  }
}

/**
 * The program finished but some interactions were never requested.
 *
 * @example
 * ```ts
 * import { ContractError } from "@effect-acs/contract-tests"
 *
 * new ContractError.UnusedInteractions({ unused: ["#1 POST https://management.azure.com/x -> 200"], answered: 1, total: 2 })
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class UnusedInteractions extends Schema.TaggedError<UnusedInteractions>(
  "@effect-acs/contract-tests/UnusedInteractions"
)("UnusedInteractions", {
  /** The unused interactions: `#index METHOD url -> status`. */
  unused: Schema.Array(Schema.String),
  answered: Schema.Number,
  total: Schema.Number
}) {
  /**
   * @since 0.1.0
   */
  override get message(): string {
    return `${this.unused.length} of ${this.total} interaction(s) were never requested:\n` +
      this.unused.map((line) => `  ${line}`).join("\n")
  }
}

/**
 * Where a scan found material that looks like a real secret: the file, the line and column (from 1, where
 * the secret itself starts: after `accesskey=`, after `Bearer `) and the kind. The secret itself is never
 * part of the finding. Kinds: `Base64Key` (random base64 or base64url key material, in any encoding),
 * `AccessKey` (a connection string's `accesskey=` value), `SecretParameter` (another secret-named
 * parameter: `sig=`, `client_secret=`, ...), `BearerToken` (a bearer credential), `Credential` (another
 * scheme's: `SharedKey`, `Basic`), `Jwt`.
 *
 * @example
 * ```ts
 * import { ContractError } from "@effect-acs/contract-tests"
 *
 * const finding = ContractError.Finding.make({ file: "fixtures/a.json", line: 3, column: 20, kind: "Base64Key" })
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export class Finding extends Schema.Class<Finding>("Finding")({
  file: Schema.String,
  line: Schema.Number,
  column: Schema.Number,
  kind: Schema.Literal("Base64Key", "AccessKey", "SecretParameter", "BearerToken", "Credential", "Jwt")
}) {}

/**
 * A scan found material that looks like a real secret.
 *
 * @example
 * ```ts
 * import { ContractError } from "@effect-acs/contract-tests"
 *
 * const error = new ContractError.SecretsFound({
 *   findings: [ContractError.Finding.make({ file: "fixtures/a.json", line: 3, column: 20, kind: "Base64Key" })]
 * })
 * error.message // "1 possible secret(s) found:\n  fixtures/a.json:3:20 Base64Key"
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class SecretsFound
  extends Schema.TaggedError<SecretsFound>("@effect-acs/contract-tests/SecretsFound")("SecretsFound", {
    findings: Schema.Array(Finding)
  })
{
  /**
   * @since 0.1.0
   */
  override get message(): string {
    return `${this.findings.length} possible secret(s) found:\n` +
      this.findings.map((f) => `  ${f.file}:${f.line}:${f.column} ${f.kind}`).join("\n")
  }
}

/**
 * A replayed response does not conform to the operation's schema in `@effect-acs/schema`
 * (`CommunicationServiceKeys` for a 200, `ErrorResponse` for an error status), or has a status the
 * operation never answers with (another 2xx or a 3xx). `issues` says where in the body (`primaryKey`,
 * `error.code`) and what, without quoting values.
 *
 * @example
 * ```ts
 * import { ContractError } from "@effect-acs/contract-tests"
 *
 * const error = new ContractError.NonConformingResponse({
 *   interaction: 2,
 *   operation: "regenerateKey",
 *   expected: "POST https://management.azure.com/subscriptions/s/resourceGroups/rg/providers/Microsoft.Communication/communicationServices/acs/regenerateKey?api-version=2020-08-20 -> 200",
 *   schema: "CommunicationServiceKeys",
 *   issues: [ContractError.Issue.make({ path: "primaryKey", message: "Expected string, actual number" })]
 * })
 * ```
 *
 * @since 0.2.0
 * @category errors
 */
export class NonConformingResponse extends Schema.TaggedError<NonConformingResponse>(
  "@effect-acs/contract-tests/NonConformingResponse"
)("NonConformingResponse", {
  /** The index (from 0) of the interaction whose recorded response does not conform. */
  interaction: Schema.Number,
  operation: Schema.Literal("regenerateKey", "listKeys"),
  /** The interaction, described as `METHOD url -> status (source)` (secrets masked). */
  expected: Schema.String,
  /** The schema the body was checked against, or `status` when the status itself is not the operation's. */
  schema: Schema.Literal("CommunicationServiceKeys", "ErrorResponse", "status"),
  issues: Schema.Array(Issue)
}) {
  /**
   * @since 0.2.0
   */
  override get message(): string {
    return `The recorded response of interaction #${this.interaction} (${this.expected}) does not conform to ` +
      `${this.schema === "status" ? `the statuses of ${this.operation}` : this.schema}: ${showIssues(this.issues, 5)}`
  }
}

/**
 * A recording could not be written (the directory is missing and cannot be made, no permission, a full
 * disk).
 *
 * @example
 * ```ts
 * import { ContractError } from "@effect-acs/contract-tests"
 *
 * new ContractError.WriteError({ path: "recordings/rotation.json", reason: "PermissionDenied" }).message
 * // "Cannot write recordings/rotation.json: PermissionDenied"
 * ```
 *
 * @since 0.2.0
 * @category errors
 */
export class WriteError extends Schema.TaggedError<WriteError>("@effect-acs/contract-tests/WriteError")("WriteError", {
  path: Schema.String,
  reason: Schema.String
}) {
  /**
   * @since 0.2.0
   */
  override get message(): string {
    return `Cannot write ${this.path}: ${this.reason}`
  }
}

/**
 * What loading a recording can fail with.
 *
 * @example
 * ```ts
 * import type { ContractError } from "@effect-acs/contract-tests"
 *
 * const describe = (error: ContractError.LoadError) => error._tag === "ReadError" ? error.path : error.source
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export type LoadError = ReadError | MalformedRecording

/**
 * What a replay can fail with when it is verified.
 *
 * @example
 * ```ts
 * import type { ContractError } from "@effect-acs/contract-tests"
 *
 * const describe = (error: ContractError.ReplayError) => `${error._tag}: ${error.message}`
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export type ReplayError = RequestMismatch | UnexpectedRequest | UnusedInteractions | NonConformingResponse

/**
 * What a scan for secrets can fail with.
 *
 * @example
 * ```ts
 * import type { ContractError } from "@effect-acs/contract-tests"
 *
 * const count = (error: ContractError.ScanError) => error._tag === "SecretsFound" ? error.findings.length : 0
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export type ScanError = ReadError | SecretsFound
