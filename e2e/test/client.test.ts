import { CommunicationServices, Errors, RetryPolicy } from "@effect-acs/core"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { emulatorAndClient, resources } from "./harness.js"

const [acs] = resources(1) as [ReturnType<typeof resources>[number]]

describe("the client against the emulator", () => {
  it.live("an attempt with no response within the timeout fails with a Timeout, and is retried", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(CommunicationServices.regenerateKey({ ...acs, keyType: "Primary" }))
      assert.strictEqual(error._tag, "TransportError")
      assert.strictEqual((error as Errors.TransportError).reason, "Timeout")
      assert.strictEqual((error as Errors.TransportError).attempts, 2)
      assert.isTrue(Errors.isOutcomeUnknown(error))
      const keys = yield* CommunicationServices.listKeys(acs)
      assert.isDefined(keys.primaryKey, "the client still works after its timeouts")
    }).pipe(Effect.provide(emulatorAndClient(
      { resources: [acs], faults: { latency: "2 seconds", operations: ["regenerateKey"] } },
      { timeout: "150 millis", retry: RetryPolicy.exponential({ maxRetries: 1, baseDelay: "5 millis" }) }
    ))))
})
