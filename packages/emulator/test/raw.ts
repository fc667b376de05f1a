import type { Emulator } from "@effect-acs/emulator"
import * as Effect from "effect/Effect"
import * as Http from "node:http"
import { pathOf, resource } from "./helpers.js"

export interface RawReply {
  readonly status: number
  readonly headers: Http.IncomingHttpHeaders
  readonly text: string
}

export interface RawCall {
  readonly method?: string
  /** The request target as sent, query string included; default: regenerateKey of `resource`. */
  readonly path?: string
  readonly headers?: Http.OutgoingHttpHeaders
  /** Default: `{"keyType": "Primary"}`. */
  readonly body?: string | Uint8Array
}

export const regeneratePath = `${pathOf(resource, "regenerateKey")}?api-version=2020-08-20`

export const authorization = { authorization: "Bearer emulator-token" }

/** One request with node:http (no agent, so nothing is reused), the body sent exactly as given. */
export const raw = (emulator: Emulator.Service, call: RawCall = {}): Effect.Effect<RawReply> =>
  Effect.async<RawReply>((resume) => {
    const request = Http.request({
      host: emulator.host,
      port: emulator.port,
      method: call.method ?? "POST",
      path: call.path ?? regeneratePath,
      headers: { ...authorization, "content-type": "application/json", ...call.headers },
      agent: false
    }, (response) => {
      const chunks: Array<Buffer> = []
      response.on("data", (chunk: Buffer) => chunks.push(chunk))
      response.on("end", () =>
        resume(Effect.succeed({
          status: response.statusCode ?? 0,
          headers: response.headers,
          text: Buffer.concat(chunks).toString("utf8")
        })))
      response.on("error", (error) => resume(Effect.die(error)))
    })
    request.on("error", (error) => resume(Effect.die(error)))
    request.end(call.body ?? "{\"keyType\": \"Primary\"}")
    return Effect.sync(() => request.destroy())
  })

export interface EndlessOutcome {
  readonly status: number
  readonly text: string
  /** Whether the client had finished its body when the answer came (it never does unless it hits `cap`). */
  readonly ended: boolean
  /** Bytes the client had handed to its socket when the answer came. */
  readonly written: number
  /** Whether the client could still write once the answer had come. */
  readonly writableAfterAnswer: boolean
  /** Whether the emulator closed the connection while the client kept writing after the answer. */
  readonly closedByServer: boolean
}

/**
 * Streams a body as fast as the socket takes it until the emulator answers; gives up (ends the body) only
 * after `cap` bytes, so an emulator that reads everything before answering answers with `ended: true`. After
 * the answer it keeps writing, and waits for the emulator to close the connection. With `holdBody`, nothing of
 * the body is sent before the answer.
 */
export const endless = (
  emulator: Emulator.Service,
  options: {
    readonly headers?: Http.OutgoingHttpHeaders
    readonly cap: number
    /** Send the headers only, and the body only once the answer has come. */
    readonly holdBody?: boolean
  }
): Effect.Effect<EndlessOutcome> =>
  Effect.async<EndlessOutcome>((resume) => {
    const chunk = Buffer.alloc(64 * 1024, "[")
    let written = 0
    let ended = false
    let answered: { status: number; text: string; ended: boolean; written: number; writable: boolean } | undefined
    let finished = false
    const finish = (closedByServer: boolean) => {
      if (finished || answered === undefined) return
      finished = true
      resume(Effect.succeed({
        status: answered.status,
        text: answered.text,
        ended: answered.ended,
        written: answered.written,
        writableAfterAnswer: answered.writable,
        closedByServer
      }))
      request.destroy()
    }
    const request = Http.request({
      host: emulator.host,
      port: emulator.port,
      method: "POST",
      path: regeneratePath,
      headers: { ...authorization, "content-type": "application/json", ...options.headers },
      agent: false
    }, (response) => {
      const snapshot = { ended, written, writable: request.writable && !request.destroyed }
      const chunks: Array<Buffer> = []
      response.on("data", (c: Buffer) => chunks.push(c))
      response.on("end", () => {
        answered = { status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString("utf8"), ...snapshot }
        // keep writing: the emulator must not let the connection live on
        pump()
      })
      response.on("error", () => finish(true))
    })
    request.on("error", () => finish(true))
    request.on("close", () => finish(true))
    const pump = () => {
      while (!finished && !ended && !request.destroyed) {
        if (answered === undefined && written >= options.cap) {
          ended = true
          request.end()
          return
        }
        written += chunk.length
        if (!request.write(chunk)) {
          request.once("drain", pump)
          return
        }
      }
    }
    if (options.holdBody === true) request.flushHeaders()
    else pump()
    return Effect.sync(() => request.destroy())
  })
