/**
 * The key to regenerate: `Primary` or `Secondary`.
 *
 * The service accepts either value in any letter case; this schema does the same on decode and
 * always encodes the canonical spelling, so what goes on the wire is exactly what the API documents.
 *
 * @since 0.1.0
 */
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"

/**
 * The two canonical key types.
 *
 * @example
 * ```ts
 * import { KeyType } from "@effect-acs/schema"
 * import * as Schema from "effect/Schema"
 *
 * Schema.decodeUnknownSync(KeyType.KeyTypeLiteral)("Secondary") // "Secondary"
 * ```
 *
 * @since 0.1.0
 * @category schemas
 */
export const KeyTypeLiteral = Schema.Literal("Primary", "Secondary").annotations({
  identifier: "KeyTypeLiteral",
  title: "KeyType",
  description: "The keyType to regenerate. Must be either 'primary' or 'secondary'(case-insensitive)."
})

/**
 * `"Primary" | "Secondary"`.
 *
 * @example
 * ```ts
 * import { KeyType } from "@effect-acs/schema"
 *
 * const keyType: KeyType.KeyType = "Secondary"
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type KeyType = typeof KeyTypeLiteral.Type

/**
 * The canonical key types, in the order the API documents them.
 *
 * @example
 * ```ts
 * import { KeyType } from "@effect-acs/schema"
 *
 * KeyType.values // ["Primary", "Secondary"]
 * ```
 *
 * @since 0.1.0
 * @category constants
 */
export const values: ReadonlyArray<KeyType> = KeyTypeLiteral.literals

const byLowerCase: ReadonlyMap<string, KeyType> = new Map(values.map((value) => [value.toLowerCase(), value]))

/**
 * Decodes `primary` / `secondary` in any letter case (`PRIMARY`, `Secondary`, `pRiMaRy`) to the
 * canonical `"Primary" | "Secondary"` and encodes the canonical spelling. Anything else, surrounding
 * whitespace included, fails with a message that names the two allowed values.
 *
 * @example
 * ```ts
 * import { KeyType } from "@effect-acs/schema"
 * import * as Schema from "effect/Schema"
 *
 * Schema.decodeUnknownSync(KeyType.KeyType)("secondary") // "Secondary"
 * Schema.encodeSync(KeyType.KeyType)("Primary") // "Primary"
 * ```
 *
 * @since 0.1.0
 * @category schemas
 */
export const KeyType: Schema.Schema<KeyType, string> = Schema.transformOrFail(
  Schema.String.annotations({ jsonSchema: { type: "string", enum: ["Primary", "Secondary"] } }),
  KeyTypeLiteral,
  {
    strict: true,
    decode: (input, _, ast) => {
      const keyType = byLowerCase.get(input.toLowerCase())
      return keyType === undefined
        ? ParseResult.fail(
          new ParseResult.Type(
            ast,
            input,
            `Expected keyType "Primary" or "Secondary" (in any letter case), got ${
              /^[A-Za-z]{1,16}$/.test(input) ? JSON.stringify(input) : `${input.length} other characters`
            }`
          )
        )
        : ParseResult.succeed(keyType)
    },
    encode: ParseResult.succeed
  }
).annotations({
  identifier: "KeyType",
  title: "KeyType",
  description: "The keyType to regenerate. Must be either 'primary' or 'secondary'(case-insensitive)."
})
