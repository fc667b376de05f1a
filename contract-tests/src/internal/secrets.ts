/**
 * The sanitizer, masker and scanner of recordings, on top of `@effect-acs/core/Redaction` (the one module
 * that knows what a secret looks like). What is left here is about structure, not text patterns: which
 * JSON fields hold keys, which headers are secrets by name (`Redaction.isSecretHeader`), which placeholder
 * a value gets, and which of Redaction's matches are worth a finding.
 */
import * as Redaction from "@effect-acs/core/Redaction"
import { createHash } from "node:crypto"
import type { Finding } from "../ContractError.js"
import * as Interaction from "../Interaction.js"

// ---------------------------------------------------------------------------------------------------------------
// JSON structure
// ---------------------------------------------------------------------------------------------------------------

/** JSON fields whose string values are keys (`primaryKey`, `secondaryKey`). */
const isKeyField = (field: string): boolean => {
  const lower = field.toLowerCase()
  return lower === "primarykey" || lower === "secondarykey"
}

/** JSON fields whose string values are secrets in a diff or an error message (connection strings excepted). */
const isSecretField = (field: string): boolean => {
  const lower = field.toLowerCase()
  return !lower.endsWith("connectionstring") &&
    ["key", "secret", "password", "token", "credential"].some((suffix) => lower.endsWith(suffix))
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value)

/**
 * A JSON value with each string replaced by `f(string, field)` (`field`: the name of the nearest enclosing
 * object field), strings visited in document order. Iterative, so a value nested a million levels deep
 * costs memory, not the stack.
 */
const mapStrings = (root: unknown, f: (value: string, field: string | undefined) => string): unknown => {
  interface Frame {
    readonly entries: ReadonlyArray<readonly [string | number, unknown]>
    readonly target: Record<string, unknown> | Array<unknown>
    readonly field: string | undefined
    readonly array: boolean
    index: number
  }
  const stack: Array<Frame> = []
  const open = (source: unknown, field: string | undefined): unknown => {
    if (Array.isArray(source)) {
      const target: Array<unknown> = []
      stack.push({ entries: source.map((item, i) => [i, item] as const), target, field, array: true, index: 0 })
      return target
    }
    if (isRecord(source)) {
      const target: Record<string, unknown> = {}
      stack.push({ entries: Object.entries(source), target, field, array: false, index: 0 })
      return target
    }
    return typeof source === "string" ? f(source, field) : source
  }
  const result = open(root, undefined)
  while (stack.length > 0) {
    const frame = stack[stack.length - 1]!
    const entry = frame.entries[frame.index++]
    if (entry === undefined) {
      stack.pop()
      continue
    }
    const [key, item] = entry
    ;(frame.target as Record<string | number, unknown>)[key] = open(item, frame.array ? frame.field : String(key))
  }
  return result
}

// ---------------------------------------------------------------------------------------------------------------
// key material
// ---------------------------------------------------------------------------------------------------------------

/**
 * A key run as plain base64 without padding: percent-escapes and JSON's `\/` read as what they stand for,
 * base64url's `-` and `_` as `+` and `/`. Two forms of one key (a connection string's, a URL's, a JSON
 * file's) are the same key.
 */
const canonical = (value: string): string => {
  let out = value
  for (
    const [from, to] of [["%2B", "+"], ["%2b", "+"], ["%2F", "/"], ["%2f", "/"], ["\\/", "/"], ["-", "+"], ["_", "/"]]
  ) {
    out = out.replaceAll(from!, to!)
  }
  for (;;) {
    if (out.endsWith("=")) out = out.slice(0, -1)
    else if (out.endsWith("%3D") || out.endsWith("%3d")) out = out.slice(0, -3)
    else return out
  }
}

/**
 * Whether a base64 run encodes text (a claims challenge, a `Basic` credential) rather than random bytes:
 * the bytes of a real key are almost never all printable.
 */
