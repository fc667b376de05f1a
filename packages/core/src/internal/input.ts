import * as KeyType from "@effect-acs/schema/KeyType"
import * as Parameters from "@effect-acs/schema/Parameters"
import * as ResourceId from "@effect-acs/schema/ResourceId"
import * as Either from "effect/Either"
import * as ParseResult from "effect/ParseResult"
import * as Predicate from "effect/Predicate"
import * as Schema from "effect/Schema"
import type { RegenerateKeyInput, ResourceInput } from "../CommunicationServices.js"
import { InvalidInput } from "../Errors.js"

/** A validated resource: its parts, its canonical id and the key that serialises its regenerations. */
export interface Resource {
  readonly parts: ResourceId.ResourceIdParts
  readonly id: string
  readonly lockKey: string
}

const firstMessage = (error: ParseResult.ParseError): string =>
  ParseResult.ArrayFormatter.formatErrorSync(error)[0]?.message ?? error.message

/** A value that is not even a string is described by its type: it may be anything, a secret too. */
const notAString = (name: string, value: unknown): InvalidInput =>
  new InvalidInput({
    field: name,
    reason: `expected a string, got ${value === null ? "null" : Array.isArray(value) ? "an array" : typeof value}`
  })

const field = <A>(schema: Schema.Schema<A, string>, name: string, value: unknown): Either.Either<A, InvalidInput> =>
  typeof value !== "string" ? Either.left(notAString(name, value)) : Either.mapLeft(
    Schema.decodeUnknownEither(schema)(value),
    (error) => new InvalidInput({ field: name, reason: firstMessage(error) })
  )

const decodeResourceId = Schema.decodeUnknownEither(ResourceId.ResourceId)

/**
 * Resources already validated, by what named them: a caller that calls again for the same resource (a
 * rotation, a fleet, a loop) pays the decoding once. Bounded: the oldest entry goes when it is full.
 */
const validated = new Map<string, Resource>()
const maxValidated = 1024

const cacheKey = (input: Record<string, unknown>): string | undefined => {
  if ("resourceId" in input) return typeof input.resourceId === "string" ? `id\n${input.resourceId}` : undefined
  const { communicationServiceName, resourceGroupName, subscriptionId } = input
  return typeof subscriptionId === "string" && typeof resourceGroupName === "string" &&
      typeof communicationServiceName === "string"
    ? `parts\n${subscriptionId}\n${resourceGroupName}\n${communicationServiceName}`
    : undefined
}

/** Validates the resource part of an input, before any I/O. */
export const resource = (input: ResourceInput): Either.Either<Resource, InvalidInput> => {
  if (!Predicate.isRecord(input)) {
    return Either.left(new InvalidInput({ field: "input", reason: "expected an object naming the resource" }))
  }
  const key = cacheKey(input)
  const known = key === undefined ? undefined : validated.get(key)
  if (known !== undefined) return Either.right(known)
  const decoded = decodeResource(input)
  if (key !== undefined && Either.isRight(decoded)) {
    if (validated.size >= maxValidated) validated.delete(validated.keys().next().value!)
    validated.set(key, decoded.right)
  }
  return decoded
}

const decodeResource = (input: ResourceInput): Either.Either<Resource, InvalidInput> => {
  const parts: Either.Either<ResourceId.ResourceIdParts, InvalidInput> = "resourceId" in input
    ? typeof input.resourceId !== "string" ? Either.left(notAString("resourceId", input.resourceId)) : Either.mapLeft(
      decodeResourceId(input.resourceId),
      (error) => new InvalidInput({ field: "resourceId", reason: firstMessage(error) })
    )
    : Either.gen(function*() {
      return new ResourceId.ResourceIdParts({
        subscriptionId: yield* field(Parameters.SubscriptionId, "subscriptionId", input.subscriptionId),
        resourceGroupName: yield* field(Parameters.ResourceGroupName, "resourceGroupName", input.resourceGroupName),
        communicationServiceName: yield* field(
          Parameters.CommunicationServiceName,
          "communicationServiceName",
          input.communicationServiceName
        )
      }, { disableValidation: true })
    })
  return Either.map(parts, (parts) => {
    const id = ResourceId.format(parts)
    return { parts, id, lockKey: id.toLowerCase() }
  })
}

/** Validates a regenerateKey input, before any I/O. */
export const regenerate = (
  input: RegenerateKeyInput
): Either.Either<readonly [Resource, KeyType.KeyType], InvalidInput> => {
  const target = resource(input)
  if (Either.isLeft(target)) return Either.left(target.left)
  const given = input.keyType
  // the canonical spellings need no decoding
  if (given === "Primary" || given === "Secondary") return Either.right([target.right, given as KeyType.KeyType])
  return Either.map(field(KeyType.KeyType, "keyType", given), (keyType) => [target.right, keyType] as const)
}

/** Validates the api-version option. */
export const apiVersion = (value: string): Either.Either<Parameters.ApiVersion, InvalidInput> =>
  field(Parameters.ApiVersion, "apiVersion", value)
