import type { Finding } from "../ContractError.js"

/** A value that is already a placeholder (`<key-1>`, `<primaryKey>`, `<redacted>`). */
const placeholder = /^<[\w:.-]*>$/

/** JSON fields whose string values are keys. */
const keyField = /^(primary|secondary)key$/i

/** JSON fields whose string values are secrets in a diff or error message. */
const secretField = /(key|secret|password|token|connectionstring|credential)$/i

/** Headers whose values are secrets. */
const secretHeaders = new Set(["authorization", "cookie", "set-cookie", "proxy-authorization", "x-ms-authorization"])

/** Header names that say their value is a secret (`x-ms-token`, `ocp-apim-subscription-key`, `api-key`). */
const secretHeaderName = /(^|-)(token|secret|password|signature|key)$/i

const isSecretHeader = (name: string) => secretHeaders.has(name) || secretHeaderName.test(name)

const accessKey = /(accesskey=)([^;\s"'&\\]+)/gi
const bearer = /(bearer\s+)([A-Za-z0-9\-._~+/]+=*)/gi
const jwt = /eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*/g
const base64Key = /(?<![A-Za-z0-9+/])[A-Za-z0-9+/]{86}==/g

/** Masks, without keeping identities, anything in a text that looks like a secret. */
export const maskText = (text: string): string =>
  text
    .replace(accessKey, (_, prefix: string, value: string) => placeholder.test(value) ? _ : `${prefix}<redacted>`)
    .replace(jwt, "<redacted>")
    .replace(bearer, (_, prefix: string, value: string) => `${prefix}${value === "<redacted>" ? value : "<redacted>"}`)
    .replace(base64Key, "<redacted>")

/** `maskText` over every string of a JSON value, and every value of a secret-named field masked whole. */
export const maskJson = (value: unknown, field?: string): unknown => {
  if (typeof value === "string") {
    return field !== undefined && secretField.test(field) && !placeholder.test(value) &&
        !/connectionstring$/i.test(field)
      ? "<redacted>"
      : maskText(value)
  }
  if (Array.isArray(value)) return value.map((item) => maskJson(item, field))
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, maskJson(item, key)]))
  }
  return value
}

const headerPlaceholder = (name: string, value: string, token: string): string => {
  if (name === "authorization" || name === "proxy-authorization" || name === "x-ms-authorization") {
    const scheme = /^(\w+)\s+\S/.exec(value)
    return scheme === null ? token : `${scheme[1]} ${token}`
  }
  return token
}

/** Masks secret headers (keeping the scheme of an Authorization header) and secrets in the others. */
export const maskHeaders = (headers: Readonly<Record<string, string>>): Record<string, string> => {
  const out: Record<string, string> = {}
  for (const [name, value] of Object.entries(headers)) {
    out[name] = isSecretHeader(name.toLowerCase())
      ? headerPlaceholder(name.toLowerCase(), value, "<redacted>")
      : maskText(value)
  }
  return out
}

/**
 * A sanitizer: replaces secrets with placeholders that keep identities, so that the same key gets the
 * same placeholder wherever it appears (as `primaryKey` and inside its connection string alike).
 */
export const makeSanitizer = () => {
  const keys = new Map<string, string>()
  const keyPlaceholder = (value: string): string => {
    if (placeholder.test(value)) return value
    let found = keys.get(value)
    if (found === undefined) {
      found = `<key-${keys.size + 1}>`
      keys.set(value, found)
    }
    return found
  }
  const text = (value: string): string =>
    value
      .replace(accessKey, (_, prefix: string, key: string) => `${prefix}${keyPlaceholder(key)}`)
      .replace(jwt, "<jwt>")
      .replace(bearer, (_, prefix: string, token: string) => `${prefix}${token === "<token>" ? token : "<token>"}`)
      .replace(base64Key, (key) => keyPlaceholder(key))
  const json = (value: unknown, field?: string): unknown => {
    if (typeof value === "string") {
      return field !== undefined && keyField.test(field) ? keyPlaceholder(value) : text(value)
    }
    if (Array.isArray(value)) return value.map((item) => json(item, field))
    if (typeof value === "object" && value !== null) {
      return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, json(item, key)]))
    }
    return value
  }
  const headers = (values: Readonly<Record<string, string>>): Record<string, string> => {
    const out: Record<string, string> = {}
    for (const [name, value] of Object.entries(values)) {
      const lower = name.toLowerCase()
      out[name] = secretHeaders.has(lower)
        ? headerPlaceholder(lower, value, lower.includes("cookie") ? "<cookie>" : "<token>")
        : secretHeaderName.test(lower) && !placeholder.test(value)
        ? "<redacted>"
        : text(value)
    }
    return out
  }
  return { text, json, headers }
}

const rules: ReadonlyArray<{ readonly kind: Finding["kind"]; readonly pattern: RegExp }> = [
  { kind: "Base64Key", pattern: /(?<![A-Za-z0-9+/])[A-Za-z0-9+/]{86}==/g },
  { kind: "AccessKey", pattern: /accesskey=(?!<)[^;\s"'&\\<]{20,}/gi },
  { kind: "BearerToken", pattern: /bearer\s+(?!<)[A-Za-z0-9\-._~+/]{20,}=*/gi },
  { kind: "Jwt", pattern: /eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*/g }
]

/**
 * Whether 88 base64 characters encode text (a claims challenge, say) rather than 64 random bytes: a
 * real key decodes to bytes that are almost never all printable.
 */
const encodesText = (base64: string): boolean =>
  [...Buffer.from(base64, "base64")].every((byte) => (byte >= 0x20 && byte < 0x7f) || byte === 0x09 || byte === 0x0a)

/** Where a text holds material that looks like a real secret: line, column (from 1) and kind, once per place. */
export const scan = (text: string): Array<{ line: number; column: number; kind: Finding["kind"] }> => {
  const found: Array<{ line: number; column: number; kind: Finding["kind"] }> = []
  const lines = text.split(/\r?\n/)
  lines.forEach((line, index) => {
    for (const rule of rules) {
      for (const match of line.matchAll(rule.pattern)) {
        if (rule.kind === "Base64Key" && encodesText(match[0])) continue
        found.push({ line: index + 1, column: (match.index ?? 0) + 1, kind: rule.kind })
      }
    }
  })
  return found.sort((a, b) => a.line - b.line || a.column - b.column)
}
