import {
  CommunicationServiceKeys,
  ConnectionString,
  ErrorResponse,
  KeyType,
  Parameters,
  RegenerateKeyParameters,
  ResourceId
} from "@effect-acs/schema"
import { describe, it } from "@effect/vitest"
import * as Arbitrary from "effect/Arbitrary"
import * as Either from "effect/Either"
import * as FastCheck from "effect/FastCheck"
import * as Schema from "effect/Schema"
import { isDeepStrictEqual } from "node:util"

const schemas = {
  KeyType: KeyType.KeyType,
  RegenerateKeyParameters: RegenerateKeyParameters.RegenerateKeyParameters,
  CommunicationServiceKeys: CommunicationServiceKeys.CommunicationServiceKeys,
  ErrorAdditionalInfo: ErrorResponse.ErrorAdditionalInfo,
  ErrorDetail: ErrorResponse.ErrorDetail,
  ErrorResponse: ErrorResponse.ErrorResponse,
  SubscriptionId: Parameters.SubscriptionId,
  ResourceGroupName: Parameters.ResourceGroupName,
  CommunicationServiceName: Parameters.CommunicationServiceName,
  ApiVersion: Parameters.ApiVersion,
  ResourceId: ResourceId.ResourceId,
  ConnectionString: ConnectionString.ConnectionString
} satisfies Record<string, Schema.Schema<any, any>>

describe("round trips", () => {
  for (const [name, schema] of Object.entries(schemas) as Array<[string, Schema.Schema<any, any>]>) {
    it(`${name}: encode, JSON, decode and encode again gives the same wire value`, () => {
      const is = Schema.is(schema)
      const encode = Schema.encodeEither(schema)
      const decode = Schema.decodeUnknownEither(schema)
      FastCheck.assert(
        FastCheck.property(Arbitrary.make(schema), (a) => {
          const wire = JSON.parse(JSON.stringify(Either.getOrThrow(encode(a))))
          const decoded = Either.getOrThrow(decode(wire))
          return is(decoded) && isDeepStrictEqual(Either.getOrThrow(encode(decoded)), wire)
        }),
        { numRuns: 200 }
      )
    })
  }

  it("KeyType: any letter case of either value decodes and re-encodes canonically", () => {
    const caseVariant = FastCheck.constantFrom("primary", "secondary").chain((word) =>
      FastCheck.array(FastCheck.boolean(), { minLength: word.length, maxLength: word.length })
        .map((upper) => [...word].map((c, i) => upper[i] ? c.toUpperCase() : c).join(""))
    )
    FastCheck.assert(FastCheck.property(caseVariant, (input) => {
      const decoded = Schema.decodeUnknownSync(KeyType.KeyType)(input)
      return Schema.encodeSync(KeyType.KeyType)(decoded).toLowerCase() === input.toLowerCase()
    }))
  })
})
