import * as Redaction from "@effect-acs/core/Redaction"
import * as Json from "@effect-acs/schema/Json"
import * as Either from "effect/Either"
import type * as Interaction from "../Interaction.js"
import { operationOf } from "./arm.js"
import { depthOf } from "./load.js"
import { maskHeaders, maskJson } from "./secrets.js"

/** A request as the replay received it: everything the matcher compares. */
export interface Live {
  readonly method: string
  readonly url: URL
  readonly headers: Readonly<Record<string, string>>
  readonly text: string
  /** Masks a text for the diff: every secret, and the credential this request carried in any form. */
  readonly mask: (text: string) => string
}

/** One differing aspect of a request, as a line of the diff. */
export interface Difference {
  readonly aspect: "method" | "url" | "path" | "query" | "content-type" | "body" | "authorization"
  readonly line: string
}

const show = (mask: (text: string) => string, value: unknown, limit = 80): string => {
  // a value built in code may nest deeper than anything a loader accepts: it is not written out
  if (depthOf(value, Json.defaultMaxDepth) > Json.defaultMaxDepth) {
    return `a JSON value nested deeper than ${Json.defaultMaxDepth} levels`
  }
  const text = value === undefined ? "nothing" : JSON.stringify(maskJson(value, mask)) ?? String(value)
  return text.length > limit ? `${text.slice(0, limit - 1)}…` : text
}

const showText = (mask: (text: string) => string, text: string, limit = 80): string => {
  const masked = JSON.stringify(mask(text))
  return masked.length > limit ? `${masked.slice(0, limit - 1)}…` : masked
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value)

/** How a request is compared with an interaction: exactly, or as Azure Resource Manager would tell them apart. */
export type Matching = "strict" | "arm"

/**
 * Whether a recorded value is a sanitizer's placeholder standing where a real value was (`Sanitized`, the
 * zero UUID, `**`, `<key-1>`, 86 `x` and `==`): in `arm` matching it matches any value. Placeholders of
 * one character (`x`, `1`) would match too much, so they are values.
 */
const isWildcard = (value: string): boolean => value.length >= 2 && Redaction.isPlaceholder(value)

/** How many JSON nodes a comparison visits at most: a hostile body costs bounded time. */
const maxVisited = 100_000

/**
 * Where two JSON values differ, as `at path: expected X, got Y` lines (values masked), at most `limit`
 * lines. Object key order does not matter, array order does; in `arm` matching a recorded placeholder
 * string matches any string. Iterative, with a bounded number of nodes visited: a deep or huge body costs
 * neither the stack nor unbounded time.
 */
const jsonDifferences = (
  mask: (text: string) => string,
  matching: Matching,
  expected: unknown,
  actual: unknown,
  limit: number
): Array<string> => {
  type Task = { readonly line: string } | {
    readonly expected: unknown
    readonly actual: unknown
    readonly path: string
  }
  const out: Array<string> = []
  const stack: Array<Task> = [{ expected, actual, path: "" }]
  let visited = 0
  while (stack.length > 0 && out.length < limit) {
    const task = stack.pop()!
    if ("line" in task) {
      out.push(task.line)
      continue
    }
    if (++visited > maxVisited) {
      out.push(`at ${task.path === "" ? "(root)" : task.path}: more than ${maxVisited} values to compare`)
      break
    }
    const { actual, expected, path } = task
    if (expected === actual) continue
    if (matching === "arm" && typeof expected === "string" && typeof actual === "string" && isWildcard(expected)) {
      continue
    }
    const at = path === "" ? "(root)" : path
    if (Array.isArray(expected) && Array.isArray(actual) && expected.length === actual.length) {
      for (let i = expected.length - 1; i >= 0; i--) {
        stack.push({ expected: expected[i], actual: actual[i], path: `${path}[${i}]` })
      }
      continue
    }
    if (isRecord(expected) && isRecord(actual)) {
      const tasks: Array<Task> = []
      for (const key of Object.keys(expected)) {
        const sub = path === "" ? key : `${path}.${key}`
        tasks.push(
          key in actual
            ? { expected: expected[key], actual: actual[key], path: sub }
            : { line: `at ${sub}: expected ${show(mask, expected[key])}, got nothing` }
        )
      }
      for (const key of Object.keys(actual)) {
        if (!(key in expected)) {
          tasks.push({ line: `at ${path === "" ? key : `${path}.${key}`}: unexpected ${show(mask, actual[key])}` })
        }
      }
      for (let i = tasks.length - 1; i >= 0; i--) stack.push(tasks[i]!)
      continue
    }
    out.push(`at ${at}: expected ${show(mask, expected)}, got ${show(mask, actual)}`)
  }
  return out
}