const encodesText = (run: string): boolean =>
  [...Buffer.from(canonical(run), "base64")].every((byte) =>
    (byte >= 0x20 && byte < 0x7f) || byte === 0x09 || byte === 0x0a || byte === 0x0d
  )

/**
 * Whether a value carries random key material, by Redaction's key detection (shape and entropy), one
 * dot-separated part at a time (a JWT's signature, a token's parts): a documentation value (`1234`), a
 * word (`hunter2`), a placeholder or base64 that encodes text is not.
 */
const hasKeyMaterial = (value: string): boolean =>
  value.split(".").some((part) =>
    Redaction.matches(part).some((match) => match.kind === "AccessKey" && !encodesText(match.value))
  )

/** Whether a value is a placeholder once percent-decoded (`sig=%3Credacted%3E`, 86 `x` and `%3D%3D`). */
const isEncodedPlaceholder = (value: string): boolean => {
  if (!value.includes("%")) return false
  try {
    return Redaction.isPlaceholder(decodeURIComponent(value))
  } catch {
    return false
  }
}

/**
 * Whether a match is the start of a `{{name}}` placeholder: Redaction ends a parameter's value before a
 * `}`, so `accesskey={{primaryKey}}` matches `{{primaryKey`.
 */
const isCutPlaceholder = (text: string, match: Redaction.Match): boolean => {
  let end = match.end
  while (end < text.length && end - match.end < 2 && text[end] === "}") end++
  return end > match.end && Redaction.isPlaceholder(text.slice(match.start, end))
}

/** Whether a value (a secret parameter's: `id_token=...`) is a JWT as a whole, by Redaction. */
const isJwt = (value: string): boolean => {
  const inner = Redaction.matches(value)
  return inner.length === 1 && inner[0]!.kind === "Jwt" && inner[0]!.value === value
}

// ---------------------------------------------------------------------------------------------------------------
// masking: for messages and diffs
// ---------------------------------------------------------------------------------------------------------------

/** Whether Redaction's match is a placeholder after all: percent-encoded, or a `{{name}}` cut short. */
const isPlaceholderMatch = (text: string, match: Redaction.Match): boolean =>
  isEncodedPlaceholder(match.value) || isCutPlaceholder(text, match)

/**
 * Masks, without keeping identities, every secret of a text (`Redaction.mask`, placeholders kept), and
 * the `known` values in any of their forms.
 */
export const maskText = (text: string, known: ReadonlyArray<string> = []): string =>
  Redaction.replace(text, (match) => isPlaceholderMatch(text, match) ? match.value : Redaction.redacted, known)

/** A masker that also masks `known` values (the token a request carried). */
export const masker = (known: ReadonlyArray<string>) => (text: string): string => maskText(text, known)

/**
 * The credential of an `Authorization`-style value (`Bearer abc` -> `abc`): what a masker is told to
 * know, so that the token of a request is masked wherever it appears.
 */
export const credentialsOf = (authorization: string | undefined): Array<string> => {
  if (authorization === undefined) return []
  const trimmed = authorization.trim()
  const space = trimmed.indexOf(" ")
  const credential = space > 0 ? trimmed.slice(space + 1).trim() : trimmed
  return credential === "" || Redaction.isPlaceholder(credential) ? [] : [credential]
}

/** `mask` over every string of a JSON value, and every value of a secret-named field masked whole. */
export const maskJson = (value: unknown, mask: (text: string) => string = maskText): unknown =>
  mapStrings(
    value,
    (text, field) =>
      field !== undefined && isSecretField(field) && !Redaction.isPlaceholder(text) ? Redaction.redacted : mask(text)
  )

/** `scheme token` for an Authorization-style value with a scheme, `token` otherwise. */
const withScheme = (value: string, token: string): string => {
  const trimmed = value.trim()
  const space = trimmed.indexOf(" ")
  return space > 0 ? `${trimmed.slice(0, space)} ${token}` : token
}

