import { AzureCredential, CommunicationServices, Errors } from "@effect-acs/core"
import { assert, describe, it } from "@effect/vitest"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as TestClock from "effect/TestClock"
import { documentedSample, fakeArm, resource } from "./fake.js"

const scope = "https://management.azure.com/.default"
const hour = 3_600_000

/** A token source that counts fetches and issues tokens valid for one hour from the (test) clock. */
const countingSource = () => {
  const requests: Array<AzureCredential.TokenRequest> = []
  const fetch = (request: AzureCredential.TokenRequest) =>
    Effect.map(Effect.clockWith((clock) => clock.currentTimeMillis), (now) => {
      requests.push(request)
      return { token: Redacted.make(`token-${requests.length}`), expiresAt: now + hour }
    })
  return { requests, fetch }
}

describe("AzureCredential", () => {
  it.effect("caches a token until two minutes before it expires, then refreshes", () =>
    Effect.gen(function*() {
      const source = countingSource()
      const credential = yield* AzureCredential.make(source.fetch)
      const first = yield* credential.getToken({ scope })
      assert.strictEqual(Redacted.value(first.token), "token-1")
      yield* TestClock.adjust(hour - 2 * 60_000 - 1)
      assert.strictEqual(Redacted.value((yield* credential.getToken({ scope })).token), "token-1")
      yield* TestClock.adjust(1)
      assert.strictEqual(Redacted.value((yield* credential.getToken({ scope })).token), "token-2")
      assert.strictEqual(source.requests.length, 2)
      yield* credential.getToken({ scope: "https://management.usgovcloudapi.net/.default" })
      assert.strictEqual(source.requests.length, 3, "one cache entry per scope")
    }))

  it.effect("concurrent callers with a stale token share one refresh", () =>
    Effect.gen(function*() {
      const gate = yield* Deferred.make<void>()
      let fetches = 0
      const credential = yield* AzureCredential.make(() =>
        Effect.zipRight(
          Effect.sync(() => fetches++),
          Effect.as(Deferred.await(gate), { token: Redacted.make("shared"), expiresAt: hour })
        )
      )
      const fibers = yield* Effect.forEach(
        Array.from({ length: 20 }),
        () => Effect.fork(credential.getToken({ scope })),
        { concurrency: "unbounded" }
      )
      yield* TestClock.adjust(0)
      yield* Deferred.succeed(gate, undefined)
      const tokens = yield* Effect.forEach(fibers, Fiber.join)
      assert.strictEqual(fetches, 1)
      assert.isTrue(tokens.every((token) => Redacted.value(token.token) === "shared"))
    }))

  it.effect("a failed refresh is a CredentialError, and the next call tries again", () =>
    Effect.gen(function*() {
      let calls = 0
      const credential = yield* AzureCredential.make(() =>
        ++calls === 1
          ? Effect.fail(new Errors.CredentialError({ reason: "AADSTS7000215: Invalid client secret provided." }))
          : Effect.succeed({ token: Redacted.make("ok"), expiresAt: hour })
      )
      const error = yield* Effect.flip(credential.getToken({ scope }))
      assert.strictEqual(error._tag, "CredentialError")
      assert.include(error.message, "AADSTS7000215")
      assert.strictEqual(Redacted.value((yield* credential.getToken({ scope })).token), "ok")
    }))

  it.effect("a credential failure fails the call with CredentialError, before any request", () =>
    Effect.gen(function*() {
      const fake = fakeArm([{ status: 200, body: documentedSample }])
      const failing = Layer.effect(
        AzureCredential.AzureCredential,
        AzureCredential.make(() => Effect.fail(new Errors.CredentialError({ reason: "no identity available" })))
      )
      const error = yield* Effect.flip(CommunicationServices.listKeys(resource)).pipe(
        Effect.provide(CommunicationServices.layer().pipe(Layer.provide(failing), Layer.provide(fake.http)))
      )
      assert.strictEqual(error._tag, "CredentialError")
      assert.strictEqual(fake.seen.length, 0)
    }))

  it.effect("a retry that cannot get a token does not hide an earlier unknown outcome", () =>
    Effect.gen(function*() {
      let calls = 0
      const credential = Layer.effect(
        AzureCredential.AzureCredential,
        AzureCredential.make((request) =>
          ++calls === 1
            ? Effect.succeed({ token: Redacted.make("first"), expiresAt: 0 })
            : Effect.fail(new Errors.CredentialError({ reason: `no token for ${request.scope}` }))
        )
      )
      const fake = fakeArm([{ status: 503, body: { error: { code: "ServiceUnavailable" } } }])
      const fiber = yield* Effect.fork(
        Effect.flip(CommunicationServices.regenerateKey({ ...resource, keyType: "Primary" })).pipe(
          Effect.provide(CommunicationServices.layer().pipe(Layer.provide(credential), Layer.provide(fake.http)))
        )
      )
      yield* TestClock.adjust("1 minute")
      const error = yield* Fiber.join(fiber)
      assert.strictEqual(error._tag, "ServiceError")
      assert.isTrue(Errors.isOutcomeUnknown(error))
      assert.strictEqual(fake.seen.length, 1)
    }))

  it.effect("fromTokenCredential adapts a TokenCredential, scrubbing what its errors say", () =>
    Effect.gen(function*() {
      const credential = yield* Effect.provide(
        AzureCredential.AzureCredential,
        AzureCredential.fromTokenCredential({
          getToken: async (scopes, options) => {
            if (options?.claims === "boom") throw new Error("refused: Bearer eyJhbGciOi.eyJzdWIiOi.sig")
            return { token: `tc-${String(scopes)}-${options?.claims ?? ""}`, expiresOnTimestamp: hour }
          }
        })
      )
      const token = yield* credential.getToken({ scope })
      assert.strictEqual(Redacted.value(token.token), `tc-${scope}-`)
      assert.strictEqual(token.expiresAt, hour)
      const claimed = yield* credential.getToken({ scope, claims: "{\"access_token\":{}}" })
      assert.strictEqual(Redacted.value(claimed.token), `tc-${scope}-{"access_token":{}}`)
      const error = yield* Effect.flip(credential.getToken({ scope, claims: "boom" }))
      assert.strictEqual(error._tag, "CredentialError")
      assert.notInclude(error.message, "eyJ")
      const empty = yield* Effect.flip(Effect.flatMap(
        Effect.provide(
          AzureCredential.AzureCredential,
          AzureCredential.fromTokenCredential({ getToken: async () => null })
        ),
        (c) => c.getToken({ scope })
      ))
      assert.include(empty.message, "no token")
    }))

  it.effect("a 401 claims challenge gets one token with those claims and one resend", () =>
    Effect.gen(function*() {
      const claims = "{\"access_token\":{\"nbf\":{\"essential\":true,\"value\":\"1700000000\"}}}"
      const challenge = {
        status: 401,
        headers: {
          "www-authenticate":
            `Bearer authorization_uri="https://login.microsoftonline.com/t", error="insufficient_claims", claims="${
              Buffer.from(claims).toString("base64")
            }"`
        },
        body: { error: { code: "InvalidAuthenticationToken", message: "claims required" } }
      }
      const source = countingSource()
      const fake = fakeArm([challenge, { status: 200, body: documentedSample }])
      const layer = CommunicationServices.layer({ retry: false }).pipe(
        Layer.provide(Layer.effect(AzureCredential.AzureCredential, AzureCredential.make(source.fetch))),
        Layer.provide(fake.http)
      )
      const response = yield* Effect.flatMap(
        CommunicationServices.CommunicationServices,
        (client) => client.regenerateKeyResponse({ ...resource, keyType: "Primary" })
      ).pipe(Effect.provide(layer))
      assert.strictEqual(fake.seen.length, 2)
      assert.strictEqual(response.attempts, 2)
      assert.deepStrictEqual(source.requests.map((request) => request.claims), [undefined, claims])
      assert.strictEqual(fake.seen[0]!.headers["authorization"], "Bearer token-1")
      assert.strictEqual(fake.seen[1]!.headers["authorization"], "Bearer token-2")

      // a second challenge is not answered again: it is AuthenticationFailed
      const again = fakeArm([challenge])
      const error = yield* Effect.flip(CommunicationServices.listKeys(resource)).pipe(
        Effect.provide(
          CommunicationServices.layer({ retry: false }).pipe(
            Layer.provide(Layer.effect(AzureCredential.AzureCredential, AzureCredential.make(source.fetch))),
            Layer.provide(again.http)
          )
        )
      )
      assert.strictEqual(error._tag, "AuthenticationFailed")
      assert.strictEqual(again.seen.length, 2)
    }))
})
