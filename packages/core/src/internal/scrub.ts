/**
 * Masks anything in server- or library-provided text that looks like a secret: connection-string access
 * keys, bearer tokens, JWTs and 88-character base64 keys. Applied to every string an error carries that
 * this library did not write itself.
 *
 * @internal
 */
export const scrub = (text: string): string =>
  text
    .replace(/(accesskey=)[^;\s"'&]+/gi, "$1<redacted>")
    .replace(/(bearer\s+)[A-Za-z0-9\-._~+/]+=*/gi, "$1<redacted>")
    .replace(/eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*/g, "<redacted>")
    .replace(/[A-Za-z0-9+/]{86}==/g, "<redacted>")

/** `scrub` applied to every string inside a parsed JSON value (keys and values alike). */
export const scrubJson = (value: unknown): unknown => {
  if (typeof value === "string") return scrub(value)
  if (Array.isArray(value)) return value.map(scrubJson)
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([key, field]) => [scrub(key), scrubJson(field)]))
  }
  return value
}
