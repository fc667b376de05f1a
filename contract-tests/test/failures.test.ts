import { DocumentedExample, Interaction, Replay } from "@effect-acs/contract-tests"
import { AzureCredential, CommunicationServices, RetryPolicy } from "@effect-acs/core"
import type { Errors } from "@effect-acs/core"
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import { armUrl, clientLayer, fastRetry, packagePath, sampleResource, transports, uuid } from "./support.js"

const resourceId =
  "/subscriptions/12345/resourceGroups/MyResourceGroup/providers/Microsoft.Communication/communicationServices/MyCommunicationResource"

const regenerateRequest = (keyType: "Primary" | "Secondary" = "Primary") => ({
  method: "POST",
  url: armUrl(sampleResource, "regenerateKey"),
  headers: { authorization: "Bearer <token>" },
  json: { keyType }
})

const listRequest = {
  method: "POST",
  url: armUrl(sampleResource, "listKeys"),
  headers: { authorization: "Bearer <token>" }
}

const armHeaders = (n: number, extra: Record<string, string> = {}) => ({
  "Content-Type": "application/json; charset=utf-8",
  "x-ms-request-id": `5c1f0c2e-0000-4000-8000-00000000000${n}`,
  "x-ms-correlation-request-id": `9d2e1b3a-0000-4000-8000-00000000000${n}`,
  "x-ms-failure-cause": "gateway",
  ...extra
})

const ok = (
  json: unknown = { primaryKey: "1234", primaryConnectionString: "endpoint=http://example.com;accesskey=1234" }
) => ({
  status: 200,
  headers: armHeaders(9),
  json
})

/** An ARM error body with details and additional info. */
const armError = (code: string, message: string, extra: { target?: string; detail: string; info: unknown }) => ({
  error: {
    code,
    message,
    ...(extra.target === undefined ? {} : { target: extra.target }),
    details: [{
      code: extra.detail,
      message: `${extra.detail}: see the error message`,
      target: extra.target ?? null,
      details: [],
      additionalInfo: []
    }],
    additionalInfo: [{ type: "CorrelationInfo", info: extra.info }]
  }
})

const scenarios = [
  {
    name: "401 AuthenticationFailed",
    status: 401,
    tag: "AuthenticationFailed",
    code: "AuthenticationFailed",
    message: "Authentication failed. The 'Authorization' header is missing the access token.",
    detail: "ExpiredAuthenticationToken",
    missing: undefined
  },
  {
    name: "403 AuthorizationFailed",
    status: 403,
    tag: "AuthorizationFailed",
    code: "AuthorizationFailed",
    message:
      "The client '5f1c2d3e-0000-4000-8000-000000000001' with object id '5f1c2d3e-0000-4000-8000-000000000001' does not have authorization to perform action 'Microsoft.Communication/communicationServices/regenerateKey/action' over scope '/subscriptions/12345/resourceGroups/MyResourceGroup/providers/Microsoft.Communication/communicationServices/MyCommunicationResource' or the scope is invalid.",
    detail: "RoleAssignmentMissing",
    missing: undefined
  },
  {
    name: "404 SubscriptionNotFound",
    status: 404,
    tag: "NotFound",
    code: "SubscriptionNotFound",
    message: "The subscription '12345' could not be found.",
    detail: "SubscriptionNotFound",
    missing: "Subscription"
  },
  {
    name: "404 ResourceGroupNotFound",
    status: 404,
    tag: "NotFound",
    code: "ResourceGroupNotFound",
    message: "Resource group 'MyResourceGroup' could not be found.",
    detail: "ResourceGroupNotFound",
    missing: "ResourceGroup"
  },
  {
    name: "404 ResourceNotFound",
    status: 404,
    tag: "NotFound",
    code: "ResourceNotFound",
    message:
      "The Resource 'Microsoft.Communication/communicationServices/MyCommunicationResource' under resource group 'MyResourceGroup' was not found.",
    detail: "ResourceNotFound",
    missing: "Resource"
  },
  {
    name: "409 Conflict",
    status: 409,
    tag: "Conflict",
    code: "Conflict",
    message: "Another key regeneration is in progress for this resource.",
    detail: "KeyRegenerationInProgress",
    missing: undefined
  },
  {
    name: "400 BadRequest",
    status: 400,
    tag: "BadRequest",
    code: "InvalidRequestContent",
    message: "The request content was invalid and could not be deserialized.",
    detail: "InvalidKeyType",
    missing: undefined
  },
  {
    name: "500 ServiceError",
    status: 500,
    tag: "ServiceError",
    code: "InternalServerError",
    message: "The service encountered an internal error. Please retry the request.",
    detail: "ProviderError",
    missing: undefined
  },
  {
    name: "503 ServiceError",
    status: 503,
    tag: "ServiceError",
    code: "ServiceUnavailable",
    message: "The service is unavailable.",
    detail: "BackendUnavailable",
    missing: undefined
  }
] as const

