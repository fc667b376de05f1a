import { Emulator, type EmulatorState } from "@effect-acs/emulator"
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type { HttpMethod } from "@effect/platform/HttpMethod"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as TestClock from "effect/TestClock"
import * as TestServices from "effect/TestServices"

export const subscriptionId = "6d7c6b8e-5a52-4c35-9b3b-3f4b2a8d0e11"

export const resource: EmulatorState.ResourceRef = {
  subscriptionId,
  resourceGroupName: "MyResourceGroup",
  communicationServiceName: "my-acs"
}

export const other: EmulatorState.ResourceRef = {
  subscriptionId,
  resourceGroupName: "MyResourceGroup",
  communicationServiceName: "other-acs"
}

/** The shape of a generated key: 64 bytes in base64, 88 characters. */
export const keyPattern = /^[A-Za-z0-9+/]{86}==$/

export const connectionStringPattern = (name: string) =>
  new RegExp(`^endpoint=https://${name}\\.communication\\.azure\\.com/;accesskey=[A-Za-z0-9+/]{86}==$`)

export const pathOf = (ref: EmulatorState.ResourceRef, operation: string) =>
  `/subscriptions/${ref.subscriptionId}/resourceGroups/${ref.resourceGroupName}` +
  `/providers/Microsoft.Communication/communicationServices/${ref.communicationServiceName}/${operation}`

export interface Call {
  readonly method?: HttpMethod
  /** The full path, query string excluded; default: the operation's path for `resource`. */
  readonly path?: string
  readonly ref?: EmulatorState.ResourceRef
  readonly operation?: "regenerateKey" | "listKeys"
  /** `null` leaves the parameter out. */
  readonly apiVersion?: string | null
  /** `null` leaves the header out. */
  readonly token?: string | null
  /** A string is sent as is; anything else as JSON. */
  readonly body?: unknown
  readonly headers?: Record<string, string>
}

export type Reply =
  | {
    readonly _tag: "Response"
    readonly status: number
    readonly headers: Readonly<Record<string, string | undefined>>
    readonly body: any
  }
  | { readonly _tag: "Dropped" }

/** Sends one request over loopback HTTP with global fetch; a destroyed connection gives `Dropped`. */
export const send = (emulator: Emulator.Service, call: Call = {}): Effect.Effect<Reply> => {
  const operation = call.operation ?? "regenerateKey"
  const path = call.path ?? pathOf(call.ref ?? resource, operation)
  const apiVersion = call.apiVersion === undefined ? "2020-08-20" : call.apiVersion
  const query = apiVersion === null ? "" : `?api-version=${encodeURIComponent(apiVersion)}`
  const token = call.token === undefined ? Emulator.defaultToken : call.token
  let request = HttpClientRequest.make(call.method ?? "POST")(`${emulator.url}${path}${query}`).pipe(
    HttpClientRequest.setHeaders(call.headers ?? {})
  )
  if (token !== null) request = HttpClientRequest.setHeader(request, "authorization", `Bearer ${token}`)
  const body = "body" in call ? call.body : operation === "regenerateKey" ? { keyType: "Primary" } : undefined
  if (body !== undefined) {
    request = HttpClientRequest.bodyText(
      request,
      typeof body === "string" ? body : JSON.stringify(body),
      "application/json"
    )
  }
  return HttpClient.execute(request).pipe(
    Effect.flatMap((response) =>
      Effect.map(response.text, (text): Reply => ({
        _tag: "Response",
        status: response.status,
        headers: response.headers,
        body: text === "" ? undefined : JSON.parse(text)
      }))
    ),
    Effect.catchTag("RequestError", () => Effect.succeed<Reply>({ _tag: "Dropped" })),
    Effect.orDie,
    Effect.provide(FetchHttpClient.layer)
  )
}

/** Sends and expects a response (not a dropped connection). */
export const respond = (emulator: Emulator.Service, call: Call = {}) =>
  Effect.flatMap(
    send(emulator, call),
    (reply) => reply._tag === "Response" ? Effect.succeed(reply) : Effect.dieMessage("the connection was dropped")
  )

export const outcome = (reply: Reply): string => reply._tag === "Dropped" ? "dropped" : String(reply.status)

/**
 * Waits until at least `count` fibers sleep on the TestClock (the server's fibers use it when the emulator
 * is started inside a test), polling with real 1 ms pauses: a condition, not a timing.
 */
export const awaitSleeps = (count: number, attempts = 5000): Effect.Effect<void> =>
  Effect.flatMap(TestClock.sleeps(), (sleeps) =>
    Chunk.size(sleeps) >= count
      ? Effect.void
      : attempts <= 0
      ? Effect.dieMessage(`expected ${count} sleeping fibers`)
      : Effect.zipRight(TestServices.provideLive(Effect.sleep("1 millis")), awaitSleeps(count, attempts - 1)))
