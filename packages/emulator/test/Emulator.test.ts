import type { EmulatorState } from "@effect-acs/emulator"
import { Emulator } from "@effect-acs/emulator"
import { ErrorResponse } from "@effect-acs/schema"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import {
  connectionStringPattern,
  keyPattern,
  other,
  pathOf,
  type Reply,
  resource,
  respond,
  subscriptionId
} from "./helpers.js"

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

const start = (options: Emulator.Options = {}) => Emulator.make({ resources: [resource, other], ...options })

/** Checks an ARM error answer: status, code, target, and a body that decodes as an ARM ErrorResponse. */
const assertArmError = (
  reply: Extract<Reply, { _tag: "Response" }>,
  status: number,
  code: string,
  target?: string
) => {
  assert.strictEqual(reply.status, status, JSON.stringify(reply.body))
  const body = Schema.decodeUnknownSync(ErrorResponse.ErrorResponse)(reply.body)
  assert.strictEqual(body.error?.code, code)
  assert.isString(body.error?.message)
  assert.isAbove(body.error?.message?.length ?? 0, 0)
  assert.strictEqual(body.error?.target, target)
  assert.match(reply.headers["content-type"] ?? "", /^application\/json/)
}

const plain = (keys: EmulatorState.ResourceKeys) => ({
  primaryKey: Redacted.value(keys.primaryKey),
  secondaryKey: Redacted.value(keys.secondaryKey),
  primaryConnectionString: Redacted.value(keys.primaryConnectionString),
  secondaryConnectionString: Redacted.value(keys.secondaryConnectionString)
})

describe("Emulator: the operations", () => {
  it.scoped("generated keys are 64 random bytes in base64 (88 characters), with ARM connection strings", () =>
    Effect.gen(function*() {
      const emulator = yield* start()
      const keys = plain(yield* emulator.keys(resource))
      for (const key of [keys.primaryKey, keys.secondaryKey]) {
        assert.match(key, keyPattern)
        assert.strictEqual(Buffer.from(key, "base64").length, 64)
      }
      assert.notStrictEqual(keys.primaryKey, keys.secondaryKey)
      assert.strictEqual(
        keys.primaryConnectionString,
        `endpoint=https://my-acs.communication.azure.com/;accesskey=${keys.primaryKey}`
      )
      assert.strictEqual(
        keys.secondaryConnectionString,
        `endpoint=https://my-acs.communication.azure.com/;accesskey=${keys.secondaryKey}`
      )
      const otherKeys = plain(yield* emulator.keys(other))
      assert.notStrictEqual(otherKeys.primaryKey, keys.primaryKey)
    }))

  it.scoped("regenerateKey Primary returns only the primary pair and changes only the primary key", () =>
    Effect.gen(function*() {
      const emulator = yield* start()
      const before = plain(yield* emulator.keys(resource))
      const otherBefore = plain(yield* emulator.keys(other))
      const reply = yield* respond(emulator, { body: { keyType: "Primary" } })
      assert.strictEqual(reply.status, 200)
      assert.deepStrictEqual(Object.keys(reply.body).sort(), ["primaryConnectionString", "primaryKey"])
      assert.match(reply.body.primaryKey, keyPattern)
      assert.match(reply.body.primaryConnectionString, connectionStringPattern("my-acs"))
      assert.strictEqual(
        reply.body.primaryConnectionString,
        `endpoint=https://my-acs.communication.azure.com/;accesskey=${reply.body.primaryKey}`
      )
      assert.notStrictEqual(reply.body.primaryKey, before.primaryKey)

      const after = plain(yield* emulator.keys(resource))
      assert.strictEqual(after.primaryKey, reply.body.primaryKey)
      assert.strictEqual(after.secondaryKey, before.secondaryKey)
      // the other resource is untouched
      assert.deepStrictEqual(plain(yield* emulator.keys(other)), otherBefore)

      const listed = yield* respond(emulator, { operation: "listKeys" })
      assert.strictEqual(listed.status, 200)
      assert.deepStrictEqual(listed.body, after)
    }))

  it.scoped("regenerateKey Secondary, in any letter case, changes only the secondary key", () =>
    Effect.gen(function*() {
      const emulator = yield* start()
      for (const keyType of ["Secondary", "secondary", "SECONDARY", "sEcOnDaRy"]) {
        const before = plain(yield* emulator.keys(resource))
        const reply = yield* respond(emulator, { body: { keyType } })
        assert.strictEqual(reply.status, 200, keyType)
        assert.deepStrictEqual(Object.keys(reply.body).sort(), ["secondaryConnectionString", "secondaryKey"])
        assert.match(reply.body.secondaryKey, keyPattern)
        assert.match(reply.body.secondaryConnectionString, connectionStringPattern("my-acs"))
        const after = plain(yield* emulator.keys(resource))
        assert.notStrictEqual(after.secondaryKey, before.secondaryKey)
        assert.strictEqual(after.secondaryKey, reply.body.secondaryKey)
        assert.strictEqual(after.primaryKey, before.primaryKey)
      }
      assert.strictEqual((yield* emulator.stats).regenerations, 4)
    }))

  it.scoped("listKeys returns all four fields; keys given in the options are served as given", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.make({
        resources: [{ ...resource, primaryKey: "cHJpbWFyeQ==", secondaryKey: Redacted.make("c2Vjb25kYXJ5") }]
      })
      const reply = yield* respond(emulator, { operation: "listKeys" })
      assert.strictEqual(reply.status, 200)
      assert.deepStrictEqual(reply.body, {
        primaryKey: "cHJpbWFyeQ==",
        secondaryKey: "c2Vjb25kYXJ5",
        primaryConnectionString: "endpoint=https://my-acs.communication.azure.com/;accesskey=cHJpbWFyeQ==",
        secondaryConnectionString: "endpoint=https://my-acs.communication.azure.com/;accesskey=c2Vjb25kYXJ5"
      })
    }))

  it.scoped("fixed path segments match in any letter case; names compare case-insensitively", () =>
    Effect.gen(function*() {
      const emulator = yield* start()
      const expected = plain(yield* emulator.keys(resource))
      const paths = [
        `/SUBSCRIPTIONS/${subscriptionId.toUpperCase()}/RESOURCEGROUPS/myresourcegroup/PROVIDERS/` +
        `MICROSOFT.COMMUNICATION/COMMUNICATIONSERVICES/MY-ACS/LISTKEYS`,
        `/subscriptions/${subscriptionId}/resourcegroups/MYRESOURCEGROUP/providers/microsoft.communication/` +
        `communicationservices/My-Acs/listkeys`
      ]
      for (const path of paths) {
        const reply = yield* respond(emulator, { path, operation: "listKeys" })
        assert.strictEqual(reply.status, 200, path)
        assert.deepStrictEqual(reply.body, expected)
      }
      const regenerated = yield* respond(emulator, {
        path: pathOf({ ...resource, communicationServiceName: "MY-ACS" }, "REGENERATEKEY"),
        body: { keyType: "primary" }
      })
      assert.strictEqual(regenerated.status, 200)
      assert.strictEqual(Redacted.value((yield* emulator.keys(resource)).primaryKey), regenerated.body.primaryKey)
      // connection strings keep the name as it was given
      assert.match(regenerated.body.primaryConnectionString, connectionStringPattern("my-acs"))
    }))
})

