import { ClientSecretCredential } from "@azure/identity"
import { AzureCredential, CommunicationServices } from "@effect-acs/core"
import { FetchHttpClient } from "@effect/platform"
import { afterAll, afterEach, assert, beforeAll, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import { http, HttpResponse } from "msw"
import { setupServer } from "msw/node"
import { documentedSample, resource } from "./fake.js"

const tenant = "72f988bf-0000-4000-8000-2d7cd011db47"
const clientId = "0b1e4a52-0000-4000-8000-5f5c2fa6ec4a"
const authority = "https://login.microsoftonline.com"
const issuedToken = "msw-issued-access-token"

const tokenRequests: Array<URLSearchParams> = []
const armAuthorizations: Array<string | null> = []

const server = setupServer(
  http.get(`${authority}/${tenant}/v2.0/.well-known/openid-configuration`, () =>
    HttpResponse.json({
      token_endpoint: `${authority}/${tenant}/oauth2/v2.0/token`,
      issuer: `${authority}/${tenant}/v2.0`,
      authorization_endpoint: `${authority}/${tenant}/oauth2/v2.0/authorize`,
      end_session_endpoint: `${authority}/${tenant}/oauth2/v2.0/logout`,
      jwks_uri: `${authority}/${tenant}/discovery/v2.0/keys`,
      response_types_supported: ["code", "id_token", "code id_token", "token id_token", "token"],
      scopes_supported: ["openid", "profile", "email", "offline_access"]
    })),
  http.post(`${authority}/${tenant}/oauth2/v2.0/token`, async ({ request }) => {
    tokenRequests.push(new URLSearchParams(await request.text()))
    return HttpResponse.json({
      token_type: "Bearer",
      expires_in: 3599,
      ext_expires_in: 3599,
      access_token: issuedToken
    })
  }),
  http.post(
    "https://management.azure.com/subscriptions/:s/resourceGroups/:rg/providers/Microsoft.Communication/communicationServices/:n/regenerateKey",
    ({ request }) => {
      armAuthorizations.push(request.headers.get("authorization"))
      return HttpResponse.json(documentedSample)
    }
  )
)

beforeAll(() => server.listen({ onUnhandledRequest: "error" }))
afterEach(() => server.resetHandlers())
afterAll(() => server.close())

describe("@azure/identity", () => {
  it.effect("a real ClientSecretCredential, its token endpoint answered by msw, authenticates the call", () =>
    Effect.gen(function*() {
      const credential = new ClientSecretCredential(tenant, clientId, "client-secret-value", {
        authorityHost: authority,
        disableInstanceDiscovery: true
      })
      const layer = CommunicationServices.layer().pipe(
        Layer.provide(AzureCredential.fromTokenCredential(credential)),
        Layer.provide(FetchHttpClient.layer)
      )
      const keys = yield* CommunicationServices.regenerateKey({ ...resource, keyType: "Primary" }).pipe(
        Effect.provide(layer)
      )
      assert.strictEqual(Redacted.value(keys.primaryKey!), "1234")
      assert.deepStrictEqual(armAuthorizations, [`Bearer ${issuedToken}`])
      assert.strictEqual(tokenRequests.length, 1)
      assert.strictEqual(tokenRequests[0]!.get("grant_type"), "client_credentials")
      assert.strictEqual(tokenRequests[0]!.get("client_id"), clientId)
      assert.include(tokenRequests[0]!.get("scope")!, "https://management.azure.com/.default")
    }))
})
