import * as NodeHttpServerRequest from "@effect/platform-node/NodeHttpServerRequest"
import type * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import type * as Http from "node:http"

/** The body is over the limit: declared so by `content-length`, or counted so while reading. */
export class TooLarge extends Data.TaggedError("TooLarge")<{ readonly maxBytes: number }> {}

/** The client went away (or the socket failed) before the body ended: nobody is left to answer. */
export class Unreadable extends Data.TaggedError("Unreadable")<{}> {}

/**
 * How long a connection whose request body was left unread (a `413`) is drained after the answer, so that
 * the client can read the answer before the socket closes (closing a socket with unread data resets it).
 */
const lingerMillis = 1000

/**
 * Reads a request body of at most `maxBytes` bytes: a `content-length` over the limit fails at once, without
 * reading anything; otherwise bytes are counted as they arrive and reading stops (the socket is paused, so
 * the client is held by TCP backpressure) as soon as they pass the limit. Memory stays below
 * `maxBytes` plus one chunk.
 */
export const read = (
  request: HttpServerRequest.HttpServerRequest,
  maxBytes: number
): Effect.Effect<Buffer, TooLarge | Unreadable> =>
  Effect.suspend(() => {
    const declared = request.headers["content-length"]
    if (declared !== undefined && /^\d+$/.test(declared.trim()) && Number(declared.trim()) > maxBytes) {
      return Effect.fail(new TooLarge({ maxBytes }))
    }
    const source = NodeHttpServerRequest.toIncomingMessage(request)
    if (source.complete && source.readableLength === 0) return Effect.succeed(Buffer.alloc(0))
    return Effect.async<Buffer, TooLarge | Unreadable>((resume) => {
      const chunks: Array<Buffer> = []
      let bytes = 0
      const cleanup = () => {
        source.off("data", onData)
        source.off("end", onEnd)
        source.off("error", onGone)
        source.off("aborted", onGone)
        source.off("close", onClose)
      }
      const onData = (chunk: Buffer) => {
        bytes += chunk.length
        if (bytes > maxBytes) {
          cleanup()
          source.pause()
          chunks.length = 0
          resume(Effect.fail(new TooLarge({ maxBytes })))
        } else {
          chunks.push(chunk)
        }
      }
      const onEnd = () => {
        cleanup()
        resume(Effect.succeed(Buffer.concat(chunks, bytes)))
      }
      const onGone = () => {
        cleanup()
        resume(Effect.fail(new Unreadable()))
      }
      const onClose = () => {
        if (!source.complete) onGone()
      }
      source.on("data", onData)
      source.once("end", onEnd)
      source.once("error", onGone)
      source.once("aborted", onGone)
      source.once("close", onClose)
      return Effect.sync(() => {
        cleanup()
        source.pause()
      })
    })
  })

/**
 * Once the answer is sent, a request whose body was not read to its end is drained (its bytes discarded)
 * for a short while, then its connection is destroyed: a client streaming an endless body gets its answer
 * and cannot hold the connection (or the emulator's memory) any longer.
 */
export const lingerAfterAnswer = (request: HttpServerRequest.HttpServerRequest): Effect.Effect<void> =>
  Effect.sync(() => {
    const source = NodeHttpServerRequest.toIncomingMessage(request)
    const response = NodeHttpServerRequest.toServerResponse(request)
    response.once("finish", () => linger(source))
  })

const linger = (source: Http.IncomingMessage) => {
  if (source.complete || source.destroyed) return
  const socket = source.socket
  const timer = setTimeout(() => socket.destroy(), lingerMillis)
  timer.unref()
  socket.once("close", () => clearTimeout(timer))
  source.once("end", () => clearTimeout(timer))
  source.removeAllListeners("data")
  source.resume()
}
