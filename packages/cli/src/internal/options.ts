import * as CommunicationServices from "@effect-acs/core/CommunicationServices"
import * as KeyType from "@effect-acs/schema/KeyType"
import * as Parameters from "@effect-acs/schema/Parameters"
import * as ResourceId from "@effect-acs/schema/ResourceId"
import * as HelpDoc from "@effect/cli/HelpDoc"
import * as Options from "@effect/cli/Options"
import * as ValidationError from "@effect/cli/ValidationError"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import { tokenVariable } from "./client.js"

const invalid = (message: string) => Effect.fail(ValidationError.invalidValue(HelpDoc.p(message)))

// ---------------------------------------------------------------------------------------------------------------
// the resource
// ---------------------------------------------------------------------------------------------------------------

const subscription = Options.text("subscription").pipe(
  Options.withAlias("s"),
  Options.withDescription("The subscription id of the communication service (with --resource-group and --name)."),
  Options.optional
)

const resourceGroup = Options.text("resource-group").pipe(
  Options.withAlias("g"),
  Options.withDescription("The resource group of the communication service (with --subscription and --name)."),
  Options.optional
)

const name = Options.text("name").pipe(
  Options.withAlias("n"),
  Options.withDescription("The name of the communication service (with --subscription and --resource-group)."),
  Options.optional
)

const resourceIdOption = Options.text("resource-id").pipe(
  Options.withDescription(
    "The ARM resource id: /subscriptions/{id}/resourceGroups/{group}/providers/Microsoft.Communication/communicationServices/{name}."
  ),
  Options.optional
)

interface ResourceParts {
  readonly subscription: Option.Option<string>
  readonly resourceGroup: Option.Option<string>
  readonly name: Option.Option<string>
  readonly resourceId: Option.Option<string>
}

const resourceMessage =
  "name the resource with --resource-id, or with --subscription, --resource-group and --name together"

/** The resource named on the command line; `undefined` when none is. */
const fromParts = (
  parts: ResourceParts
): Either.Either<CommunicationServices.ResourceInput | undefined, string> => {
  const given = [
    ["--subscription", parts.subscription],
    ["--resource-group", parts.resourceGroup],
    ["--name", parts.name]
  ] as const
  const some = given.filter(([, value]) => Option.isSome(value))
  if (Option.isSome(parts.resourceId)) {
    return some.length === 0
      ? Either.right({ resourceId: parts.resourceId.value })
      : Either.left(`--resource-id and ${some.map(([flag]) => flag).join(", ")} cannot be combined: ${resourceMessage}`)
  }
  if (some.length === 0) return Either.right(undefined)
  if (some.length < given.length) {
    const missing = given.filter(([, value]) => Option.isNone(value)).map(([flag]) => flag)
    return Either.left(`missing ${missing.join(" and ")}: ${resourceMessage}`)
  }
  return Either.right({
    subscriptionId: Option.getOrThrow(parts.subscription),
    resourceGroupName: Option.getOrThrow(parts.resourceGroup),
    communicationServiceName: Option.getOrThrow(parts.name)
  })
}

const resourceParts = { subscription, resourceGroup, name, resourceId: resourceIdOption }

/** A required resource: `--resource-id`, or `--subscription`, `--resource-group` and `--name`. */
export const resource = Options.all(resourceParts).pipe(
  Options.mapEffect((parts) =>
    Either.match(fromParts(parts), {
      onLeft: invalid,
      onRight: (resource) => resource === undefined ? invalid(resourceMessage) : Effect.succeed(resource)
    })
  )
)

/** What `rotate` rotates: one resource, or the resources of a fleet file. */
export type RotateTarget =
  | { readonly _tag: "Resource"; readonly resource: CommunicationServices.ResourceInput }
  | { readonly _tag: "Fleet"; readonly path: string }

export const rotateTarget = Options.all({
  ...resourceParts,
  fromFile: Options.file("from-file").pipe(
    Options.withDescription(
      "Rotate every resource of this file: one resource id a line, or a JSON array of resource ids or of " +
        "{subscriptionId, resourceGroupName, communicationServiceName} objects."
    ),
    Options.optional
  )
}).pipe(
  Options.mapEffect(({ fromFile, ...parts }) =>
    Either.match(fromParts(parts), {
      onLeft: invalid,
      onRight: (resource): Effect.Effect<RotateTarget, ValidationError.ValidationError> =>
        resource !== undefined && Option.isSome(fromFile)
          ? invalid("--from-file cannot be combined with a resource: rotate one resource, or a file of them")
          : resource !== undefined
          ? Effect.succeed({ _tag: "Resource", resource })
          : Option.isSome(fromFile)
          ? Effect.succeed({ _tag: "Fleet", path: fromFile.value })
          : invalid(`${resourceMessage}, or give a file of resources with --from-file`)
    })
  )
)

