import * as Redaction from "@effect-acs/core/Redaction"
import * as Json from "@effect-acs/schema/Json"
import * as FileSystem from "@effect/platform/FileSystem"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as ParseResult from "effect/ParseResult"
import type * as Schema from "effect/Schema"
import { Issue, MalformedRecording, ReadError } from "../ContractError.js"
import type { RecordingFormat } from "../ContractError.js"
import * as Interaction from "../Interaction.js"

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

/** The largest recording file read, by default: 32 MiB (a recording of a whole test class is a few MiB). */
export const defaultMaxBytes = 32 * 1024 * 1024

/** How deeply a recording may nest, by default: a test-proxy entry's body sits 4 levels down. */
export const defaultMaxDepth = 64

/** Parses JSON text depth-safely; a refusal becomes a `MalformedRecording` (never quoting the text). */
export const parseJson = (
  text: string,
  format: RecordingFormat,
  source: string,
  maxDepth: number = defaultMaxDepth
): Either.Either<unknown, MalformedRecording> =>
  Either.mapLeft(
    Json.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text, { maxDepth }),
    (error) => malformed(format, source, "(root)", error.reason === "TooDeep" ? error.message : "not valid JSON")
  )

/** Reads a file as UTF-8 text, refusing (before reading it) one larger than `maxBytes`. */
export const readText = (
  path: string,
  maxBytes: number = Number.POSITIVE_INFINITY
): Effect.Effect<string, ReadError, FileSystem.FileSystem> =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    if (Number.isFinite(maxBytes)) {
      const info = yield* fs.stat(path)
      if (Number(info.size) > maxBytes) {
        return yield* new ReadError({
          path,
          reason: `the file is ${info.size} bytes, more than the ${maxBytes} allowed`
        })
      }
    }
    return yield* fs.readFileString(path)
  }).pipe(
    Effect.catchTag(
      "BadArgument",
      "SystemError",
      (error) =>
        new ReadError({
          path,
          reason: error._tag === "SystemError" ? error.reason : Redaction.untrusted(error.message)
        })
    )
  )

/** Reads a file and parses it as JSON. */
export const readJson = (path: string, format: RecordingFormat) =>
  Effect.flatMap(readText(path, defaultMaxBytes), (text) => parseJson(text, format, path))

/**
 * A body decoded from a recorded value: `null`/absent is none, a string is text (JSON when it parses, no
 * deeper than `defaultMaxDepth`, and the content type says JSON), anything else is JSON.
 */
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
      const parsed = Json.parse(value, { maxDepth: defaultMaxDepth })
      return Either.isRight(parsed) ? { _tag: "Json", value: parsed.right } : { _tag: "Text", text: value }
    }
    return { _tag: "Text", text: value }
  }
  return { _tag: "Json", value }
}

/** Header values as recorders write them: a string, a number, or a list of them (joined with `, `). */
export type RecordedHeaders = Readonly<Record<string, string | number | ReadonlyArray<string | number>>>

/** Recorded headers as an interaction holds them: names lower case, lists joined with `, `. */
export const joinHeaders = (...all: ReadonlyArray<RecordedHeaders | undefined>): Record<string, string> => {
  const out: Record<string, string> = {}
  for (const values of all) {
    for (const [name, value] of Object.entries(values ?? {})) {
      out[name.toLowerCase()] = typeof value === "object" ? value.map(String).join(", ") : String(value)
    }
  }
  return out
}

/** The deepest nesting of a parsed value, counted without recursion; stops once past `limit`. */
export const depthOf = (root: unknown, limit: number): number => {
  let deepest = 0
  const stack: Array<readonly [unknown, number]> = [[root, 0]]
  while (stack.length > 0) {
    const [value, depth] = stack.pop()!
    if (typeof value !== "object" || value === null || value instanceof Uint8Array) continue
    const inner = depth + 1
    if (inner > deepest) deepest = inner
    if (deepest > limit) return deepest
    for (const item of Array.isArray(value) ? value : Object.values(value)) stack.push([item, inner])
  }
  return deepest
}

/** One side of a recorded exchange: its headers (names lower case) and its body as the recorder wrote it. */
export interface RecordedMessage {
  readonly headers: Record<string, string>
  /** `null`/absent, a string (JSON when `contentType` says so and it parses), or a JSON value. */
  readonly body: unknown
  /** The body's media type when the recorder notes it apart from the headers (HAR's `mimeType`). */
  readonly contentType?: string | undefined
}

/** The canonical interaction of a recorded exchange: the method upper case, bodies typed (see `bodyOf`). */
export const recorded = (exchange: {
  readonly request: RecordedMessage & { readonly method: string; readonly url: string }
  readonly response: RecordedMessage & { readonly status: number }
  readonly source?: string | undefined
}): Interaction.Interaction => {
  const { request, response } = exchange
  const requestBody = bodyOf(request.body, request.contentType ?? request.headers["content-type"])
  const responseBody = bodyOf(response.body, response.contentType ?? response.headers["content-type"])
  return new Interaction.Interaction({
    request: new Interaction.Request({
      method: request.method.toUpperCase(),
      url: request.url,
      headers: request.headers,
      ...(requestBody === undefined ? {} : { body: requestBody })
    }),
    response: new Interaction.Response({
      status: response.status,
      headers: response.headers,
      ...(responseBody === undefined ? {} : { body: responseBody })
    }),
    ...(exchange.source === undefined ? {} : { source: exchange.source })
  })
}
