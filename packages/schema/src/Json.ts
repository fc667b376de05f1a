/**
 * JSON text from a server (or any untrusted source), parsed so that no input can overflow the stack.
 *
 * `JSON.parse` itself copes with deep nesting, but everything that walks the parsed value afterwards
 * (schema decoding, scrubbing, describing, `JSON.stringify`) recurses. `parse` measures the nesting of the
 * text in one pass before parsing and refuses anything deeper than `maxDepth` (64 by default: Azure
 * Resource Manager error bodies nest a few levels), so a value it returns is safe to walk recursively.
 *
 * @since 0.2.0
 */
import * as Either from "effect/Either"
import * as Schema from "effect/Schema"

/**
 * The nesting `parse` accepts by default: 64 levels of arrays and objects.
 *
 * @example
 * ```ts
 * import { Json } from "@effect-acs/schema"
 *
 * Json.defaultMaxDepth // 64
 * ```
 *
 * @since 0.2.0
 * @category constants
 */
export const defaultMaxDepth = 64

/**
 * Why a text was refused: not JSON at all (`Syntax`), or nested deeper than the limit (`TooDeep`). The
 * message never quotes the text.
 *
 * @example
 * ```ts
 * import { Json } from "@effect-acs/schema"
 *
 * new Json.JsonError({ reason: "TooDeep", maxDepth: 64 }).message
 * ```
 *
 * @since 0.2.0
 * @category errors
 */
export class JsonError extends Schema.TaggedError<JsonError>("@effect-acs/schema/JsonError")("JsonError", {
  reason: Schema.Literal("Syntax", "TooDeep"),
  maxDepth: Schema.Number
}) {
  /**
   * @since 0.2.0
   */
  override get message(): string {
    return this.reason === "TooDeep"
      ? `the JSON is nested deeper than ${this.maxDepth} levels`
      : "the text is not valid JSON"
  }
}

/**
 * The deepest nesting of arrays and objects in a JSON text (0 for a scalar), counted outside strings in
 * one pass; it stops counting once `limit` is passed. Malformed text gets a number too: `parse` decides.
 *
 * @example
 * ```ts
 * import { Json } from "@effect-acs/schema"
 *
 * Json.depth("{\"a\": [1, {\"b\": \"[[[\"}]}") // 3
 * ```
 *
 * @since 0.2.0
 * @category utils
 */
export const depth = (text: string, limit: number = Number.POSITIVE_INFINITY): number => {
  let current = 0
  let deepest = 0
  let inString = false
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (inString) {
      if (c === 0x5c) i++ // a backslash escapes the next character
      else if (c === 0x22) inString = false
    } else if (c === 0x22) {
      inString = true
    } else if (c === 0x5b || c === 0x7b) {
      if (++current > deepest) {
        deepest = current
        if (deepest > limit) return deepest
      }
    } else if (c === 0x5d || c === 0x7d) {
      current--
    }
  }
  return deepest
}

/**
 * Parses a JSON text whose nesting is at most `maxDepth` (default `defaultMaxDepth`).
 *
 * @example
 * ```ts
 * import { Json } from "@effect-acs/schema"
 * import * as Either from "effect/Either"
 *
 * Json.parse("{\"keyType\": \"Primary\"}") // Either.right({ keyType: "Primary" })
 * Either.isLeft(Json.parse("[".repeat(100_000) + "]".repeat(100_000))) // true: TooDeep
 * Either.isLeft(Json.parse("<html>")) // true: Syntax
 * ```
 *
 * @since 0.2.0
 * @category parsing
 */
export const parse = (
  text: string,
  options?: { readonly maxDepth?: number | undefined }
): Either.Either<unknown, JsonError> => {
  const maxDepth = options?.maxDepth ?? defaultMaxDepth
  if (depth(text, maxDepth) > maxDepth) return Either.left(new JsonError({ reason: "TooDeep", maxDepth }))
  try {
    return Either.right(JSON.parse(text))
  } catch {
    return Either.left(new JsonError({ reason: "Syntax", maxDepth }))
  }
}