/** Masks secret headers (keeping the scheme of an Authorization header) and secrets in the others. */
export const maskHeaders = (
  headers: Readonly<Record<string, string>>,
  mask: (text: string) => string = maskText
): Record<string, string> => {
  const out: Record<string, string> = {}
  for (const [name, value] of Object.entries(headers)) {
    out[name] = !Redaction.isSecretHeader(name)
      ? mask(value)
      : name.toLowerCase().includes("authorization")
      ? withScheme(value, Redaction.redacted)
      : Redaction.redacted
  }
  return out
}

// ---------------------------------------------------------------------------------------------------------------
// sanitizing: placeholders that keep identities
// ---------------------------------------------------------------------------------------------------------------

/** The key placeholders (`<key-7>`) a text already holds: a sanitizer numbers new keys after them. */
const keyPlaceholders = /<key-(\d+)>/g

/**
 * A sanitizer: replaces secrets with placeholders that keep identities, so that one key gets one
 * placeholder wherever and in whatever encoding it appears (as `primaryKey`, inside its connection string,
 * percent-encoded in a URL), two keys two placeholders, and placeholders that are there already (ours,
 * or those other tools write) stay as they are.
 */
export const makeSanitizer = () => {
  const keys = new Map<string, string>()
  const taken = new Set<number>()
  let next = 1
  /** Keeps the numbers of placeholders already in a text, so that no new key reuses one. */
  const reserve = (text: string): void => {
    for (const match of text.matchAll(keyPlaceholders)) taken.add(Number(match[1]))
  }
  const keyPlaceholder = (value: string): string => {
    // the key itself is not kept: its digest is enough to tell keys apart
    const identity = createHash("sha256").update(canonical(value)).digest("base64")
    let found = keys.get(identity)
    if (found === undefined) {
      while (taken.has(next)) next++
      taken.add(next)
      found = `<key-${next}>`
      keys.set(identity, found)
    }
    return found
  }
  const text = (value: string, known: ReadonlyArray<string> = []): string =>
    Redaction.replace(value, (match) => {
      if (isPlaceholderMatch(value, match)) return match.value
      switch (match.kind) {
        case "Jwt":
          return "<jwt>"
        case "Credential":
          return "<token>"
        case "SecretParameter":
          return isJwt(match.value) ? "<jwt>" : keyPlaceholder(match.value)
        case "AccessKey":
          // base64 that encodes text (a claims challenge) is not a key
          return encodesText(match.value) ? match.value : keyPlaceholder(match.value)
        case "Known":
          // a credential the request carried
          return isJwt(match.value) ? "<jwt>" : "<token>"
      }
    }, known)
  const key = (value: string): string => value === "" || Redaction.isPlaceholder(value) ? value : keyPlaceholder(value)
  const json = (value: unknown, known: ReadonlyArray<string> = []): unknown =>
    mapStrings(value, (string, field) => field !== undefined && isKeyField(field) ? key(string) : text(string, known))
  /**
   * A URL, one path segment at a time (joined by `/`, a path would read as one long base64 run), then its
   * query and fragment.
   */
  const url = (value: string, known: ReadonlyArray<string> = []): string => {
    const at = [value.indexOf("?"), value.indexOf("#")].filter((index) => index !== -1)
    const end = at.length === 0 ? value.length : Math.min(...at)
    return value.slice(0, end).split("/").map((segment) => text(segment, known)).join("/") +
      text(value.slice(end), known)
  }
  const header = (name: string, value: string, known: ReadonlyArray<string>): string => {
    if (!Redaction.isSecretHeader(name)) return text(value, known)
    if (Redaction.isPlaceholder(value.trim())) return value
    const lower = name.toLowerCase()
    if (lower.includes("cookie")) return "<cookie>"
    if (!lower.includes("authorization")) return "<redacted>"
    const trimmed = value.trim()
    const space = trimmed.indexOf(" ")
    return space > 0 && Redaction.isPlaceholder(trimmed.slice(space + 1).trim()) ? value : withScheme(value, "<token>")
  }
  const headers = (
    values: Readonly<Record<string, string>>,
    known: ReadonlyArray<string> = []
  ): Record<string, string> => {
    const out: Record<string, string> = {}
    for (const [name, value] of Object.entries(values)) out[name] = header(name, value, known)
    return out
  }
  const strings = (body: Interaction.Body | undefined): ReadonlyArray<string> =>
    body === undefined ? [] : body._tag === "Json" ? stringsOf(body.value) : [body.text]
  /** Keeps the placeholder numbers an interaction already holds (see `reserve`). */
  const reserveAll = ({ request, response }: Interaction.Interaction): void => {
    for (
      const value of [
        request.url,
        ...Object.values(request.headers),
        ...Object.values(response.headers),
        ...strings(request.body),
        ...strings(response.body)
      ]
    ) reserve(value)
  }
  /**
   * An interaction with its secrets replaced; the credential its request carried is also replaced
   * wherever else it appears (echoed in a body, a URL).
   */
  const interaction = (value: Interaction.Interaction): Interaction.Interaction => {
    const known = credentialsOf(value.request.headers["authorization"])
    const body = (message: Interaction.Body | undefined): { body?: Interaction.Body } =>
      message === undefined
        ? {}
        : message._tag === "Json"
        ? { body: { _tag: "Json", value: json(message.value, known) } }
        : { body: { _tag: "Text", text: text(message.text, known) } }
    return new Interaction.Interaction({
      request: new Interaction.Request({
        method: value.request.method,
        url: url(value.request.url, known),
        headers: headers(value.request.headers, known),
        ...body(value.request.body)
      }),
      response: new Interaction.Response({
        status: value.response.status,
        headers: headers(value.response.headers, known),
        ...body(value.response.body)
      }),
      ...(value.source === undefined ? {} : { source: value.source })
    })
  }
  return { reserve, reserveAll, text, json, url, headers, interaction }
}

