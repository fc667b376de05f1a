/**
 * The output formats of `-o`, as `az` prints them, and `--query` (JMESPath) before them. The value given is
 * already fit to print (secrets redacted unless `--show-secrets`, server text masked and bounded).
 */
import type * as JmesPath from "@jmespath-community/jmespath"
import * as Effect from "effect/Effect"
import type { Format } from "./spec.js"

/** JMESPath, loaded only when `--query` is given. */
const jmespath = Effect.promise(() => import("@jmespath-community/jmespath"))

/** Whether `expression` is a JMESPath expression: the parser's complaint (first line) otherwise. */
export const checkQuery = (expression: string): Effect.Effect<string | undefined> =>
  Effect.map(jmespath, (library) => {
    try {
      library.compile(expression)
      return undefined
    } catch (error) {
      return error instanceof Error ? error.message.split("\n")[0] : "not a JMESPath expression"
    }
  })

/** The result of `--query` on a JSON value (`null` when nothing matches, as JMESPath says). */
export const query = (value: unknown, expression: string): Effect.Effect<unknown> =>
  Effect.flatMap(jmespath, (library) =>
    Effect.try({
      try: () => library.search(value as JmesPath.JSONValue, expression),
      // a function applied to a value of the wrong type: nothing matches
      catch: () => null
    }).pipe(Effect.merge))

const isScalar = (value: unknown): value is string | number | boolean | null =>
  value === null || typeof value !== "object"

/**
 * A scalar as one cell of `tsv` or `table`: control characters (a tab or a newline would break the line
 * apart; an escape sequence would reach the terminal) become U+FFFD. Real keys and connection strings have
 * none.
 */
// eslint-disable-next-line no-control-regex
const controls = /[\u0000-\u001f\u007f-\u009f]/g

const scalarText = (value: string | number | boolean | null): string =>
  value === null
    ? ""
    : typeof value === "string"
    ? value.replace(controls, "\ufffd")
    : String(value)

/** `tsv`: a scalar as is; an object as its scalar values, tab-separated; an array, one line per element. */
const tsv = (value: unknown): string => {
  const line = (item: unknown): string =>
    isScalar(item)
      ? scalarText(item)
      : Array.isArray(item)
      ? item.filter(isScalar).map(scalarText).join("\t")
      : Object.values(item as Record<string, unknown>).filter(isScalar).map(scalarText).join("\t")
  const lines = Array.isArray(value) ? value.map(line) : [line(value)]
  return lines.map((l) => `${l}\n`).join("")
}

/** az's column title: `primaryKey` as `PrimaryKey`. */
const title = (key: string) => key.charAt(0).toUpperCase() + key.slice(1)

/** `table`: a header of the scalar fields, a rule, then a row per object (one for an object, per element else). */
const table = (value: unknown): string => {
  const rows: Array<Record<string, unknown>> = (Array.isArray(value) ? value : [value]).map((item) =>
    isScalar(item) || Array.isArray(item) ? { Result: item } : item as Record<string, unknown>
  )
  const columns = [...new Set(rows.flatMap((row) => Object.keys(row).filter((key) => isScalar(row[key]))))]
  if (columns.length === 0) return ""
  const cells = rows.map((row) => columns.map((column) => scalarText((row[column] ?? null) as never)))
  const widths = columns.map((column, i) => Math.max(title(column).length, ...cells.map((row) => row[i]!.length)))
  const line = (values: ReadonlyArray<string>) => values.map((v, i) => v.padEnd(widths[i]!)).join("  ").trimEnd()
  return [line(columns.map(title)), line(widths.map((w) => "-".repeat(w))), ...cells.map(line)].map((l) => `${l}\n`)
    .join("")
}

/** `jsonc`: JSON with its keys and strings coloured, as az's; plain JSON when colours are off. */
const jsonc = (value: unknown, color: boolean): string => {
  const text = JSON.stringify(value, null, 2) ?? "null"
  if (!color) return text
  return text.replace(
    /("(?:[^"\\]|\\.)*")(\s*:)?|\b(true|false|null)\b|(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)/g,
    (match, string: string | undefined, colon: string | undefined) =>
      string !== undefined
        ? colon !== undefined ? `\x1b[94m${string}\x1b[0m${colon}` : `\x1b[32m${string}\x1b[0m`
        : `\x1b[36m${match}\x1b[0m`
  )
}

/** The text `-o format` prints for a value (nothing for `none`). */
export const render = (format: Format, value: unknown, color: boolean): Effect.Effect<string> => {
  switch (format) {
    case "none":
      return Effect.succeed("")
    case "json":
      return Effect.succeed(`${JSON.stringify(value, null, 2) ?? "null"}\n`)
    case "jsonc":
      return Effect.succeed(`${jsonc(value, color)}\n`)
    case "tsv":
      return Effect.succeed(tsv(value))
    case "table":
      return Effect.succeed(table(value))
    case "yaml":
      // loaded only for -o yaml
      return Effect.promise(() => import("yaml")).pipe(
        Effect.map((yaml) => yaml.stringify(value ?? null, { lineWidth: 0 }))
      )
  }
}