/** The segments of a path, percent-decoded (a malformed escape is kept as is), without a trailing `/`. */
const segments = (pathname: string): Array<string> =>
  pathname.replace(/\/+$/, "").split("/").map((segment) => {
    try {
      return decodeURIComponent(segment)
    } catch {
      return segment
    }
  })

/** ARM's path equality: segment by segment, in any letter case, a recorded placeholder matching any segment. */
const armPathEquals = (expected: string, actual: string): boolean => {
  const left = segments(expected)
  const right = segments(actual)
  return left.length === right.length &&
    left.every((segment, i) => isWildcard(segment) || segment.toLowerCase() === right[i]!.toLowerCase())
}

/** ARM's query equality: a set of parameters (names in any letter case), a recorded placeholder matching any value. */
const armQueryEquals = (expected: URLSearchParams, actual: URLSearchParams): boolean => {
  const set = (search: URLSearchParams) => {
    const out = new Map<string, Set<string>>()
    for (const [name, value] of search) {
      const values = out.get(name.toLowerCase()) ?? new Set<string>()
      values.add(value)
      out.set(name.toLowerCase(), values)
    }
    return out
  }
  const left = set(expected)
  const right = set(actual)
  if (left.size !== right.size) return false
  for (const [name, values] of left) {
    const other = right.get(name)
    if (other === undefined || other.size !== values.size) return false
    for (const value of values) {
      if (!other.has(value) && !(isWildcard(value) && other.size === 1)) return false
    }
  }
  return true
}

/** A live body parsed as JSON, depth-safely; `undefined` when it is none or not JSON. */
const parseBody = (text: string): { readonly value: unknown } | undefined => {
  if (text === "") return undefined
  const parsed = Json.parse(text)
  return Either.isRight(parsed) ? { value: parsed.right } : undefined
}

const mediaType = (value: string | undefined): string | undefined =>
  value === undefined ? undefined : value.split(";")[0]!.trim().toLowerCase()

const queryPairs = (search: URLSearchParams): Array<string> => [...search.entries()].map(([k, v]) => `${k}=${v}`).sort()

const showQuery = (mask: (text: string) => string, pairs: ReadonlyArray<string>): string =>
  pairs.length === 0 ? "(none)" : mask(pairs.join("&"))

