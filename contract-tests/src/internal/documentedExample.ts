import { CommunicationServiceKeys, Parameters, RegenerateKeyParameters } from "@effect-acs/schema"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Schema from "effect/Schema"
import { Issue, MalformedRecording } from "../ContractError.js"
import type { Operation, Options } from "../DocumentedExample.js"
import * as Interaction from "../Interaction.js"
import { defaultEndpoint, type Format } from "./format.js"
import { decodeWith, issues, readJson } from "./load.js"

const operationIds: Record<Operation, string> = {
  regenerateKey: "CommunicationServices_RegenerateKey",
  listKeys: "CommunicationServices_ListKeys"
}

const ExampleResponse = Schema.Struct({
  headers: Schema.optional(Schema.Record({ key: Schema.String, value: Schema.String })),
  body: Schema.optional(Schema.Unknown)
})

export const ExampleFile = Schema.Struct({
  parameters: Schema.Struct({
    subscriptionId: Parameters.SubscriptionId,
    resourceGroupName: Parameters.ResourceGroupName,
    communicationServiceName: Parameters.CommunicationServiceName,
    "api-version": Parameters.ApiVersion,
    parameters: Schema.optional(Schema.Unknown)
  }),
  responses: Schema.Record({ key: Schema.String, value: ExampleResponse }),
  operationId: Schema.optional(Schema.String),
  title: Schema.optional(Schema.String)
}).annotations({ identifier: "DocumentedExample" })

const validRegenerateBody = Schema.decodeUnknownEither(RegenerateKeyParameters.RegenerateKeyParameters, {
  errors: "all",
  onExcessProperty: "error"
})
const validKeys = Schema.decodeUnknownEither(CommunicationServiceKeys.CommunicationServiceKeys, { errors: "all" })

export const decodeEither = (
  input: unknown,
  options: Options
): Either.Either<ReadonlyArray<Interaction.Interaction>, MalformedRecording> =>
  Either.gen(function*() {
    const source = options.source ?? "<input>"
    const example = yield* decodeWith(ExampleFile, "DocumentedExample", source)(input)
    const problems: Array<Issue> = []
    if (example.operationId !== undefined && example.operationId !== operationIds[options.operation]) {
      problems.push(
        new Issue({
          path: "operationId",
          message: `the example documents ${example.operationId}, not ${operationIds[options.operation]}`
        })
      )
    }
    const body = example.parameters.parameters
    if (options.operation === "regenerateKey") {
      if (body === undefined) {
        problems.push(new Issue({ path: "parameters.parameters", message: "regenerateKey needs a body parameter" }))
      } else {
        const valid = validRegenerateBody(body)
        if (Either.isLeft(valid)) {
          for (const issue of issues(valid.left)) {
            problems.push(new Issue({ path: `parameters.parameters.${issue.path}`, message: issue.message }))
          }
        }
      }
    } else if (body !== undefined) {
      problems.push(new Issue({ path: "parameters.parameters", message: "listKeys takes no body parameter" }))
    }
    const statuses = Object.keys(example.responses)
    for (const key of statuses) {
      if (!/^\d{3}$/.test(key) || Number(key) < 200 || Number(key) > 599) {
        problems.push(
          new Issue({ path: `responses.${key}`, message: "expected an HTTP status code (a \"default\" has none)" })
        )
      } else if (key === "200" && example.responses[key]!.body !== undefined) {
        const valid = validKeys(example.responses[key]!.body)
        if (Either.isLeft(valid)) {
          for (const issue of issues(valid.left)) {
            problems.push(new Issue({ path: `responses.200.body.${issue.path}`, message: issue.message }))
          }
        }
      }
    }
    if (statuses.length === 0) problems.push(new Issue({ path: "responses", message: "no response is documented" }))
    if (options.status !== undefined && !statuses.includes(String(options.status))) {
      problems.push(new Issue({ path: "responses", message: `no response with status ${options.status}` }))
    }
    const endpoint = (options.endpoint ?? defaultEndpoint).replace(/\/+$/, "")
    if (!Schema.is(Interaction.AbsoluteUrl)(endpoint)) {
      problems.push(new Issue({ path: "(options).endpoint", message: "expected an absolute http(s) URL" }))
    }
    if (problems.length > 0) {
      return yield* Either.left(new MalformedRecording({ format: "DocumentedExample", source, issues: problems }))
    }
    const { communicationServiceName, resourceGroupName, subscriptionId } = example.parameters
    const url = `${endpoint}/subscriptions/${encodeURIComponent(subscriptionId)}/resourceGroups/${
      encodeURIComponent(resourceGroupName)
    }/providers/Microsoft.Communication/communicationServices/${
      encodeURIComponent(communicationServiceName)
    }/${options.operation}?api-version=${encodeURIComponent(example.parameters["api-version"])}`
    return statuses
      .filter((key) => options.status === undefined || key === String(options.status))
      .sort()
      .map((key) => {
        const response = example.responses[key]!
        return Interaction.make({
          request: {
            method: "POST",
            url,
            ...(options.operation === "regenerateKey" ? { json: body } : {})
          },
          response: {
            status: Number(key),
            headers: response.headers ?? {},
            ...(response.body === undefined ? {} : { json: response.body })
          },
          source: `${source} (response ${key})`
        })
      })
  })

export const decode = (
  input: unknown,
  options: Options
): Effect.Effect<ReadonlyArray<Interaction.Interaction>, MalformedRecording> => decodeEither(input, options)

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value)

/**
 * The operation an example documents: its `operationId` when it has one, else Regenerate Key when it has a
 * body parameter (List Keys takes none).
 */
const operationOf = (document: unknown): Operation => {
  if (!isRecord(document)) return "listKeys"
  const byId = Object.entries(operationIds).find(([, id]) => id === document.operationId)?.[0]
  if (byId !== undefined) return byId as Operation
  return isRecord(document.parameters) && document.parameters.parameters !== undefined ? "regenerateKey" : "listKeys"
}

/** The documentation's example format, its operation told by the example itself. */
export const format: Format = {
  name: "DocumentedExample",
  syntax: "json",
  decode: (document, context) =>
    Either.mapLeft(
      decodeEither(document, { operation: operationOf(document), endpoint: context.endpoint, source: context.source }),
      (error) => error.issues
    ),
  encode: undefined
}

export const load = (path: string, options: Omit<Options, "source">) =>
  Effect.flatMap(readJson(path, "DocumentedExample"), (json) => decode(json, { ...options, source: path }))
