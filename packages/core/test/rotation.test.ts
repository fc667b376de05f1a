import { CommunicationServices, Rotation } from "@effect-acs/core"
import { assertNoSecret } from "@effect-acs/testing"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Redacted from "effect/Redacted"
import * as Schedule from "effect/Schedule"
import * as TestClock from "effect/TestClock"
import { runOnTestClock, statefulArm } from "./stateful.js"

const resourceId = (name: string, subscription = "sub-1") =>
  `/subscriptions/${subscription}/resourceGroups/rg/providers/Microsoft.Communication/communicationServices/${name}`

/** A publish that records what it was given (values unwrapped, for assertions only). */
const recorder = () => {
  const published: Array<{ keyType: string; key: string; connectionString: string }> = []
  const publish = (key: Rotation.PublishedKey) =>
    Effect.sync(() => {
      published.push({
        keyType: key.keyType,
        key: Redacted.value(key.key),
        connectionString: Redacted.value(key.connectionString)
      })
    })
  const last = (keyType: string) => [...published].reverse().find((entry) => entry.keyType === keyType)?.key
  return { published, publish, last }
}

describe("Rotation.rotate", () => {
  it.effect("regenerates Secondary, publishes it, verifies, regenerates Primary, publishes it", () =>
    Effect.gen(function*() {
      const arm = statefulArm()
      const { last, publish, published } = recorder()
      const verified: Array<string> = []
      const report = yield* Rotation.rotate({ resourceId: resourceId("acs") }, {
        publish,
        verify: (key) => Effect.sync(() => verified.push(`${key.keyType}:${Redacted.value(key.key)}`))
      }).pipe(Effect.provide(arm.layer()))
      assert.deepStrictEqual(published.map((entry) => entry.keyType), ["Secondary", "Primary"])
      assert.deepStrictEqual(verified, ["Secondary:acs-secondary-2"])
      assert.strictEqual(last("Secondary"), arm.value("acs", "secondary"))
      assert.strictEqual(last("Primary"), arm.value("acs", "primary"))
      assert.strictEqual(arm.value("acs", "primary"), "acs-primary-2")
      assert.strictEqual(
        published[0]!.connectionString,
        "endpoint=https://acs.communication.azure.com/;accesskey=acs-secondary-2"
      )
      assert.deepStrictEqual(report.regenerated, ["Secondary", "Primary"])
      assert.deepStrictEqual(report.published, ["Secondary", "Primary"])
      assert.deepStrictEqual(report.verified, ["Secondary"])
      assert.strictEqual(report.mode, "both")
      assert.strictEqual(report.next, "Secondary", "clients end on Primary: Secondary is the unused key next time")
      assert.isFalse(report.recovered)
      assert.deepStrictEqual(
        report.steps.map((step) => `${step.action}${step.keyType ? `:${step.keyType}` : ""}`),
        [
          "regenerateKey:Secondary",
          "publish:Secondary",
          "verify:Secondary",
          "regenerateKey:Primary",
          "publish:Primary"
        ]
      )
      assert.isString(report.steps[0]!.requestId)
      assert.isString(report.steps[0]!.clientRequestId)
      // 2 writes: the physical minimum (no listKeys on the happy path)
      assert.deepStrictEqual(arm.seen.map((request) => request.url.split("/").at(-1)!.split("?")[0]), [
        "regenerateKey",
        "regenerateKey"
      ])
      yield* assertNoSecret(report, ["acs-secondary-2", "acs-primary-2", "acs-primary-1", "acs-secondary-1"])
    }))

  it.effect("regenerates Primary first when told to", () =>
    Effect.gen(function*() {
      const arm = statefulArm()
      const { publish, published } = recorder()
      yield* Rotation.rotate({ resourceId: resourceId("acs") }, { publish, first: "Primary" }).pipe(
        Effect.provide(arm.layer())
      )
      assert.deepStrictEqual(published.map((entry) => entry.keyType), ["Primary", "Secondary"])
    }))

  for (const fault of ["failAfter", "dropAfter"] as const) {
    it.effect(`an unknown outcome after the service regenerated (${fault}) is recovered and the rotation goes on`, () =>
      Effect.gen(function*() {
        const arm = statefulArm({ faults: (_, index) => index === 0 ? fault : "none" })
        const { last, publish } = recorder()
        // the recovery is answered at once; the live key is then watched for a minute (on the test clock)
        const report = yield* runOnTestClock(
          Rotation.rotate({ resourceId: resourceId("acs") }, { publish }).pipe(Effect.provide(arm.layer()))
        )
        assert.isTrue(report.recovered)
        assert.deepStrictEqual(report.regenerated, ["Secondary", "Primary"])
        assert.strictEqual(last("Secondary"), arm.value("acs", "secondary"))
        assert.strictEqual(last("Primary"), arm.value("acs", "primary"))
        assert.isTrue(report.steps.some((step) => step.action === "recover"))
      }))
  }

  it.effect("an unknown outcome before the service regenerated publishes the live key and stops, saying so", () =>
    Effect.gen(function*() {
      const arm = statefulArm({ faults: () => "failBefore" })
      const { last, publish } = recorder()
      // every regeneration fails: it is tried again until recoveryTimeout (10 minutes), then the live keys are
      // read; the keys read first (readKeys) tell that the live key is unchanged
      const error = yield* runOnTestClock(
        Effect.flip(Rotation.rotate({ resourceId: resourceId("acs") }, { publish, readKeys: true })).pipe(
          Effect.provide(arm.layer())
        )
      )
      assert.strictEqual(arm.seen.filter((request) => request.url.includes("/regenerateKey")).length, 25)
      assert.strictEqual(error._tag, "RotationFailed")
      assert.strictEqual(error.step, "Regenerate")
      assert.strictEqual(error.keyType, "Secondary")
      assert.isTrue(error.livePublished)
      assert.strictEqual(last("Secondary"), arm.value("acs", "secondary"))
      assert.strictEqual(arm.value("acs", "secondary"), "acs-secondary-1")
      assert.include(error.message, "unchanged")
    }))

  it.effect("without readKeys, a regeneration never answered publishes the live key and says the outcome is unknown", () =>
    Effect.gen(function*() {
      const arm = statefulArm({ faults: () => "failBefore" })
      const { last, publish } = recorder()
      const error = yield* runOnTestClock(
        Effect.flip(Rotation.rotate({ resourceId: resourceId("acs") }, { publish })).pipe(Effect.provide(arm.layer()))
      )
      assert.strictEqual(error.step, "Recover")
      assert.isTrue(error.livePublished)
      assert.strictEqual(last("Secondary"), arm.value("acs", "secondary"))
      assert.strictEqual(arm.value("acs", "primary"), "acs-primary-1", "the other key was left alone")
      // listKeys once to recover, never on the way in; then 5 times to watch the key published (after 2, 6, 14,
      // 30 and 60 seconds)
      assert.strictEqual(arm.seen.filter((request) => request.url.includes("/listKeys")).length, 6)
    }))

  it.effect("an unknown outcome after all retries of the client is recovered too", () =>
    Effect.gen(function*() {
      // the first call's 4 attempts (3 retries) each change the key and answer 503; the fifth regeneration,
      // the rotation's first recovery, is answered
      const arm = statefulArm({
        faults: (keyType, index) => keyType === "secondary" && index < 4 ? "failAfter" : "none"
      })
      const { last, publish } = recorder()
      const report = yield* runOnTestClock(
        Rotation.rotate({ resourceId: resourceId("acs") }, { publish }).pipe(Effect.provide(arm.layer({})))
      )
      assert.isTrue(report.recovered)
      assert.strictEqual(arm.value("acs", "secondary"), "acs-secondary-6", "5 regenerations each changed the key")
      assert.strictEqual(last("Secondary"), "acs-secondary-6")
      assert.strictEqual(last("Primary"), arm.value("acs", "primary"))
    }))

  it.effect("a regeneration that never answers times out even inside the uninterruptible step", () =>
    Effect.gen(function*() {
      const arm = statefulArm({ faults: () => "hang" })
      const { last, publish } = recorder()
      const error = yield* runOnTestClock(
        Effect.flip(Rotation.rotate({ resourceId: resourceId("acs") }, { publish, readKeys: true })).pipe(
          Effect.provide(arm.layer({ retry: false, timeout: "5 seconds" }))
        )
      )
      assert.strictEqual(error.step, "Regenerate")
      assert.isTrue(error.livePublished)
      assert.strictEqual((error.cause as { reason: string }).reason, "Timeout")
      assert.strictEqual(last("Secondary"), arm.value("acs", "secondary"))
    }))

  it.effect("a regeneration the service completes after the client gave up is waited out, then done again", () =>
    Effect.gen(function*() {
      const arm = statefulArm({ faults: (_, index) => index === 0 ? "lateChange" : "none" })
      const { last, publish } = recorder()
      // the attempt times out at 5 s; the service changes the key at 6 s and answers 409 until then; the
      // recovery's regeneration after that is answered, and is the key that stays live
      const report = yield* runOnTestClock(
        Rotation.rotate({ resourceId: resourceId("acs") }, { publish }).pipe(
          Effect.provide(arm.layer({ retry: false, timeout: "5 seconds" }))
        )
      )
      assert.isTrue(report.recovered)
      assert.deepStrictEqual(report.regenerated, ["Secondary", "Primary"])
      assert.strictEqual(arm.value("acs", "secondary"), "acs-secondary-3")
      assert.strictEqual(last("Secondary"), "acs-secondary-3")
      assert.strictEqual(last("Primary"), arm.value("acs", "primary"))
    }))

  it.effect("a regeneration given up on that reaches the service after the answered one is seen and published", () =>
    Effect.gen(function*() {
      const arm = statefulArm({ faults: (_, index) => index === 0 ? "delayed" : "none" })
      const { last, published, publish } = recorder()
      // the first attempt times out at 5 s, the recovery's regeneration is answered (secondary-2) and
      // published; the first request reaches the service at 20 s (secondary-3): the watch's read at 35 s
      // (5 + 30) sees it and publishes it
      const report = yield* runOnTestClock(
        Rotation.rotate({ resourceId: resourceId("acs") }, { publish }).pipe(
          Effect.provide(arm.layer({ retry: false, timeout: "5 seconds" }))
        )
      )
      assert.isTrue(report.recovered)
      assert.strictEqual(arm.value("acs", "secondary"), "acs-secondary-3")
      assert.strictEqual(last("Secondary"), "acs-secondary-3")
      assert.deepStrictEqual(
        published.filter((entry) => entry.keyType === "Secondary").map((entry) => entry.key),
        ["acs-secondary-2", "acs-secondary-3"]
      )
      assert.deepStrictEqual(report.published, ["Secondary", "Secondary", "Primary"])
      assert.strictEqual(last("Primary"), arm.value("acs", "primary"))
      // the Primary step had no unknown outcome: it is not watched
      assert.strictEqual(report.steps.filter((step) => step.action === "listKeys").length, 5)
    }))

  it.effect("with settle 0 a regeneration that reaches the service late is not watched for (the residual risk)", () =>
    Effect.gen(function*() {
      const arm = statefulArm({ faults: (_, index) => index === 0 ? "delayed" : "none" })
      const { last, publish } = recorder()
      const report = yield* runOnTestClock(
        Rotation.rotate({ resourceId: resourceId("acs") }, { publish, settle: 0 }).pipe(
          Effect.provide(arm.layer({ retry: false, timeout: "5 seconds" }))
        )
      )
      yield* TestClock.adjust("20 seconds")
      assert.isFalse(report.steps.some((step) => step.action === "listKeys"))
      assert.strictEqual(last("Secondary"), "acs-secondary-2")
      assert.strictEqual(arm.value("acs", "secondary"), "acs-secondary-3", "the late regeneration replaced it")
    }))

  it.effect("a watch whose last read fails, also when tried again, says to check the key (livePublished false)", () =>
    Effect.gen(function*() {
      const arm = statefulArm({ faults: (_, index) => index === 0 ? "failAfter" : "none", listKeysFails: () => true })
      const { last, publish } = recorder()
      const error = yield* runOnTestClock(
        Effect.flip(
          Rotation.rotate({ resourceId: resourceId("acs") }, {
            publish,
            settle: "10 seconds",
            recoveryTimeout: "20 seconds"
          })
        ).pipe(Effect.provide(arm.layer()))
      )
      assert.strictEqual(error.step, "Recover")
      assert.strictEqual(error.keyType, "Secondary")
      assert.isFalse(error.livePublished)
      assert.include(error.message, "call listKeys and publish the live Secondary key if it differs")
      assert.strictEqual(last("Secondary"), arm.value("acs", "secondary"), "the answered key was published")
      assert.strictEqual(arm.value("acs", "primary"), "acs-primary-1", "the next step did not start")
      // reads after 2, 6 and 10 seconds, then the last one tried again at 18 and 30 seconds
      assert.strictEqual(arm.seen.filter((request) => request.url.includes("/listKeys")).length, 5)
    }))

  it.effect("a watch's last read that fails is tried again: one that succeeds ends the step", () =>
    Effect.gen(function*() {
      const arm = statefulArm({
        faults: (_, index) => index === 0 ? "failAfter" : "none",
        listKeysFails: (index) => index === 1 || index === 2
      })
      const { last, publish } = recorder()
      // reads after 2, 6 (fail: the last of settle), 14 (fails), 30 s
      const report = yield* runOnTestClock(
        Rotation.rotate({ resourceId: resourceId("acs") }, { publish, settle: "6 seconds" }).pipe(
          Effect.provide(arm.layer())
        )
      )
      assert.deepStrictEqual(report.regenerated, ["Secondary", "Primary"])
      assert.strictEqual(last("Secondary"), arm.value("acs", "secondary"))
      assert.strictEqual(arm.seen.filter((request) => request.url.includes("/listKeys")).length, 4)
    }))

  for (const priorOutcomeUnknown of [true, false]) {
    it.effect(`priorOutcomeUnknown ${priorOutcomeUnknown}: a dead run's regeneration landing late is ${priorOutcomeUnknown ? "published" : "missed"}`, () =>
      Effect.gen(function*() {
        const arm = statefulArm({ faults: (_, index) => index === 0 ? "delayed" : "none" })
        const { last, publish } = recorder()
        const layer = arm.layer({ retry: false, timeout: "5 seconds" })
        const report = yield* runOnTestClock(
          Effect.gen(function*() {
            // a process that died: its regeneration times out at 5 s here, and reaches the service at 20 s
            const client = yield* CommunicationServices.CommunicationServices
            yield* Effect.either(client.regenerateKey({ resourceId: resourceId("acs"), keyType: "Secondary" }))
            return yield* Rotation.rotate({ resourceId: resourceId("acs") }, {
              publish,
              mode: "alternate",
              priorOutcomeUnknown
            })
          }).pipe(Effect.provide(layer))
        )
        yield* TestClock.adjust("1 minute")
        assert.strictEqual(arm.value("acs", "secondary"), "acs-secondary-3")
        assert.strictEqual(last("Secondary"), priorOutcomeUnknown ? "acs-secondary-3" : "acs-secondary-2")
        assert.strictEqual(report.steps.some((step) => step.action === "listKeys"), priorOutcomeUnknown)
      }))
  }

  it.effect("a refused regeneration stops without changing or publishing anything", () =>
    Effect.gen(function*() {
      const arm = statefulArm({ faults: () => "refuse" })
      const { publish, published } = recorder()
      const error = yield* Effect.flip(Rotation.rotate({ resourceId: resourceId("acs") }, { publish })).pipe(
        Effect.provide(arm.layer())
      )
      assert.strictEqual(error.step, "Regenerate")
      assert.isFalse(error.livePublished)
      assert.strictEqual((error.cause as { _tag: string })._tag, "AuthorizationFailed")
      assert.strictEqual(published.length, 0)
      assert.strictEqual(arm.value("acs", "secondary"), "acs-secondary-1")
    }))

  it.effect("a failing publish is retried", () =>
    Effect.gen(function*() {
      const arm = statefulArm()
      const { last, publish } = recorder()
      let failures = 2
      const flaky = (key: Rotation.PublishedKey) =>
        failures-- > 0 ? Effect.fail(new Error("vault unavailable")) : publish(key)
      const report = yield* Rotation.rotate({ resourceId: resourceId("acs") }, {
        publish: flaky,
        publishRetry: Schedule.recurs(3)
      }).pipe(Effect.provide(arm.layer()))
      assert.deepStrictEqual(report.published, ["Secondary", "Primary"])
      assert.strictEqual(last("Secondary"), arm.value("acs", "secondary"))
    }))

  it.effect("a publish that keeps failing stops the rotation naming the key to publish, which listKeys returns", () =>
    Effect.gen(function*() {
      const arm = statefulArm()
      const given: Array<string> = []
      const error = yield* Effect.flip(Rotation.rotate({ resourceId: resourceId("acs") }, {
        publish: (key) =>
          Effect.zipRight(Effect.sync(() => given.push(Redacted.value(key.key))), Effect.fail("denied")),
        publishRetry: Schedule.recurs(2)
      })).pipe(Effect.provide(arm.layer()))
      assert.strictEqual(error.step, "Publish")
      assert.strictEqual(error.keyType, "Secondary")
      assert.isFalse(error.livePublished)
      assert.include(error.message, "listKeys returns it")
      assert.strictEqual(given.length, 3)
      assert.isTrue(given.every((key) => key === arm.value("acs", "secondary")), "every attempt was given the live key")
      assert.strictEqual(arm.value("acs", "primary"), "acs-primary-1", "the other key was left alone")
    }))

  it.effect("an interruption during publish lets the publish finish, then stops before the next key", () =>
    Effect.gen(function*() {
      const arm = statefulArm()
      const { last, publish } = recorder()
      const fiber = yield* Effect.fork(
        Rotation.rotate({ resourceId: resourceId("acs") }, {
          publish: (key) => Effect.zipRight(Effect.sleep("1 second"), publish(key))
        }).pipe(Effect.provide(arm.layer()))
      )
      yield* TestClock.adjust("100 millis")
      const interruption = yield* Effect.fork(Fiber.interrupt(fiber))
      yield* TestClock.adjust("1 second")
      yield* Fiber.join(interruption)
      assert.strictEqual(last("Secondary"), arm.value("acs", "secondary"))
      assert.strictEqual(arm.value("acs", "secondary"), "acs-secondary-2")
      assert.strictEqual(arm.value("acs", "primary"), "acs-primary-1")
    }))

  it.effect("a failed recovery says the outcome is unknown and what to do", () =>
    Effect.gen(function*() {
      const arm = statefulArm({ faults: () => "dropAfter", listKeysFails: () => true })
      const error = yield* runOnTestClock(
        Effect.flip(Rotation.rotate({ resourceId: resourceId("acs") }, {
          publish: () => Effect.void
        })).pipe(Effect.provide(arm.layer()))
      )
      assert.strictEqual(error.step, "Recover")
      assert.strictEqual(error.keyType, "Secondary")
      assert.isFalse(error.livePublished)
      assert.include(error.message, "call listKeys and publish the live Secondary key")
      assert.strictEqual((error.cause as { _tag: string })._tag, "TransportError")
    }))

  it.effect("an invalid resource fails at ReadKeys, before any I/O", () =>
    Effect.gen(function*() {
      const arm = statefulArm()
      const error = yield* Effect.flip(Rotation.rotate({ resourceId: "nope" }, { publish: () => Effect.void })).pipe(
        Effect.provide(arm.layer())
      )
      assert.strictEqual(error.step, "ReadKeys")
      assert.strictEqual((error.cause as { _tag: string })._tag, "InvalidInput")
      assert.strictEqual(arm.seen.length, 0)
      const byParts = yield* Effect.flip(Rotation.rotate({
        subscriptionId: "sub-1",
        resourceGroupName: "rg",
        communicationServiceName: "bad.name"
      }, { publish: () => Effect.void })).pipe(Effect.provide(arm.layer()))
      assert.strictEqual(byParts.resourceId, resourceId("bad.name"), "the failure names the resource as given")
      assert.notMatch(byParts.message, /: $/)
    }))

  for (
    const [how, stop] of [
      ["Fiber.interrupt", (fiber: Fiber.RuntimeFiber<unknown, unknown>) => Effect.asVoid(Fiber.interrupt(fiber))],
      ["Effect.timeout around it", undefined]
    ] as const
  ) {
    it.effect(`an interruption (${how}) while a regeneration is on the wire still publishes the key it made`, () =>
      Effect.gen(function*() {
        const arm = statefulArm({ faults: (_, index) => index === 0 ? "slowCommit" : "none" })
        const { last, publish } = recorder()
        const rotation = Rotation.rotate({ resourceId: resourceId("acs") }, { publish }).pipe(
          Effect.provide(arm.layer())
        )
        const fiber = yield* Effect.fork(stop === undefined ? Effect.timeout(rotation, "200 millis") : rotation)
        yield* TestClock.adjust("200 millis")
        const stopping = stop === undefined ? Effect.void : stop(fiber)
        const stopped = yield* Effect.fork(stopping)
        yield* TestClock.adjust("2 seconds")
        yield* Fiber.join(stopped)
        yield* Fiber.await(fiber)
        // the service committed the regeneration: the key it made is live, and was published
        assert.strictEqual(arm.value("acs", "secondary"), "acs-secondary-2")
        assert.strictEqual(last("Secondary"), "acs-secondary-2")
        assert.strictEqual(arm.value("acs", "primary"), "acs-primary-1", "the next step did not start")
      }))
  }

  it.effect("a 200 without the regenerated key is an unknown outcome: regenerated again, never taken as done", () =>
    Effect.gen(function*() {
      const arm = statefulArm({ faults: (_, index) => index === 0 ? "noKey" : "none" })
      const { last, publish } = recorder()
      const report = yield* runOnTestClock(
        Rotation.rotate({ resourceId: resourceId("acs") }, { publish }).pipe(Effect.provide(arm.layer()))
      )
      assert.isTrue(report.recovered)
      assert.strictEqual(arm.value("acs", "secondary"), "acs-secondary-3")
      assert.strictEqual(last("Secondary"), "acs-secondary-3")
      assert.strictEqual(last("Primary"), arm.value("acs", "primary"))
    }))

  it.effect("a publish that hangs is cut short by publishTimeout, retried, then fails naming the key", () =>
    Effect.gen(function*() {
      const arm = statefulArm()
      let attempts = 0
      const error = yield* runOnTestClock(
        Effect.flip(Rotation.rotate({ resourceId: resourceId("acs") }, {
          publish: () => Effect.zipRight(Effect.sync(() => attempts++), Effect.never),
          publishTimeout: "1 second",
          publishRetry: Schedule.recurs(2)
        })).pipe(Effect.provide(arm.layer()))
      )
      assert.strictEqual(attempts, 3)
      assert.strictEqual(error.step, "Publish")
      assert.strictEqual((error.cause as { _tag: string })._tag, "PublishTimedOut")
      assert.include(error.message, "publish did not finish within 1s")
    }))

  it.effect("a connection string given as the resource is not quoted back", () =>
    Effect.gen(function*() {
      const arm = statefulArm()
      const connectionString = "endpoint=https://acs.example/;accesskey=c2VjcmV0LWtleS1tYXRlcmlhbA=="
      const error = yield* Effect.flip(
        Rotation.rotate({ resourceId: connectionString }, { publish: () => Effect.void })
      ).pipe(Effect.provide(arm.layer()))
      yield* assertNoSecret(error, ["c2VjcmV0LWtleS1tYXRlcmlhbA"])
      assert.strictEqual(arm.seen.length, 0)
    }))

  it.effect("a publish error that shows the key it was given is kept masked; one that does not is kept as it is", () =>
    Effect.gen(function*() {
      class VaultError extends Error {
        constructor(readonly request: string) {
          super(`vault refused ${request}`)
        }
      }
      const leaky = yield* Effect.flip(Rotation.rotate({ resourceId: resourceId("acs") }, {
        publish: (key) => Effect.fail(new VaultError(`PUT secret=${Redacted.value(key.connectionString)}`)),
        publishRetry: Schedule.recurs(0)
      })).pipe(Effect.provide(statefulArm().layer()))
      yield* assertNoSecret(leaky, ["acs-secondary-2"])
      assert.include((leaky.cause as { message: string }).message, "vault refused PUT secret=<redacted>")

      const clean = new VaultError("PUT secret=(not shown)")
      const kept = yield* Effect.flip(Rotation.rotate({ resourceId: resourceId("acs") }, {
        publish: () => Effect.fail(clean),
        publishRetry: Schedule.recurs(0)
      })).pipe(Effect.provide(statefulArm().layer()))
      assert.strictEqual(kept.cause, clean)

      const died = yield* Effect.flip(Rotation.rotate({ resourceId: resourceId("acs") }, {
        publish: () => Effect.die(new Error("thrown")),
        publishRetry: Schedule.recurs(1)
      })).pipe(Effect.provide(statefulArm().layer()))
      assert.strictEqual(died.step, "Publish")
      assert.isFalse(died.livePublished)
    }))

  it.effect("two rotations of the same resource at once never interleave a step: the key published last is live", () =>
    Effect.gen(function*() {
      const arm = statefulArm()
      const layer = arm.layer()
      const { last, publish } = recorder()
      // the first rotation publishes slowly; without a lock across each step the second one's key would be
      // published first and the first one's stale key last
      const slow = (key: Rotation.PublishedKey) => Effect.zipRight(Effect.sleep("1 second"), publish(key))
      const rotation = (publish: (key: Rotation.PublishedKey) => Effect.Effect<void>) =>
        Rotation.rotate({ resourceId: resourceId("acs") }, { publish })
      const both = Effect.all([rotation(slow), rotation(publish)], { concurrency: 2 }).pipe(Effect.provide(layer))
      yield* runOnTestClock(both)
      assert.strictEqual(last("Secondary"), arm.value("acs", "secondary"))
      assert.strictEqual(last("Primary"), arm.value("acs", "primary"))
      assert.strictEqual(arm.value("acs", "secondary"), "acs-secondary-3")
    }))
})
