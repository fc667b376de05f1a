import { AzureCredential, CommunicationServices, Errors, RetryPolicy, Rotation } from "@effect-acs/core"
import { Emulator, EmulatorFaults } from "@effect-acs/emulator"
import { assert, describe, it } from "@effect/vitest"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Schedule from "effect/Schedule"
import { advice, regenerateOrExplain, rotationAdvice } from "../src/handle-errors.js"
import { ClientLive } from "../src/regenerate-key.js"
import { fakeClient } from "./fake.js"
import { at, emulatorCredential, idOf, resources, withLogs } from "./support.js"

const [acs] = resources(1) as [ReturnType<typeof resources>[number]]
const resourceId = idOf(acs)

/** Runs regenerateKey (or listKeys) through a fresh emulator with these options, and returns the failure. */
const failure = (
  emulatorOptions: Emulator.Options,
  clientOptions: CommunicationServices.Options = {},
  operation: "regenerateKey" | "listKeys" = "regenerateKey",
  input: CommunicationServices.RegenerateKeyInput = { resourceId, keyType: "Secondary" }
) =>
  Effect.scoped(Effect.gen(function*() {
    const emulator = yield* Emulator.make({ resources: [acs], ...emulatorOptions })
    const call = operation === "regenerateKey"
      ? CommunicationServices.regenerateKey(input)
      : CommunicationServices.listKeys(input)
    return yield* Effect.flip(call.pipe(Effect.provide(ClientLive(emulatorCredential, at(emulator, clientOptions)))))
  }))

