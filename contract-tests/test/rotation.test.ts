import { Har, type Interaction, Replay, Secrets, TestProxy } from "@effect-acs/contract-tests"
import { CommunicationServices } from "@effect-acs/core"
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import { resource, rotate } from "../examples/replay-rotation.js"
import { clientLayer, jsonOf, packagePath, transports } from "./support.js"

const formats = [
  {
    name: "test-proxy recording",
    load: () => TestProxy.load(packagePath("fixtures/recordings/rotation.testproxy.json"))
  },
  { name: "HAR", load: () => Har.load(packagePath("fixtures/recordings/rotation.har")) }
] as const

const madeUpKeys = ["fake-primary-1", "fake-secondary-1", "fake-secondary-2", "fake-primary-2"]

const reveal = (value: Redacted.Redacted<string> | undefined) => value === undefined ? undefined : Redacted.value(value)

const endpoint = "https://contoso-acs.unitedstates.communication.azure.com/"

const replayRotation = (
  interactions: ReadonlyArray<Interaction.Interaction>,
  transport: (typeof transports)[number]
) =>
  Effect.gen(function*() {
    const keys = yield* rotate
    return { keys, received: yield* Effect.flatMap(Replay.Replay, (replay) => replay.received) }
  }).pipe(
    Replay.replay(interactions),
    Effect.provide(clientLayer(transport.layer, { apiVersion: "2023-04-01" }))
  )

describe("the recordings", () => {
  it.effect("the test-proxy recording and the HAR hold the same four exchanges", () =>
    Effect.gen(function*() {
      const [proxy, har] = yield* Effect.all(formats.map((format) => format.load())).pipe(
        Effect.provide(NodeFileSystem.layer)
      )
      assert.strictEqual(proxy!.length, 4)
      assert.strictEqual(har!.length, 4)
      proxy!.forEach((interaction, i) => {
        const other = har![i]!
        assert.strictEqual(other.request.method, interaction.request.method)
        assert.strictEqual(other.request.url, interaction.request.url)
        assert.deepStrictEqual(jsonOf(other.request.body), jsonOf(interaction.request.body))
        assert.strictEqual(other.response.status, interaction.response.status)
        assert.deepStrictEqual(jsonOf(other.response.body), jsonOf(interaction.response.body))
        assert.strictEqual(other.response.headers["x-ms-request-id"], interaction.response.headers["x-ms-request-id"])
        // the HAR's HTTP/2 pseudo-headers are not headers
        assert.isUndefined(other.request.headers[":authority"])
      })
      assert.deepStrictEqual(proxy!.map((i) => i.request.url.split("?")[0]!.split("/").at(-1)), [
        "listKeys",
        "regenerateKey",
        "regenerateKey",
        "listKeys"
      ])
    }))

  it.effect("sanitize() masks the made-up keys, the connection strings' access keys and the token", () =>
    Effect.gen(function*() {
      for (const format of formats) {
        const raw = yield* Effect.provide(format.load(), NodeFileSystem.layer)
        const rawText = JSON.stringify(TestProxy.encode(raw))
        for (const key of madeUpKeys) assert.include(rawText, key, `${format.name} holds ${key} before`)
        const sanitized = Secrets.sanitize(raw)
        for (const text of [JSON.stringify(TestProxy.encode(sanitized)), JSON.stringify(Har.encode(sanitized))]) {
          for (const key of madeUpKeys) assert.notInclude(text, key, `${format.name} still holds ${key}`)
          assert.notInclude(text, "fake-token")
          assert.include(text, "accesskey=<key-1>")
        }
        assert.strictEqual(sanitized[0]!.request.headers["authorization"], "Bearer <token>")
        assert.deepStrictEqual(jsonOf(sanitized[0]!.response.body), {
          primaryKey: "<key-1>",
          secondaryKey: "<key-2>",
          primaryConnectionString: `endpoint=${endpoint};accesskey=<key-1>`,
          secondaryConnectionString: `endpoint=${endpoint};accesskey=<key-2>`
        })
        // everything else is as recorded
        assert.deepStrictEqual(sanitized.map((i) => i.request.url), raw.map((i) => i.request.url))
        assert.deepStrictEqual(sanitized.map((i) => jsonOf(i.request.body)), raw.map((i) => jsonOf(i.request.body)))
        assert.strictEqual(
          sanitized[1]!.response.headers["x-ms-request-id"],
          raw[1]!.response.headers["x-ms-request-id"]
        )
        // sanitizing twice changes nothing
        assert.deepStrictEqual(TestProxy.encode(Secrets.sanitize(sanitized)), TestProxy.encode(sanitized))
      }
    }))
})

