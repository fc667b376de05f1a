import type { CommunicationServices } from "@effect-acs/core"
import type { CommunicationServiceKeys } from "@effect-acs/schema"
import * as ResourceId from "@effect-acs/schema/ResourceId"
import * as Either from "effect/Either"
import * as Predicate from "effect/Predicate"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import * as ExitCode from "../ExitCode.js"

/** What a hidden secret prints as. */
const hidden = "<redacted>"

export const hint = "keys are shown as <redacted>: pass --show-secrets to print them"

/** A secret as text: its value with `--show-secrets`, `<redacted>` otherwise. */
export const secret = (value: Redacted.Redacted<string>, show: boolean): string => show ? Redacted.value(value) : hidden

const keyFields = [
  "primaryKey",
  "secondaryKey",
  "primaryConnectionString",
  "secondaryConnectionString"
] as const

/** The keys present in a response, in a fixed order, as text. */
export const keys = (
  value: CommunicationServiceKeys.CommunicationServiceKeys,
  show: boolean
): Record<string, string> => {
  const out: Record<string, string> = {}
  for (const field of keyFields) {
    const secretValue = value[field]
    if (secretValue !== undefined) out[field] = secret(secretValue, show)
  }
  return out
}

/** Rows as aligned `name  value` lines, indented. */
export const rows = (entries: ReadonlyArray<readonly [string, string]>, indent = "  "): string => {
  const width = Math.max(0, ...entries.map(([name]) => name.length))
  return entries.map(([name, value]) => `${indent}${value === "" ? name : `${name.padEnd(width)}  ${value}`}\n`)
    .join("")
}

const decodeResourceId = Schema.decodeUnknownEither(ResourceId.ResourceId)

/** The canonical id of a resource input (as given when it is not valid: the client will say why). */
export const resourceId = (resource: CommunicationServices.ResourceInput): string => {
  if ("resourceId" in resource) {
    return Either.match(decodeResourceId(resource.resourceId), {
      onLeft: () => resource.resourceId,
      onRight: ResourceId.format
    })
  }
  return ResourceId.format(resource)
}

const errorFields = [
  "status",
  "code",
  "armMessage",
  "target",
  "details",
  "additionalInfo",
  "requestId",
  "correlationRequestId",
  "clientRequestId",
  "operation",
  "resourceId",
  "outcomeUnknown",
  "attempts",
  "missing",
  "retryAfterMillis",
  "field",
  "reason",
  "description",
  "step",
  "keyType",
  "livePublished",
  "path",
  "line",
  "element",
  "exitCode"
] as const

const fieldsOf = (error: Record<string, unknown>): Record<string, unknown> => {
  const out: Record<string, unknown> = {}
  for (const field of errorFields) {
    const value = error[field]
    if (value !== undefined && !(Array.isArray(value) && value.length === 0)) out[field] = value
  }
  return out
}

/**
 * A failure as JSON: its tag, exit status, message and the fields a person acts on (status, ARM code and
 * message, request ids, ...), with the cause of a failed rotation nested. Holds no secret: the errors do not.
 */
const ownErrorTags: ReadonlySet<string> = new Set([
  "InvalidInput",
  "CredentialError",
  "TransportError",
  "AuthenticationFailed",
  "AuthorizationFailed",
  "NotFound",
  "Conflict",
  "Throttled",
  "BadRequest",
  "ServiceError",
  "UnexpectedResponse"
])

export const errorJson = (error: unknown): Record<string, unknown> => {
  const record = Predicate.isRecord(error) ? error : {}
  const cause = record._tag === "RotationFailed" && Predicate.isRecord(record.cause)
    ? {
      cause: {
        _tag: record.cause._tag,
        // the library's own errors say nothing secret; a publish command's or verify's own error may, and its
        // (scrubbed) message is already part of the rotation's
        message: ownErrorTags.has(String(record.cause._tag)) && Predicate.isString(record.cause.message)
          ? record.cause.message
          : undefined,
        ...fieldsOf(record.cause)
      }
    }
    : {}
  return {
    _tag: Predicate.isString(record._tag) ? record._tag : "Unexpected",
    ...fieldsOf(record),
    exitStatus: ExitCode.fromError(error),
    message: ExitCode.describe(error).replace(/^[^:]*: /, ""),
    ...cause
  }
}

/** Milliseconds as a short duration: `850 ms`, `2.4 s`, `3 min 12 s`. */
export const duration = (millis: number): string => {
  if (millis < 1000) return `${Math.round(millis)} ms`
  if (millis < 60_000) return `${(millis / 1000).toFixed(1)} s`
  const seconds = Math.round(millis / 1000)
  return `${Math.floor(seconds / 60)} min ${seconds % 60} s`
}