describe("Emulator: response headers", () => {
  it.scoped("every response carries x-ms-request-id and x-ms-correlation-request-id, and echoes the client id", () =>
    Effect.gen(function*() {
      const emulator = yield* start()
      const replies = [
        yield* respond(emulator),
        yield* respond(emulator, { operation: "listKeys" }),
        yield* respond(emulator, { token: null }),
        yield* respond(emulator, { path: "/nowhere" }),
        yield* respond(emulator, { method: "GET", operation: "listKeys" }),
        yield* respond(emulator, { apiVersion: null })
      ]
      const requestIds = new Set<string>()
      for (const reply of replies) {
        const requestId = reply.headers["x-ms-request-id"] ?? ""
        const correlationId = reply.headers["x-ms-correlation-request-id"] ?? ""
        assert.match(requestId, uuid, String(reply.status))
        assert.match(correlationId, uuid, String(reply.status))
        assert.notStrictEqual(requestId, correlationId)
        assert.isUndefined(reply.headers["x-ms-client-request-id"])
        requestIds.add(requestId)
      }
      assert.strictEqual(requestIds.size, replies.length)

      const headers = {
        "x-ms-correlation-request-id": "4f8e1b7a-3c2d-4e5f-8a9b-0c1d2e3f4a5b",
        "x-ms-client-request-id": "my-client-request-1"
      }
      for (const call of [{ headers }, { headers, token: null }, { headers, path: "/nowhere" }]) {
        const reply = yield* respond(emulator, call)
        assert.strictEqual(reply.headers["x-ms-correlation-request-id"], headers["x-ms-correlation-request-id"])
        assert.strictEqual(reply.headers["x-ms-client-request-id"], "my-client-request-1")
        assert.match(reply.headers["x-ms-request-id"] ?? "", uuid)
      }
    }))

  it.scoped("x-ms-ratelimit-remaining-subscription-writes is on every response for a known subscription", () =>
    Effect.gen(function*() {
      const emulator = yield* start({ forbiddenTokens: ["reader-token"] })
      const remaining = (reply: Extract<Reply, { _tag: "Response" }>) =>
        reply.headers["x-ms-ratelimit-remaining-subscription-writes"]
      assert.strictEqual(remaining(yield* respond(emulator)), "199")
      assert.strictEqual(remaining(yield* respond(emulator, { operation: "listKeys" })), "198")
      const forbidden = yield* respond(emulator, { token: "reader-token" })
      assertArmError(forbidden, 403, "AuthorizationFailed")
      assert.strictEqual(remaining(forbidden), "197")
      const missing = yield* respond(emulator, { ref: { ...resource, communicationServiceName: "nope" } })
      assertArmError(missing, 404, "ResourceNotFound")
      assert.strictEqual(remaining(missing), "196")
      const badBody = yield* respond(emulator, { body: { keyType: "Tertiary" } })
      assertArmError(badBody, 400, "InvalidRequestContent", "keyType")
      assert.strictEqual(remaining(badBody), "195")
      // an unknown subscription has no bucket
      const unknown = yield* respond(emulator, { ref: { ...resource, subscriptionId: "unknown-subscription" } })
      assertArmError(unknown, 404, "SubscriptionNotFound")
      assert.isUndefined(remaining(unknown))
    }))
})