for (const transport of transports) {
  describe(`failure modes over ${transport.name}`, () => {
    for (const scenario of scenarios) {
      it.effect(`${scenario.name} becomes ${scenario.tag} with every ARM field`, () =>
        Effect.gen(function*() {
          const info = { tenantId: "72f988bf-0000-4000-8000-2d7cd011db47", status: scenario.status }
          const interaction = Interaction.make({
            request: regenerateRequest(),
            response: {
              status: scenario.status,
              headers: armHeaders(1),
              json: armError(scenario.code, scenario.message, { target: "keyType", detail: scenario.detail, info })
            }
          })
          const [error, received] = yield* Effect.gen(function*() {
            const error = yield* Effect.flip(
              CommunicationServices.regenerateKey({ ...sampleResource, keyType: "Primary" })
            )
            return [error, yield* Effect.flatMap(Replay.Replay, (replay) => replay.received)] as const
          }).pipe(
            Replay.replay([interaction]),
            Effect.provide(clientLayer(transport.layer, { retry: false }))
          )
          assert.strictEqual(error._tag, scenario.tag)
          const failure = error as Errors.ResponseError
          assert.strictEqual(failure.status, scenario.status)
          assert.strictEqual(failure.code, scenario.code)
          assert.strictEqual(failure.armMessage, scenario.message)
          assert.strictEqual(failure.target, "keyType")
          assert.strictEqual(failure.details.length, 1)
          assert.strictEqual(failure.details[0]!.code, scenario.detail)
          assert.strictEqual(failure.details[0]!.target, "keyType")
          assert.strictEqual(failure.additionalInfo.length, 1)
          assert.strictEqual(failure.additionalInfo[0]!.type, "CorrelationInfo")
          assert.deepStrictEqual(failure.additionalInfo[0]!.info, info)
          assert.strictEqual(failure.requestId, "5c1f0c2e-0000-4000-8000-000000000001")
          assert.strictEqual(failure.correlationRequestId, "9d2e1b3a-0000-4000-8000-000000000001")
          assert.match(failure.clientRequestId!, uuid)
          assert.strictEqual(failure.clientRequestId, received[0]!.headers["x-ms-client-request-id"])
          assert.strictEqual(failure.operation, "regenerateKey")
          assert.strictEqual(failure.resourceId, resourceId)
          assert.strictEqual(failure.attempts, 1)
          // a server error leaves a regeneration's outcome unknown; a refusal does not
          assert.strictEqual(failure.outcomeUnknown, scenario.status >= 500)
          if (failure._tag === "NotFound") assert.strictEqual(failure.missing, scenario.missing)
          assert.include(failure.message, scenario.code)
        }))
    }

    it.effect("a 404 of listKeys with an unknown code is NotFound with missing Unknown, outcome known", () =>
      Effect.gen(function*() {
        const error = yield* CommunicationServices.listKeys(sampleResource).pipe(
          Effect.flip,
          Replay.replay([Interaction.make({
            request: listRequest,
            response: {
              status: 404,
              headers: armHeaders(2),
              json: armError("NotFound", "Not found.", { detail: "Gone", info: {} })
            }
          })]),
          Effect.provide(clientLayer(transport.layer, { retry: false }))
        )
        assert.strictEqual(error._tag, "NotFound")
        if (error._tag === "NotFound") {
          assert.strictEqual(error.missing, "Unknown")
          assert.strictEqual(error.operation, "listKeys")
          assert.isFalse(error.outcomeUnknown)
          assert.isUndefined(error.target)
        }
      }))

    it.effect("a 201 (an older revision of the documented example) is UnexpectedResponse, not a success", () =>
      Effect.gen(function*() {
        const interactions = yield* DocumentedExample.load(
          packagePath("fixtures/documented/2020-08-20/regenerateKey.with-201.json"),
          { operation: "regenerateKey", status: 201 }
        ).pipe(Effect.provide(NodeFileSystem.layer))
        assert.deepStrictEqual(interactions.map((i) => i.response.status), [201])
        const error = yield* CommunicationServices.regenerateKey({ ...sampleResource, keyType: "Primary" }).pipe(
          Effect.flip,
          Replay.replay(interactions),
          Effect.provide(clientLayer(transport.layer, { retry: false }))
        )
        assert.strictEqual(error._tag, "UnexpectedResponse")
        if (error._tag === "UnexpectedResponse") {
          assert.strictEqual(error.status, 201)
          assert.strictEqual(error.reason, "UndeclaredStatus")
          assert.isTrue(error.outcomeUnknown, "a 2xx to a regeneration may have regenerated the key")
          assert.strictEqual(error.operation, "regenerateKey")
        }
      }))

    it.effect("an HTML 502 from a gateway is ServiceError, and the HTML is never quoted", () =>
      Effect.gen(function*() {
        const html =
          "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>Microsoft-Azure-Application-Gateway/v2</center>\r\n</body>\r\n</html>\r\n"
        const error = yield* CommunicationServices.regenerateKey({ ...sampleResource, keyType: "Secondary" }).pipe(
          Effect.flip,
          Replay.replay([Interaction.make({
            request: regenerateRequest("Secondary"),
            response: { status: 502, headers: { "Content-Type": "text/html" }, text: html }
          })]),
          Effect.provide(clientLayer(transport.layer, { retry: false }))
        )
        assert.strictEqual(error._tag, "ServiceError")
        if (error._tag === "ServiceError") {
          assert.strictEqual(error.status, 502)
          assert.isUndefined(error.code)
          assert.isUndefined(error.armMessage)
          assert.deepStrictEqual(error.details, [])
          assert.isTrue(error.outcomeUnknown)
          for (const text of [error.message, JSON.stringify(error), String(error)]) {
            assert.notInclude(text, "<html")
            assert.notInclude(text, "Bad Gateway</")
            assert.notInclude(text, "Application-Gateway")
          }
        }
      }))

    describe("429 with each Retry-After form, then 200", () => {
      const forms: ReadonlyArray<{
        readonly name: string
        readonly headers: () => Record<string, string>
        readonly asked: (millis: number) => boolean
      }> = [
        { name: "retry-after-ms", headers: () => ({ "retry-after-ms": "40" }), asked: (ms) => ms === 40 },
        { name: "x-ms-retry-after-ms", headers: () => ({ "x-ms-retry-after-ms": "60" }), asked: (ms) => ms === 60 },
        { name: "Retry-After in seconds", headers: () => ({ "Retry-After": "1" }), asked: (ms) => ms === 1000 },
        {
          name: "Retry-After as an HTTP date",
          // one second ahead, at the second's precision of an HTTP date: a wait of 0 to 1 s
          headers: () => ({ "Retry-After": new Date(Date.now() + 1000).toUTCString() }),
          asked: (ms) => ms >= 0 && ms <= 1000
        }
      ]
      const throttled = (headers: Record<string, string>) => ({
        status: 429,
        headers: armHeaders(3, headers),
        json: armError("TooManyRequests", "The request was throttled.", {
          detail: "SubscriptionRequestsThrottled",
          info: {}
        })
      })

      for (const form of forms) {
        it.live(`${form.name}: the wait is read, honoured (capped) and the retry succeeds`, () =>
          Effect.gen(function*() {
            // without retries the wait the service asked for is in the error
            const error = yield* CommunicationServices.regenerateKey({ ...sampleResource, keyType: "Primary" }).pipe(
              Effect.flip,
              Replay.replay([Interaction.make({ request: regenerateRequest(), response: throttled(form.headers()) })]),
              Effect.provide(clientLayer(transport.layer, { retry: false }))
            )
            assert.strictEqual(error._tag, "Throttled")
            if (error._tag === "Throttled") {
              assert.isTrue(form.asked(error.retryAfterMillis!), `retryAfterMillis ${error.retryAfterMillis}`)
              assert.strictEqual(error.code, "TooManyRequests")
              assert.isFalse(error.outcomeUnknown)
            }
            // with a policy capping Retry-After at 100 ms, the second attempt succeeds
            const [response, received] = yield* Effect.gen(function*() {
              const client = yield* CommunicationServices.CommunicationServices
              const response = yield* client.regenerateKeyResponse({ ...sampleResource, keyType: "Primary" })
              return [response, yield* Effect.flatMap(Replay.Replay, (replay) => replay.received)] as const
            }).pipe(
              Replay.replay([
                Interaction.make({ request: regenerateRequest(), response: throttled(form.headers()) }),
                Interaction.make({ request: regenerateRequest(), response: ok() })
              ]),
              Effect.provide(clientLayer(transport.layer, { retry: fastRetry }))
            )
            assert.strictEqual(response.attempts, 2)
            assert.strictEqual(Redacted.value(response.keys.primaryKey!), "1234")
            assert.strictEqual(response.requestId, "5c1f0c2e-0000-4000-8000-000000000009")
            // one client request id across attempts
            assert.deepStrictEqual(received.map((r) => r.headers["x-ms-client-request-id"]), [
              response.clientRequestId,
              response.clientRequestId
            ])
          }))
      }
    })

    it.effect("a 401 claims challenge gets a token for the claims, and the retry succeeds", () =>
      Effect.gen(function*() {
        const claims = "{\"access_token\":{\"nbf\":{\"essential\":true,\"value\":\"1726077595\"}}}"
        const asked: Array<AzureCredential.TokenRequest> = []
        const credential = Layer.effect(
          AzureCredential.AzureCredential,
          AzureCredential.make((request) =>
            Effect.sync(() => {
              asked.push(request)
              return { token: Redacted.make(`token-${asked.length}`), expiresAt: Date.now() + 3_600_000 }
            })
          )
        )
        const challenge = `Bearer authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", ` +
          `error="insufficient_claims", claims="${Buffer.from(claims).toString("base64")}"`
        const response = yield* CommunicationServices.CommunicationServices.pipe(
          Effect.flatMap((client) => client.regenerateKeyResponse({ ...sampleResource, keyType: "Primary" })),
          Replay.replay([
            Interaction.make({
              request: regenerateRequest(),
              response: {
                status: 401,
                headers: armHeaders(4, { "WWW-Authenticate": challenge }),
                json: armError(
                  "InvalidAuthenticationToken",
                  "Continuous access evaluation resulted in claims challenge.",
                  {
                    detail: "InsufficientClaims",
                    info: {}
                  }
                )
              }
            }),
            Interaction.make({ request: regenerateRequest(), response: ok() })
          ]),
          Effect.provide(clientLayer(transport.layer, { retry: RetryPolicy.none }, credential))
        )
        assert.strictEqual(Redacted.value(response.keys.primaryKey!), "1234")
        assert.strictEqual(response.attempts, 2)
        assert.strictEqual(asked.length, 2)
        assert.isUndefined(asked[0]!.claims)
        assert.strictEqual(asked[1]!.claims, claims)
        assert.strictEqual(asked[1]!.scope, "https://management.azure.com/.default")
      }))
  })
}