describe("errors.md: handle-errors.ts against real failures", () => {
  it.live("InvalidInput: nothing is sent", () =>
    Effect.gen(function*() {
      const error = yield* failure({}, {}, "regenerateKey", { resourceId, keyType: "Tertiary" })
      assert.strictEqual(error._tag, "InvalidInput")
      assert.match(advice(error), /^Nothing was sent: fix keyType/)
    }))

  it.live("CredentialError: the token source failed", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.make({ resources: [acs] })
      const failing = AzureCredential.fromTokenCredential({
        getToken: () => Promise.reject(new Error("AADSTS700016: application not found"))
      })
      const error = yield* Effect.flip(
        CommunicationServices.listKeys({ resourceId }).pipe(Effect.provide(ClientLive(failing, at(emulator))))
      )
      assert.strictEqual(error._tag, "CredentialError")
      assert.isFalse(Errors.isOutcomeUnknown(error))
      assert.match(advice(error), /^No token/)
    }).pipe(Effect.scoped))

  it.live("TransportError Connect: nothing was sent, so the outcome is known", () =>
    Effect.gen(function*() {
      const url = yield* Effect.scoped(Effect.map(Emulator.make({ resources: [acs] }), (emulator) => emulator.url))
      // the emulator has stopped: its port refuses connections
      const error = yield* Effect.flip(
        CommunicationServices.regenerateKey({ resourceId, keyType: "Secondary" }).pipe(
          Effect.provide(ClientLive(emulatorCredential, { endpoint: url, allowInsecureLoopback: true, retry: false }))
        )
      )
      assert.strictEqual(error._tag, "TransportError")
      assert.strictEqual(error._tag === "TransportError" && error.reason, "Connect")
      assert.isFalse(Errors.isOutcomeUnknown(error))
      assert.match(advice(error), /^Nothing was sent/)
    }))

  it.live("TransportError Connection: a dropped regeneration's outcome is unknown, a dropped listKeys' is not", () =>
    Effect.gen(function*() {
      const faults = { dropRate: 1 }
      const regenerate = yield* failure({ faults }, { retry: false })
      assert.strictEqual(regenerate._tag === "TransportError" && regenerate.reason, "Connection")
      assert.isTrue(Errors.isOutcomeUnknown(regenerate))
      assert.match(advice(regenerate), /call listKeys/)
      const list = yield* failure({ faults }, { retry: false }, "listKeys", { resourceId, keyType: "Secondary" })
      assert.strictEqual(list._tag === "TransportError" && list.reason, "Connection")
      assert.isFalse(Errors.isOutcomeUnknown(list))
      assert.match(advice(list), /did not complete \(Connection\)/)
    }))

  it.live("TransportError Timeout: the attempt's time ran out", () =>
    Effect.gen(function*() {
      const error = yield* failure({ faults: { latency: "300 millis" } }, { retry: false, timeout: "50 millis" })
      assert.strictEqual(error._tag === "TransportError" && error.reason, "Timeout")
      assert.isTrue(Errors.isOutcomeUnknown(error))
    }))

  it.live("AuthenticationFailed and AuthorizationFailed", () =>
    Effect.gen(function*() {
      const unauthenticated = yield* failure({ tokens: ["another-token"] }, { retry: false })
      assert.strictEqual(unauthenticated._tag, "AuthenticationFailed")
      assert.match(advice(unauthenticated), /token was refused/)
      const forbidden = yield* failure({ tokens: ["another-token"], forbiddenTokens: [Emulator.defaultToken] })
      assert.strictEqual(forbidden._tag, "AuthorizationFailed")
      assert.strictEqual(forbidden._tag === "AuthorizationFailed" && forbidden.code, "AuthorizationFailed")
      assert.include(advice(forbidden), "communicationServices/regenerateKey/action")
    }))

  it.live("NotFound says what is missing", () =>
    Effect.gen(function*() {
      for (
        const [input, missing] of [
          [{ ...acs, subscriptionId: "99999999-0000-4000-8000-000000000000" }, "Subscription"],
          [{ ...acs, resourceGroupName: "rg-other" }, "ResourceGroup"],
          [{ ...acs, communicationServiceName: "acs-other" }, "Resource"]
        ] as const
      ) {
        const error = yield* failure({}, {}, "regenerateKey", { ...input, keyType: "Primary" })
        assert.strictEqual(error._tag === "NotFound" && error.missing, missing)
        assert.include(advice(error), `No such ${missing}`)
      }
    }))

  it.live("Conflict: another client's regeneration of the resource is in flight", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.make({ resources: [acs], regenerateLatency: "300 millis" })
      const regenerate = CommunicationServices.regenerateKey({ resourceId, keyType: "Secondary" })
      const first = yield* Effect.fork(regenerate.pipe(Effect.provide(ClientLive(emulatorCredential, at(emulator)))))
      yield* emulator.awaitStats((stats) => stats.inFlight === 1)
      const error = yield* Effect.flip(regenerate.pipe(Effect.provide(ClientLive(emulatorCredential, at(emulator)))))
      assert.strictEqual(error._tag, "Conflict")
      assert.isFalse(Errors.isOutcomeUnknown(error))
      assert.match(advice(error), /Another regeneration/)
      yield* first.await
    }).pipe(Effect.scoped))

  it.live("Throttled carries the wait the service asked for", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.make({ resources: [acs], throttle: { capacity: 1, refillPerSecond: 0.1 } })
      const client = ClientLive(emulatorCredential, at(emulator, { retry: false }))
      yield* CommunicationServices.listKeys({ resourceId }).pipe(Effect.provide(client))
      const error = yield* Effect.flip(CommunicationServices.listKeys({ resourceId }).pipe(Effect.provide(client)))
      assert.strictEqual(error._tag, "Throttled")
      assert.strictEqual(error._tag === "Throttled" && error.retryAfterMillis, 10_000)
      assert.include(advice(error), "wait 10000 ms")
    }).pipe(Effect.scoped))

  it.live("BadRequest: an api-version the service does not accept", () =>
    Effect.gen(function*() {
      const error = yield* failure({ apiVersions: ["2023-04-01"] }, { apiVersion: "2020-08-20" })
      assert.strictEqual(error._tag, "BadRequest")
      assert.strictEqual(error._tag === "BadRequest" && error.code, "InvalidApiVersionParameter")
      assert.strictEqual(error._tag === "BadRequest" && error.target, "api-version")
      assert.match(advice(error), /^Refused \(400 InvalidApiVersionParameter\)/)
    }))

  it.live("ServiceError: a regeneration's outcome is unknown, a listKeys' is not", () =>
    Effect.gen(function*() {
      const faults = { errorRate: 1, errorStatuses: [503] as const }
      const regenerate = yield* failure({ faults }, { retry: false })
      assert.strictEqual(regenerate._tag === "ServiceError" && regenerate.status, 503)
      assert.isTrue(Errors.isOutcomeUnknown(regenerate))
      assert.include(regenerate.message, "call listKeys to learn which keys are live")
      const list = yield* failure({ faults }, { retry: false }, "listKeys")
      assert.strictEqual(list._tag, "ServiceError")
      assert.isFalse(Errors.isOutcomeUnknown(list))
      assert.match(advice(list), /^Azure failed \(503\)/)
    }))

  it.live("regenerateOrExplain recovers an unknown outcome and explains anything else", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.make({
        resources: [acs],
        faults: { errorRate: 1, when: "after", operations: ["regenerateKey"] }
      })
      const keys = yield* regenerateOrExplain(resourceId, "Secondary").pipe(
        Effect.provide(ClientLive(emulatorCredential, at(emulator, { retry: false })))
      )
      const live = yield* emulator.keys(acs)
      assert.strictEqual(keys.secondaryKey && keys.secondaryKey.toString(), "<redacted>")
      assert.deepStrictEqual(keys.secondaryKey, live.secondaryKey)
      const [error, lines] = yield* withLogs(Effect.flip(
        regenerateOrExplain(idOf({ ...acs, resourceGroupName: "rg-other" }), "Secondary").pipe(
          Effect.provide(ClientLive(emulatorCredential, at(emulator)))
        )
      ))
      assert.strictEqual(error._tag, "NotFound")
      assert.isTrue(lines.some((line) => line.includes("what to do: No such ResourceGroup")))
    }).pipe(Effect.scoped))
})

