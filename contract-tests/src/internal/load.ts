import * as Redaction from "@effect-acs/core/Redaction"
import * as FileSystem from "@effect/platform/FileSystem"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as ParseResult from "effect/ParseResult"
import type * as Schema from "effect/Schema"
import { Issue, MalformedRecording, ReadError } from "../ContractError.js"
import type { RecordingFormat } from "../ContractError.js"

/**
 * The issues of a parse error, paths joined with `.`, messages made fit to show (`Redaction.untrusted`): one per path (the alternatives of
 * a union joined with "or"), without the "Expected undefined" of an optional field whose value has issues
 * of its own.
 */
export const issues = (error: ParseResult.ParseError): Array<Issue> => {
  const all = ParseResult.ArrayFormatter.formatErrorSync(error).map((issue) => ({
    path: issue.path.length === 0 ? "(root)" : issue.path.map(String).join("."),
    message: Redaction.untrusted(issue.message)
  }))
  const byPath = new Map<string, Array<string>>()
  for (const issue of all) {
    const nested = all.some((other) => other.path.startsWith(`${issue.path}.`))
    if (nested && issue.message.startsWith("Expected undefined")) continue
    const messages = byPath.get(issue.path) ?? []
    if (!messages.includes(issue.message)) messages.push(issue.message)
    byPath.set(issue.path, messages)
  }
  return [...byPath].map(([path, messages]) => new Issue({ path, message: messages.join(" or ") }))
}

export const malformed = (format: RecordingFormat, source: string, path: string, message: string) =>
  new MalformedRecording({ format, source, issues: [new Issue({ path, message: Redaction.untrusted(message) })] })

/** Decodes with a schema, every issue reported. */
export const decodeWith = <A, I>(schema: Schema.Schema<A, I>, format: RecordingFormat, source: string) => {
  const decode = ParseResult.decodeUnknownEither(schema, { errors: "all", onExcessProperty: "ignore" })
  return (input: unknown): Either.Either<A, MalformedRecording> =>
    Either.mapLeft(
      decode(input),
      (issue) => new MalformedRecording({ format, source, issues: issues(new ParseResult.ParseError({ issue })) })
    )
}

/** Parses JSON text; a syntax error becomes a `MalformedRecording` (the position only, never the text). */
export const parseJson = (
  text: string,
  format: RecordingFormat,
  source: string
): Either.Either<unknown, MalformedRecording> => {
  try {
    return Either.right(JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text))
  } catch (error) {
    const position = error instanceof Error ? /position (\d+)/.exec(error.message)?.[1] : undefined
    return Either.left(
      malformed(format, source, "(root)", `not valid JSON${position === undefined ? "" : ` (at offset ${position})`}`)
    )
  }
}

/** Reads a file as UTF-8 text. */
export const readText = (path: string): Effect.Effect<string, ReadError, FileSystem.FileSystem> =>
  Effect.flatMap(FileSystem.FileSystem, (fs) => fs.readFileString(path)).pipe(
    Effect.mapError((error) =>
      new ReadError({ path, reason: error._tag === "SystemError" ? error.reason : Redaction.untrusted(error.message) })
    )
  )

/** Reads a file and parses it as JSON. */
export const readJson = (path: string, format: RecordingFormat) =>
  Effect.flatMap(readText(path), (text) => parseJson(text, format, path))

/** A body decoded from a recorded value: `null`/absent is none, a string is text (JSON when it parses and
 * the content type says JSON), anything else is JSON. */
export const bodyOf = (
  value: unknown,
  contentType: string | undefined
):
  | { readonly _tag: "Json"; readonly value: unknown }
  | { readonly _tag: "Text"; readonly text: string }
  | undefined =>
{
  if (value === null || value === undefined) return undefined
  if (typeof value === "string") {
    if (value === "") return undefined
    if (contentType !== undefined && /\bjson\b/i.test(contentType)) {
      try {
        return { _tag: "Json", value: JSON.parse(value) }
      } catch {
        return { _tag: "Text", text: value }
      }
    }
    return { _tag: "Text", text: value }
  }
  return { _tag: "Json", value }
}
