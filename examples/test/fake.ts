import { AzureCredential, CommunicationServices } from "@effect-acs/core"
import * as HttpClient from "@effect/platform/HttpClient"
import type * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"

export interface FakeResponse {
  readonly status: number
  readonly body?: string | undefined
  readonly headers?: Record<string, string> | undefined
}

const nullBody = new Set([101, 103, 204, 205, 304])

/**
 * An in-memory transport that answers with `responses` in order (the last one repeats) and records every
 * request it was sent; and the client over it, with the options given.
 */
export const fakeClient = (responses: ReadonlyArray<FakeResponse>, options: CommunicationServices.Options = {}) => {
  const requests: Array<HttpClientRequest.HttpClientRequest> = []
  const scopes: Array<string> = []
  const transport = Layer.succeed(
    HttpClient.HttpClient,
    HttpClient.make((request) =>
      Effect.sync(() => {
        const answer = responses[Math.min(requests.length, responses.length - 1)]!
        requests.push(request)
        return HttpClientResponse.fromWeb(
          request,
          new Response(nullBody.has(answer.status) ? null : answer.body ?? "", {
            status: answer.status,
            headers: answer.headers ?? {}
          })
        )
      })
    )
  )
  const credential = Layer.succeed(AzureCredential.AzureCredential, {
    getToken: (request) =>
      Effect.sync(() => {
        scopes.push(request.scope)
        return { token: Redacted.make("fake-token"), expiresAt: Date.now() + 3_600_000 }
      })
  })
  const layer = CommunicationServices.layer({ retry: false, ...options }).pipe(
    Layer.provide(transport),
    Layer.provide(credential)
  )
  return { layer, requests, scopes }
}
