import * as CommunicationServices from "@effect-acs/core/CommunicationServices"
import * as KeyType from "@effect-acs/schema/KeyType"
import * as Parameters from "@effect-acs/schema/Parameters"
import * as ResourceId from "@effect-acs/schema/ResourceId"
import * as HelpDoc from "@effect/cli/HelpDoc"
import * as Options from "@effect/cli/Options"
import * as ValidationError from "@effect/cli/ValidationError"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import * as Format from "./format.js"
import type * as Renderer from "./renderer.js"
import * as Spec from "./spec.js"

const invalid = (message: string) => Effect.fail(ValidationError.invalidValue(HelpDoc.p(message)))

// ---------------------------------------------------------------------------------------------------------------
// the resource
// ---------------------------------------------------------------------------------------------------------------

/** The `@effect/cli` option of a `spec.ts` entry: its name, aliases and description. */
const named = <A>(make: (name: string) => Options.Options<A>, flag: Spec.Flag): Options.Options<A> => {
  let option = make(flag.name)
  for (const alias of flag.aliases ?? []) option = Options.withAlias(option, alias)
  return Options.withDescription(option, `${flag.description} Default: ${flag.default}.`)
}

const subscription = named(Options.text, Spec.resource.subscription).pipe(Options.optional)
const resourceGroup = named(Options.text, Spec.resource.resourceGroup).pipe(Options.optional)
const name = named(Options.text, Spec.resource.name).pipe(Options.optional)
const resourceIdOption = named(Options.text, Spec.resource.resourceId).pipe(Options.optional)

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
  fromFile: named(Options.file, Spec.rotate.fromFile).pipe(Options.optional)
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
export const keyType = named(Options.text, Spec.keyType).pipe(Options.mapEffect(keyTypeValue))

/** `--first`: the key a rotation regenerates first. */
export const first = named(Options.text, Spec.rotate.first).pipe(
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
  endpoint: named(Options.text, Spec.connection.endpoint).pipe(
    Options.withDefault(CommunicationServices.endpoints.AzurePublic)
  ),
  apiVersion: named(Options.text, Spec.connection.apiVersion).pipe(
    Options.withDefault(Parameters.defaultApiVersion as string)
  ),
  token: named(Options.redacted, Spec.connection.token).pipe(Options.optional),
  maxRetries: named(Options.integer, Spec.connection.maxRetries).pipe(
    Options.mapEffect(atLeast("--max-retries", 0)),
    Options.optional
  )
}

const format = named((flag) => Options.choice(flag, Spec.formats), Spec.output.output).pipe(Options.optional)

const query = named(Options.text, Spec.output.query).pipe(
  Options.mapEffect((expression) =>
    Effect.flatMap(
      Format.checkQuery(expression),
      (problem) => problem === undefined ? Effect.succeed(expression) : invalid(`--query is not JMESPath: ${problem}`)
    )
  ),
  Options.optional
)

/** The output options, as the renderer takes them: `--query` alone means `-o json`, as in az. */
export const output = Options.all({
  json: named(Options.boolean, Spec.output.json),
  output: format,
  query,
  showSecrets: named(Options.boolean, Spec.output.showSecrets)
}).pipe(
  Options.map((options): Renderer.OutputOptions => ({
    ...options,
    output: Option.isNone(options.output) && Option.isSome(options.query) ? Option.some("json") : options.output
  }))
)

// ---------------------------------------------------------------------------------------------------------------
// rotate
// ---------------------------------------------------------------------------------------------------------------

const durationUnits: Record<string, number> = {
  ms: 1,
  millis: 1,
  millisecond: 1,
  milliseconds: 1,
  s: 1000,
  second: 1000,
  seconds: 1000,
  m: 60_000,
  minute: 60_000,
  minutes: 60_000,
  h: 3_600_000,
  hour: 3_600_000,
  hours: 3_600_000
}

/** `--drain`: `90s`, `10m`, `10 minutes`, `1.5h`, or a number of seconds; at most a day. */
export const parseDuration = (text: string): Duration.Duration | undefined => {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(text)
  if (match === null) return undefined
  const unit = durationUnits[(match[2] ?? "").toLowerCase() || "s"]
  if (unit === undefined) return undefined
  const millis = Number(match[1]) * unit
  return Number.isFinite(millis) && millis <= Spec.maxPublishTimeoutSeconds * 1000
    ? Duration.millis(Math.round(millis))
    : undefined
}