// ---------------------------------------------------------------------------------------------------------------
// values
// ---------------------------------------------------------------------------------------------------------------

const decodeKeyType = Schema.decodeUnknownEither(KeyType.KeyType)

const keyTypeValue = (value: string) =>
  Either.match(decodeKeyType(value), {
    onLeft: () => invalid("expected Primary or Secondary (any letter case)"),
    onRight: Effect.succeed
  })

/** `--key-type`: Primary or Secondary, in any letter case. */
export const keyType = Options.text("key-type").pipe(
  Options.withAlias("k"),
  Options.withDescription("The key to regenerate: Primary or Secondary (any letter case)."),
  Options.mapEffect(keyTypeValue)
)

/** `--first`: the key a rotation regenerates first. */
export const first = Options.text("first").pipe(
  Options.withDescription(
    "The key regenerated (and published) first: the one your clients do not use now. Primary or Secondary (any letter case)."
  ),
  Options.withDefault("Secondary"),
  Options.mapEffect(keyTypeValue)
)

const atLeast = (flag: string, min: number) => (value: number) =>
  Number.isInteger(value) && value >= min ? Effect.succeed(value) : invalid(`${flag} must be an integer >= ${min}`)

const rate = (flag: string) => (value: number) =>
  value >= 0 && value <= 1 ? Effect.succeed(value) : invalid(`${flag} must be a number in [0, 1]`)

// ---------------------------------------------------------------------------------------------------------------
// connection and output
// ---------------------------------------------------------------------------------------------------------------

export const connection = {
  endpoint: Options.text("endpoint").pipe(
    Options.withDescription(
      "The Azure Resource Manager endpoint. An http://127.0.0.1 or http://localhost endpoint is taken for the " +
        "emulator: plain http is allowed to it, and its default token is used unless --token is given."
    ),
    Options.withDefault(CommunicationServices.endpoints.AzurePublic)
  ),
  apiVersion: Options.text("api-version").pipe(
    Options.withDescription("The api-version of the Communication Services API."),
    Options.withDefault(Parameters.defaultApiVersion as string)
  ),
  token: Options.redacted("token").pipe(
    Options.withDescription(
      `A bearer token to send instead of signing in with DefaultAzureCredential (also read from ${tokenVariable}).`
    ),
    Options.optional
  ),
  maxRetries: Options.integer("max-retries").pipe(
    Options.withDescription(
      "How many times a call that failed transiently (no response, 408, 429, 5xx) is retried; default 3."
    ),
    Options.mapEffect(atLeast("--max-retries", 0)),
    Options.optional
  )
}

export const output = {
  json: Options.boolean("json").pipe(
    Options.withDescription("Print JSON on standard output (keys redacted unless --show-secrets).")
  ),
  showSecrets: Options.boolean("show-secrets").pipe(
    Options.withDescription("Print keys and connection strings in clear (they are <redacted> otherwise).")
  )
}

// ---------------------------------------------------------------------------------------------------------------
// rotate
// ---------------------------------------------------------------------------------------------------------------

/** The longest `--publish-timeout`: a day (a timer cannot wait much longer than 24 days anyway). */
const maxPublishTimeoutSeconds = 86_400

export const rotate = {
  publishCommand: Options.text("publish-command").pipe(
    Options.withDescription(
      "A shell command run for every new key, with the connection string on its standard input (never on its " +
        "command line or in its environment) and ACS_RESOURCE_ID and ACS_KEY_TYPE in its environment. Without " +
        "it, new keys are printed (redacted unless --show-secrets)."
    ),
    Options.optional
  ),
  publishRetries: Options.integer("publish-retries").pipe(
    Options.withDescription("How many times a failed publication is retried (exponential backoff from 500 ms)."),
    Options.withDefault(3),
    Options.mapEffect(atLeast("--publish-retries", 0))
  ),
  publishTimeout: Options.float("publish-timeout").pipe(
    Options.withDescription(
      "How many seconds one run of the publish command may take; then its process group is killed and the " +
        "attempt fails (and is retried, see --publish-retries). A positive number; default 60."
    ),
    Options.withDefault(60),
    Options.mapEffect((seconds) =>
      Number.isFinite(seconds) && seconds > 0 && seconds <= maxPublishTimeoutSeconds
        ? Effect.succeed(seconds)
        : invalid(`--publish-timeout must be a positive number of seconds, at most ${maxPublishTimeoutSeconds}`)
    )
  ),
  graceSeconds: Options.integer("grace-seconds").pipe(
    Options.withDescription(
      "How long to wait after publishing the first key before regenerating the other, so that clients switch."
    ),
    Options.withDefault(0),
    Options.mapEffect(atLeast("--grace-seconds", 0))
  ),
  concurrency: Options.integer("concurrency").pipe(
    Options.withDescription("With --from-file: how many resources rotate at once."),
    Options.withDefault(16),
    Options.mapEffect(atLeast("--concurrency", 1))
  )
}

