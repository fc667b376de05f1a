import type * as Headers from "@effect/platform/Headers"

/**
 * The wait a response asks for, in milliseconds: `retry-after-ms`, then `x-ms-retry-after-ms`, then
 * `Retry-After` as seconds or as an HTTP date (a date in the past means now). `undefined` when none is
 * present or none parses.
 */
export const retryAfterMillis = (headers: Headers.Headers, now: number): number | undefined => {
  for (const name of ["retry-after-ms", "x-ms-retry-after-ms"]) {
    const value = headers[name]
    if (value !== undefined && /^\s*\d+(\.\d+)?\s*$/.test(value)) return Math.ceil(Number(value))
  }
  const value = headers["retry-after"]?.trim()
  if (value === undefined || value === "") return undefined
  if (/^\d+(\.\d+)?$/.test(value)) return Math.ceil(Number(value) * 1000)
  const date = Date.parse(value)
  return Number.isNaN(date) ? undefined : Math.max(0, date - now)
}

/** `x-ms-ratelimit-remaining-subscription-writes`, when present and a whole number. */
export const remainingWrites = (headers: Headers.Headers): number | undefined => {
  const value = headers["x-ms-ratelimit-remaining-subscription-writes"]
  return value !== undefined && /^\s*\d+\s*$/.test(value) ? Number(value) : undefined
}

/**
 * The `claims` of a `WWW-Authenticate: Bearer ... claims="<base64>"` challenge, decoded from base64, or
 * `undefined` when the header carries none.
 */
export const claimsChallenge = (headers: Headers.Headers): string | undefined => {
  const header = headers["www-authenticate"]
  if (header === undefined) return undefined
  const match = /\bclaims="([^"]*)"/i.exec(header)
  if (match === null || match[1] === "") return undefined
  try {
    const decoded = Buffer.from(match[1]!, "base64").toString("utf8")
    return decoded === "" ? undefined : decoded
  } catch {
    return undefined
  }
}