/** A number of seconds up to a day: positive, or with `zero` from 0. */
const seconds = (flag: string, zero = false) => (value: number) =>
  Number.isFinite(value) && (zero ? value >= 0 : value > 0) && value <= Spec.maxPublishTimeoutSeconds
    ? Effect.succeed(value)
    : invalid(
      `${flag} must be a ${zero ? "" : "positive "}number of seconds${
        zero ? " from 0" : ""
      }, at most ${Spec.maxPublishTimeoutSeconds}`
    )

/** `--write-budget`: `<capacity>,<per-second>`, or `none`. */
const writeBudgetValue = (
  text: string
): Effect.Effect<
  { readonly capacity: number; readonly perSecond: number } | false,
  ValidationError.ValidationError
> => {
  if (text.trim().toLowerCase() === "none") return Effect.succeed(false as const)
  const match = /^\s*(\d+)\s*,\s*(\d+(?:\.\d+)?)\s*$/.exec(text)
  const capacity = match === null ? NaN : Number(match[1])
  const perSecond = match === null ? NaN : Number(match[2])
  return capacity >= 1 && capacity <= 1_000_000 && perSecond > 0 && perSecond <= 1_000_000
    ? Effect.succeed({ capacity, perSecond })
    : invalid(
      "--write-budget must be <capacity>,<per-second> (e.g. 200,10: a whole capacity of at least 1 and a " +
        "positive rate), or none"
    )
}

/** Where a run is journaled: a PostgreSQL URL (secret: it may hold a password), or a SQLite file. */
export type Journal =
  | { readonly _tag: "Postgres"; readonly url: Redacted.Redacted<string> }
  | { readonly _tag: "Sqlite"; readonly filename: string }

const journalOf = (value: string): Journal =>
  /^postgres(ql)?:\/\//i.test(value.trim())
    ? { _tag: "Postgres", url: Redacted.make(value.trim()) }
    : { _tag: "Sqlite", filename: value }

export const rotate = {
  mode: named((flag) => Options.choice(flag, ["both", "alternate"]), Spec.rotate.mode).pipe(
    Options.withDefault("both" as const)
  ),
  verify: named((flag) => Options.choice(flag, ["none", "data-plane"]), Spec.rotate.verify).pipe(
    Options.withDefault("none" as const)
  ),
  verifyTimeout: named(Options.float, Spec.rotate.verifyTimeout).pipe(
    Options.mapEffect(seconds("--verify-timeout")),
    Options.optional
  ),
  drain: named(Options.text, Spec.rotate.drain).pipe(
    Options.mapEffect((text) => {
      const duration = parseDuration(text)
      return duration === undefined
        ? invalid(
          `--drain must be a duration such as 90s, 10m or "10 minutes" (a number alone is seconds), at most a day`
        )
        : Effect.succeed(duration)
    }),
    Options.optional
  ),
  readKeys: named(Options.boolean, Spec.rotate.readKeys),
  dryRun: named(Options.boolean, Spec.rotate.dryRun),
  publishCommand: named(Options.text, Spec.rotate.publishCommand).pipe(Options.optional),
  publishRetries: named(Options.integer, Spec.rotate.publishRetries).pipe(
    Options.withDefault(3),
    Options.mapEffect(atLeast("--publish-retries", 0))
  ),
  publishTimeout: named(Options.float, Spec.rotate.publishTimeout).pipe(
    Options.withDefault(60),
    Options.mapEffect(seconds("--publish-timeout"))
  ),
  settle: named(Options.float, Spec.rotate.settle).pipe(
    Options.withDefault(60),
    Options.mapEffect(seconds("--settle", true))
  ),
  graceSeconds: named(Options.integer, Spec.rotate.graceSeconds).pipe(
    Options.withDefault(0),
    Options.mapEffect(atLeast("--grace-seconds", 0))
  ),
  concurrency: named(Options.integer, Spec.rotate.concurrency).pipe(
    Options.withDefault(16),
    Options.mapEffect(atLeast("--concurrency", 1))
  ),
  writeBudget: named(Options.text, Spec.rotate.writeBudget).pipe(
    Options.mapEffect(writeBudgetValue),
    Options.optional
  ),
  journal: named(Options.text, Spec.journal.journal).pipe(Options.map(journalOf), Options.optional),
  runId: named(Options.text, Spec.journal.runId).pipe(Options.optional)
}

