import * as CommunicationServices from "@effect-acs/core/CommunicationServices"
import type * as Errors from "@effect-acs/core/Errors"
import * as Rotation from "@effect-acs/core/Rotation"
import * as Emulator from "@effect-acs/emulator/Emulator"
import type * as EmulatorFaults from "@effect-acs/emulator/EmulatorFaults"
import type * as KeyType from "@effect-acs/schema/KeyType"
import type * as FileSystem from "@effect/platform/FileSystem"
import type * as HttpClient from "@effect/platform/HttpClient"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Option from "effect/Option"
import type * as Redacted from "effect/Redacted"
import * as Schedule from "effect/Schedule"
import * as Stream from "effect/Stream"
import { type FleetFileError, FleetIncomplete } from "../CliError.js"
import * as FleetFile from "../FleetFile.js"
import * as PublishCommand from "../PublishCommand.js"
import { Stdio } from "../Stdio.js"
import * as Client from "./client.js"
import * as Ledger from "./ledger.js"
import type { RotateTarget } from "./options.js"
import * as Progress from "./progress.js"
import * as render from "./render.js"

/** The options every client command has. */
export interface Common {
  readonly endpoint: string
  readonly apiVersion: string
  readonly token: Option.Option<Redacted.Redacted<string>>
  readonly maxRetries: Option.Option<number>
  readonly json: boolean
  readonly showSecrets: boolean
}

const out = (text: string) => Effect.flatMap(Stdio, (output) => Effect.sync(() => output.stdout(text)))
const err = (text: string) => Effect.flatMap(Stdio, (output) => Effect.sync(() => output.stderr(text)))
const json = (value: unknown) => out(`${JSON.stringify(value)}\n`)

/**
 * With `--json`, a failure is also printed as `{"error": {...}}` on standard output (but an incomplete
 * fleet, which its summary line reports).
 */
