import * as Json from "@effect-acs/schema/Json"
import type * as KeyType from "@effect-acs/schema/KeyType"
import * as Parameters from "@effect-acs/schema/Parameters"
import * as RegenerateKeyParameters from "@effect-acs/schema/RegenerateKeyParameters"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Predicate from "effect/Predicate"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import type * as EmulatorState from "../EmulatorState.js"
import * as ArmErrors from "./armError.js"
import type { ArmError } from "./armError.js"
import type { Resolved } from "./options.js"
import * as Store from "./store.js"

/** What a known bearer token may do: everything, or nothing but authenticate (`403` then). */
export interface Principal {
  readonly permitted: boolean
}

/** The bearer token of the `Authorization` header, against the tokens the emulator knows. */
export const authenticate = (
  header: string | undefined,
  config: Pick<Resolved, "tokens" | "forbiddenTokens">
): Either.Either<Principal, ArmError> => {
  if (header === undefined || header === "") return Either.left(ArmErrors.missingAuthorization)
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header)
  if (match === null) return Either.left(ArmErrors.malformedAuthorization)
  const token = match[1]!
  const known = (tokens: ReadonlyArray<Redacted.Redacted<string>>) => tokens.some((t) => Redacted.value(t) === token)
  if (known(config.tokens)) return Either.right({ permitted: true })
  if (known(config.forbiddenTokens)) return Either.right({ permitted: false })
  return Either.left(ArmErrors.invalidToken)
}

/** The `api-version` query parameter (its name in any letter case): present, and one the emulator serves. */
export const apiVersion = (
  search: Readonly<Record<string, string | ReadonlyArray<string> | undefined>>,
  config: Pick<Resolved, "apiVersions" | "apiVersionList">
): Either.Either<string, ArmError> => {
  const entry = Object.entries(search).find(([key]) => key.toLowerCase() === "api-version")
  const value = entry === undefined ? undefined : Array.isArray(entry[1]) ? entry[1][0] : entry[1] as string
  if (value === undefined || value === "") return Either.left(ArmErrors.missingApiVersion)
  const valid = Schema.is(Parameters.ApiVersion)(value)
  if (!valid || !config.apiVersions.has(value.toLowerCase())) {
    return Either.left(ArmErrors.invalidApiVersion(valid ? value : "(invalid)", config.apiVersionList))
  }
  return Either.right(value)
}

const pathParameter = <A>(
  schema: Schema.Schema<A, string>,
  name: string,
  params: Readonly<Record<string, string | undefined>>
) =>
  Either.mapLeft(
    Schema.decodeUnknownEither(schema)(params[name] ?? ""),
    (error) => ArmErrors.invalidParameter(name, Store.describeParseError(error))
  )

/** The resource a path names, each part checked by its schema. */
export const resourceRef = (
  params: Readonly<Record<string, string | undefined>>
): Either.Either<EmulatorState.ResourceRef, ArmError> =>
  Either.all({
    subscriptionId: pathParameter(Parameters.SubscriptionId, "subscriptionId", params),
    resourceGroupName: pathParameter(Parameters.ResourceGroupName, "resourceGroupName", params),
    communicationServiceName: pathParameter(Parameters.CommunicationServiceName, "communicationServiceName", params)
  })

const utf8 = new TextDecoder("utf-8", { fatal: true })

/** The key type of a Regenerate Key body: UTF-8, JSON (depth-safe), an object with a valid `keyType`. */
export const keyType = (body: Uint8Array): Effect.Effect<KeyType.KeyType, ArmError> =>
  Effect.gen(function*() {
    let text: string
    try {
      text = utf8.decode(body)
    } catch {
      return yield* ArmErrors.invalidContent("The request content is not valid UTF-8.")
    }
    let parsed: unknown = {}
    if (text.trim() !== "") {
      // depth-safe: nothing nested deeper than the limit is ever walked
      const json = Json.parse(text)
      if (json._tag === "Left") {
        return yield* ArmErrors.invalidContent(
          json.left.reason === "TooDeep"
            ? `The request content was invalid and could not be deserialized: ${json.left.message}.`
            : "The request content was invalid and could not be deserialized."
        )
      }
      parsed = json.right
    }
    if (!Predicate.isRecord(parsed)) {
      return yield* ArmErrors.invalidContent("The request content must be a JSON object: {\"keyType\": \"Primary\"}.")
    }
    const decoded = yield* Schema.decodeUnknown(RegenerateKeyParameters.RegenerateKeyParameters)(parsed).pipe(
      Effect.mapError((error) =>
        ArmErrors.invalidContent(Store.describeParseError(error).replace(/^at keyType: /, ""), "keyType")
      )
    )
    if (decoded.keyType === undefined) {
      return yield* ArmErrors.invalidContent("The keyType property is required: 'Primary' or 'Secondary'.", "keyType")
    }
    return decoded.keyType
  })
