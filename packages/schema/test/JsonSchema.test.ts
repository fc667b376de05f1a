import { JsonSchema } from "@effect-acs/schema"
import { assert, describe, it } from "@effect/vitest"

/**
 * The documented definitions of api-version 2020-08-20 (CommunicationService.json and the ARM common
 * types v1/v2), written down as facts: property names, types, enum values, lengths and patterns.
 */
const documented = {
  RegenerateKeyParameters: { properties: { keyType: { type: "string", enum: ["Primary", "Secondary"] } } },
  CommunicationServiceKeys: {
    properties: {
      primaryKey: { type: "string" },
      secondaryKey: { type: "string" },
      primaryConnectionString: { type: "string" },
      secondaryConnectionString: { type: "string" }
    }
  },
  ErrorResponse: { properties: { error: { $ref: "ErrorDetail" } } },
  ErrorDetail: {
    properties: {
      code: { type: "string" },
      message: { type: "string" },
      target: { type: "string" },
      details: { type: "array", items: { $ref: "ErrorDetail" } },
      additionalInfo: { type: "array", items: { $ref: "ErrorAdditionalInfo" } }
    }
  },
  ErrorAdditionalInfo: { properties: { type: { type: "string" }, info: { type: "object" } } }
} as const

const parameters = {
  SubscriptionId: { type: "string", minLength: 1 },
  ResourceGroupName: { type: "string", minLength: 1, maxLength: 90, pattern: "^[-\\w\\._\\(\\)]+$" },
  CommunicationServiceName: { type: "string", minLength: 1, maxLength: 63, pattern: "^[-\\w]+$" },
  ApiVersion: { type: "string", minLength: 1 }
} as const

type Json = { readonly [key: string]: any }

/** Follows `$ref`s to the named definition inside one root. */
const resolve = (root: Json, node: Json): Json => {
  if (typeof node.$ref === "string") {
    const name = node.$ref.replace("#/$defs/", "")
    const target = root.$defs?.[name]
    assert.isDefined(target, `unresolved ${node.$ref}`)
    return { ...target, $name: name }
  }
  return node
}

const definitionName = (root: Json, node: Json): string | undefined => resolve(root, node).$name

describe("JsonSchema", () => {
  for (const [name, definition] of Object.entries(documented)) {
    it(`${name} matches the documented definition`, () => {
      const root = (JsonSchema as unknown as Record<string, Json>)[name]!
      assert.strictEqual(root.$schema, "http://json-schema.org/draft-07/schema#")
      const object = resolve(root, root)
      assert.strictEqual(object.type, "object")
      assert.deepStrictEqual(Object.keys(object.properties).sort(), Object.keys(definition.properties).sort())
      assert.isUndefined(object.required, "every documented property is optional")
      assert.notStrictEqual(object.additionalProperties, false, "documented objects allow unknown fields")
      for (const [property, expected] of Object.entries(definition.properties) as Array<[string, Json]>) {
        const actual = object.properties[property]
        if (expected.$ref) {
          assert.strictEqual(definitionName(root, actual), expected.$ref, `${name}.${property}`)
          continue
        }
        const resolved = resolve(root, actual)
        assert.strictEqual(resolved.type, expected.type, `${name}.${property}`)
        if (expected.enum) assert.deepStrictEqual(resolved.enum, expected.enum)
        if (expected.items) assert.strictEqual(definitionName(root, resolved.items), expected.items.$ref)
        assert.isString(resolved.description, `${name}.${property} is described`)
      }
    })
  }

  for (const [name, expected] of Object.entries(parameters) as Array<[string, Json]>) {
    it(`${name} carries the documented constraints`, () => {
      const root = (JsonSchema as unknown as Record<string, Json>)[name]!
      const schema = resolve(root, root)
      for (const key of ["type", "minLength", "maxLength", "pattern"]) {
        assert.strictEqual(schema[key], expected[key], `${name}.${key}`)
      }
      assert.isString(schema.description)
    })
  }

  it("KeyType is the documented enum", () => {
    const schema = resolve(JsonSchema.KeyType, JsonSchema.KeyType)
    assert.strictEqual(schema.type, "string")
    assert.deepStrictEqual(schema.enum, ["Primary", "Secondary"])
  })

  it("secrets are plain strings on the wire, never Redacted wrappers", () => {
    const text = JSON.stringify(JsonSchema.CommunicationServiceKeys)
    assert.notInclude(text, "Redacted")
  })

  it("ResourceId and ConnectionString are strings", () => {
    assert.strictEqual(resolve(JsonSchema.ResourceId, JsonSchema.ResourceId).type, "string")
    assert.strictEqual(resolve(JsonSchema.ConnectionString, JsonSchema.ConnectionString).type, "string")
  })
})