describe("errors.md: responses only a misbehaving server sends", () => {
  const regenerate = CommunicationServices.regenerateKey({ resourceId, keyType: "Secondary" })
  const list = CommunicationServices.listKeys({ resourceId })

  it.effect("UnexpectedResponse: a 2xx other than 200 leaves a regeneration's outcome unknown", () =>
    Effect.gen(function*() {
      const fake = fakeClient([{ status: 202 }])
      const error = yield* Effect.flip(Effect.provide(regenerate, fake.layer))
      assert.strictEqual(error._tag === "UnexpectedResponse" && error.reason, "UndeclaredStatus")
      assert.isTrue(Errors.isOutcomeUnknown(error))
    }))

  it.effect("UnexpectedResponse: a 3xx is refused, and changed nothing", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(Effect.provide(regenerate, fakeClient([{ status: 302 }]).layer))
      assert.strictEqual(error._tag === "UnexpectedResponse" && error.reason, "UndeclaredStatus")
      assert.isFalse(Errors.isOutcomeUnknown(error))
    }))

  it.effect("UnexpectedResponse: a 200 that is not JSON, or not the keys", () =>
    Effect.gen(function*() {
      const notJson = yield* Effect.flip(
        Effect.provide(regenerate, fakeClient([{ status: 200, body: "<html>" }]).layer)
      )
      assert.strictEqual(notJson._tag === "UnexpectedResponse" && notJson.reason, "NotJson")
      assert.isTrue(Errors.isOutcomeUnknown(notJson))
      assert.match(advice(notJson), /call listKeys/)
      const listed = yield* Effect.flip(Effect.provide(list, fakeClient([{ status: 200, body: "[1]" }]).layer))
      assert.strictEqual(listed._tag === "UnexpectedResponse" && listed.reason, "NonConformingBody")
      assert.isFalse(Errors.isOutcomeUnknown(listed))
      assert.match(advice(listed), /^Not an answer this client understands \(NonConformingBody\)/)
    }))

  it.effect("408 is a BadRequest whose regeneration outcome is unknown", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(Effect.provide(regenerate, fakeClient([{ status: 408 }]).layer))
      assert.strictEqual(error._tag === "BadRequest" && error.status, 408)
      assert.isTrue(Errors.isOutcomeUnknown(error))
    }))

  it.effect("an unknown outcome stays unknown through the retries that follow it", () =>
    Effect.gen(function*() {
      const fake = fakeClient([{ status: 500 }, { status: 409 }], {
        retry: RetryPolicy.make(Schedule.recurs(1), { maxRetryAfter: Duration.zero })
      })
      const error = yield* Effect.flip(Effect.provide(regenerate, fake.layer))
      assert.strictEqual(error._tag, "Conflict")
      assert.strictEqual(error._tag === "Conflict" && error.attempts, 2)
      assert.isTrue(Errors.isOutcomeUnknown(error))
      // one client request id across the attempts
      const ids = new Set(fake.requests.map((request) => request.headers["x-ms-client-request-id"]))
      assert.strictEqual(ids.size, 1)
    }))
})

