import { CommunicationServices, RetryPolicy } from "@effect-acs/core"
import { Emulator } from "@effect-acs/emulator"
import { assert, describe, it } from "@effect/vitest"
import * as ConfigError from "effect/ConfigError"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as ScheduleDecision from "effect/ScheduleDecision"
import * as ScheduleIntervals from "effect/ScheduleIntervals"
import * as clientOptions from "../src/client-options.js"
import * as customRetry from "../src/custom-retry-policy.js"
import * as layerConfig from "../src/layer-config.js"
import * as transports from "../src/transports.js"
import { fakeClient } from "./fake.js"
import { at, emulatorCredential, idOf, resources } from "./support.js"

const [acs] = resources(1) as [ReturnType<typeof resources>[number]]
const resourceId = idOf(acs)
const keysJson = JSON.stringify({ primaryKey: "cHJpbWFyeQ==", secondaryKey: "c2Vjb25kYXJ5" })

describe("configuration.md: client-options.ts", () => {
  it.effect("the endpoint, the scope that follows it, the api-version and the User-Agent", () =>
    Effect.gen(function*() {
      const fake = fakeClient([{ status: 200, body: keysJson }], clientOptions.options)
      yield* CommunicationServices.listKeys({ resourceId }).pipe(Effect.provide(fake.layer))
      const [request] = fake.requests
      assert.strictEqual(
        request?.url,
        `https://management.usgovcloudapi.net${resourceId}/listKeys?api-version=2023-04-01`
      )
      assert.match(
        request?.headers["user-agent"] ?? "",
        /^effect-acs\/\d+\.\d+\.\d+ \(Node v\d+[^;]*; \w+\) key-rotator\/1\.4\.0$/
      )
      assert.deepStrictEqual(fake.scopes, ["https://management.usgovcloudapi.net/.default"])
    }))

  it.scopedLive("runs against the emulator with the endpoint overridden", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.make({ resources: [acs] })
      const keys = yield* CommunicationServices.listKeys({ resourceId }).pipe(
        Effect.provide(
          clientOptions.ClientLive(emulatorCredential, { endpoint: emulator.url, allowInsecureLoopback: true })
        )
      )
      assert.isDefined(keys.primaryConnectionString)
    }))

  it.live("a Retry-After longer than maxRetryAfter is cut to it", () =>
    Effect.gen(function*() {
      const fake = fakeClient([{ status: 429, headers: { "retry-after": "3600" } }, { status: 200, body: keysJson }], {
        retry: RetryPolicy.exponential({ maxRetries: 1, maxRetryAfter: "10 millis" })
      })
      const started = Date.now()
      yield* CommunicationServices.listKeys({ resourceId }).pipe(Effect.provide(fake.layer))
      assert.isBelow(Date.now() - started, 1000)
      assert.strictEqual(fake.requests.length, 2)
    }))
})

describe("configuration.md: custom-retry-policy.ts", () => {
  it.scopedLive("the patient client waits out another client's regeneration; the impatient one fails at once", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.make({ resources: [acs], regenerateLatency: "300 millis" })
      const regenerate = CommunicationServices.regenerateKey({ resourceId, keyType: "Secondary" })
      const other = yield* Effect.fork(regenerate.pipe(
        Effect.provide(customRetry.ImpatientClient(emulatorCredential, at(emulator)))
      ))
      yield* emulator.awaitStats((stats) => stats.inFlight === 1)
      const impatient = yield* Effect.flip(regenerate.pipe(
        Effect.provide(customRetry.ImpatientClient(emulatorCredential, at(emulator)))
      ))
      assert.strictEqual(impatient._tag, "Conflict")
      const started = Date.now()
      const keys = yield* regenerate.pipe(
        Effect.provide(customRetry.PatientClient(emulatorCredential, at(emulator), "100 millis"))
      )
      assert.isDefined(keys.secondaryKey)
      assert.isBelow(Date.now() - started, 1500)
      yield* other.await
      // the policy's schedule retries the conflict, 100 ms later
      const policy = customRetry.retryConflicts("100 millis")
      const [, , decision] = yield* policy.schedule.step(0, impatient, policy.schedule.initial)
      assert.isTrue(ScheduleDecision.isContinue(decision))
      if (ScheduleDecision.isContinue(decision)) assert.strictEqual(ScheduleIntervals.start(decision.intervals), 100)
    }))
})

describe("configuration.md: layer-config.ts", () => {
  const withEnv = (entries: ReadonlyArray<readonly [string, string]>) =>
    Layer.setConfigProvider(ConfigProvider.fromMap(new Map(entries)))

  it.scopedLive("reads the options from the environment", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.make({ resources: [acs], apiVersions: ["2025-05-01"] })
      const keys = yield* CommunicationServices.listKeys({ resourceId }).pipe(
        Effect.provide(layerConfig.ClientLive(emulatorCredential)),
        Effect.provide(withEnv([
          ["ARM_ENDPOINT", emulator.url],
          ["ACS_API_VERSION", "2025-05-01"],
          ["ACS_TIMEOUT", "5 seconds"],
          ["ACS_MAX_RETRIES", "1"],
          ["ACS_USER_AGENT_SUFFIX", "examples/1.0"],
          ["ACS_ALLOW_INSECURE_LOOPBACK", "true"]
        ]))
      )
      assert.isDefined(keys.secondaryKey)
    }))

  it.effect("an http endpoint without the opt-in is refused before any I/O", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(
        CommunicationServices.listKeys({ resourceId }).pipe(
          Effect.provide(layerConfig.ClientLive(emulatorCredential)),
          Effect.provide(withEnv([["ARM_ENDPOINT", "http://127.0.0.1:1"]]))
        )
      )
      assert.strictEqual(error._tag, "InvalidInput")
      assert.strictEqual(error._tag === "InvalidInput" && error.field, "endpoint")
    }))

  it.effect("a missing option takes its default; a malformed one is a ConfigError", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(
        Layer.build(layerConfig.ClientLive(emulatorCredential)).pipe(
          Effect.scoped,
          Effect.provide(withEnv([["ACS_MAX_RETRIES", "many"]]))
        )
      )
      assert.isTrue(ConfigError.isConfigError(error))
    }))
})

describe("configuration.md: transports.ts", () => {
  for (
    const [name, transport] of [
      ["Node", transports.Node],
      ["Fetch", transports.Fetch],
      ["NodeHttp", transports.NodeHttp],
      ["NodeHttpKeepAlive", transports.NodeHttpKeepAlive],
      ["Undici", transports.Undici]
    ] as const
  ) {
    it.scopedLive(`the client over ${name}`, () =>
      Effect.gen(function*() {
        const emulator = yield* Emulator.make({ resources: [acs] })
        const client = transports.ClientLive(transport, emulatorCredential, at(emulator))
        const keys = yield* Effect.gen(function*() {
          const regenerated = yield* CommunicationServices.regenerateKey({ resourceId, keyType: "Primary" })
          const listed = yield* CommunicationServices.listKeys({ resourceId })
          return { regenerated, listed }
        }).pipe(Effect.provide(client))
        assert.deepStrictEqual(keys.regenerated.primaryKey, keys.listed.primaryKey)
        assert.deepStrictEqual(keys.listed.primaryKey, (yield* emulator.keys(acs)).primaryKey)
      }))
  }
})
