import { AzureCredential, CommunicationServices } from "@effect-acs/core"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientError from "@effect/platform/HttpClientError"
import type * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"

/** A request as the fake service saw it. */
export interface Seen {
  readonly method: string
  readonly url: string
  readonly headers: Readonly<Record<string, string>>
  readonly body: string
}

/** What the fake answers: a response, a transport failure (with a Node error code), or a custom effect. */
export type Reply =
  | { readonly status: number; readonly body?: unknown; readonly headers?: Record<string, string> }
  | { readonly fail: string }
  | { readonly effect: Effect.Effect<Reply> }

export const token = "test-token-value-0123456789"

export const resource = {
  subscriptionId: "12345",
  resourceGroupName: "MyResourceGroup",
  communicationServiceName: "MyCommunicationResource"
} as const

export const resourceId =
  "/subscriptions/12345/resourceGroups/MyResourceGroup/providers/Microsoft.Communication/communicationServices/MyCommunicationResource"

/** A regenerateKey answer that holds both pairs (so it satisfies a regeneration of either key). */
export const bothKeys = {
  primaryKey: "1234",
  primaryConnectionString: "endpoint=http://example.com;accesskey=1234",
  secondaryKey: "5678",
  secondaryConnectionString: "endpoint=http://example.com;accesskey=5678"
}

export const documentedSample = {
  primaryKey: "1234",
  primaryConnectionString: "endpoint=http://example.com;accesskey=1234"
}

const bodyText = (request: HttpClientRequest.HttpClientRequest): string => {
  const body = request.body
  switch (body._tag) {
    case "Uint8Array":
      return new TextDecoder().decode(body.body)
    case "Raw":
      return String(body.body)
    default:
      return ""
  }
}

/**
 * An in-memory Resource Manager: answers each request with the next reply (the last one repeats) and
 * records what it was sent.
 */
export const fakeArm = (replies: ReadonlyArray<Reply> | ((seen: Seen, index: number) => Reply)) => {
  const seen: Array<Seen> = []
  const next = (request: Seen): Reply =>
    typeof replies === "function"
      ? replies(request, seen.length - 1)
      : replies[Math.min(seen.length - 1, replies.length - 1)]!
  const answer = (
    request: HttpClientRequest.HttpClientRequest,
    reply: Reply
  ): Effect.Effect<HttpClientResponse.HttpClientResponse, HttpClientError.HttpClientError> => {
    if ("effect" in reply) return Effect.flatMap(reply.effect, (inner) => answer(request, inner))
    if ("fail" in reply) {
      const cause = Object.assign(new Error(`connect ${reply.fail} 127.0.0.1:443`), { code: reply.fail })
      return Effect.fail(
        new HttpClientError.RequestError({
          request,
          reason: "Transport",
          cause: new TypeError("fetch failed", { cause })
        })
      )
    }
    const body = reply.body === undefined
      ? null
      : typeof reply.body === "string"
      ? reply.body
      : JSON.stringify(reply.body)
    return Effect.succeed(HttpClientResponse.fromWeb(
      request,
      new Response(body, {
        status: reply.status,
        headers: {
          "content-type": "application/json; charset=utf-8",
          "x-ms-request-id": `req-${seen.length}`,
          "x-ms-correlation-request-id": `corr-${seen.length}`,
          ...reply.headers
        }
      })
    ))
  }
  const client = HttpClient.make((request, url) =>
    Effect.suspend(() => {
      const entry: Seen = {
        method: request.method,
        url: url.toString(),
        headers: { ...request.headers },
        body: bodyText(request)
      }
      seen.push(entry)
      return answer(request, next(entry))
    })
  )
  return { seen, http: Layer.succeed(HttpClient.HttpClient, client) }
}

/** The client over a fake Resource Manager, with a static token. */
export const clientLayer = (
  replies: ReadonlyArray<Reply> | ((seen: Seen, index: number) => Reply),
  options: CommunicationServices.Options = {}
) => {
  const fake = fakeArm(replies)
  const layer = CommunicationServices.layer(options).pipe(
    Layer.provide(AzureCredential.static(token)),
    Layer.provide(fake.http)
  )
  return { seen: fake.seen, layer }
}