/** `acs-keys status`: the journal, the fleet file and the run. */
export const status = {
  journal: named(Options.text, Spec.journal.journal).pipe(Options.map(journalOf)),
  fromFile: named(Options.file, Spec.rotate.fromFile),
  runId: named(Options.text, Spec.journal.runId).pipe(Options.withDefault("default"))
}

// ---------------------------------------------------------------------------------------------------------------
// emulator
// ---------------------------------------------------------------------------------------------------------------

const decodeResourceId = Schema.decodeUnknownEither(ResourceId.ResourceId)

const milliseconds = (flag: Spec.Flag) =>
  named(Options.integer, flag).pipe(Options.mapEffect(atLeast(`--${flag.name}`, 0)), Options.optional)

const E = Spec.emulator

export const emulator = {
  port: named(Options.integer, E.port).pipe(
    Options.withDefault(0),
    Options.mapEffect((port) =>
      port >= 0 && port <= 65535 ? Effect.succeed(port) : invalid("--port must be in [0, 65535]")
    )
  ),
  host: named(Options.text, E.host).pipe(Options.withDefault("127.0.0.1")),
  resources: named(Options.text, E.resources).pipe(
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
  seedFile: named(Options.file, E.seedFile).pipe(Options.optional),
  stateFile: named(Options.file, E.stateFile).pipe(Options.optional),
  token: named(Options.redacted, E.token).pipe(Options.optional),
  forbiddenTokens: named(Options.redacted, E.forbiddenTokens).pipe(Options.repeated),
  apiVersions: named(Options.text, E.apiVersions).pipe(Options.repeated),
  maxRequestBytes: named(Options.integer, E.maxRequestBytes).pipe(
    Options.mapEffect(atLeast("--max-request-bytes", 1)),
    Options.optional
  ),
  requestLogSize: named(Options.integer, E.requestLogSize).pipe(
    Options.mapEffect(atLeast("--request-log-size", 0)),
    Options.optional
  ),
  noThrottle: named(Options.boolean, E.noThrottle),
  throttleCapacity: named(Options.integer, E.throttleCapacity).pipe(
    Options.mapEffect(atLeast("--throttle-capacity", 1)),
    Options.optional
  ),
  throttleRefill: named(Options.float, E.throttleRefill).pipe(
    Options.mapEffect((value) =>
      value > 0 && Number.isFinite(value)
        ? Effect.succeed(value)
        : invalid("--throttle-refill-per-second must be positive")
    ),
    Options.optional
  ),
  regenerateLatencyMs: milliseconds(E.regenerateLatencyMs),
  errorRate: named(Options.float, E.errorRate).pipe(Options.mapEffect(rate("--error-rate")), Options.optional),
  errorStatuses: named((flag) => Options.choice(flag, ["500", "503"]), E.errorStatuses).pipe(
    Options.repeated,
    Options.map((statuses) => statuses.map((status) => status === "500" ? 500 as const : 503 as const))
  ),
  dropRate: named(Options.float, E.dropRate).pipe(Options.mapEffect(rate("--drop-rate")), Options.optional),
  faultWhen: named((flag) => Options.choice(flag, ["before", "after", "random"]), E.faultWhen).pipe(Options.optional),
  faultLatencyMs: milliseconds(E.faultLatencyMs),
  commitLatencyMs: milliseconds(E.commitLatencyMs),
  faultOperations: named((flag) => Options.choice(flag, ["regenerateKey", "listKeys"]), E.faultOperations).pipe(
    Options.repeated
  ),
  seed: named(Options.text, E.seed).pipe(Options.optional),
  dataPlane: named(Options.boolean, E.dataPlane)
}
