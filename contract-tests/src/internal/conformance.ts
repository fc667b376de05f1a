import * as CommunicationServiceKeys from "@effect-acs/schema/CommunicationServiceKeys"
import * as ErrorResponse from "@effect-acs/schema/ErrorResponse"
import * as Either from "effect/Either"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import { Issue, NonConformingResponse } from "../ContractError.js"
import * as Interaction from "../Interaction.js"
import { operationOf } from "./arm.js"
import { issues } from "./load.js"
import { maskText } from "./secrets.js"

const validate = <A, I>(schema: Schema.Schema<A, I>) => {
  const decode = ParseResult.decodeUnknownEither(schema, { errors: "all", onExcessProperty: "ignore" })
  return (value: unknown): Either.Either<unknown, ParseResult.ParseIssue> => decode(value)
}

const schemas = {
  CommunicationServiceKeys: validate(CommunicationServiceKeys.CommunicationServiceKeys),
  ErrorResponse: validate(ErrorResponse.ErrorResponse)
} as const

/**
 * Whether an interaction's recorded response conforms to its operation's schemas: a 200 has a
 * `CommunicationServiceKeys` body, an error status (4xx, 5xx) an ARM `ErrorResponse` body, and no other
 * status is one the operation answers with. `undefined` when it conforms or is not a key operation.
 */
export const check = (interaction: Interaction.Interaction, index: number): NonConformingResponse | undefined => {
  const operation = operationOf(interaction.request.method, interaction.request.url)
  if (operation === undefined) return undefined
  const { body, status } = interaction.response
  const expected = maskText(Interaction.describe(interaction))
  const fail = (schema: NonConformingResponse["schema"], found: ReadonlyArray<Issue>) =>
    new NonConformingResponse({ interaction: index, operation, expected, schema, issues: found })
  if (status !== 200 && status < 400) {
    return fail("status", [
      new Issue({ path: "(status)", message: `${operation} answers 200 or an error status, not ${status}` })
    ])
  }
  const schema = status === 200 ? "CommunicationServiceKeys" : "ErrorResponse"
  if (body?._tag !== "Json") {
    return fail(schema, [
      new Issue({
        path: "(root)",
        message: body === undefined ? "expected a JSON body, got none" : "expected a JSON body"
      })
    ])
  }
  const decoded = schemas[schema](body.value)
  if (Either.isLeft(decoded)) return fail(schema, issues(new ParseResult.ParseError({ issue: decoded.left })))
  if (schema === "CommunicationServiceKeys") return undefined
  // the client's ErrorResponse is lenient (it reads a number `code` as a string, drops a non-object
  // `error`): what it had to repair or drop is where the body is not of the declared shape
  const encoded = Either.getOrUndefined(encodeError(decoded.right as ErrorResponse.ErrorResponse))
  const repaired = notAsDeclared(body.value, encoded)
  return repaired.length > 0 ? fail(schema, repaired) : undefined
}

const encodeError = Schema.encodeEither(ErrorResponse.ErrorResponse)

/** The properties the ARM error schemas declare (`error`, `code`, `message`, `target`, `details`, ...). */
const declared = new Set([
  ...Object.keys(ErrorResponse.ErrorResponse.fields),
  ...Object.keys(ErrorResponse.ErrorDetail.fields),
  ...Object.keys(ErrorResponse.ErrorAdditionalInfo.fields)
])

const kind = (value: unknown): string =>
  value === null ? "null" : Array.isArray(value) ? "an array" : typeof value === "object" ? "an object" : typeof value

/**
 * Where a body holds a declared property that its decoded-and-encoded form does not hold as it is: a value
 * of another type than declared. Undeclared properties are allowed. Iterative.
 */
const notAsDeclared = (input: unknown, output: unknown): Array<Issue> => {
  const found: Array<Issue> = []
  const stack: Array<readonly [unknown, unknown, string]> = [[input, output, ""]]
  while (stack.length > 0 && found.length < 10) {
    const [left, right, path] = stack.pop()!
    if (Array.isArray(left)) {
      if (!Array.isArray(right) || right.length !== left.length) {
        found.push(new Issue({ path: path || "(root)", message: "holds items that are not of the declared type" }))
      } else {
        left.forEach((item, i) => stack.push([item, right[i], `${path}.${i}`]))
      }
    } else if (typeof left === "object" && left !== null) {
      const other = typeof right === "object" && right !== null ? right as Record<string, unknown> : {}
      for (const [key, value] of Object.entries(left)) {
        if (!declared.has(key)) continue
        const sub = path === "" ? key : `${path}.${key}`
        if (!(key in other)) {
          found.push(new Issue({ path: sub, message: `is not of the declared type (got ${kind(value)})` }))
        } else {
          stack.push([value, other[key], sub])
        }
      }
    } else if (left !== right) {
      found.push(new Issue({ path: path || "(root)", message: `expected ${kind(right)}, got ${kind(left)}` }))
    }
  }
  return found
}

/** Every non-conforming recorded response, in order. */
export const checkAll = (interactions: ReadonlyArray<Interaction.Interaction>): Array<NonConformingResponse> =>
  interactions.flatMap((interaction, index) => check(interaction, index) ?? [])
