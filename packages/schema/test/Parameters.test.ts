import { Parameters } from "@effect-acs/schema"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"

const injections = ["a/b", "a?b", "a#b", "a%2Fb", "a..b", "a b", " a", "a\n", "a\tb", "..", "a\u0000b", "a\u007fb"]

const rejects = (schema: Schema.Schema<any, string>, input: string, expected: string) =>
  Effect.gen(function*() {
    const error = yield* Effect.flip(Schema.decodeUnknown(schema)(input))
    assert.include(error.message, expected, JSON.stringify(input))
  })

describe("Parameters", () => {
  it.effect("SubscriptionId: any non-empty id without path or query characters", () =>
    Effect.gen(function*() {
      assert.strictEqual(yield* Schema.decodeUnknown(Parameters.SubscriptionId)("12345"), "12345")
      const uuid = "6d7c6b8e-5a52-4c35-9b3b-3f4b2a8d0e11"
      assert.strictEqual(yield* Schema.decodeUnknown(Parameters.SubscriptionId)(uuid), uuid)
      yield* rejects(Parameters.SubscriptionId, "", "subscriptionId must not be empty")
      for (const input of injections) {
        yield* rejects(Parameters.SubscriptionId, input, "subscriptionId must not contain")
      }
    }))

  it.effect("ResourceGroupName: 1..90 of letters, digits, - _ . ( )", () =>
    Effect.gen(function*() {
      for (const input of ["MyResourceGroup", "rg-1_(prod).eu", "a", "x".repeat(90), "Ressourcengruppe-Ü"]) {
        assert.strictEqual(yield* Schema.decodeUnknown(Parameters.ResourceGroupName)(input), input)
      }
      yield* rejects(Parameters.ResourceGroupName, "", "resourceGroupName must not be empty")
      yield* rejects(Parameters.ResourceGroupName, "x".repeat(91), "at most 90 characters, got 91")
      yield* rejects(Parameters.ResourceGroupName, "rg+1", "may contain only letters, digits")
      yield* rejects(Parameters.ResourceGroupName, "rg$", "may contain only letters, digits")
      for (const input of injections) {
        yield* rejects(Parameters.ResourceGroupName, input, "resourceGroupName must not contain")
      }
    }))

  it.effect("CommunicationServiceName: 1..63 of ASCII letters, digits, - and _", () =>
    Effect.gen(function*() {
      for (const input of ["MyCommunicationResource", "acs-prod_01", "a", "x".repeat(63)]) {
        assert.strictEqual(yield* Schema.decodeUnknown(Parameters.CommunicationServiceName)(input), input)
      }
      yield* rejects(Parameters.CommunicationServiceName, "", "communicationServiceName must not be empty")
      yield* rejects(Parameters.CommunicationServiceName, "x".repeat(64), "at most 63 characters, got 64")
      yield* rejects(Parameters.CommunicationServiceName, "acs.prod", "may contain only letters, digits")
      yield* rejects(Parameters.CommunicationServiceName, "acs(1)", "may contain only letters, digits")
      yield* rejects(Parameters.CommunicationServiceName, "Ü", "may contain only letters, digits")
      for (const input of injections) {
        yield* rejects(Parameters.CommunicationServiceName, input, "communicationServiceName must not contain")
      }
    }))

  it.effect("ApiVersion: non-empty, letters, digits, '.' and '-'", () =>
    Effect.gen(function*() {
      for (const input of ["2020-08-20", "2023-04-01-preview", "2020-08-20-rc"]) {
        assert.strictEqual(yield* Schema.decodeUnknown(Parameters.ApiVersion)(input), input)
      }
      yield* rejects(Parameters.ApiVersion, "", "api-version must not be empty")
      yield* rejects(Parameters.ApiVersion, "2020-08-20&x=1", "may contain only letters, digits")
      for (const input of injections) {
        yield* rejects(Parameters.ApiVersion, input, "api-version must not contain")
      }
      assert.strictEqual(Parameters.defaultApiVersion, "2020-08-20")
    }))

  it.effect("a dot-segment, or a resource group name ending in \".\", is refused (URL normalisation would change the path)", () =>
    Effect.gen(function*() {
      yield* rejects(Parameters.SubscriptionId, ".", "subscriptionId must not be \".\"")
      yield* rejects(Parameters.ResourceGroupName, ".", "resourceGroupName must not be \".\"")
      yield* rejects(Parameters.ResourceGroupName, "rg.", "resourceGroupName must not end with \".\"")
      assert.strictEqual(yield* Schema.decodeUnknown(Parameters.ResourceGroupName)("rg.eu"), "rg.eu")
    }))

  it.effect("a message names the offending character and its position, never the value", () =>
    Effect.gen(function*() {
      const connectionString = "endpoint=https://acs/;accesskey=c2VjcmV0LWtleQ=="
      for (
        const schema of [
          Parameters.SubscriptionId,
          Parameters.ResourceGroupName,
          Parameters.CommunicationServiceName,
          Parameters.ApiVersion
        ] as ReadonlyArray<Schema.Schema<any, string>>
      ) {
        const error = yield* Effect.flip(Schema.decodeUnknown(schema)(connectionString))
        assert.notInclude(error.message, "c2VjcmV0")
        assert.include(error.message, "(found \"/\" at position 16)")
      }
      const control = yield* Effect.flip(Schema.decodeUnknown(Parameters.SubscriptionId)("ab\u0007"))
      assert.include(control.message, "(found U+0007 at position 3)")
    }))
})