describe("errors.md: rotationAdvice against real stopped rotations", () => {
  type Options = Partial<Rotation.RotateOptions<unknown, never, unknown, never>>

  const rotate = (options: Options) =>
    Rotation.rotate({ resourceId }, {
      publish: () => Effect.void,
      recoveryDelay: "10 millis",
      recoveryTimeout: "1 second",
      settle: "100 millis",
      ...options
    })

  /** The client, its option errors turned into defects: the tests' failures are the rotation's only. */
  const client = (emulator: Emulator.Service) =>
    Layer.orDie(ClientLive(emulatorCredential, at(emulator, { retry: false })))

  const stopped = (emulatorOptions: Emulator.Options, options: Options) =>
    Effect.scoped(Effect.gen(function*() {
      const emulator = yield* Emulator.make({ resources: [acs], ...emulatorOptions })
      return yield* Effect.flip(rotate(options).pipe(Effect.provide(client(emulator))))
    }))

  it.live("ReadKeys, Regenerate, Publish and Verify", () =>
    Effect.gen(function*() {
      // the keys are read first only when asked (readKeys): then a refused listKeys stops at ReadKeys
      const readKeys = yield* stopped({ forbiddenTokens: [Emulator.defaultToken], tokens: ["x"] }, { readKeys: true })
      assert.strictEqual(readKeys.step, "ReadKeys")
      assert.match(rotationAdvice(readKeys), /^Nothing changed/)

      const conflict = yield* stopped({ faults: { errorRate: 1, when: "before", operations: ["regenerateKey"] } }, {
        readKeys: true
      })
      assert.strictEqual(conflict.step, "Regenerate")
      assert.isTrue(conflict.livePublished)
      assert.match(rotationAdvice(conflict), /did not change, and its live value was published again/)

      const publish = yield* stopped({}, { publish: () => Effect.fail("vault down"), publishRetry: Schedule.recurs(1) })
      assert.strictEqual(publish.step, "Publish")
      assert.isFalse(publish.livePublished)
      assert.match(rotationAdvice(publish), /is live but was not published/)

      const verify = yield* stopped({}, { verify: () => Effect.fail("clients still on Primary") })
      assert.strictEqual(verify.step, "Verify")
      assert.isTrue(verify.livePublished)
      assert.match(rotationAdvice(verify), /do not regenerate the other key/)
    }))

  it.live("Regenerate with a known failure: nothing changed", () =>
    Effect.gen(function*() {
      // a slow regeneration by another client is in flight: the rotation's own gets 409
      const slow = yield* Emulator.make({ resources: [acs], regenerateLatency: "400 millis" })
      yield* Effect.fork(
        CommunicationServices.regenerateKey({ resourceId, keyType: "Secondary" }).pipe(
          Effect.provide(ClientLive(emulatorCredential, at(slow)))
        )
      )
      yield* slow.awaitStats((stats) => stats.inFlight === 1)
      const error = yield* Effect.flip(rotate({}).pipe(Effect.provide(client(slow))))
      assert.strictEqual(error.step, "Regenerate")
      assert.isFalse(error.livePublished)
      assert.strictEqual((error.cause as { _tag: string })._tag, "Conflict")
      assert.match(rotationAdvice(error), /was not regenerated and is unchanged/)
    }).pipe(Effect.scoped))

  it.live("Recover: the outcome was unknown and listKeys failed too", () =>
    Effect.gen(function*() {
      // a seed whose decisions are: pass (listKeys), then errors for every regeneration the recovery makes in
      // its second (at most 12) and the listKeys after them
      const options = (seed: number) => ({ seed, errorRate: 0.97, when: "after" as const })
      const wanted = ["Pass", ...Array.from({ length: 14 }, () => "Error")].join()
      let seed = 0
      while ((yield* EmulatorFaults.plan(options(seed), 15)).map((decision) => decision._tag).join() !== wanted) seed++
      const error = yield* stopped({ faults: options(seed) }, { readKeys: true })
      assert.strictEqual(error.step, "Recover")
      assert.isFalse(error.livePublished)
      assert.match(rotationAdvice(error), /call listKeys and publish the live Secondary key now/)
    }))
})
