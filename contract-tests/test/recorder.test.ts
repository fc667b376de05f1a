import { Recorder, Recording, Replay, Secrets } from "@effect-acs/contract-tests"
import { AzureCredential, CommunicationServices, RetryPolicy, Rotation } from "@effect-acs/core"
import { Emulator } from "@effect-acs/emulator"
import * as NodeContext from "@effect/platform-node/NodeContext"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as FileSystem from "@effect/platform/FileSystem"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import { transports } from "./support.js"

const resource = {
  subscriptionId: "5f2c8a41-7d3e-4b6a-9c1f-0e8d7b6a5c43",
  resourceGroupName: "Recorder-RG",
  communicationServiceName: "recorded-acs"
} as const

const noRetry = RetryPolicy.exponential({ maxRetries: 0 })

/** Keys published by a rotation, in order. */
const publisher = () => {
  const keys: Array<string> = []
  return { keys, publish: (key: Rotation.PublishedKey) => Effect.sync(() => keys.push(Redacted.value(key.key))) }
}

/** A rotation against the emulator over real loopback HTTP (node:http), recorded to `path`. */
const recordRotation = (path: string, format: "TestProxy" | "Har") =>
  Effect.scoped(Effect.gen(function*() {
    const emulator = yield* Emulator.make({ resources: [resource], throttle: false })
    const before = yield* emulator.keys(resource)
    const published = publisher()
    const inMemory = yield* Effect.gen(function*() {
      const report = yield* Rotation.rotate(resource, published)
      assert.deepStrictEqual(report.regenerated, ["Secondary", "Primary"])
      return yield* Effect.flatMap(Recorder.Recorder, (recorder) => recorder.interactions)
    }).pipe(
      Effect.provide(
        CommunicationServices.layer({
          endpoint: emulator.url,
          allowInsecureLoopback: true,
          apiVersion: "2023-04-01",
          retry: noRetry
        }).pipe(
          Layer.provide(AzureCredential.static(Emulator.defaultToken)),
          Layer.provideMerge(Recorder.layer({ path, format })),
          Layer.provide(NodeHttpClient.layer)
        )
      )
    )
    const after = yield* emulator.keys(resource)
    const secrets = [before.primaryKey, before.secondaryKey, after.primaryKey, after.secondaryKey].map(Redacted.value)
    return { url: emulator.url, inMemory, published: published.keys, secrets: [...secrets, ...published.keys] }
  }))

describe("Recorder", () => {
  for (const format of ["TestProxy", "Har"] as const) {
    it.live(`a rotation against the emulator is recorded as ${format}, sanitized in memory, scans clean and replays`, () =>
      Effect.gen(function*() {
        const fs = yield* FileSystem.FileSystem
        const directory = yield* fs.makeTempDirectoryScoped({ prefix: "recorder-" })
        const path = `${directory}/nested/rotation.${format === "Har" ? "har" : "json"}`
        const recorded = yield* recordRotation(path, format)
        // the rotation published the live keys (real, random: 88 base64 characters)
        assert.strictEqual(recorded.published.length, 2)
        for (const key of recorded.published) assert.match(key, /^[A-Za-z0-9+/]{86}==$/)

        // what the recorder held in memory was already sanitized
        const memory = JSON.stringify(recorded.inMemory)
        for (const secret of recorded.secrets) assert.notInclude(memory, secret)
        assert.notInclude(memory, Emulator.defaultToken)
        // the rotation regenerates Secondary, then Primary: 2 writes, no read
        assert.strictEqual(recorded.inMemory.length, 2)

        // the file: no key, no token, and the scanner finds nothing
        const text = yield* fs.readFileString(path)
        for (const secret of [...recorded.secrets, Emulator.defaultToken]) assert.notInclude(text, secret)
        assert.deepStrictEqual(yield* Secrets.scanForSecrets([path]), [path])
        assert.include(text, "Bearer <token>")
        assert.deepStrictEqual((yield* fs.readDirectory(`${directory}/nested`)).length, 1) // no temporary left

        // it loads as what it is, with the endpoint and api-version the rotation used
        const recording = yield* Recording.load(path)
        assert.strictEqual(recording.format, format)
        assert.strictEqual(recording.endpoint, recorded.url)
        assert.strictEqual(recording.apiVersion, "2023-04-01")
        const keyOperations = Recording.keyOperations(recording)
        assert.deepStrictEqual(keyOperations.map((i) => i.request.body), [
          { _tag: "Json", value: { keyType: "Secondary" } },
          { _tag: "Json", value: { keyType: "Primary" } }
        ])

        // and replays: the same rotation, against the recording, over both transports
        for (const transport of transports) {
          const published = publisher()
          yield* Rotation.rotate(resource, published).pipe(
            Replay.replay(keyOperations, { conformance: "fail" }),
            Effect.provide(
              CommunicationServices.layer({
                endpoint: recording.endpoint,
                apiVersion: recording.apiVersion,
                allowInsecureLoopback: true,
                retry: noRetry
              }).pipe(
                Layer.provide(AzureCredential.static(Redacted.make("a-replay-token"))),
                Layer.provide(transport.layer)
              )
            )
          )
          // the regenerated keys, as the placeholders that stand for them, in the order they were regenerated
          assert.deepStrictEqual(published.keys, ["<key-1>", "<key-2>"], transport.name)
        }
      }).pipe(Effect.scoped, Effect.provide(NodeContext.layer)))
  }

  it.live("a response body over maxBodyBytes fails its request instead of being buffered; nothing is recorded", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const directory = yield* fs.makeTempDirectoryScoped({ prefix: "recorder-" })
      const path = `${directory}/limited.json`
      const error = yield* Effect.scoped(Effect.gen(function*() {
        const emulator = yield* Emulator.make({ resources: [resource], throttle: false })
        return yield* CommunicationServices.listKeys(resource).pipe(
          Effect.flip,
          Effect.provide(
            CommunicationServices.layer({ endpoint: emulator.url, allowInsecureLoopback: true, retry: noRetry }).pipe(
              Layer.provide(AzureCredential.static(Emulator.defaultToken)),
              Layer.provide(Recorder.layer({ path, maxBodyBytes: 64 })),
              Layer.provide(NodeHttpClient.layer)
            )
          )
        )
      }))
      assert.strictEqual(error._tag, "TransportError")
      const recording = yield* Recording.load(path)
      assert.strictEqual(recording.interactions.length, 0)
    }).pipe(Effect.scoped, Effect.provide(NodeContext.layer)))
})
