import type * as HttpClient from "@effect/platform/HttpClient"
import type * as HttpClientError from "@effect/platform/HttpClientError"
import type * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"

/** The default limit on a response body: generous for this API, whose bodies are well under 2 KiB. */
export const defaultMaxResponseBytes = 1024 * 1024

/** A response body read up to a limit: its text, or the fact that it was longer (what was read is dropped). */
export type Body =
  | { readonly _tag: "Text"; readonly text: string }
  | { readonly _tag: "TooLarge" }

const tooLarge: Body = { _tag: "TooLarge" }

/**
 * Marks a transport whose responses arrive with their body already read (bounded), and such a response:
 * `[eager]()` gives the bytes, or why there are none. `NodeTransport` is one; its body needs no stream and
 * its exchange holds nothing open once answered.
 */
export const eager: unique symbol = Symbol.for("@effect-acs/core/EagerBody")

/** What an eager response holds: its bytes, or why the body is unusable (too large, or cut short). */
export type EagerBody =
  | { readonly _tag: "Bytes"; readonly bytes: Uint8Array }
  | { readonly _tag: "TooLarge" }
  | { readonly _tag: "Failed"; readonly error: HttpClientError.ResponseError }

interface Eager {
  readonly [eager]: () => EagerBody
}

/** Whether a transport is one whose responses carry their body already read. */
export const isEager = (client: HttpClient.HttpClient): boolean => eager in client

/**
 * Marks a transport (`NodeTransport`, unwrapped) that sends a request without the platform's pipeline and
 * ends it itself at a deadline: `[direct](request, url, headers, timeoutMillis)` sends `request`'s method and
 * body to `url` with exactly `headers`, and fails with `TimedOut` (after destroying the request) when no
 * complete response, body included, arrived within `timeoutMillis` (none when `undefined`). No span, no
 * `AbortSignal`, no FiberRef is read; an interruption destroys the request, as the lean path's.
 */
export const direct: unique symbol = Symbol.for("@effect-acs/core/DirectExchange")

/** The attempt's deadline passed before a complete response arrived; the request was destroyed. */
export class TimedOut {
  readonly _tag = "TimedOut"
}

/** What a direct transport does (see `direct`). */
export type DirectExchange = (
  request: HttpClientRequest.HttpClientRequest,
  url: URL,
  headers: Record<string, string>,
  timeoutMillis: number | undefined
) => Effect.Effect<HttpClientResponse.HttpClientResponse, HttpClientError.HttpClientError | TimedOut>

/** The direct exchange of a transport that has one. */
export const directOf = (client: HttpClient.HttpClient): DirectExchange | undefined =>
  direct in client ? (client as unknown as { readonly [direct]: DirectExchange })[direct] : undefined

const eagerOf = (response: HttpClientResponse.HttpClientResponse): Eager | undefined =>
  eager in response ? response as unknown as Eager : undefined

/**
 * Reads a body up to `limit` bytes, counting while reading (a declared `content-length` over the limit is
 * refused before a byte is read), so that a huge, endless or decompressed-bomb body never takes more than
 * `limit` bytes of memory. Reading stops at the limit; the caller's scope aborts the rest of the exchange.
 */
export const read = (
  response: HttpClientResponse.HttpClientResponse,
  limit: number
): Effect.Effect<Body, HttpClientError.ResponseError> => {
  const held = eagerOf(response)
  if (held !== undefined) {
    const body = readEager(held, limit)
    return body._tag === "Failed" ? Effect.fail(body.error) : Effect.succeed(body)
  }
  const declared = response.headers["content-length"]
  if (declared !== undefined && /^\s*\d+\s*$/.test(declared) && Number(declared) > limit) {
    return Effect.succeed(tooLarge)
  }
  return Effect.suspend(() => {
    const chunks: Array<Uint8Array> = []
    let size = 0
    let over = false
    return Stream.runForEachWhile(response.stream, (chunk) =>
      Effect.sync(() => {
        size += chunk.length
        if (size > limit) {
          over = true
          return false
        }
        chunks.push(chunk)
        return true
      })).pipe(
        // a response without a body (204, 304, HEAD) reads as empty
        Effect.catchIf((error) => error.reason === "EmptyBody", () => Effect.void),
        Effect.map((): Body => {
          if (over) return tooLarge
          if (chunks.length === 1) return { _tag: "Text", text: decoder.decode(chunks[0]) }
          const bytes = new Uint8Array(size)
          let at = 0
          for (const chunk of chunks) {
            bytes.set(chunk, at)
            at += chunk.length
          }
          return { _tag: "Text", text: decoder.decode(bytes) }
        })
      )
  })
}

/** The body of an eager response (one `read` would find already read), synchronously, or its error. */
export const readEager = (
  response: HttpClientResponse.HttpClientResponse | Eager,
  limit: number
): Body | { readonly _tag: "Failed"; readonly error: HttpClientError.ResponseError } => {
  const body = (response as Eager)[eager]()
  return body._tag === "Failed"
    ? body
    : body._tag === "TooLarge" || body.bytes.length > limit
    ? tooLarge
    : { _tag: "Text", text: body.bytes.length === 0 ? "" : decoder.decode(body.bytes) }
}

const decoder = new TextDecoder()
