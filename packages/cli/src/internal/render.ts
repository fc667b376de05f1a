import type { CommunicationServices } from "@effect-acs/core"
import * as Errors from "@effect-acs/core/Errors"
import * as Redaction from "@effect-acs/core/Redaction"
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
      onLeft: () => untrusted(resource.resourceId),
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

/** Text nobody vouches for (a server's, a user's), fit to print: secrets masked, control characters out, bounded. */
export const untrusted = (text: string): string => Redaction.untrusted(text)

/** How deep `safeJson` goes, and how many elements or fields of one array or object it keeps. */
const maxDepth = 8
const maxItems = 50

/**
 * A value made fit for JSON output: strings (and field names) as `untrusted`, `Redacted` values hidden,
 * arrays and objects kept to `maxItems` and to `maxDepth` levels (deeper is `"…"`), anything else dropped.
 * Bounded, so whatever a server nests cannot overflow the stack here or in `JSON.stringify`.
 */
export const safeJson = (value: unknown, depth = 0): unknown => {
  if (Predicate.isString(value)) return untrusted(value)
  if (typeof value === "number") return Number.isFinite(value) ? value : String(value)
  if (typeof value === "boolean" || value === null) return value
  if (Redacted.isRedacted(value)) return hidden
  if (depth >= maxDepth) return "…"
  if (Array.isArray(value)) {
    const items = value.slice(0, maxItems).map((item) => safeJson(item, depth + 1))
    return value.length > maxItems ? [...items, "…"] : items
  }
  if (Predicate.isRecord(value)) {
    const out: Record<string, unknown> = {}
    let count = 0
    for (const key of Object.keys(value)) {
      if (count++ === maxItems) {
        out["…"] = "…"
        break
      }
      const item = safeJson(value[key], depth + 1)
      if (item !== undefined) out[untrusted(key)] = item
    }
    return out
  }
  return undefined
}

const fieldsOf = (error: Record<string, unknown>): Record<string, unknown> => {
  const out: Record<string, unknown> = {}
  for (const field of errorFields) {
    const value = error[field]
    if (value !== undefined && !(Array.isArray(value) && value.length === 0)) {
      const safe = safeJson(value, 1)
      if (safe !== undefined) out[field] = safe
    }
  }
  return out
}

/**
 * A failure as JSON: its tag, exit status, message and the fields a person acts on (status, ARM code and
 * message, request ids, ...), with the cause of a failed rotation nested. Every text in it is masked and
 * bounded (`safeJson`): server text and what the user typed may hold anything.
 */
/** The library's own errors (their messages say nothing secret). */
const isOwnError = Schema.is(Errors.CommunicationServicesError)

const tagOf = (record: Record<string, unknown>): string =>
  Predicate.isString(record._tag) ? untrusted(record._tag) : "Unexpected"

export const errorJson = (error: unknown): Record<string, unknown> => {
  const record = Predicate.isRecord(error) ? error : {}
  const cause = record._tag === "RotationFailed" && Predicate.isRecord(record.cause)
    ? {
      cause: {
        _tag: tagOf(record.cause),
        // the library's own errors say nothing secret; a publish command's or verify's own error may, and its
        // (masked) message is already part of the rotation's
        message: isOwnError(record.cause) ? ExitCode.messageOf(record.cause) : undefined,
        ...fieldsOf(record.cause)
      }
    }
    : {}
  return {
    _tag: tagOf(record),
    ...fieldsOf(record),
    exitStatus: ExitCode.fromError(error),
    message: ExitCode.messageOf(error),
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
