import { CommunicationServices, Errors } from "@effect-acs/core"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as TestClock from "effect/TestClock"
import { clientLayer, type Reply, resource, resourceId } from "./fake.js"

const armError = (code: string, message: string, extra: object = {}) => ({ error: { code, message, ...extra } })

/** Fails once, with retries off, and returns the error. */
const failure = (reply: Reply, operation: "regenerateKey" | "listKeys" = "regenerateKey") => {
  const { layer } = clientLayer([reply], { retry: false })
  const call = operation === "regenerateKey"
    ? CommunicationServices.regenerateKey({ ...resource, keyType: "Primary" })
    : CommunicationServices.listKeys(resource)
  return Effect.flip(call).pipe(Effect.provide(layer))
}

describe("errors: one tag per failure mode", () => {
  it.effect("401 AuthenticationFailed, 403 AuthorizationFailed, 409 Conflict, 400 BadRequest with all ARM fields", () =>
    Effect.gen(function*() {
      const cases = [
        [401, "AuthenticationFailed", "InvalidAuthenticationToken"],
        [403, "AuthorizationFailed", "AuthorizationFailed"],
        [409, "Conflict", "Conflict"],
        [400, "BadRequest", "InvalidRequestContent"],
        [405, "BadRequest", "MethodNotAllowed"],
        [412, "BadRequest", "PreconditionFailed"]
      ] as const
      for (const [status, tag, code] of cases) {
        const error = yield* failure({
          status,
          body: armError(code, `the ${code} message`, {
            target: "keyType",
            details: [{ code: "Inner", message: "inner message", details: [{ code: "Deeper" }] }],
            additionalInfo: [{ type: "PolicyViolation", info: { policy: "p" } }]
          }),
          headers: { "x-ms-request-id": "rid", "x-ms-correlation-request-id": "cid" }
        })
        assert.strictEqual(error._tag, tag, String(status))
        const arm = error as Errors.ResponseError
        assert.strictEqual(arm.status, status)
        assert.strictEqual(arm.code, code)
        assert.strictEqual(arm.armMessage, `the ${code} message`)
        assert.strictEqual(arm.target, "keyType")
        assert.strictEqual(arm.details[0]?.code, "Inner")
        assert.strictEqual(arm.details[0]?.details?.[0]?.code, "Deeper")
        assert.strictEqual(arm.additionalInfo[0]?.type, "PolicyViolation")
        assert.strictEqual(arm.requestId, "rid")
        assert.strictEqual(arm.correlationRequestId, "cid")
        assert.isString(arm.clientRequestId)
        assert.strictEqual(arm.resourceId, resourceId)
        assert.strictEqual(arm.operation, "regenerateKey")
        assert.strictEqual(arm.attempts, 1)
        assert.isFalse(arm.outcomeUnknown, "a refused request changed nothing")
        assert.include(arm.message, `HTTP ${status}`)
        assert.include(arm.message, code)
        assert.include(arm.message, "x-ms-request-id: rid")
      }
    }))

  it.effect("404 NotFound says what is missing, from the ARM code", () =>
    Effect.gen(function*() {
      const cases = [
        ["SubscriptionNotFound", "Subscription"],
        ["ResourceGroupNotFound", "ResourceGroup"],
        ["ResourceNotFound", "Resource"],
        ["SomethingElse", "Unknown"]
      ] as const
      for (const [code, missing] of cases) {
        const error = yield* failure({ status: 404, body: armError(code, "not here") })
        assert.strictEqual(error._tag, "NotFound")
        assert.strictEqual((error as Errors.NotFound).missing, missing)
      }
      const bare = yield* failure({ status: 404, body: "" })
      assert.strictEqual((bare as Errors.NotFound).missing, "Unknown")
    }))

  it.effect("429 Throttled carries the wait it was given", () =>
    Effect.gen(function*() {
      const error = yield* failure({
        status: 429,
        body: armError("TooManyRequests", "slow down"),
        headers: { "retry-after": "17" }
      })
      assert.strictEqual(error._tag, "Throttled")
      assert.strictEqual((error as Errors.Throttled).retryAfterMillis, 17_000)
      assert.isFalse((error as Errors.Throttled).outcomeUnknown)
    }))

  it.effect("5xx ServiceError: a regeneration's outcome is unknown, a listKeys' is not", () =>
    Effect.gen(function*() {
      for (const status of [500, 502, 503, 504, 507]) {
        const error = yield* failure({ status, body: armError("InternalServerError", "oops") })
        assert.strictEqual(error._tag, "ServiceError")
        assert.isTrue(Errors.isOutcomeUnknown(error))
        assert.include(error.message, "call listKeys")
      }
      const list = yield* failure({ status: 500, body: armError("InternalServerError", "oops") }, "listKeys")
      assert.isFalse(Errors.isOutcomeUnknown(list))
    }))

  it.effect("an HTML 502 from a gateway is a ServiceError that does not quote the HTML", () =>
    Effect.gen(function*() {
      const html = "<html><body><h1>502 Bad Gateway</h1><p>upstream secret-ish detail</p></body></html>"
      const error = yield* failure({ status: 502, body: html, headers: { "content-type": "text/html" } })
      assert.strictEqual(error._tag, "ServiceError")
      assert.isUndefined((error as Errors.ServiceError).code)
      assert.notInclude(error.message, "<html>")
      assert.notInclude(JSON.stringify(error), "upstream")
    }))

  it.effect("undeclared statuses are UnexpectedResponse, never a success", () =>
    Effect.gen(function*() {
      for (const status of [201, 202, 204, 301, 302]) {
        const error = yield* failure({ status, body: status === 204 ? undefined : { primaryKey: "1234" } })
        assert.strictEqual(error._tag, "UnexpectedResponse", String(status))
        const unexpected = error as Errors.UnexpectedResponse
        assert.strictEqual(unexpected.reason, "UndeclaredStatus")
        assert.strictEqual(unexpected.status, status)
        assert.strictEqual(unexpected.outcomeUnknown, status < 300, "a 2xx may have regenerated the key")
      }
    }))

  it.effect("a 200 that is not JSON, or does not match the schema, is UnexpectedResponse without the body", () =>
    Effect.gen(function*() {
      const notJson = yield* failure({
        status: 200,
        body: "primaryKey=abcdef",
        headers: { "content-type": "text/plain" }
      })
      assert.strictEqual(notJson._tag, "UnexpectedResponse")
      assert.strictEqual((notJson as Errors.UnexpectedResponse).reason, "NotJson")
      assert.include((notJson as Errors.UnexpectedResponse).description, "text/plain")
      assert.isTrue((notJson as Errors.UnexpectedResponse).outcomeUnknown)
      const wrong = yield* failure({ status: 200, body: { primaryKey: 123456789, secondaryKey: ["abcdef"] } })
      const unexpected = wrong as Errors.UnexpectedResponse
      assert.strictEqual(unexpected.reason, "NonConformingBody")
      assert.include(unexpected.description, "primaryKey")
      assert.include(unexpected.description, "secondaryKey")
      assert.notInclude(unexpected.message, "123456789")
      assert.notInclude(unexpected.message, "abcdef")
      const array = yield* failure({ status: 200, body: [] }, "listKeys")
      assert.strictEqual((array as Errors.UnexpectedResponse).reason, "NonConformingBody")
      assert.isFalse((array as Errors.UnexpectedResponse).outcomeUnknown)
    }))

  it.effect("transport failures: Connect (never sent, outcome known) vs Connection (outcome unknown)", () =>
    Effect.gen(function*() {
      const refused = yield* failure({ fail: "ECONNREFUSED" })
      assert.strictEqual(refused._tag, "TransportError")
      assert.strictEqual((refused as Errors.TransportError).reason, "Connect")
      assert.isFalse(Errors.isOutcomeUnknown(refused))
      assert.include((refused as Errors.TransportError).description, "ECONNREFUSED")
      const reset = yield* failure({ fail: "ECONNRESET" })
      assert.strictEqual((reset as Errors.TransportError).reason, "Connection")
      assert.isTrue(Errors.isOutcomeUnknown(reset))
      assert.include(reset.message, "call listKeys")
    }))

  it.effect("a response that never comes is a Timeout after the per-attempt timeout", () =>
    Effect.gen(function*() {
      const { layer } = clientLayer([{ effect: Effect.never }], { retry: false, timeout: "5 seconds" })
      const fiber = yield* Effect.fork(
        Effect.flip(CommunicationServices.regenerateKey({ ...resource, keyType: "Primary" })).pipe(
          Effect.provide(layer)
        )
      )
      yield* TestClock.adjust("5 seconds")
      const error = yield* Fiber.join(fiber)
      assert.strictEqual(error._tag, "TransportError")
      assert.strictEqual((error as Errors.TransportError).reason, "Timeout")
      assert.isTrue(Errors.isOutcomeUnknown(error))
    }))
})