/** The ways a live request differs from an interaction's request; empty when it matches. */
export const compare = (
  expected: Interaction.Request,
  live: Live,
  matching: Matching = "strict"
): Array<Difference> => {
  const arm = matching === "arm"
  const differences: Array<Difference> = []
  const url = new URL(expected.url)
  if (expected.method.toUpperCase() !== live.method.toUpperCase()) {
    differences.push({ aspect: "method", line: `method: expected ${expected.method}, got ${live.method}` })
  }
  if (url.origin !== live.url.origin) {
    differences.push({ aspect: "url", line: `origin: expected ${url.origin}, got ${live.url.origin}` })
  }
  if (arm ? !armPathEquals(url.pathname, live.url.pathname) : url.pathname !== live.url.pathname) {
    differences.push({
      aspect: "path",
      line: `path:\n    expected ${live.mask(url.pathname)}\n    got      ${live.mask(live.url.pathname)}`
    })
  }
  const expectedQuery = queryPairs(url.searchParams)
  const liveQuery = queryPairs(live.url.searchParams)
  if (
    arm ? !armQueryEquals(url.searchParams, live.url.searchParams) : expectedQuery.join("&") !== liveQuery.join("&")
  ) {
    differences.push({
      aspect: "query",
      line: `query: expected ${showQuery(live.mask, expectedQuery)}, got ${showQuery(live.mask, liveQuery)}`
    })
  }
  // in ARM matching a recorded text body that is JSON is JSON, no body is the same as a blank one, and
  // List Keys, which takes no body, ignores an empty object too
  const listKeys = arm && operationOf(expected.method, expected.url) === "listKeys"
  const recorded = arm && expected.body?._tag === "Text" ? armBody(expected.body.text) : expected.body
  const body = listKeys && isEmptyObject(recorded) ? undefined : recorded
  const liveText = listKeys && isEmptyObject(armBody(live.text)) ? "" : live.text
  const expectedType = mediaType(
    expected.headers["content-type"] ?? (expected.body?._tag === "Json" ? "application/json" : undefined)
  )
  const liveType = mediaType(live.headers["content-type"])
  const typeDiffers = arm
    ? body !== undefined && expectedType !== undefined && !sameMediaType(expectedType, liveType)
    : expectedType !== undefined && expectedType !== liveType
  if (typeDiffers) {
    differences.push({
      aspect: "content-type",
      line: `content-type: expected ${expectedType ?? "none"}, got ${liveType ?? "none"}`
    })
  }
  if (body === undefined) {
    if (liveText !== "" && !(arm && liveText.trim() === "")) {
      differences.push({ aspect: "body", line: `body: expected none, got ${showText(live.mask, live.text)}` })
    }
  } else if (body._tag === "Text") {
    if (body.text !== live.text) {
      differences.push({
        aspect: "body",
        line: `body: expected ${showText(live.mask, body.text)}, got ${showText(live.mask, live.text)}`
      })
    }
  } else {
    const parsed = parseBody(live.text)
    if (parsed === undefined) {
      differences.push({
        aspect: "body",
        line: `body: expected JSON ${show(live.mask, body.value)}, got ${
          live.text === "" ? "none" : showText(live.mask, live.text)
        }`
      })
    } else {
      const lines = jsonDifferences(live.mask, matching, body.value, parsed.value, 10)
      if (lines.length > 0) {
        differences.push({ aspect: "body", line: `body:\n${lines.map((line) => `    ${line}`).join("\n")}` })
      }
    }
  }
  const authorization = live.headers["authorization"]
  if (authorization === undefined || !/^bearer\s+\S+/i.test(authorization)) {
    differences.push({
      aspect: "authorization",
      line: `authorization: expected a bearer token, got ${
        authorization === undefined ? "none" : maskHeaders({ authorization }, live.mask).authorization
      }`
    })
  }
  return differences
}

const isEmptyObject = (body: Interaction.Body | undefined): boolean =>
  body?._tag === "Json" && isRecord(body.value) && Object.keys(body.value).length === 0

/** A recorded text body as ARM matching reads it: JSON when it parses, none when it is blank. */
const armBody = (text: string): Interaction.Body | undefined => {
  if (text.trim() === "") return undefined
  const parsed = parseBody(text)
  return parsed === undefined ? { _tag: "Text", text } : { _tag: "Json", value: parsed.value }
}

/** Media types ARM reads alike: the same, or both JSON (`application/json`, `text/json`, `...+json`). */
const sameMediaType = (expected: string, actual: string | undefined): boolean => {
  const isJson = (type: string | undefined) => type !== undefined && /(^|[/+])json$/.test(type)
  return expected === actual || (isJson(expected) && isJson(actual))
}

/** The diff shown for a mismatch: each differing aspect, then the request's headers (masked). */
export const render = (differences: ReadonlyArray<Difference>, live: Live, note?: string): string => {
  const headers = maskHeaders(live.headers, live.mask)
  const headerLines = Object.keys(headers).sort().map((name) => `    ${name}: ${headers[name]}`)
  return [
    ...(note === undefined ? [] : [`  ${note}`]),
    ...differences.map((d) => `  ${d.line}`),
    "  request headers:",
    ...headerLines
  ].join("\n")
}
