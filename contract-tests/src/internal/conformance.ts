import * as CommunicationServiceKeys from "@effect-acs/schema/CommunicationServiceKeys"
import * as ErrorResponse from "@effect-acs/schema/ErrorResponse"
import * as Either from "effect/Either"
import * as ParseResult from "effect/ParseResult"
import type * as Schema from "effect/Schema"
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
      new Issue({ path: "(root)", message: body === undefined ? "expected a JSON body, got none" : "expected a JSON body" })
    ])
  }
  const decoded = schemas[schema](body.value)
  return Either.isLeft(decoded) ? fail(schema, issues(new ParseResult.ParseError({ issue: decoded.left }))) : undefined
}

/** Every non-conforming recorded response, in order. */
export const checkAll = (interactions: ReadonlyArray<Interaction.Interaction>): Array<NonConformingResponse> =>
  interactions.flatMap((interaction, index) => check(interaction, index) ?? [])