// ---------------------------------------------------------------------------------------------------------------
// emulator
// ---------------------------------------------------------------------------------------------------------------

const decodeResourceId = Schema.decodeUnknownEither(ResourceId.ResourceId)

export const emulator = {
  port: Options.integer("port").pipe(
    Options.withDescription("The port to listen on; 0 picks a free one (printed)."),
    Options.withDefault(0),
    Options.mapEffect((port) =>
      port >= 0 && port <= 65535 ? Effect.succeed(port) : invalid("--port must be in [0, 65535]")
    )
  ),
  host: Options.text("host").pipe(
    Options.withDescription("The address to listen on (loopback by default)."),
    Options.withDefault("127.0.0.1")
  ),
  resources: Options.text("resource").pipe(
    Options.withDescription("A resource id to serve (with generated keys); repeat for more."),
    Options.repeated,
    Options.mapEffect((ids) =>
      Effect.forEach(ids, (id) =>
        Either.match(decodeResourceId(id), {
          onLeft: () => invalid("--resource is not a communication service resource id"),
          onRight: (parts) =>
            Effect.succeed({
              subscriptionId: parts.subscriptionId,
              resourceGroupName: parts.resourceGroupName,
              communicationServiceName: parts.communicationServiceName
            })
        }))
    )
  ),
  seedFile: Options.file("seed-file").pipe(
    Options.withDescription("A JSON file of resources to serve: {\"resources\": [{subscriptionId, ...}]}."),
    Options.optional
  ),
  stateFile: Options.file("state-file").pipe(
    Options.withDescription(
      "A JSON file the keys are saved to after every change and read back at start. It holds keys in clear " +
        "(mode 0600): treat it as a secret."
    ),
    Options.optional
  ),
  token: Options.redacted("token").pipe(
    Options.withDescription(`The bearer token to accept (also read from ${tokenVariable}); default: the emulator's.`),
    Options.optional
  ),
  forbiddenTokens: Options.redacted("forbidden-token").pipe(
    Options.withDescription("A token that authenticates but may not act (answered 403); repeat for more."),
    Options.repeated
  ),
  noThrottle: Options.boolean("no-throttle").pipe(Options.withDescription("Turn write throttling off.")),
  throttleCapacity: Options.integer("throttle-capacity").pipe(
    Options.withDescription("Writes per subscription before throttling (429); default 200, as ARM."),
    Options.mapEffect(atLeast("--throttle-capacity", 1)),
    Options.optional
  ),
  throttleRefill: Options.float("throttle-refill-per-second").pipe(
    Options.withDescription("How fast the write budget refills; default 10 per second, as ARM."),
    Options.mapEffect((value) =>
      value > 0 ? Effect.succeed(value) : invalid("--throttle-refill-per-second must be positive")
    ),
    Options.optional
  ),
  regenerateLatencyMs: Options.integer("regenerate-latency-ms").pipe(
    Options.withDescription(
      "How long a regeneration stays in flight (a concurrent one for the same resource gets 409)."
    ),
    Options.mapEffect(atLeast("--regenerate-latency-ms", 0)),
    Options.optional
  ),
  errorRate: Options.float("error-rate").pipe(
    Options.withDescription("Fault injection: the share of requests answered 500 or 503, in [0, 1]."),
    Options.mapEffect(rate("--error-rate")),
    Options.optional
  ),
  dropRate: Options.float("drop-rate").pipe(
    Options.withDescription("Fault injection: the share of requests whose connection is dropped, in [0, 1]."),
    Options.mapEffect(rate("--drop-rate")),
    Options.optional
  ),
  faultWhen: Options.choice("fault-when", ["before", "after", "random"]).pipe(
    Options.withDescription("Fault injection: whether a faulted regeneration fails before or after the key changes."),
    Options.optional
  ),
  faultLatencyMs: Options.integer("fault-latency-ms").pipe(
    Options.withDescription("Fault injection: latency added to every request, in milliseconds."),
    Options.mapEffect(atLeast("--fault-latency-ms", 0)),
    Options.optional
  ),
  faultOperations: Options.choice("fault-operation", ["regenerateKey", "listKeys"]).pipe(
    Options.withDescription("Fault injection: an operation faults apply to (default both); repeat for more."),
    Options.repeated
  ),
  seed: Options.text("seed").pipe(
    Options.withDescription("Fault injection: the seed of the fault sequence (a number or a string); default 0."),
    Options.optional
  )
}
