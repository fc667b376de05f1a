import { CommunicationServices, Errors, Redaction } from "@effect-acs/core"
import { assertNoSecret } from "@effect-acs/testing"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { clientLayer, type Reply, resource, token } from "./fake.js"

// made-up secrets in the shapes of real ones (no real key is 40 characters)
const key = "Zm9yLXRlc3RzLW9ubHktbm90LWEtcmVhbC1rZXk="
const jwt = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ0ZXN0In0.c2lnbmF0dXJl"
const leaky = {
  error: {
    code: `Leak accesskey=${key}`,
    message: `The key endpoint=https://x.communication.azure.com/;accesskey=${key} and Bearer ${jwt} were rejected`,
    target: `accesskey=${key}`,
    details: [{ code: "Inner", message: `accesskey=${key}` }]
  },
  primaryKey: key
}

const replies: ReadonlyArray<readonly [string, Reply]> = [
  ["AuthenticationFailed", { status: 401, body: leaky }],
  ["AuthorizationFailed", { status: 403, body: leaky }],
  ["NotFound", { status: 404, body: leaky }],
  ["Conflict", { status: 409, body: leaky }],
  ["Throttled", { status: 429, body: leaky }],
  ["BadRequest", { status: 400, body: leaky }],
  ["ServiceError", { status: 500, body: leaky }],
  ["UnexpectedResponse", { status: 201, body: { primaryKey: key, primaryConnectionString: `accesskey=${key}` } }],
  ["UnexpectedResponse", { status: 200, body: { primaryKey: key, secondaryKey: 1 } }],
  ["UnexpectedResponse", { status: 200, body: `primaryKey=${key}` }],
  ["TransportError", { fail: "ECONNRESET" }]
]

describe("redaction", () => {
  for (const [tag, reply] of replies) {
    it.effect(`${tag} built from a response holding keys and tokens never renders them`, () =>
      Effect.gen(function*() {
        const { layer } = clientLayer([reply], { retry: false })
        const error = yield* Effect.flip(CommunicationServices.regenerateKey({ ...resource, keyType: "Primary" })).pipe(
          Effect.provide(layer)
        )
        assert.strictEqual(error._tag, tag)
        const texts = yield* assertNoSecret(error, [key, jwt, token])
        yield* assertNoSecret(error.message, [key, jwt, token])
        assert.isAtLeast(texts.length, 5)
        if ("armMessage" in error && error.armMessage !== undefined) {
          assert.include(error.armMessage, "accesskey=<redacted>")
          assert.include(error.armMessage, "Bearer <redacted>")
        }
      }))
  }

  it.effect("a success's keys never render", () =>
    Effect.gen(function*() {
      const { layer } = clientLayer([{
        status: 200,
        body: { primaryKey: key, primaryConnectionString: `accesskey=${key}` }
      }])
      const response = yield* Effect.flatMap(
        CommunicationServices.CommunicationServices,
        (client) => client.regenerateKeyResponse({ ...resource, keyType: "Primary" })
      ).pipe(Effect.provide(layer))
      yield* assertNoSecret(response, [key])
    }))

  it("a known secret echoed in another letter case is masked (a low-entropy token that no pattern finds)", () => {
    const known = "session-0000aaaa1111bbbb-2222cccc3333dddd"
    const text = `quoted ${known.toUpperCase()} and ${known} and ${known.toLowerCase()}`
    const masked = Redaction.mask(text, [known])
    assert.notInclude(masked, known)
    assert.notInclude(masked, known.toUpperCase())
    assert.strictEqual(masked, "quoted <redacted> and <redacted> and <redacted>")
  })

  it("InvalidInput and CredentialError messages are the library's own words", () => {
    assert.strictEqual(new Errors.InvalidInput({ field: "keyType", reason: "bad" }).message, "Invalid keyType: bad")
    assert.strictEqual(
      new Errors.CredentialError({ reason: "nope" }).message,
      "Could not obtain an access token: nope"
    )
  })
})
