import type * as Interaction from "../Interaction.js"
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
  const text = value === undefined ? "nothing" : JSON.stringify(maskJson(value, mask)) ?? String(value)
  return text.length > limit ? `${text.slice(0, limit - 1)}…` : text
}

const showText = (mask: (text: string) => string, text: string, limit = 80): string => {
  const masked = JSON.stringify(mask(text))
  return masked.length > limit ? `${masked.slice(0, limit - 1)}…` : masked
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value)

/** Structural equality of JSON values: object key order does not matter, array order does. */
const jsonEquals = (a: unknown, b: unknown): boolean => {
  if (a === b) return true
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((x, i) => jsonEquals(x, b[i]))
  if (isRecord(a)) {
    if (!isRecord(b)) return false
    const keys = Object.keys(a)
    return keys.length === Object.keys(b).length && keys.every((k) => k in b && jsonEquals(a[k], b[k]))
  }
  return false
}

/** Where two JSON values differ, as `at path: expected X, got Y` lines (values masked). */
const jsonDifferences = (
  mask: (text: string) => string,
  expected: unknown,
  actual: unknown,
  path: string,
  out: Array<string>
): void => {
  if (out.length >= 10 || jsonEquals(expected, actual)) return
  const at = path === "" ? "(root)" : path
  if (Array.isArray(expected) && Array.isArray(actual) && expected.length === actual.length) {
    expected.forEach((item, i) => jsonDifferences(mask, item, actual[i], `${path}[${i}]`, out))
    return
  }
  if (isRecord(expected) && isRecord(actual)) {
    for (const key of Object.keys(expected)) {
      const sub = path === "" ? key : `${path}.${key}`
      if (!(key in actual)) out.push(`at ${sub}: expected ${show(mask, expected[key])}, got nothing`)
      else jsonDifferences(mask, expected[key], actual[key], sub, out)
    }
    for (const key of Object.keys(actual)) {
      if (!(key in expected)) {
        out.push(`at ${path === "" ? key : `${path}.${key}`}: unexpected ${show(mask, actual[key])}`)
      }
    }
    return
  }
  out.push(`at ${at}: expected ${show(mask, expected)}, got ${show(mask, actual)}`)
}

const mediaType = (value: string | undefined): string | undefined =>
  value === undefined ? undefined : value.split(";")[0]!.trim().toLowerCase()

const queryPairs = (search: URLSearchParams): Array<string> => [...search.entries()].map(([k, v]) => `${k}=${v}`).sort()

const showQuery = (mask: (text: string) => string, pairs: ReadonlyArray<string>): string =>
  pairs.length === 0 ? "(none)" : mask(pairs.join("&"))

/** The ways a live request differs from an interaction's request; empty when it matches. */
export const compare = (expected: Interaction.Request, live: Live): Array<Difference> => {
  const differences: Array<Difference> = []
  const url = new URL(expected.url)
  if (expected.method.toUpperCase() !== live.method.toUpperCase()) {
    differences.push({ aspect: "method", line: `method: expected ${expected.method}, got ${live.method}` })
  }
  if (url.origin !== live.url.origin) {
    differences.push({ aspect: "url", line: `origin: expected ${url.origin}, got ${live.url.origin}` })
  }
  if (url.pathname !== live.url.pathname) {
    differences.push({
      aspect: "path",
      line: `path:\n    expected ${live.mask(url.pathname)}\n    got      ${live.mask(live.url.pathname)}`
    })
  }
  const expectedQuery = queryPairs(url.searchParams)
  const liveQuery = queryPairs(live.url.searchParams)
  if (expectedQuery.join("&") !== liveQuery.join("&")) {
    differences.push({
      aspect: "query",
      line: `query: expected ${showQuery(live.mask, expectedQuery)}, got ${showQuery(live.mask, liveQuery)}`
    })
  }
  const expectedType = mediaType(
    expected.headers["content-type"] ?? (expected.body?._tag === "Json" ? "application/json" : undefined)
  )
  const liveType = mediaType(live.headers["content-type"])
  if (expectedType !== undefined && expectedType !== liveType) {
    differences.push({
      aspect: "content-type",
      line: `content-type: expected ${expectedType ?? "none"}, got ${liveType ?? "none"}`
    })
  }
  const body = expected.body
  if (body === undefined) {
    if (live.text !== "") {
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
    let parsed: { value: unknown } | undefined
    try {
      parsed = live.text === "" ? undefined : { value: JSON.parse(live.text) }
    } catch {
      parsed = undefined
    }
    if (parsed === undefined) {
      differences.push({
        aspect: "body",
        line: `body: expected JSON ${show(live.mask, body.value)}, got ${
          live.text === "" ? "none" : showText(live.mask, live.text)
        }`
      })
    } else if (!jsonEquals(body.value, parsed.value)) {
      const lines: Array<string> = []
      jsonDifferences(live.mask, body.value, parsed.value, "", lines)
      differences.push({ aspect: "body", line: `body:\n${lines.map((line) => `    ${line}`).join("\n")}` })
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