/** Every string of a JSON value, for `reserve`. */
export const stringsOf = (value: unknown): Array<string> => {
  const out: Array<string> = []
  mapStrings(value, (string, field) => {
    if (field !== undefined) out.push(field)
    out.push(string)
    return string
  })
  return out
}

// ---------------------------------------------------------------------------------------------------------------
// scanning
// ---------------------------------------------------------------------------------------------------------------

/** The text just before a match, lower-cased, without the separator: the name of a parameter or a scheme. */
const nameBefore = (text: string, start: number): string => {
  let before = text.slice(Math.max(0, start - 40), start).toLowerCase().trimEnd()
  if (before.endsWith("%3d")) before = before.slice(0, -3)
  else if (before.endsWith("=") || before.endsWith(":")) before = before.slice(0, -1)
  return before.trimEnd()
}

const kindOf = (text: string, match: Redaction.Match): Finding["kind"] => {
  switch (match.kind) {
    case "AccessKey":
      return "Base64Key"
    case "Jwt":
      return "Jwt"
    case "SecretParameter":
      return nameBefore(text, match.start).endsWith("accesskey")
        ? "AccessKey"
        : isJwt(match.value)
        ? "Jwt"
        : "SecretParameter"
    case "Credential":
      return nameBefore(text, match.start).endsWith("bearer") ? "BearerToken" : "Credential"
    case "Known":
      return "SecretParameter"
  }
}

/**
 * Where a text holds material that looks like a real secret: each of Redaction's matches (placeholders are
 * none) whose value carries random key material. Line, column (from 1, where the secret starts) and kind.
 */
export const scan = (text: string): Array<{ line: number; column: number; kind: Finding["kind"] }> => {
  const found: Array<{ line: number; column: number; kind: Finding["kind"] }> = []
  let line = 1
  let lineStart = 0
  let at = 0
  for (const match of Redaction.matches(text)) {
    if (isPlaceholderMatch(text, match) || !hasKeyMaterial(match.value)) continue
    for (; at < match.start; at++) {
      if (text.charCodeAt(at) === 10) {
        line++
        lineStart = at + 1
      }
    }
    found.push({ line, column: match.start - lineStart + 1, kind: kindOf(text, match) })
  }
  return found
}
