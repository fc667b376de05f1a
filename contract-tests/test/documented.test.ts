import { DocumentedExample, Replay } from "@effect-acs/contract-tests"
import { CommunicationServices } from "@effect-acs/core"
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import { armUrl, clientLayer, laterResource, packagePath, sampleResource, token, transports, uuid } from "./support.js"

const load = (version: string, operation: DocumentedExample.Operation) =>
  DocumentedExample.load(packagePath(`fixtures/documented/${version}/${operation}.json`), { operation }).pipe(
    Effect.provide(NodeFileSystem.layer)
  )

/** The later stable api-versions whose Regenerate Key and List Keys have the 2020-08-20 shape. */
const laterVersions = ["2023-03-31", "2023-04-01", "2025-05-01", "2025-09-01", "2026-03-18"] as const

/** 2026-03-18 documents Regenerate Key only. */
const documentsListKeys = (version: string) => version !== "2026-03-18"

for (const transport of transports) {
  describe(`documented examples over ${transport.name}`, () => {
    it.effect("regenerateKey sends exactly the documented request and yields the documented keys (2020-08-20)", () =>
      Effect.gen(function*() {
        const interactions = yield* load("2020-08-20", "regenerateKey")
        assert.strictEqual(interactions.length, 1)
        const [response, received] = yield* Effect.gen(function*() {
          const response = yield* CommunicationServices.CommunicationServices.pipe(
            Effect.flatMap((client) => client.regenerateKeyResponse({ ...sampleResource, keyType: "Primary" }))
          )
          return [response, yield* Effect.flatMap(Replay.Replay, (replay) => replay.received)] as const
        }).pipe(Replay.replay(interactions), Effect.provide(clientLayer(transport.layer)))
        // the documented keys, as Redacted values
        assert.isTrue(Redacted.isRedacted(response.keys.primaryKey))
        assert.strictEqual(Redacted.value(response.keys.primaryKey!), "1234")
        assert.strictEqual(
          Redacted.value(response.keys.primaryConnectionString!),
          "endpoint=http://example.com;accesskey=1234"
        )
        assert.isUndefined(response.keys.secondaryKey)
        assert.strictEqual(response.attempts, 1)
        // the request: method, path, the one query parameter, JSON body and content type were matched
        // strictly by the replay; here is what it received
        assert.strictEqual(received.length, 1)
        const request = received[0]!
        assert.strictEqual(request.interaction, 0)
        assert.strictEqual(request.method, "POST")
        assert.strictEqual(
          request.url,
          "https://management.azure.com/subscriptions/12345/resourceGroups/MyResourceGroup/providers/Microsoft.Communication/communicationServices/MyCommunicationResource/regenerateKey?api-version=2020-08-20"
        )
        assert.deepStrictEqual([...new URL(request.url).searchParams.keys()], ["api-version"])
        assert.deepStrictEqual(JSON.parse(request.body), { keyType: "Primary" })
        assert.strictEqual(request.headers["content-type"], "application/json")
        // a bearer token was sent (the replay masks its value)
        assert.strictEqual(request.headers["authorization"], "Bearer <redacted>")
        assert.notInclude(JSON.stringify(received), token)
        // a client request id, the same the client reports
        assert.match(request.headers["x-ms-client-request-id"]!, uuid)
        assert.strictEqual(request.headers["x-ms-client-request-id"], response.clientRequestId)
      }))

    it.effect("listKeys posts with no body and yields the documented keys (2020-08-20)", () =>
      Effect.gen(function*() {
        const interactions = yield* load("2020-08-20", "listKeys")
        assert.strictEqual(interactions[0]!.request.url, armUrl(sampleResource, "listKeys"))
        const [keys, received] = yield* Effect.gen(function*() {
          const keys = yield* CommunicationServices.listKeys(sampleResource)
          return [keys, yield* Effect.flatMap(Replay.Replay, (replay) => replay.received)] as const
        }).pipe(Replay.replay(interactions), Effect.provide(clientLayer(transport.layer)))
        assert.strictEqual(Redacted.value(keys.primaryKey!), "<primaryKey>")
        assert.strictEqual(Redacted.value(keys.secondaryKey!), "<secondaryKey>")
        assert.isUndefined(keys.primaryConnectionString)
        assert.strictEqual(received[0]!.body, "")
        assert.strictEqual(received[0]!.headers["authorization"], "Bearer <redacted>")
        assert.match(received[0]!.headers["x-ms-client-request-id"]!, uuid)
      }))

    for (const version of laterVersions) {
      it.effect(`the same contract at api-version ${version}`, () =>
        Effect.gen(function*() {
          const regenerate = yield* load(version, "regenerateKey")
          const list = documentsListKeys(version) ? yield* load(version, "listKeys") : []
          assert.strictEqual(regenerate[0]!.request.url, armUrl(laterResource, "regenerateKey", version))
          const [regenerated, listed] = yield* Effect.all([
            CommunicationServices.regenerateKey({ ...laterResource, keyType: "primary" }),
            documentsListKeys(version)
              ? Effect.asSome(CommunicationServices.listKeys(laterResource))
              : Effect.succeedNone
          ]).pipe(
            Replay.replay([...regenerate, ...list]),
            Effect.provide(clientLayer(transport.layer, { apiVersion: version }))
          )
          assert.strictEqual(Redacted.value(regenerated.primaryKey!), "1234")
          assert.strictEqual(
            Redacted.value(regenerated.primaryConnectionString!),
            "endpoint=http://example.com;accesskey=1234"
          )
          if (listed._tag === "Some") {
            assert.strictEqual(Redacted.value(listed.value.primaryKey!), "<primaryKey>")
            assert.strictEqual(Redacted.value(listed.value.secondaryKey!), "<secondaryKey>")
          } else {
            assert.strictEqual(version, "2026-03-18")
          }
        }))
    }

    it.effect("the client's default api-version does not satisfy a later version's example", () =>
      Effect.gen(function*() {
        const interactions = yield* load("2023-04-01", "regenerateKey")
        const error = yield* CommunicationServices.regenerateKey({ ...laterResource, keyType: "Primary" }).pipe(
          Replay.replay(interactions),
          Effect.provide(clientLayer(transport.layer, { retry: false })),
          Effect.flip
        )
        assert.strictEqual(error._tag, "RequestMismatch")
        if (error._tag === "RequestMismatch") {
          assert.include(error.diff, "query: expected api-version=2023-04-01, got api-version=2020-08-20")
        }
      }))
  })
}
