import * as FileSystem from "@effect/platform/FileSystem"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientError from "@effect/platform/HttpClientError"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import { Finding, SecretsFound, WriteError } from "../ContractError.js"
import type * as Interaction from "../Interaction.js"
import type { Options, RecorderService } from "../Recorder.js"
import * as har from "./har.js"
import { recorded as exchange } from "./load.js"
import { makeSanitizer, scan } from "./secrets.js"
import * as testProxy from "./testProxy.js"

export const defaultMaxBodyBytes = 1024 * 1024
export const defaultMaxInteractions = 1000

const nullBodyStatuses = new Set([204, 205, 304])

/** Tells apart the temporary files of saves in one process. */
let saves = 0

const requestText = (request: HttpClientRequest.HttpClientRequest): string | undefined => {
  const body = request.body
  switch (body._tag) {
    case "Uint8Array":
      return Buffer.from(body.body).toString("utf8")
    case "Raw":
      return typeof body.body === "string" ? body.body : "<a body the recorder cannot read>"
    case "Empty":
      return undefined
    default:
      return "<a body the recorder cannot read>"
  }
}

/** The response's body, read up to `max` bytes; more fails the request (the recorder never buffers without bound). */
const readBody = (response: HttpClientResponse.HttpClientResponse, max: number) =>
  Stream.runFoldEffect(response.stream, { chunks: [] as Array<Uint8Array>, size: 0 }, (state, chunk) => {
    const size = state.size + chunk.length
    if (size > max) {
      return Effect.fail(
        new HttpClientError.ResponseError({
          request: response.request,
          response,
          reason: "Decode",
          description: `the Recorder reads response bodies of at most ${max} bytes`
        })
      )
    }
    state.chunks.push(chunk)
    return Effect.succeed({ chunks: state.chunks, size })
  }).pipe(Effect.map((state) => Buffer.concat(state.chunks)))

export const make = (options: Options) =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const client = yield* HttpClient.HttpClient
    const format = options.format ?? "TestProxy"
    const maxBodyBytes = options.maxBodyBytes ?? defaultMaxBodyBytes
    const maxInteractions = options.maxInteractions ?? defaultMaxInteractions
    const sanitizer = makeSanitizer()
    const recorded: Array<Interaction.Interaction> = []
    let dropped = 0

    /** Records one exchange, sanitized at once: nothing unsanitized is kept. */
    const record = (
      request: HttpClientRequest.HttpClientRequest,
      url: string,
      response: HttpClientResponse.HttpClientResponse,
      body: Buffer
    ) =>
      Effect.sync(() => {
        if (response.status < 200 || response.status > 599) return
        if (recorded.length >= maxInteractions) {
          dropped++
          return
        }
        recorded.push(sanitizer.interaction(exchange({
          request: { method: request.method, url, headers: { ...request.headers }, body: requestText(request) },
          response: {
            status: response.status,
            headers: { ...response.headers },
            body: body.length === 0 ? undefined : body.toString("utf8")
          }
        })))
      })

    const recording = client.pipe(HttpClient.transform((effect, request) =>
      Effect.gen(function*() {
        const response = yield* effect
        const url = Option.getOrUndefined(HttpClientRequest.toUrl(request))?.toString()
        if (url === undefined) return response
        const body = yield* readBody(response, maxBodyBytes)
        yield* record(request, url, response, body)
        return HttpClientResponse.fromWeb(
          request,
          new Response(nullBodyStatuses.has(response.status) ? null : body, {
            status: response.status,
            headers: response.headers
          })
        )
      })
    ))

    const encode = (interactions: ReadonlyArray<Interaction.Interaction>) =>
      format === "Har" ? har.encode(interactions) : testProxy.encode(interactions)

    const save: Effect.Effect<string, WriteError | SecretsFound> = Effect.gen(function*() {
      const text = `${JSON.stringify(encode(recorded), null, 2)}\n`
      // the last line of defence: a recording that still looks like it holds a secret is never written
      const findings = scan(text)
      if (findings.length > 0) {
        return yield* new SecretsFound({
          findings: findings.map((found) => new Finding({ file: options.path, ...found }))
        })
      }
      const directory = options.path.includes("/") ? options.path.slice(0, options.path.lastIndexOf("/")) : "."
      const temporary = `${options.path}.${process.pid}.${++saves}.tmp`
      yield* fs.makeDirectory(directory, { recursive: true }).pipe(
        Effect.zipRight(fs.writeFileString(temporary, text)),
        Effect.zipRight(fs.rename(temporary, options.path)),
        Effect.mapError((error) =>
          new WriteError({ path: options.path, reason: error._tag === "SystemError" ? error.reason : error.message })
        ),
        Effect.tapError(() => Effect.ignore(fs.remove(temporary)))
      )
      if (dropped > 0) {
        yield* Effect.logWarning(
          `Recorder: ${dropped} exchange(s) after the first ${maxInteractions} were not recorded in ${options.path}`
        )
      }
      return options.path
    })

    yield* Effect.addFinalizer(() =>
      save.pipe(
        Effect.catchAll((error) => Effect.logError(`Recorder: the recording was not written: ${error.message}`))
      )
    )

    const service: RecorderService = {
      path: options.path,
      interactions: Effect.sync(() => recorded.slice()),
      save
    }
    return { client: recording, service }
  })
