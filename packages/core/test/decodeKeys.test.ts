import * as CommunicationServiceKeys from "@effect-acs/schema/CommunicationServiceKeys"
import { assert, describe, it } from "@effect/vitest"
import * as Either from "effect/Either"
import * as FastCheck from "effect/FastCheck"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import { decodeKeys } from "../src/internal/client.js"

const bySchema = Schema.decodeUnknownEither(CommunicationServiceKeys.CommunicationServiceKeys, { errors: "all" })

/** A decoded value as plain data: its class, its own keys in order, and what each Redacted holds. */
const plain = (value: unknown) =>
  value instanceof CommunicationServiceKeys.CommunicationServiceKeys
    ? Object.entries(value).map(([key, field]) => [key, Redacted.isRedacted(field) ? Redacted.value(field) : field])
    : value

const fields = ["primaryKey", "secondaryKey", "primaryConnectionString", "secondaryConnectionString"] as const

/** Bodies as JSON.parse gives them: mostly objects with some key fields (strings or not) and extra fields. */
const body = FastCheck.oneof(
  FastCheck.record(
    {
      primaryKey: FastCheck.oneof(FastCheck.string(), FastCheck.jsonValue()),
      secondaryKey: FastCheck.oneof(FastCheck.string(), FastCheck.jsonValue()),
      primaryConnectionString: FastCheck.string(),
      secondaryConnectionString: FastCheck.string(),
      extra: FastCheck.jsonValue(),
      __proto__: FastCheck.string()
    },
    { requiredKeys: [] }
  ).map((record) => JSON.parse(JSON.stringify(record)) as unknown),
  FastCheck.jsonValue()
)

describe("the keys of a 200, decoded", () => {
  it("decode to exactly what the schema gives, or fail as it does", () => {
    FastCheck.assert(
      FastCheck.property(body, (json) => {
        const ours = decodeKeys(json)
        const schema = bySchema(json)
        assert.strictEqual(ours._tag, schema._tag)
        if (Either.isRight(ours) && Either.isRight(schema)) {
          assert.instanceOf(ours.right, CommunicationServiceKeys.CommunicationServiceKeys)
          assert.deepStrictEqual(plain(ours.right), plain(schema.right))
        } else if (Either.isLeft(ours) && Either.isLeft(schema)) {
          assert.strictEqual(ours.left.message, schema.left.message)
        }
      }),
      { numRuns: 2000 }
    )
  })

  it("every key field of the schema is one the fast path knows", () => {
    assert.deepStrictEqual(Object.keys(CommunicationServiceKeys.CommunicationServiceKeys.fields), [...fields])
    const all = Object.fromEntries(fields.map((name) => [name, `${name}-value`]))
    const decoded = decodeKeys(all)
    assert.isTrue(Either.isRight(decoded))
    assert.deepStrictEqual(plain(Either.getOrThrow(decoded)), fields.map((name) => [name, `${name}-value`]))
  })
})