const reportErrors = (asJson: boolean) => <A, E, R>(self: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  asJson
    ? Effect.tapError(
      self,
      (error) => error instanceof FleetIncomplete ? Effect.void : json({ error: render.errorJson(error) })
    )
    : self

const hintSecrets = (options: Common) => options.json || options.showSecrets ? Effect.void : err(`(${render.hint})\n`)

const requestRows = (response: CommunicationServices.KeysResponse): Array<readonly [string, string]> => [
  ...(response.requestId === undefined ? [] : [["x-ms-request-id", response.requestId] as const]),
  ...(response.correlationRequestId === undefined
    ? []
    : [["x-ms-correlation-request-id", response.correlationRequestId] as const]),
  ["x-ms-client-request-id", response.clientRequestId],
  ["attempts", String(response.attempts)]
]

const responseJson = (response: CommunicationServices.KeysResponse, showSecrets: boolean) => ({
  keys: render.keys(response.keys, showSecrets),
  requestId: response.requestId,
  correlationRequestId: response.correlationRequestId,
  clientRequestId: response.clientRequestId,
  attempts: response.attempts
})

const withClient = (options: Common) =>
<A, E, R>(
  self: Effect.Effect<A, E, R>
): Effect.Effect<
  A,
  E | Errors.InvalidInput | Errors.CredentialError,
  Exclude<R, CommunicationServices.CommunicationServices> | HttpClient.HttpClient
> => Effect.provide(self, Client.layer(options))

// ---------------------------------------------------------------------------------------------------------------
// regenerate, list
// ---------------------------------------------------------------------------------------------------------------

export const regenerate = (
  options: Common & { readonly resource: CommunicationServices.ResourceInput; readonly keyType: KeyType.KeyType }
) =>
  Effect.gen(function*() {
    const client = yield* CommunicationServices.CommunicationServices
    const response = yield* client.regenerateKeyResponse({ ...options.resource, keyType: options.keyType })
    const resourceId = render.resourceId(options.resource)
    if (options.json) {
      return yield* json({ resourceId, keyType: options.keyType, ...responseJson(response, options.showSecrets) })
    }
    yield* out(
      `Regenerated the ${options.keyType} key of ${resourceId}\n` +
        render.rows([...Object.entries(render.keys(response.keys, options.showSecrets)), ...requestRows(response)])
    )
    yield* hintSecrets(options)
  }).pipe(withClient(options), reportErrors(options.json))

export const list = (options: Common & { readonly resource: CommunicationServices.ResourceInput }) =>
  Effect.gen(function*() {
    const client = yield* CommunicationServices.CommunicationServices
    const response = yield* client.listKeysResponse(options.resource)
    const resourceId = render.resourceId(options.resource)
    if (options.json) return yield* json({ resourceId, ...responseJson(response, options.showSecrets) })
    yield* out(
      `Keys of ${resourceId}\n` +
        render.rows([...Object.entries(render.keys(response.keys, options.showSecrets)), ...requestRows(response)])
    )
    yield* hintSecrets(options)
  }).pipe(withClient(options), reportErrors(options.json))

// ---------------------------------------------------------------------------------------------------------------
// rotate
// ---------------------------------------------------------------------------------------------------------------

export interface RotateOptions extends Common {
  readonly target: RotateTarget
  readonly first: KeyType.KeyType
  readonly publishCommand: Option.Option<string>
  readonly publishRetries: number
  readonly publishTimeout: number
  readonly graceSeconds: number
  readonly concurrency: number
}

type Publish = (key: Rotation.PublishedKey) => Effect.Effect<void, unknown>

/**
 * The rotation options shared by one resource and a fleet; `print` publishes a key when no command is given.
 * Every publication is recorded in the ledger.
 */
const rotationOptions = (options: RotateOptions, print: Publish, ledger: Ledger.Ledger) => {
  const publishTimeout = Duration.millis(Math.round(options.publishTimeout * 1000))
  const publish: Publish = Option.match(options.publishCommand, {
    onNone: () => print,
    onSome: (command) => PublishCommand.make(command, { timeout: publishTimeout })
  })
  return {
    publish: (key: Rotation.PublishedKey) =>
      publish(key).pipe(
        Effect.tapBoth({
          onFailure: (error) => Effect.sync(() => ledger.publishFailed(key.resourceId, key.keyType, error)),
          onSuccess: () => Effect.sync(() => ledger.published(key.resourceId, key.keyType))
        })
      ),
    first: options.first,
    // the command enforces the timeout itself (killing its process group, with a precise error); the
    // rotation's own timeout is a backstop, a little later, for a command that does not end when killed
    publishTimeout: Duration.sum(publishTimeout, Duration.seconds(5)),
    publishRetry: Schedule.exponential("500 millis").pipe(Schedule.intersect(Schedule.recurs(options.publishRetries))),
    ...(options.graceSeconds > 0 ? { verify: () => Effect.sleep(`${options.graceSeconds} seconds`) } : {})
  }
}

/** Runs a rotation with its ledger: its regenerations recorded, and readable by a forced exit meanwhile. */
const withLedger = <A, E, R>(
  f: (ledger: Ledger.Ledger) => Effect.Effect<A, E, R>
): Effect.Effect<A, E, R | CommunicationServices.CommunicationServices> =>
  Effect.acquireUseRelease(
    Effect.sync(() => {
      const ledger = new Ledger.Ledger()
      Ledger.active.add(ledger)
      return ledger
    }),
    (ledger) => Effect.provide(f(ledger), Ledger.track(ledger)),
    (ledger) => Effect.sync(() => Ledger.active.delete(ledger))
  )

const publishedJson = (key: Rotation.PublishedKey, showSecrets: boolean) => ({
  resourceId: Ledger.displayId(key.resourceId),
  keyType: key.keyType,
  key: render.secret(key.key, showSecrets),
  connectionString: render.secret(key.connectionString, showSecrets)
})

const publishedLine = (key: Rotation.PublishedKey, showSecrets: boolean) =>
  `published the ${key.keyType} key of ${Ledger.displayId(key.resourceId)}: connection string ${
    render.secret(key.connectionString, showSecrets)
  }\n`

const stepRows = (report: Rotation.RotationReport): Array<readonly [string, string]> =>
  report.steps.map((step) => [
    `${new Date(step.at).toISOString().slice(11, 23)}  ${step.action}${
      step.keyType === undefined ? "" : ` ${step.keyType}`
    }`,
    [
      step.requestId === undefined ? "" : `x-ms-request-id ${render.untrusted(step.requestId)}`,
      step.attempts === undefined || step.attempts === 1 ? "" : `${step.attempts} attempts`
    ].filter((part) => part !== "").join(", ")
  ])

const unpublishedText = (unpublished: ReturnType<Ledger.Ledger["unpublished"]>) =>
  unpublished.length === 0
    ? ""
    : `may be live but not published (acs-keys list --show-secrets shows them: publish them first):\n${
      unpublished.map((key) =>
        `  ${key.resourceId}: ${key.keyType}${
          key.publishFailure === undefined ? "" : ` (its last publication failed: ${key.publishFailure})`
        }\n`
      ).join("")
    }`

/** What a rotation of one resource did before it was interrupted. */
const interruptedOne = (options: RotateOptions, resource: CommunicationServices.ResourceInput, ledger: Ledger.Ledger) =>
  Effect.suspend(() => {
    const resourceId = Ledger.displayId(render.resourceId(resource))
    const state = ledger.unfinished()[0]
    const published = state?.published ?? []
    const unpublished = ledger.unpublished()
    if (options.json) {
      return json({
        resourceId,
        interrupted: true,
        regenerated: state?.regenerated ?? [],
        published,
        unpublished: unpublished.map(({ resourceId: _, ...key }) => key)
      })
    }
    const remaining = (["Primary", "Secondary"] as const).filter((keyType) =>
      !published.includes(keyType) && !unpublished.some((key) => key.keyType === keyType)
    )
    return out(
      `Interrupted the rotation of ${resourceId}: ${
        published.length === 0 ? "nothing published" : `published ${published.join(", ")}`
      }${remaining.length === 0 ? "" : `; not regenerated: ${remaining.join(", ")}`}\n` + unpublishedText(unpublished)
    )
  })

const rotateOne = (options: RotateOptions, resource: CommunicationServices.ResourceInput) =>
  withLedger((ledger) =>
    Effect.gen(function*() {
      const published: Array<ReturnType<typeof publishedJson>> = []
      const print: Publish = (key) =>
        options.json
          ? Effect.sync(() => {
            published.push(publishedJson(key, options.showSecrets))
          })
          : out(publishedLine(key, options.showSecrets))
      const report = yield* Rotation.rotate(resource, rotationOptions(options, print, ledger)).pipe(
        // a rotation that stops after publishing has still published: those keys are printed before the error
        Effect.tapError((error) =>
          options.json && published.length > 0
            ? json({ resourceId: Ledger.displayId(error.resourceId), keys: published })
            : Effect.void
        ),
        Effect.onInterrupt(() => interruptedOne(options, resource, ledger))
      )
      const resourceId = Ledger.displayId(report.resourceId)
      if (options.json) {
        return yield* json({
          resourceId,
          regenerated: report.regenerated,
          published: report.published,
          recovered: report.recovered,
          durationMillis: report.finishedAt - report.startedAt,
          steps: report.steps.map((step) => render.safeJson(step)),
          ...(Option.isNone(options.publishCommand) ? { keys: published } : {})
        })
      }
      yield* out(
        `Rotated ${resourceId} in ${render.duration(report.finishedAt - report.startedAt)}: regenerated ${
          report.regenerated.join(", ")
        }; published ${report.published.join(", ")}${
          Option.isSome(options.publishCommand) ? " with the publish command" : ""
        }${report.recovered ? "; recovered an unknown outcome with listKeys" : ""}\n` + render.rows(stepRows(report))
      )
      if (Option.isNone(options.publishCommand)) yield* hintSecrets(options)
    })
  )

const fleetEventJson = (event: Rotation.FleetEvent) => {
  switch (event._tag) {
    case "Rotated":
      return {
        event: "rotated",
        resourceId: Ledger.displayId(event.resourceId),
        regenerated: event.report.regenerated,
        published: event.report.published,
        recovered: event.report.recovered,
        durationMillis: event.report.finishedAt - event.report.startedAt
      }
    case "Failed":
      return { event: "failed", resourceId: Ledger.displayId(event.resourceId), error: render.errorJson(event.error) }
    case "Throttled":
      return {
        event: "throttled",
        subscriptionId: render.untrusted(event.subscriptionId),
        waitMillis: event.waitMillis
      }
    case "Skipped":
      return { event: "skipped", resourceId: Ledger.displayId(event.resourceId), reason: event.reason }
  }
}

interface FleetState {
  readonly total: number
  rotated: number
  readonly failed: Array<{ readonly resourceId: string; readonly error: Rotation.RotationFailed }>
  throttled: number
  readonly startedAt: number
}

/** The last word on a fleet: its summary, also when it was interrupted (then with what was left undone). */
const fleetSummary = (
  options: RotateOptions,
  state: FleetState,
  ledger: Ledger.Ledger,
  interrupted: boolean
) =>
  Effect.gen(function*() {
    const durationMillis = (yield* Clock.currentTimeMillis) - state.startedAt
    const stopped = interrupted ? ledger.unfinished() : []
    const notStarted = interrupted ? Math.max(0, state.total - state.rotated - state.failed.length - stopped.length) : 0
    const unpublished = ledger.unpublished()
    const failed = state.failed.map((failure) => ({
      resourceId: Ledger.displayId(failure.resourceId),
      error: failure.error
    }))
    if (options.json) {
      return yield* json({
        event: "summary",
        total: state.total,
        rotated: state.rotated,
        failed: failed.map((failure) => ({ resourceId: failure.resourceId, error: render.errorJson(failure.error) })),
        throttled: state.throttled,
        durationMillis,
        interrupted,
        stopped: stopped.map((resource) => ({ resourceId: resource.resourceId, published: resource.published })),
        notStarted,
        unpublished
      })
    }
    const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`
    yield* out(
      `${interrupted ? "interrupted: " : ""}rotated ${state.rotated} of ${plural(state.total, "resource")} in ${
        render.duration(durationMillis)
      } (${state.failed.length} failed, ${
        interrupted ? `${stopped.length} stopped part-way, ${notStarted} not started, ` : ""
      }throttled ${plural(state.throttled, "time")})\n` +
        (failed.length === 0
          ? ""
          : `failed:\n${
            failed.map((failure) => `  ${failure.resourceId}\n    ${render.untrusted(failure.error.message)}\n`).join(
              ""
            )
          }`) +
        (stopped.length === 0
          ? ""
          : `stopped part-way:\n${
            stopped.map((resource) =>
              `  ${resource.resourceId}: ${
                resource.published.length === 0 ? "nothing published" : `published ${resource.published.join(", ")}`
              }\n`
            ).join("")
          }`) +
        unpublishedText(unpublished)
    )
    if (!interrupted && Option.isNone(options.publishCommand) && state.rotated > 0) yield* hintSecrets(options)
  })

/**
 * A fleet rotation: the file is read once to count and check it (nothing is rotated if it is malformed),
 * then streamed through `Rotation.rotateFleet` with progress on standard error. Interrupted, it stops at the
 * next safe point of every running rotation (no new one starts) and prints the summary of what was done.
 */
export const rotateFleet = (
  options: RotateOptions,
  path: string
): Effect.Effect<
  Rotation.FleetSummary,
  FleetIncomplete | FleetFileError,
  CommunicationServices.CommunicationServices | FileSystem.FileSystem
> =>
  withLedger((ledger) =>
    Effect.gen(function*() {
      const output = yield* Stdio
      const total = yield* Stream.runCount(FleetFile.stream(path))
      const state: FleetState = {
        total,
        rotated: 0,
        failed: [],
        throttled: 0,
        startedAt: yield* Clock.currentTimeMillis
      }
      const progress = yield* Progress.start(output, total, options.concurrency)
      // on a terminal, the bar's clock ticks between events too (the fiber ends with this one)
      const ticker = output.isTTY
        ? yield* Effect.fork(Effect.repeat(progress.draw, Schedule.spaced("250 millis")))
        : undefined
      const print: Publish = (key) =>
        progress.stdout(
          options.json
            ? `${JSON.stringify({ event: "published", ...publishedJson(key, options.showSecrets) })}\n`
            : publishedLine(key, options.showSecrets)
        )
      const record = (event: Rotation.FleetEvent) =>
        Effect.sync(() => {
          switch (event._tag) {
            case "Rotated":
              state.rotated++
              ledger.finished(event.resourceId)
              return
            case "Failed":
              state.failed.push({ resourceId: event.resourceId, error: event.error })
              ledger.finished(event.resourceId)
              return
            case "Throttled":
              state.throttled++
              return
          }
        })
      const summary = yield* Rotation.rotateFleet(FleetFile.stream(path), {
        ...rotationOptions(options, print, ledger),
        concurrency: options.concurrency,
        onEvent: (event) =>
          record(event).pipe(
            Effect.zipRight(progress.onEvent(event)),
            Effect.zipRight(
              options.json ? progress.stdout(`${JSON.stringify(fleetEventJson(event))}\n`) : Effect.void
            )
          )
      }).pipe(
        // what publish commands print goes above the progress bar
        Effect.provideService(Stdio, progress.output),
        Effect.onInterrupt(() =>
          (ticker === undefined ? Effect.void : Fiber.interrupt(ticker)).pipe(
            Effect.zipRight(progress.done),
            Effect.zipRight(fleetSummary(options, state, ledger, true))
          )
        )
      )
      if (ticker !== undefined) yield* Fiber.interrupt(ticker)
      yield* progress.done
      yield* fleetSummary(options, { ...state, rotated: summary.rotated, throttled: summary.throttled }, ledger, false)
      if (summary.failed.length > 0) {
        return yield* new FleetIncomplete({ total: summary.total, failed: summary.failed.length })
      }
      return summary
    })
  )

export const rotate = (options: RotateOptions) => {
  const rotation: Effect.Effect<
    void,
    Rotation.RotationFailed | FleetIncomplete | FleetFileError,
    CommunicationServices.CommunicationServices | FileSystem.FileSystem
  > = options.target._tag === "Resource"
    ? rotateOne(options, options.target.resource)
    : Effect.asVoid(rotateFleet(options, options.target.path))
  return rotation.pipe(withClient(options), reportErrors(options.json))
}

// ---------------------------------------------------------------------------------------------------------------
// emulator
// ---------------------------------------------------------------------------------------------------------------

export interface EmulatorOptions {
  readonly port: number
  readonly host: string
  readonly resources: ReadonlyArray<{
    readonly subscriptionId: string
    readonly resourceGroupName: string
    readonly communicationServiceName: string
  }>
  readonly seedFile: Option.Option<string>
  readonly stateFile: Option.Option<string>
  readonly token: Option.Option<Redacted.Redacted<string>>
  readonly forbiddenTokens: ReadonlyArray<Redacted.Redacted<string>>
  readonly noThrottle: boolean
  readonly throttleCapacity: Option.Option<number>
  readonly throttleRefill: Option.Option<number>
  readonly regenerateLatencyMs: Option.Option<number>
  readonly errorRate: Option.Option<number>
  readonly dropRate: Option.Option<number>
  readonly faultWhen: Option.Option<"before" | "after" | "random">
  readonly faultLatencyMs: Option.Option<number>
  readonly faultOperations: ReadonlyArray<"regenerateKey" | "listKeys">
  readonly seed: Option.Option<string>
  readonly json: boolean
}

const faultsOf = (options: EmulatorOptions): EmulatorFaults.Options | undefined => {
  const given = Option.isSome(options.errorRate) || Option.isSome(options.dropRate) ||
    Option.isSome(options.faultLatencyMs) || Option.isSome(options.faultWhen) || Option.isSome(options.seed) ||
    options.faultOperations.length > 0
  if (!given) return undefined
  return {
    errorRate: Option.getOrUndefined(options.errorRate),
    dropRate: Option.getOrUndefined(options.dropRate),
    when: Option.getOrUndefined(options.faultWhen),
    latency: Option.match(options.faultLatencyMs, {
      onNone: () => undefined,
      onSome: (ms): Duration.DurationInput => Duration.millis(ms)
    }),
    operations: options.faultOperations.length > 0 ? options.faultOperations : undefined,
    // a numeric seed is a number, as `seed: 42` in the library
    seed: Option.match(options.seed, {
      onNone: () => undefined,
      onSome: (seed) => /^\d+$/.test(seed) ? Number(seed) : seed
    })
  }
}

/** The emulator's options from the command line. */
export const emulatorOptions = (options: EmulatorOptions) =>
  Effect.map(Client.token(options.token), (token): Emulator.Options => ({
    host: options.host,
    port: options.port,
    resources: options.resources,
    seedFile: Option.getOrUndefined(options.seedFile),
    stateFile: Option.getOrUndefined(options.stateFile),
    tokens: Option.match(token, { onNone: () => undefined, onSome: (token) => [token] }),
    forbiddenTokens: options.forbiddenTokens,
    throttle: options.noThrottle ? false : {
      capacity: Option.getOrUndefined(options.throttleCapacity),
      refillPerSecond: Option.getOrUndefined(options.throttleRefill)
    },
    regenerateLatency: Option.match(options.regenerateLatencyMs, {
      onNone: () => undefined,
      onSome: (ms): Duration.DurationInput => Duration.millis(ms)
    }),
    faults: faultsOf(options)
  }))

/** Starts the emulator, prints where it listens (never a key or a token), and runs until interrupted. */
export const emulator = (options: EmulatorOptions) =>
  Effect.scoped(Effect.gen(function*() {
    const config = yield* emulatorOptions(options)
    const running = yield* Emulator.make(config)
    const resources = yield* running.resources
    const customToken = config.tokens !== undefined
    if (options.json) {
      yield* json({ url: running.url, host: running.host, port: running.port, resources: resources.length })
    } else {
      const example = resources[0]
      yield* out(
        `Communication Services ARM emulator listening on ${running.url}\n` +
          render.rows([
            ["resources", String(resources.length)],
            [
              "token",
              customToken
                ? "the one given (pass the same --token to acs-keys)"
                : "the emulator's default (acs-keys uses it for an http://127.0.0.1 endpoint)"
            ],
            ["throttling", config.throttle === false ? "off" : "on"],
            ["faults", config.faults === undefined ? "off" : "on"],
            ...(config.stateFile === undefined ? [] : [["state file", config.stateFile] as const])
          ])
      )
      yield* err(
        (example === undefined
          ? ""
          : `try: acs-keys list --endpoint ${running.url} --subscription ${example.subscriptionId} ` +
            `--resource-group ${example.resourceGroupName} --name ${example.communicationServiceName}\n`) +
          "press Ctrl-C to stop\n"
      )
    }
    return yield* Effect.never
  }))
