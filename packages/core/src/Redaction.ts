/**
 * Finding and masking secrets in text nobody vouches for: the one place that knows what a secret looks like.
 *
 * The client runs every byte a server sends (error fields, every response header, transport error
 * messages) through it before the text reaches an error, a log or a span; the CLI runs what it prints;
 * the contract-tests sanitizer and scanner use the same patterns. It recognises:
 *
 * - access keys: a run of 32 or more base64 or base64url characters (padded or not, `+ / =` also
 *   percent-encoded, twice over too, JSON-escaped or HTML entities) that looks random (mixed character
 *   classes and a high entropy);
 * - key material in hex (96 hex digits or more);
 * - connection strings' `accesskey=` values and other secret-named parameters (`signature=`, `sig=`,
 *   `client_secret=`, `password=`, `access_token=`, ...), quoted or not, also percent-encoded (`accesskey%3D`);
 * - JWTs, and the credential of an `Authorization`-style value (`Bearer ...`, `Basic ...`, `SharedKey ...`);
 * - any value the caller knows to be secret (the token it sent), as is, percent-encoded or base64url.
 *
 * Placeholders that recorders write (`<key-1>`, `Sanitized`, `***`, 86 `x` and `==`, the zero UUID) are
 * recognised as such by `isPlaceholder` and are never findings.
 *
 * Every pattern is linear in the length of the text, so a hostile megabyte costs a few milliseconds.
 *
 * @since 0.2.0
 */
import * as Redacted from "effect/Redacted"

/**
 * What kind of secret a match is.
 *
 * @example
 * ```ts
 * import type { Redaction } from "@effect-acs/core"
 *
 * const kind: Redaction.Kind = "AccessKey"
 * ```
 *
 * @since 0.2.0
 * @category models
 */
export type Kind = "AccessKey" | "SecretParameter" | "Jwt" | "Credential" | "Known"

/**
 * One secret found in a text: its kind, and where it stands (`start` inclusive, `end` exclusive). For
 * `SecretParameter` and `Credential` the span is the value only: the name (`accesskey=`, `Bearer `) stays.
 *
 * @example
 * ```ts
 * import { Redaction } from "@effect-acs/core"
 *
 * const [match] = Redaction.matches("endpoint=https://x/;accesskey=c2VjcmV0LXNlY3JldC1zZWNyZXQ=")
 * match?.kind // "SecretParameter"
 * ```
 *
 * @since 0.2.0
 * @category models
 */
export interface Match {
  readonly kind: Kind
  readonly start: number
  readonly end: number
  readonly value: string
}

/**
 * The text that replaces a secret in masked text.
 *
 * @example
 * ```ts
 * import { Redaction } from "@effect-acs/core"
 *
 * Redaction.mask("Bearer abc.def.ghi-jkl") // "Bearer <redacted>"
 * Redaction.redacted // "<redacted>"
 * ```
 *
 * @since 0.2.0
 * @category constants
 */
export const redacted = "<redacted>"

// ---------------------------------------------------------------------------------------------------------------
// placeholders
// ---------------------------------------------------------------------------------------------------------------

const placeholderPatterns: ReadonlyArray<RegExp> = [
  /^<[^<>\s]{0,64}>$/, // <key-1>, <primaryKey>, <redacted>, <token>
  /^\{\{?[^{}\s]{0,64}\}?\}$/, // {{key}}, {key}
  /^\$\{?[A-Z_][A-Z0-9_]*\}?$/, // $KEY, ${ACS_KEY}: upper case, as environment variables are
  /^(sanitized|redacted|removed|masked|hidden|fake|dummy|placeholder|xxx+)$/i,
  /^\*+$/, // **, ***
  /^0{8}-0{4}-0{4}-0{4}-0{12}$/, // the zero UUID the test proxy writes
  /^(.)\1*(==?)?$/ // one character repeated (86 `x` and `==`, as other tools mask keys)
]

/**
 * Whether a value is a placeholder a sanitizer wrote rather than a real secret: `<key-1>`, `<redacted>`,
 * `Sanitized`, `REDACTED`, `***`, `{{key}}`, `$KEY`, the zero UUID, or one character repeated (the 86 `x`
 * and `==` that Azure's recorders put where a key was). Ordinary words (`Secret`, `none`) are not.
 *
 * @example
 * ```ts
 * import { Redaction } from "@effect-acs/core"
 *
 * Redaction.isPlaceholder("Sanitized") // true
 * Redaction.isPlaceholder("x".repeat(86) + "==") // true
 * Redaction.isPlaceholder("c2VjcmV0") // false
 * ```
 *
 * @since 0.2.0
 * @category predicates
 */