for (const transport of transports) {
  describe(`a full rotation over ${transport.name}`, () => {
    for (const format of formats) {
      it.effect(`replays the ${format.name} end to end, the keys of each step as recorded`, () =>
        Effect.gen(function*() {
          const interactions = yield* Effect.provide(format.load(), NodeFileSystem.layer)
          const { keys, received } = yield* replayRotation(interactions, transport)
          assert.strictEqual(reveal(keys.before.primaryKey), "fake-primary-1")
          assert.strictEqual(reveal(keys.before.secondaryKey), "fake-secondary-1")
          assert.strictEqual(
            reveal(keys.before.secondaryConnectionString),
            `endpoint=${endpoint};accesskey=fake-secondary-1`
          )
          assert.strictEqual(reveal(keys.secondary.secondaryKey), "fake-secondary-2")
          assert.isUndefined(keys.secondary.primaryKey)
          assert.strictEqual(reveal(keys.primary.primaryKey), "fake-primary-2")
          assert.strictEqual(
            reveal(keys.primary.primaryConnectionString),
            `endpoint=${endpoint};accesskey=fake-primary-2`
          )
          assert.isUndefined(keys.primary.secondaryKey)
          assert.strictEqual(reveal(keys.after.primaryKey), "fake-primary-2")
          assert.strictEqual(reveal(keys.after.secondaryKey), "fake-secondary-2")
          assert.deepStrictEqual(received.map((r) => r.interaction), [0, 1, 2, 3])
          assert.deepStrictEqual(received.map((r) => r.body), [
            "",
            "{\"keyType\":\"Secondary\"}",
            "{\"keyType\":\"Primary\"}",
            ""
          ])
          // one client request id per call
          assert.strictEqual(new Set(received.map((r) => r.headers["x-ms-client-request-id"])).size, 4)
        }))

      it.effect(`replays the sanitized ${format.name}: placeholders keep which key replaced which`, () =>
        Effect.gen(function*() {
          const interactions = Secrets.sanitize(yield* Effect.provide(format.load(), NodeFileSystem.layer))
          const { keys } = yield* replayRotation(interactions, transport)
          assert.strictEqual(reveal(keys.before.primaryKey), "<key-1>")
          assert.strictEqual(reveal(keys.before.secondaryKey), "<key-2>")
          assert.strictEqual(reveal(keys.secondary.secondaryKey), "<key-3>")
          assert.strictEqual(reveal(keys.secondary.secondaryConnectionString), `endpoint=${endpoint};accesskey=<key-3>`)
          assert.strictEqual(reveal(keys.primary.primaryKey), "<key-4>")
          // the final listing shows the two regenerated keys, and neither of the old ones
          assert.strictEqual(reveal(keys.after.primaryKey), reveal(keys.primary.primaryKey))
          assert.strictEqual(reveal(keys.after.secondaryKey), reveal(keys.secondary.secondaryKey))
          assert.notStrictEqual(reveal(keys.after.primaryKey), reveal(keys.before.primaryKey))
          assert.strictEqual(reveal(keys.after.primaryConnectionString), `endpoint=${endpoint};accesskey=<key-4>`)
        }))
    }

    it.effect("a rotation that skips the final listKeys fails the replay with UnusedInteractions", () =>
      Effect.gen(function*() {
        const interactions = yield* Effect.provide(formats[0].load(), NodeFileSystem.layer)
        const error = yield* Effect.gen(function*() {
          yield* CommunicationServices.listKeys(resource)
          yield* CommunicationServices.regenerateKey({ ...resource, keyType: "Secondary" })
          yield* CommunicationServices.regenerateKey({ ...resource, keyType: "Primary" })
        }).pipe(
          Replay.replay(interactions),
          Effect.provide(clientLayer(transport.layer, { apiVersion: "2023-04-01" })),
          Effect.flip
        )
        assert.strictEqual(error._tag, "UnusedInteractions")
        if (error._tag === "UnusedInteractions") {
          assert.strictEqual(error.answered, 3)
          assert.strictEqual(error.unused.length, 1)
          assert.include(error.unused[0]!, "#3 POST")
          assert.include(error.unused[0]!, "/listKeys?api-version=2023-04-01 -> 200")
        }
      }))
  })
}
