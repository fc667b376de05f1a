import { ResourceId } from "@effect-acs/schema"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"

const canonical =
  "/subscriptions/12345/resourceGroups/MyResourceGroup/providers/Microsoft.Communication/communicationServices/MyCommunicationResource"

describe("ResourceId", () => {
  it.effect("decodes to the three parts and encodes back", () =>
    Effect.gen(function*() {
      const parts = yield* Schema.decodeUnknown(ResourceId.ResourceId)(canonical)
      assert.strictEqual(parts.subscriptionId, "12345")
      assert.strictEqual(parts.resourceGroupName, "MyResourceGroup")
      assert.strictEqual(parts.communicationServiceName, "MyCommunicationResource")
      assert.strictEqual(yield* Schema.encode(ResourceId.ResourceId)(parts), canonical)
      assert.strictEqual(ResourceId.format(parts), canonical)
    }))

  it.effect("matches the fixed segments in any case and tolerates a trailing slash", () =>
    Effect.gen(function*() {
      for (
        const input of [
          canonical.toLowerCase(),
          "/SUBSCRIPTIONS/12345/RESOURCEGROUPS/MyResourceGroup/PROVIDERS/MICROSOFT.COMMUNICATION/COMMUNICATIONSERVICES/MyCommunicationResource",
          `${canonical}/`
        ]
      ) {
        const parts = yield* Schema.decodeUnknown(ResourceId.ResourceId)(input)
        assert.strictEqual(parts.communicationServiceName.toLowerCase(), "mycommunicationresource", input)
        assert.strictEqual(
          yield* Schema.encode(ResourceId.ResourceId)(parts),
          input === `${canonical}/` ? canonical : ResourceId.format(parts)
        )
      }
    }))

  it.effect("rejects other shapes, saying what was expected", () =>
    Effect.gen(function*() {
      for (
        const input of [
          "",
          "/subscriptions/12345",
          canonical.replace("Microsoft.Communication", "Microsoft.Storage"),
          canonical.replace("communicationServices", "emailServices"),
          `${canonical}/regenerateKey`,
          `${canonical}//`,
          canonical.slice(1),
          `https://management.azure.com${canonical}`
        ]
      ) {
        const error = yield* Effect.flip(Schema.decodeUnknown(ResourceId.ResourceId)(input))
        assert.include(
          error.message,
          "Expected a resource id of the form /subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}",
          input
        )
      }
    }))

  it.effect("validates each part with its own schema", () =>
    Effect.gen(function*() {
      const cases: ReadonlyArray<readonly [string, string]> = [
        [canonical.replace("12345", ""), "subscriptionId must not be empty"],
        [canonical.replace("MyResourceGroup", ".."), "resourceGroupName must not contain"],
        [canonical.replace("MyResourceGroup", "a b"), "resourceGroupName must not contain"],
        [canonical.replace("MyCommunicationResource", "acs.name"), "communicationServiceName may contain only"],
        [canonical.replace("MyCommunicationResource", "a%2F"), "communicationServiceName must not contain"],
        [canonical.replace("MyCommunicationResource", "x?api-version=1"), "communicationServiceName must not contain"]
      ]
      for (const [input, expected] of cases) {
        const error = yield* Effect.flip(Schema.decodeUnknown(ResourceId.ResourceId)(input))
        assert.include(error.message, expected, input)
      }
    }))

  it.effect("never quotes what it refuses: a connection string given as a resource id is called one", () =>
    Effect.gen(function*() {
      const connectionString = "endpoint=https://acs.example/;accesskey=c2VjcmV0LWtleS1tYXRlcmlhbA=="
      const error = yield* Effect.flip(Schema.decodeUnknown(ResourceId.ResourceId)(connectionString))
      assert.notInclude(error.message, "c2VjcmV0")
      assert.include(error.message, "looks like a connection string")
      const dotted = yield* Effect.flip(
        Schema.decodeUnknown(ResourceId.ResourceId)(canonical.replace("MyResourceGroup", "."))
      )
      assert.include(dotted.message, "resourceGroupName must not be \".\"")
    }))
})