export const isPlaceholder = (value: string): boolean =>
  value.length <= 128 && placeholderPatterns.some((pattern) => pattern.test(value))

// ---------------------------------------------------------------------------------------------------------------
// shapes
// ---------------------------------------------------------------------------------------------------------------

/** Shannon entropy in bits per character. */
const entropy = (text: string): number => {
  const counts = new Map<string, number>()
  for (const c of text) counts.set(c, (counts.get(c) ?? 0) + 1)
  let bits = 0
  for (const count of counts.values()) {
    const p = count / text.length
    bits -= p * Math.log2(p)
  }
  return bits
}

/**
 * The characters of a key run once its escapes are read as what they stand for: percent-encoding (also
 * twice over), JSON's `\/` and `\u002B`, HTML's `&#43;`.
 */
const unescapeRun = (run: string): string =>
  run.replace(/%(?:25)?2[Bb]|\\u002[Bb]|&#(?:43|x2[Bb]);/g, "+")
    .replace(/%(?:25)?2[Ff]|\\u002[Ff]|&#(?:47|x2[Ff]);|\\\//g, "/")
    .replace(/%(?:25)?3[Dd]|\\u003[Dd]|&#(?:61|x3[Dd]);/g, "=")

/**
 * Whether a run of base64 characters looks like random key material: 32 characters or more, at least
 * two of upper case, lower case and digits, and an entropy close to that of random bytes (identifiers
 * and words fall well short of it).
 */
const looksRandom = (run: string): boolean => {
  const body = unescapeRun(run).replace(/=+$/, "")
  if (body.length < 32) return false
  const classes = Number(/[a-z]/.test(body)) + Number(/[A-Z]/.test(body)) + Number(/\d/.test(body))
  if (classes < 2) return false
  return entropy(body) >= 0.8 * Math.log2(Math.min(body.length, 64))
}

/** A maximal run of base64 / base64url characters, `+ / =` also escaped (see `unescapeRun`). */
const keyRun =
  /(?:[A-Za-z0-9_\-+/]|%(?:25)?2[BbFf]|\\u002[BbFf]|&#(?:43|47|x2[BbFf]);|\\\/)+(?:=|%(?:25)?3[Dd]|\\u003[Dd]|&#(?:61|x3[Dd]);){0,2}/g

/** Hex runs long enough to be key material (a 64-byte key is 128 hex digits; a SHA-256 digest, 64, is kept). */
const hexRun = /(?<![0-9A-Fa-f])[0-9A-Fa-f]{96,}(?![0-9A-Fa-f])/g

const secretNames = "accesskey|sharedaccesskey|accountkey|primarykey|secondarykey|signature|sig|" +
  "client_secret|clientsecret|password|passwd|pwd|access_token|refresh_token|id_token|apikey|api_key|" +
  "api-key|secret|token"

/** `name=value` (or `name%3Dvalue`, or `name: value`) for a secret-named parameter; group 2 is the value. */
const secretParameter = new RegExp(
  `(?<![A-Za-z0-9_])((?:${secretNames})(?:\\s*[=:]\\s*["']?|%3[Dd]))([^;&\\s"'<>,}\\]\\\\]+)`,
  "gi"
)

/** A credential after its scheme; group 2 is the credential. */
const credential = /(?<![A-Za-z0-9_])((?:bearer|basic|sharedkey|hmac-sha256|pop)\s+)([A-Za-z0-9\-._~+/:=%]+)/gi

/** A JWT (or a JWS / JWE in compact form): base64url segments separated by dots, the first a JSON header. */
const jwt = /(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{2,}(?:\.[A-Za-z0-9_-]*){1,4}/g

const push = (found: Array<Match>, kind: Kind, start: number, value: string) => {
  if (value.length > 0) found.push({ kind, start, end: start + value.length, value })
}

/** Each secret-looking span, overlapping spans merged (the first kind found wins). */
const collect = (text: string, known: ReadonlyArray<string>): Array<Match> => {
  const found: Array<Match> = []
  for (const value of known) {
    for (let at = text.indexOf(value); at !== -1; at = text.indexOf(value, at + value.length)) {
      push(found, "Known", at, value)
    }
  }
  for (const match of text.matchAll(secretParameter)) {
    push(found, "SecretParameter", match.index + match[1]!.length, match[2]!)
  }
  for (const match of text.matchAll(credential)) {
    const value = match[2]!
    // `Bearer error="invalid_token"` (a challenge) carries parameters, not a credential; "Bearer token
    // expired" or "Basic authentication" carry a word
    const word =
      /^(?:token|tokens|authentication|authorization|auth|scheme|credentials?|is|was|required|expired|invalid|missing|header)$/i
        .test(value)
    if (!word && !/^[a-z_]+=/i.test(value)) push(found, "Credential", match.index + match[1]!.length, value)
  }
  for (const match of text.matchAll(jwt)) push(found, "Jwt", match.index, match[0])
  for (const match of text.matchAll(keyRun)) {
    if (looksRandom(match[0])) push(found, "AccessKey", match.index, match[0])
  }
  for (const match of text.matchAll(hexRun)) push(found, "AccessKey", match.index, match[0])
  found.sort((a, b) => a.start - b.start || b.end - a.end)
  const merged: Array<Match> = []
  for (const match of found) {
    const last = merged.at(-1)
    if (last !== undefined && match.start < last.end) {
      if (match.end > last.end) {
        merged[merged.length - 1] = { ...last, end: match.end, value: text.slice(last.start, match.end) }
      }
    } else {
      merged.push(match)
    }
  }
  return merged
}

/** A known secret, and the forms it takes on the wire: percent-encoded, base64url, unpadded, upper or lower case. */
const knownForms = (secrets: Iterable<string | Redacted.Redacted<string>>): Array<string> => {
  const forms = new Set<string>()
  for (const secret of secrets) {
    const value = Redacted.isRedacted(secret) ? Redacted.value(secret) : secret
    // too short a value cannot be masked without masking ordinary words
    if (value.length < 8) continue
    const unpadded = value.replace(/=+$/, "")
    for (
      const form of [
        value,
        encodeURIComponent(value),
        unpadded,
        unpadded.replace(/\+/g, "-").replace(/\//g, "_"),
        JSON.stringify(value).slice(1, -1),
        // echoed in another letter case (a server that upper-cases what it quotes) it is still the secret
        value.toUpperCase(),
        value.toLowerCase()
      ]
    ) {
      if (form.length >= 8) forms.add(form)
    }
  }
  // the longest first: a form that contains another is masked whole
  return [...forms].sort((a, b) => b.length - a.length)
}

// ---------------------------------------------------------------------------------------------------------------
// the API
// ---------------------------------------------------------------------------------------------------------------

const secretsIn = (text: string, forms: ReadonlyArray<string>): Array<Match> =>
  collect(text, forms).filter((match) => match.kind === "Known" || !isPlaceholder(match.value))

const replaceIn = (text: string, found: ReadonlyArray<Match>, replacement: (match: Match) => string): string => {
  if (found.length === 0) return text
  let out = ""
  let at = 0
  for (const match of found) {
    out += text.slice(at, match.start) + replacement(match)
    at = match.end
  }
  return out + text.slice(at)
}

const toRedacted = () => redacted

/**
 * Every secret in a text, in order, overlapping matches merged; `known` adds values to find exactly (as
 * they are, percent-encoded, base64url or unpadded). Placeholders are not matches.
 *
 * @example
 * ```ts
 * import { Redaction } from "@effect-acs/core"
 *
 * Redaction.matches("Bearer <token>") // []
 * Redaction.matches("your token sk-live-1234567890 was refused", ["sk-live-1234567890"])[0]?.kind // "Known"
 * ```
 *
 * @since 0.2.0
 * @category finding
 */
export const matches = (
  text: string,
  known: Iterable<string | Redacted.Redacted<string>> = []
): ReadonlyArray<Match> => secretsIn(text, knownForms(known))

/**
 * Replaces every secret of a text (see `matches`) with what `replacement` returns for it: the building
 * block of sanitizers that keep identities (`<key-1>`, `<key-2>`).
 *
 * @example
 * ```ts
 * import { Redaction } from "@effect-acs/core"
 *
 * Redaction.replace("sig=c2lnbmF0dXJlLXNpZ25hdHVyZQ", (match) => `<${match.kind}>`) // "sig=<SecretParameter>"
 * ```
 *
 * @since 0.2.0
 * @category masking
 */
export const replace = (
  text: string,
  replacement: (match: Match) => string,
  known: Iterable<string | Redacted.Redacted<string>> = []
): string => replaceIn(text, matches(text, known), replacement)

/**
 * Masks every secret of a text with `<redacted>`.
 *
 * @example
 * ```ts
 * import { Redaction } from "@effect-acs/core"
 *
 * Redaction.mask("endpoint=https://acs.example/;accesskey=abcdefgh") // "endpoint=https://acs.example/;accesskey=<redacted>"
 * ```
 *
 * @since 0.2.0
 * @category masking
 */
export const mask = (text: string, known: Iterable<string | Redacted.Redacted<string>> = []): string =>
  replace(text, toRedacted, known)

/**
 * A masker with secrets of its own (the token a request carried): `masker([token])(text)` is
 * `mask(text, [token])`, with the known values' forms computed once.
 *
 * @example
 * ```ts
 * import { Redaction } from "@effect-acs/core"
 * import * as Redacted from "effect/Redacted"
 *
 * const maskToken = Redaction.masker([Redacted.make("the-callers-token")])
 * maskToken("the token the-callers-token is expired") // "the token <redacted> is expired"
 * ```
 *
 * @since 0.2.0
 * @category masking
 */
export const masker = (known: Iterable<string | Redacted.Redacted<string>>): (text: string) => string => {
  const forms = knownForms(known)
  return (text) => replaceIn(text, secretsIn(text, forms), toRedacted)
}

const secretHeaders = new Set([
  "authorization",
  "proxy-authorization",
  "x-ms-authorization",
  "x-ms-authorization-auxiliary",
  "cookie",
  "set-cookie",
  "x-functions-key",
  "ocp-apim-subscription-key"
])

const secretHeaderName = /(?:^|-)(?:token|secret|password|signature|key|credential|auth)$/i

/**
 * Whether a header's value is a secret by its name alone (`authorization`, `cookie`, `set-cookie`,
 * `x-ms-authorization-auxiliary`, `ocp-apim-subscription-key`, and any name ending in `-token`, `-secret`,
 * `-key`, `-signature`, `-password`, `-credential` or `-auth`).
 *
 * @example
 * ```ts
 * import { Redaction } from "@effect-acs/core"
 *
 * Redaction.isSecretHeader("Authorization") // true
 * Redaction.isSecretHeader("x-ms-request-id") // false
 * ```
 *
 * @since 0.2.0
 * @category predicates
 */
export const isSecretHeader = (name: string): boolean => {
  const lower = name.toLowerCase()
  return secretHeaders.has(lower) || secretHeaderName.test(lower)
}

// eslint-disable-next-line no-control-regex
const hiddenOrControl = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2028\u2029\u2066-\u2069\ufeff]/g

/**
 * The longest text `untrusted` keeps; what is longer is cut, with `…` at the end.
 *
 * @example
 * ```ts
 * import { Redaction } from "@effect-acs/core"
 *
 * Redaction.maxUntrustedLength // 2048
 * ```
 *
 * @since 0.2.0
 * @category constants
 */
export const maxUntrustedLength = 2048

/**
 * Makes text that a server sent fit to show: secrets masked (also `known` ones), control characters
 * (line breaks, terminal escapes, NUL) replaced by a space, and cut to `maxLength` (default
 * `maxUntrustedLength`).
 *
 * @example
 * ```ts
 * import { Redaction } from "@effect-acs/core"
 *
 * Redaction.untrusted("req-1\u001b[31m\r\nBearer eyJhbGciOiJIUzI1NiJ9.e30.sig") // "req-1 [31m  Bearer <redacted>"
 * ```
 *
 * @since 0.2.0
 * @category masking
 */
export const untrusted = (
  text: string,
  options?: {
    readonly known?: Iterable<string | Redacted.Redacted<string>> | undefined
    readonly maxLength?: number | undefined
  }
): string => {
  const maxLength = options?.maxLength ?? maxUntrustedLength
  // the work is bounded whatever the text: only a head a little longer than what is kept is masked, its
  // last run of token characters dropped (it may be the start of a secret cut in two)
  const head = text.length > maxLength + 8192
    ? text.slice(0, maxLength + 8192).replace(/[A-Za-z0-9+/=_\-.%&#;\\]*$/, "")
    : text
  // control characters, and those that reorder or hide text on a terminal (bidi overrides, zero-width)
  const shown = mask(head, options?.known).replace(hiddenOrControl, " ")
  return shown.length > maxLength ? `${shown.slice(0, maxLength - 1)}…` : shown
}
