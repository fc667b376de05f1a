import type { Errors } from "@effect-acs/core"
import { CommunicationServices } from "@effect-acs/core"
import { assert, describe, it } from "@effect/vitest"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import { readFileSync } from "node:fs"
import { version } from "../src/internal/version.js"
import { bothKeys, clientLayer, documentedSample, resource, resourceId, token } from "./fake.js"

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/

describe("the request", () => {
  it.effect("regenerateKey sends exactly the documented request and decodes the documented response", () => {
    const { layer, seen } = clientLayer([{ status: 200, body: documentedSample }])
    return Effect.gen(function*() {
      const keys = yield* CommunicationServices.regenerateKey({ ...resource, keyType: "primary" })
      assert.strictEqual(Redacted.value(keys.primaryKey!), "1234")
      assert.strictEqual(Redacted.value(keys.primaryConnectionString!), documentedSample.primaryConnectionString)
      assert.strictEqual(seen.length, 1)
      const request = seen[0]!
      assert.strictEqual(request.method, "POST")
      assert.strictEqual(
        request.url,
        "https://management.azure.com/subscriptions/12345/resourceGroups/MyResourceGroup/providers/Microsoft.Communication/communicationServices/MyCommunicationResource/regenerateKey?api-version=2020-08-20"
      )
      assert.strictEqual(request.body, "{\"keyType\":\"Primary\"}")
      assert.strictEqual(request.headers["content-type"], "application/json")
      assert.strictEqual(request.headers["accept"], "application/json")
      assert.strictEqual(request.headers["authorization"], `Bearer ${token}`)
      assert.match(request.headers["x-ms-client-request-id"]!, uuid)
      assert.match(request.headers["user-agent"]!, new RegExp(`^effect-acs/${version.replace(/\./g, "\\.")} `))
    }).pipe(Effect.provide(layer))
  })

  it.effect("listKeys posts with no body to .../listKeys", () => {
    const { layer, seen } = clientLayer([{
      status: 200,
      body: {
        ...documentedSample,
        secondaryKey: "5678",
        secondaryConnectionString: "endpoint=http://example.com;accesskey=5678"
      }
    }])
    return Effect.gen(function*() {
      const keys = yield* CommunicationServices.listKeys({ resourceId })
      assert.strictEqual(Redacted.value(keys.secondaryKey!), "5678")
      assert.strictEqual(seen[0]!.method, "POST")
      assert.isTrue(seen[0]!.url.endsWith(`${resourceId}/listKeys?api-version=2020-08-20`))
      assert.strictEqual(seen[0]!.body, "")
    }).pipe(Effect.provide(layer))
  })

  it.effect("the resource may be named by id, in any case, and the key type in any case", () => {
    const { layer, seen } = clientLayer([{ status: 200, body: bothKeys }])
    return Effect.gen(function*() {
      yield* CommunicationServices.regenerateKey({ resourceId: `${resourceId.toLowerCase()}/`, keyType: "SECONDARY" })
      assert.include(
        seen[0]!.url,
        "/subscriptions/12345/resourceGroups/myresourcegroup/providers/Microsoft.Communication/communicationServices/mycommunicationresource/regenerateKey"
      )
      assert.strictEqual(seen[0]!.body, "{\"keyType\":\"Secondary\"}")
    }).pipe(Effect.provide(layer))
  })

  it.effect("endpoint, api-version and user-agent suffix are the caller's", () => {
    const { layer, seen } = clientLayer([{ status: 200, body: {} }], {
      endpoint: `${CommunicationServices.endpoints.AzureChina}/`,
      apiVersion: "2023-04-01",
      userAgentSuffix: "rotator/2.0"
    })
    return Effect.gen(function*() {
      yield* CommunicationServices.listKeys(resource)
      assert.isTrue(seen[0]!.url.startsWith("https://management.chinacloudapi.cn/subscriptions/12345/"))
      assert.isTrue(seen[0]!.url.endsWith("/listKeys?api-version=2023-04-01"))
      assert.isTrue(seen[0]!.headers["user-agent"]!.endsWith(" rotator/2.0"))
    }).pipe(Effect.provide(layer))
  })

  it.effect("invalid input fails with InvalidInput before any I/O", () => {
    const { layer, seen } = clientLayer([{ status: 200, body: {} }])
    return Effect.gen(function*() {
      const cases: ReadonlyArray<readonly [CommunicationServices.RegenerateKeyInput, string, string]> = [
        [{ ...resource, keyType: "Both" }, "keyType", "\"Primary\" or \"Secondary\""],
        [{ ...resource, keyType: " primary" }, "keyType", "\"Primary\" or \"Secondary\""],
        [{ ...resource, subscriptionId: "", keyType: "Primary" }, "subscriptionId", "must not be empty"],
        [{ ...resource, resourceGroupName: "../x", keyType: "Primary" }, "resourceGroupName", "must not contain"],
        [{ ...resource, communicationServiceName: "a/b", keyType: "Primary" }, "communicationServiceName", "must not"],
        [
          { ...resource, communicationServiceName: "x".repeat(64), keyType: "Primary" },
          "communicationServiceName",
          "at most 63"
        ],
        [
          { resourceId: "/subscriptions/1/resourceGroups/rg", keyType: "Primary" },
          "resourceId",
          "Expected a resource id"
        ],
        [null as never, "input", "expected an object"]
      ]
      for (const [input, field, reason] of cases) {
        const error = yield* Effect.flip(CommunicationServices.regenerateKey(input))
        assert.strictEqual(error._tag, "InvalidInput")
        assert.strictEqual((error as Errors.InvalidInput).field, field)
        assert.include((error as Errors.InvalidInput).reason, reason)
      }
      const listError = yield* Effect.flip(CommunicationServices.listKeys({ resourceId: "nope" }))
      assert.strictEqual(listError._tag, "InvalidInput")
      assert.strictEqual(seen.length, 0)
    }).pipe(Effect.provide(layer))
  })

  it.effect("path segments are percent-encoded", () => {
    const { layer, seen } = clientLayer([{ status: 200, body: {} }])
    return Effect.gen(function*() {
      yield* CommunicationServices.listKeys({ ...resource, resourceGroupName: "Ressourcengruppe-Ü(1)" })
      assert.include(seen[0]!.url, "/resourceGroups/Ressourcengruppe-%C3%9C(1)/")
    }).pipe(Effect.provide(layer))
  })

  it.effect("refuses plain http, except to loopback when the caller opts in", () =>
    Effect.gen(function*() {
      const refused = [
        [{ endpoint: "http://management.azure.com" }, "https only"],
        [{ endpoint: "http://127.0.0.1:8080" }, "allowInsecureLoopback"],
        [{ endpoint: "http://10.0.0.1", allowInsecureLoopback: true }, "loopback address only"],
        [{ endpoint: "ftp://x" }, "absolute https URL"],
        [{ endpoint: "not a url" }, "absolute https URL"],
        [{ endpoint: "https://management.azure.com/?x=1" }, "no query"],
        [{ apiVersion: "2020-08-20&evil=1" }, "may contain only"]
      ] as const
      for (const [options, reason] of refused) {
        const error = yield* Effect.flip(
          Effect.provide(CommunicationServices.CommunicationServices, clientLayer([], options).layer)
        )
        assert.strictEqual(error._tag, "InvalidInput")
        assert.include(error.reason, reason, JSON.stringify(options))
      }
      for (const endpoint of ["http://127.0.0.1:8080", "http://localhost:1", "http://[::1]:9"]) {
        const { layer, seen } = clientLayer([{ status: 200, body: {} }], { endpoint, allowInsecureLoopback: true })
        yield* Effect.provide(CommunicationServices.listKeys(resource), layer)
        assert.isTrue(seen[0]!.url.startsWith(endpoint.replace(/\/$/, "")), endpoint)
      }
    }))

  it.live("an infinite or very long per-attempt timeout never fires", () =>
    Effect.gen(function*() {
      for (const timeout of [Duration.infinity, Duration.days(30)]) {
        const { layer } = clientLayer([{ status: 200, body: documentedSample }], { timeout })
        const keys = yield* CommunicationServices.listKeys(resource).pipe(Effect.provide(layer))
        assert.strictEqual(Redacted.value(keys.primaryKey!), "1234")
      }
    }))

  it("the User-Agent version is the package's", () => {
    const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"))
    assert.strictEqual(version, pkg.version)
  })
})