describe("Emulator: validation as ARM answers", () => {
  it.scoped("api-version: missing -> MissingApiVersionParameter, unsupported -> InvalidApiVersionParameter", () =>
    Effect.gen(function*() {
      const emulator = yield* start()
      assertArmError(yield* respond(emulator, { apiVersion: null }), 400, "MissingApiVersionParameter")
      assertArmError(yield* respond(emulator, { apiVersion: "" }), 400, "MissingApiVersionParameter")
      assertArmError(
        yield* respond(emulator, { apiVersion: "2021-01-01" }),
        400,
        "InvalidApiVersionParameter",
        "api-version"
      )
      assertArmError(
        yield* respond(emulator, { apiVersion: "2020-08-20;x" }),
        400,
        "InvalidApiVersionParameter",
        "api-version"
      )
      for (const apiVersion of [...Emulator.defaultApiVersions, "2023-04-01-PREVIEW"]) {
        assert.strictEqual((yield* respond(emulator, { operation: "listKeys", apiVersion })).status, 200, apiVersion)
      }
      assert.includeMembers([...Emulator.defaultApiVersions], [
        "2020-08-20",
        "2023-03-31",
        "2023-04-01",
        "2025-05-01",
        "2025-09-01",
        "2026-03-18",
        "2023-04-01-preview"
      ])
    }))

  it.scoped("api-version: the accepted list is configurable", () =>
    Effect.gen(function*() {
      const emulator = yield* start({ apiVersions: ["2020-08-20"] })
      assert.strictEqual((yield* respond(emulator, { apiVersion: "2020-08-20" })).status, 200)
      const reply = yield* respond(emulator, { apiVersion: "2023-04-01" })
      assertArmError(reply, 400, "InvalidApiVersionParameter", "api-version")
      assert.include(reply.body.error.message, "2020-08-20")
    }))

  it.scoped("bad path parameters -> 400 InvalidParameter with the parameter as target", () =>
    Effect.gen(function*() {
      const emulator = yield* start()
      const cases: ReadonlyArray<readonly [EmulatorState.ResourceRef, string]> = [
        [{ ...resource, subscriptionId: "a%2Fb" }, "subscriptionId"],
        [{ ...resource, subscriptionId: "a%20b" }, "subscriptionId"],
        [{ ...resource, resourceGroupName: "x".repeat(91) }, "resourceGroupName"],
        // longer than the router's default parameter limit: still routed, and refused by the schema
        [{ ...resource, resourceGroupName: "x".repeat(150) }, "resourceGroupName"],
        [{ ...resource, resourceGroupName: "rg+1" }, "resourceGroupName"],
        [{ ...resource, communicationServiceName: "acs.prod" }, "communicationServiceName"],
        [{ ...resource, communicationServiceName: "x".repeat(64) }, "communicationServiceName"]
      ]
      for (const [ref, target] of cases) {
        assertArmError(yield* respond(emulator, { ref }), 400, "InvalidParameter", target)
        assertArmError(yield* respond(emulator, { ref, operation: "listKeys" }), 400, "InvalidParameter", target)
      }
    }))

  it.scoped("bad or missing keyType, or a body that is not a JSON object -> 400 InvalidRequestContent", () =>
    Effect.gen(function*() {
      const emulator = yield* start()
      const before = plain(yield* emulator.keys(resource))
      const cases: ReadonlyArray<readonly [unknown, string | undefined]> = [
        ["{not json", undefined],
        ["[1, 2]", undefined],
        ["\"Primary\"", undefined],
        ["", "keyType"],
        [{}, "keyType"],
        [{ keyType: "Tertiary" }, "keyType"],
        [{ keyType: 1 }, "keyType"],
        [{ keyType: " Primary" }, "keyType"],
        [{ keyType: null }, "keyType"]
      ]
      for (const [body, target] of cases) {
        assertArmError(yield* respond(emulator, { body }), 400, "InvalidRequestContent", target)
      }
      assert.deepStrictEqual(plain(yield* emulator.keys(resource)), before)
    }))

  it.scoped("unknown subscription, resource group or resource -> 404 with the ARM code", () =>
    Effect.gen(function*() {
      const emulator = yield* start()
      const cases: ReadonlyArray<readonly [EmulatorState.ResourceRef, string]> = [
        [{ ...resource, subscriptionId: "00000000-0000-0000-0000-000000000000" }, "SubscriptionNotFound"],
        [{ ...resource, resourceGroupName: "OtherGroup" }, "ResourceGroupNotFound"],
        [{ ...resource, communicationServiceName: "missing-acs" }, "ResourceNotFound"]
      ]
      for (const [ref, code] of cases) {
        assertArmError(yield* respond(emulator, { ref }), 404, code)
        assertArmError(yield* respond(emulator, { ref, operation: "listKeys" }), 404, code)
      }
    }))

  it.scoped("unknown routes -> 404 with an ARM body; a wrong method -> 405 with Allow: POST", () =>
    Effect.gen(function*() {
      const emulator = yield* start()
      for (const path of ["/", "/nowhere", pathOf(resource, "deleteKeys"), pathOf(resource, "listKeys/extra")]) {
        assertArmError(yield* respond(emulator, { path }), 404, "NotFound")
      }
      for (const method of ["GET", "PUT", "DELETE", "PATCH"] as const) {
        for (const operation of ["regenerateKey", "listKeys"] as const) {
          const reply = yield* respond(emulator, { method, operation, body: undefined })
          assertArmError(reply, 405, "MethodNotAllowed")
          assert.strictEqual(reply.headers["allow"], "POST")
        }
      }
    }))

  it.scoped("a missing or unknown bearer token -> 401 with WWW-Authenticate; a token without permission -> 403", () =>
    Effect.gen(function*() {
      const emulator = yield* start({ forbiddenTokens: [Redacted.make("reader-token")] })
      const before = plain(yield* emulator.keys(resource))
      for (const operation of ["regenerateKey", "listKeys"] as const) {
        const missing = yield* respond(emulator, { operation, token: null })
        assertArmError(missing, 401, "AuthenticationFailed")
        assert.match(missing.headers["www-authenticate"] ?? "", /^Bearer /)

        const basic = yield* respond(emulator, { operation, token: null, headers: { authorization: "Basic abc" } })
        assertArmError(basic, 401, "AuthenticationFailed")
        assert.match(basic.headers["www-authenticate"] ?? "", /^Bearer /)

        const unknown = yield* respond(emulator, { operation, token: "not-a-known-token" })
        assertArmError(unknown, 401, "InvalidAuthenticationToken")
        assert.match(unknown.headers["www-authenticate"] ?? "", /^Bearer .*error="invalid_token"/)

        const forbidden = yield* respond(emulator, { operation, token: "reader-token" })
        assertArmError(forbidden, 403, "AuthorizationFailed")
        assert.include(forbidden.body.error.message, `communicationServices/${operation}/action`)
      }
      // the scheme is case-insensitive
      const lower = yield* respond(emulator, {
        operation: "listKeys",
        token: null,
        headers: { authorization: `bearer ${Emulator.defaultToken}` }
      })
      assert.strictEqual(lower.status, 200)
      assert.deepStrictEqual(plain(yield* emulator.keys(resource)), before)
    }))

  it.scoped("the accepted tokens are configurable; the default token is then refused", () =>
    Effect.gen(function*() {
      const emulator = yield* start({ tokens: ["token-a", Redacted.make("token-b")] })
      assert.strictEqual((yield* respond(emulator, { token: "token-a" })).status, 200)
      assert.strictEqual((yield* respond(emulator, { token: "token-b" })).status, 200)
      assertArmError(yield* respond(emulator, { token: Emulator.defaultToken }), 401, "InvalidAuthenticationToken")
    }))
})
