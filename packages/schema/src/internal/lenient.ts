import * as Option from "effect/Option"
import * as Predicate from "effect/Predicate"
import * as Schema from "effect/Schema"

/**
 * An optional string field that never fails to decode: strings are kept, numbers and booleans are
 * written as strings, `null` and any other shape count as absent. The JSON Schema says `string`.
 */
export const lenientString = (description: string) =>
  Schema.optionalToOptional(
    Schema.Unknown.annotations({ jsonSchema: { type: "string", description } }),
    Schema.String.annotations({ description }),
    {
      decode: Option.flatMap((u) =>
        Predicate.isString(u)
          ? Option.some(u)
          : Predicate.isNumber(u) || Predicate.isBoolean(u)
          ? Option.some(String(u))
          : Option.none()
      ),
      encode: (o) => o
    }
  )

/**
 * An optional array field that never fails to decode: an array keeps its object elements (each then
 * decoded by `item`, itself lenient), `null` and any other shape count as absent.
 */
export const lenientArray = <A, I>(
  item: Schema.Schema<A, I>,
  jsonSchema: object,
  description: string
) =>
  Schema.optionalToOptional(
    Schema.Unknown.annotations({ jsonSchema: { type: "array", items: jsonSchema, description } }),
    Schema.Array(item).annotations({ description }),
    {
      decode: Option.flatMap((u) =>
        Array.isArray(u) ? Option.some(u.filter(Predicate.isRecord) as unknown as ReadonlyArray<I>) : Option.none()
      ),
      encode: (o) => o
    }
  )
