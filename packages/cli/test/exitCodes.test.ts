import { CliError, ExitCode } from "@effect-acs/cli"
import { Errors, Rotation } from "@effect-acs/core"
import { Emulator, EmulatorError } from "@effect-acs/emulator"
import { assert, describe, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as TestClock from "effect/TestClock"
import * as TestServices from "effect/TestServices"
import { cli, closedPort, idOf, ref } from "./helpers.js"

const acs = ref("my-acs")
const missing = ref("not-there")
const codes = ExitCode.exitCodes

/** The one line of stderr that reports the failure. */
const errorLine = (stderr: string) => {
  const lines = stderr.split("\n").filter((line) => line.startsWith("acs-keys: "))
  assert.strictEqual(lines.length, 1, stderr)
  return lines[0]!
}

const requestIds =
  /x-ms-request-id: [0-9a-f-]{36}, x-ms-correlation-request-id: [0-9a-f-]{36}, x-ms-client-request-id: [0-9a-f-]{36}/

describe("acs-keys: one exit status per failure mode", () => {
  it("every status is distinct, and each error tag maps to its own", () => {
    const values = Object.values(codes)
    assert.strictEqual(new Set(values).size, values.length)
    const resourceId = idOf(acs)
    const arm = { status: 400, operation: "listKeys" as const, resourceId, outcomeUnknown: false, attempts: 1 }
    const errors: ReadonlyArray<readonly [unknown, ExitCode.Name]> = [
      [new Errors.InvalidInput({ field: "keyType", reason: "bad" }), "InvalidInput"],
      [new Errors.CredentialError({ reason: "no" }), "CredentialError"],
      [new Errors.TransportError({ reason: "Connect", description: "refused", ...arm }), "TransportError"],
      [new Errors.AuthenticationFailed({ ...arm, status: 401 }), "AuthenticationFailed"],
      [new Errors.AuthorizationFailed({ ...arm, status: 403 }), "AuthorizationFailed"],
      [new Errors.NotFound({ ...arm, status: 404, missing: "Resource" }), "NotFound"],
      [new Errors.Conflict({ ...arm, status: 409 }), "Conflict"],
      [new Errors.Throttled({ ...arm, status: 429 }), "Throttled"],
      [new Errors.BadRequest(arm), "BadRequest"],
      [new Errors.ServiceError({ ...arm, status: 503 }), "ServiceError"],
      [
        new Errors.UnexpectedResponse({ ...arm, status: 202, reason: "UndeclaredStatus", description: "202" }),
        "UnexpectedResponse"
      ],
      [
        new Rotation.RotationFailed({ resourceId, step: "ReadKeys", livePublished: false, reason: "x" }),
        "RotationFailed"
      ],
      [new CliError.FleetIncomplete({ total: 2, failed: 1 }), "RotationFailed"],
      [new CliError.FleetFileError({ path: "ids.txt", reason: "no such file" }), "FleetFileError"],
      [new CliError.UsageError({ reason: "x" }), "UsageError"],
      [new EmulatorError.ListenError({ host: "127.0.0.1", port: 1, reason: "EADDRINUSE" }), "EmulatorStartError"],
      [new EmulatorError.SeedFileError({ path: "seed.json", reason: "bad" }), "EmulatorStartError"],
      [new Error("boom"), "Unexpected"]
    ]
    for (const [error, name] of errors) {
      assert.strictEqual(ExitCode.nameOf(error), name)
      assert.strictEqual(ExitCode.fromError(error), codes[name])
      assert.notInclude(ExitCode.describe(error), "\n")
    }
  })

  it.scopedLive("404 -> NotFound, with the ARM code, message and request ids on one line", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.make({ resources: [acs] })
      const result = yield* cli(["list", "--resource-id", idOf(missing), "--endpoint", emulator.url])
      assert.strictEqual(result.status, codes.NotFound)
      const line = errorLine(result.stderr)
      assert.match(
        line,
        /^acs-keys: NotFound: listKeys \/subscriptions\/.+: resource not found \(HTTP 404\) ResourceNotFound: /
      )
      assert.match(line, requestIds)
      assert.strictEqual(result.stdout, "")

      // the same failure as JSON on stdout with --json
      const json = yield* cli(["list", "--resource-id", idOf(missing), "--endpoint", emulator.url, "--json"])
      assert.strictEqual(json.status, codes.NotFound)
      const { error } = JSON.parse(json.stdout)
      assert.strictEqual(error._tag, "NotFound")
      assert.strictEqual(error.status, 404)
      assert.strictEqual(error.code, "ResourceNotFound")
      assert.strictEqual(error.missing, "Resource")
      assert.strictEqual(error.exitStatus, codes.NotFound)
      assert.match(error.requestId, /^[0-9a-f-]{36}$/)
    }))

  it.scoped("409 -> Conflict, while another regeneration of the resource is in flight", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.make({ resources: [acs], regenerateLatency: "10 seconds" })
      const first = yield* Effect.fork(
        cli(["regenerate", "--resource-id", idOf(acs), "--key-type", "primary", "--endpoint", emulator.url])
      )
      yield* emulator.awaitStats((stats) => stats.inFlight === 1)
      const second = yield* cli([
        "regenerate",
        "--resource-id",
        idOf(acs),
        "--key-type",
        "secondary",
        "--endpoint",
        emulator.url
      ])
      assert.strictEqual(second.status, codes.Conflict)
      assert.match(
        errorLine(second.stderr),
        /^acs-keys: Conflict: regenerateKey .+ \(HTTP 409\) Conflict: A key regeneration is already in progress/
      )
      // the first one completes once its latency has passed
      yield* waitForSleepers
      yield* TestClock.adjust("10 seconds")
      assert.strictEqual((yield* Fiber.join(first)).status, 0)
    }))

  it.scopedLive("403 -> AuthorizationFailed, 401 -> AuthenticationFailed", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.make({ resources: [acs], forbiddenTokens: ["reader-token"] })
      const forbidden = yield* cli([
        "list",
        "--resource-id",
        idOf(acs),
        "--endpoint",
        emulator.url,
        "--token",
        "reader-token"
      ])
      assert.strictEqual(forbidden.status, codes.AuthorizationFailed)
      assert.match(errorLine(forbidden.stderr), /^acs-keys: AuthorizationFailed: .+\(HTTP 403\) AuthorizationFailed: /)
      assert.match(forbidden.stderr, requestIds)
      assert.notInclude(forbidden.stderr, "reader-token")

      const unknown = yield* cli([
        "list",
        "--resource-id",
        idOf(acs),
        "--endpoint",
        emulator.url,
        "--token",
        "wrong-token"
      ])
      assert.strictEqual(unknown.status, codes.AuthenticationFailed)
      assert.match(
        errorLine(unknown.stderr),
        /^acs-keys: AuthenticationFailed: .+\(HTTP 401\) InvalidAuthenticationToken: /
      )
      assert.notInclude(unknown.stderr, "wrong-token")
    }))

  it.scoped("429 -> Throttled once the retries are spent", () =>
    Effect.gen(function*() {
      // one write per subscription, refilled very slowly (the TestClock does not move anyway)
      const emulator = yield* Emulator.make({ resources: [acs], throttle: { capacity: 1, refillPerSecond: 0.01 } })
      const args = ["list", "--resource-id", idOf(acs), "--endpoint", emulator.url, "--max-retries", "0"]
      assert.strictEqual((yield* cli(args)).status, 0)
      const throttled = yield* cli(args)
      assert.strictEqual(throttled.status, codes.Throttled)
      assert.match(
        errorLine(throttled.stderr),
        /^acs-keys: Throttled: listKeys .+ throttled, retry after 100000 ms \(HTTP 429\) TooManyRequests: /
      )
    }))

  it.effect("no listener -> TransportError", () =>
    Effect.gen(function*() {
      const endpoint = `http://127.0.0.1:${yield* closedPort}`
      const result = yield* cli(["list", "--resource-id", idOf(acs), "--endpoint", endpoint, "--max-retries", "0"])
      assert.strictEqual(result.status, codes.TransportError)
      assert.match(errorLine(result.stderr), /^acs-keys: TransportError: listKeys .+ transport failure \(Connect\)/)
    }))

  it.effect("a value the client rejects before any request -> InvalidInput", () =>
    Effect.gen(function*() {
      const endpoint = `http://127.0.0.1:${yield* closedPort}`
      const badId = yield* cli(["list", "--resource-id", "/subscriptions/s/resourceGroups/rg", "--endpoint", endpoint])
      assert.strictEqual(badId.status, codes.InvalidInput)
      assert.match(errorLine(badId.stderr), /^acs-keys: InvalidInput: Invalid resourceId: /)
      // plain http is for loopback only
      const insecure = yield* cli(["list", "--resource-id", idOf(acs), "--endpoint", "http://arm.example.com"])
      assert.strictEqual(insecure.status, codes.InvalidInput)
      assert.match(errorLine(insecure.stderr), /Invalid endpoint: /)
    }))

  it.effect("a credential that cannot give a token -> CredentialError (real Azure endpoints only)", () =>
    Effect.gen(function*() {
      const port = yield* closedPort
      let asked = 0
      const tokenCredential = {
        getToken: () => {
          asked++
          return Promise.reject(new Error("not signed in"))
        }
      }
      const result = yield* cli(["list", "--resource-id", idOf(acs), "--endpoint", `https://127.0.0.1:${port}`], {
        tokenCredential
      })
      assert.strictEqual(result.status, codes.CredentialError)
      assert.match(errorLine(result.stderr), /^acs-keys: CredentialError: Could not obtain an access token/)
      assert.strictEqual(asked, 1)

      // an emulator endpoint never asks it: the emulator's token is used
      const emulatorEndpoint = yield* cli(
        ["list", "--resource-id", idOf(acs), "--endpoint", `http://127.0.0.1:${port}`, "--max-retries", "0"],
        { tokenCredential }
      )
      assert.strictEqual(emulatorEndpoint.status, codes.TransportError)
      assert.strictEqual(asked, 1)
    }))

  it.scopedLive("the emulator command: a port in use -> EmulatorStartError", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.make()
      const result = yield* cli(["emulator", "--port", String(emulator.port)])
      assert.strictEqual(result.status, codes.EmulatorStartError)
      assert.match(errorLine(result.stderr), /^acs-keys: ListenError: The emulator cannot listen on 127\.0\.0\.1:\d+/)
    }))
})

/** Waits until the in-flight regeneration sleeps on the TestClock (a condition, polled on the live clock). */
const waitForSleepers: Effect.Effect<void> = Effect.gen(function*() {
  for (let i = 0; i < 5000; i++) {
    if (Chunk.size(yield* TestClock.sleeps()) > 0) return
    yield* TestServices.provideLive(Effect.sleep("1 millis"))
  }
  return yield* Effect.dieMessage("no fiber sleeps on the TestClock")
})
