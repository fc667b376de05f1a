import * as CommunicationServices from "@effect-acs/core/CommunicationServices"
import type * as DataPlane from "@effect-acs/core/DataPlane"
import type * as Errors from "@effect-acs/core/Errors"
import * as Rotation from "@effect-acs/core/Rotation"
import type * as DurableFleet from "@effect-acs/durable/DurableFleet"
import type * as KeyType from "@effect-acs/schema/KeyType"
import type * as FileSystem from "@effect/platform/FileSystem"
import type * as HttpClient from "@effect/platform/HttpClient"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Option from "effect/Option"
import * as Schedule from "effect/Schedule"
import * as Stream from "effect/Stream"
import { type FleetFileError, FleetIncomplete, UsageError } from "../CliError.js"
import * as ExitCode from "../ExitCode.js"
import * as FleetFile from "../FleetFile.js"
import * as PublishCommand from "../PublishCommand.js"
import { Stdio } from "../Stdio.js"
import * as Client from "./client.js"
import type { EmulatorOptions } from "./emulator.js"
import * as Ledger from "./ledger.js"
import type { Journal, RotateTarget } from "./options.js"
import * as Progress from "./progress.js"
import * as render from "./render.js"
import * as Renderer from "./renderer.js"
import * as Stop from "./stop.js"

/** The options every client command has. */
export interface Common extends Client.Connection {
  readonly output: Renderer.OutputOptions
}

const requestRows = (response: CommunicationServices.KeysResponse): Array<readonly [string, string]> => [
  ...(response.requestId === undefined ? [] : [["x-ms-request-id", response.requestId] as const]),
  ...(response.correlationRequestId === undefined
    ? []
    : [["x-ms-correlation-request-id", response.correlationRequestId] as const]),
  ["x-ms-client-request-id", response.clientRequestId],
  ["attempts", String(response.attempts)],
  ...(response.priorOutcomeUnknown
    ? [
      [
        "warning",
        "an earlier attempt's outcome is unknown: it may still replace these keys; run list in a minute"
      ] as const
    ]
    : [])
]

/** A response with keys: its text, its `--json` envelope, and (for `-o`) the keys object itself. */
const keysView = (
  heading: string,
  envelope: Record<string, unknown>,
  response: CommunicationServices.KeysResponse,
  showSecrets: boolean
): Renderer.View => {
  const keys = render.keys(response.keys, showSecrets)
  return {
    text: () => `${heading}\n` + render.rows([...Object.entries(keys), ...requestRows(response)]),
    json: () => ({
      ...envelope,
      keys,
      requestId: response.requestId,
      correlationRequestId: response.correlationRequestId,
      clientRequestId: response.clientRequestId,
      attempts: response.attempts,
      priorOutcomeUnknown: response.priorOutcomeUnknown
    }),
    result: () => keys
  }
}

const withClient = (options: Common) =>
<A, E, R>(
  self: Effect.Effect<A, E, R>
): Effect.Effect<
  A,
  E | Errors.InvalidInput | Errors.CredentialError,
  Exclude<R, CommunicationServices.CommunicationServices> | HttpClient.HttpClient
> => Effect.provide(self, Client.layer(options))

/** Runs a command with its renderer, which also prints its failure where the format wants it. */
const rendered = <A, E, R>(
  options: Common,
  f: (renderer: Renderer.Renderer) => Effect.Effect<A, E, R>
) =>
  Effect.flatMap(
    Renderer.forOutput(options.output),
    (renderer) => f(renderer).pipe(withClient(options), Renderer.reportingFailures(renderer))
  )

// ---------------------------------------------------------------------------------------------------------------
// regenerate, list
// ---------------------------------------------------------------------------------------------------------------

export const regenerate = (
  options: Common & { readonly resource: CommunicationServices.ResourceInput; readonly keyType: KeyType.KeyType }
) =>
  rendered(options, (renderer) =>
    Effect.gen(function*() {
      const client = yield* CommunicationServices.CommunicationServices
      const response = yield* client.regenerateKeyResponse({ ...options.resource, keyType: options.keyType })
      const resourceId = render.resourceId(options.resource)
      yield* renderer.print(keysView(
        `Regenerated the ${options.keyType} key of ${resourceId}`,
        { resourceId, keyType: options.keyType },
        response,
        options.output.showSecrets
      ))
      yield* renderer.hint
    }))

export const list = (options: Common & { readonly resource: CommunicationServices.ResourceInput }) =>
  rendered(options, (renderer) =>
    Effect.gen(function*() {
      const client = yield* CommunicationServices.CommunicationServices
      const response = yield* client.listKeysResponse(options.resource)
      const resourceId = render.resourceId(options.resource)
      yield* renderer.print(keysView(`Keys of ${resourceId}`, { resourceId }, response, options.output.showSecrets))
      yield* renderer.hint
    }))

// ---------------------------------------------------------------------------------------------------------------
// rotate
// ---------------------------------------------------------------------------------------------------------------

export interface RotateOptions extends Common {
  readonly target: RotateTarget
  readonly first: KeyType.KeyType
  readonly mode: Rotation.Mode
  readonly verify: "none" | "data-plane"
  readonly verifyTimeout: Option.Option<number>
  readonly drain: Option.Option<Duration.Duration>
  readonly readKeys: boolean
  readonly dryRun: boolean
  readonly publishCommand: Option.Option<string>
  readonly publishRetries: number
  readonly publishTimeout: number
  readonly settle: number
  readonly graceSeconds: number
  readonly concurrency: number
  readonly writeBudget: Option.Option<Rotation.FleetOptions<unknown, unknown>["budget"]>
  readonly journal: Option.Option<Journal>
  readonly runId: Option.Option<string>
}

type Publish = (key: Rotation.PublishedKey) => Effect.Effect<void, unknown>

/** `--drain`, or `--grace-seconds` (its older spelling); `undefined` for none. */
const drainOf = (options: RotateOptions): Duration.Duration | undefined =>
  Option.isSome(options.drain)
    ? options.drain.value
    : options.graceSeconds > 0
    ? Duration.seconds(options.graceSeconds)
    : undefined

/** `--write-budget` as a fleet's `budget` option (absent: the library's default, ARM's). */
const budgetOf = (options: RotateOptions) =>
  Option.match(options.writeBudget, { onNone: () => ({}), onSome: (budget) => ({ budget }) })

/** What the library would refuse, or what cannot mean anything, refused as usage errors before any I/O. */
const checkRotateOptions = (options: RotateOptions): Effect.Effect<void, UsageError> => {
  const usage = (reason: string) => Effect.fail(new UsageError({ reason }))
  if (Option.isSome(options.drain) && options.graceSeconds > 0) {
    return usage("--drain and --grace-seconds say the same thing: give one of them")
  }
  if (options.mode === "alternate" && drainOf(options) !== undefined) {
    return usage(
      `${Option.isSome(options.drain) ? "--drain" : "--grace-seconds"} cannot be combined with --mode alternate: ` +
        "an alternate run replaces one key, so there is no other key to wait for"
    )
  }
  if (Option.isSome(options.verifyTimeout) && options.verify !== "data-plane") {
    return usage("--verify-timeout applies to --verify data-plane only")
  }
  const fleet = options.target._tag === "Fleet"
  if (!fleet && Option.isSome(options.writeBudget)) return usage("--write-budget applies to --from-file only")
  if (Option.isNone(options.journal)) {
    return Option.isSome(options.runId) ? usage("--run-id applies to --journal only") : Effect.void
  }
  if (!fleet) return usage("--journal applies to --from-file only: a journal keeps a fleet run")
  // a journaled run replaces both keys of each resource, one step each, and has nothing to plan
  const unsupported = [
    [options.dryRun, "--dry-run (acs-keys status tells where a journaled run stands)"],
    [options.mode === "alternate", "--mode alternate"],
    [options.readKeys, "--read-keys"]
  ] as const
  const found = unsupported.find(([given]) => given)
  return found === undefined ? Effect.void : usage(`${found[1]} cannot be combined with --journal`)
}

/**
 * `DataPlane.verifyWith` (its default timeout unless `--verify-timeout`), loaded on first use: the commands
 * that do not verify do not load the signing code.
 */
const verifyOn = (timeout: Option.Option<number>) => {
  const options: DataPlane.VerifyOptions = Option.match(timeout, {
    onNone: () => ({}),
    onSome: (seconds) => ({ timeout: Duration.millis(Math.round(seconds * 1000)) })
  })
  return (key: Rotation.PublishedKey): Effect.Effect<void, DataPlane.VerifyError, HttpClient.HttpClient> =>
    Effect.flatMap(
      Effect.promise(() => import("@effect-acs/core/DataPlane")),
      (module) => module.verifyWith(options)(key)
    )
}

/** The rotation options the plan and the rotation share (everything but publish and its retries). */
const planOptions = (options: RotateOptions) => {
  const drain = drainOf(options)
  return {
    mode: options.mode,
    first: options.first,
    readKeys: options.readKeys,
    ...(drain === undefined ? {} : { drain }),
    ...(options.verify === "data-plane" ? { verify: verifyOn(options.verifyTimeout) } : {})
  }
}

/**
 * The rotation options shared by one resource and a fleet; `print` publishes a key when no command is given.
 * Every publication is recorded in the ledger.
 */
const rotationOptions = (options: RotateOptions, print: Publish, ledger: Ledger.Ledger) => {
  const fromSeconds = (seconds: number) => Duration.millis(Math.round(seconds * 1000))
  const publishTimeout = fromSeconds(options.publishTimeout)
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
    ...planOptions(options),
    // the command enforces the timeout itself (killing its process group, with a precise error); the
    // rotation's own timeout is a backstop, a little later, for a command that does not end when killed
    publishTimeout: Duration.sum(publishTimeout, Duration.seconds(5)),
    settle: fromSeconds(options.settle),
    publishRetry: Schedule.exponential("500 millis").pipe(Schedule.intersect(Schedule.recurs(options.publishRetries)))
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

/** A key published by printing it (no publish command). */
const publishedView = (key: Rotation.PublishedKey, showSecrets: boolean, event: boolean): Renderer.View => {
  const value = {
    resourceId: Ledger.displayId(key.resourceId),
    keyType: key.keyType,
    key: render.secret(key.key, showSecrets),
    connectionString: render.secret(key.connectionString, showSecrets)
  }
  return {
    text: () =>
      `published the ${key.keyType} key of ${value.resourceId}: connection string ${value.connectionString}\n`,
    json: () => event ? { event: "published", ...value } : value
  }
}

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

/**
 * What a rotation of one resource did before it was interrupted, with the keys it printed when the renderer
 * keeps them for the result (they are live: they must reach the caller).
 */
const interruptedView = (
  options: RotateOptions,
  resource: CommunicationServices.ResourceInput,
  ledger: Ledger.Ledger,
  printed: ReadonlyArray<unknown>
): Renderer.View => {
  const resourceId = Ledger.displayId(render.resourceId(resource))
  const state = ledger.unfinished()[0]
  const published = state?.published ?? []
  const unpublished = ledger.unpublished()
  return {
    json: () => ({
      resourceId,
      interrupted: true,
      regenerated: state?.regenerated ?? [],
      published,
      unpublished: unpublished.map(({ resourceId: _, ...key }) => key),
      ...(printed.length > 0 ? { keys: printed } : {})
    }),
    text: () => {
      // the keys this run was to replace: in mode alternate, --first only
      const replaced: ReadonlyArray<KeyType.KeyType> = options.mode === "alternate"
        ? [options.first]
        : ["Primary", "Secondary"]
      const remaining = replaced.filter((keyType) =>
        !published.includes(keyType) && !unpublished.some((key) => key.keyType === keyType)
      )
      return `Interrupted the rotation of ${resourceId}: ${
        published.length === 0 ? "nothing published" : `published ${published.join(", ")}`
      }${remaining.length === 0 ? "" : `; not regenerated: ${remaining.join(", ")}`}\n` + unpublishedText(unpublished)
    }
  }
}

/** Which key was replaced and which one the next run replaces. */
const nextText = (report: Rotation.RotationReport): string =>
  report.mode === "alternate"
    ? `mode alternate: replaced the ${report.regenerated.join(", ")} key; next run: --first ${report.next}\n`
    : `next run: --first ${report.next}\n`

const rotatedView = (
  options: RotateOptions,
  report: Rotation.RotationReport,
  published: ReadonlyArray<unknown>
): Renderer.View => {
  const resourceId = Ledger.displayId(report.resourceId)
  return {
    json: () => ({
      resourceId,
      mode: report.mode,
      regenerated: report.regenerated,
      published: report.published,
      verified: report.verified,
      next: report.next,
      recovered: report.recovered,
      durationMillis: report.finishedAt - report.startedAt,
      steps: report.steps.map((step) => render.safeJson(step)),
      ...(Option.isNone(options.publishCommand) ? { keys: published } : {})
    }),
    text: () =>
      `Rotated ${resourceId} in ${render.duration(report.finishedAt - report.startedAt)}: regenerated ${
        report.regenerated.join(", ")
      }; published ${report.published.join(", ")}${
        Option.isSome(options.publishCommand) ? " with the publish command" : ""
      }${report.verified.length === 0 ? "" : `; verified ${report.verified.join(", ")} on the data plane`}${
        report.recovered ? "; recovered an unknown outcome with listKeys" : ""
      }\n` + nextText(report) + render.rows(stepRows(report))
  }
}

const rotateOne = (
  options: RotateOptions,
  renderer: Renderer.Renderer,
  resource: CommunicationServices.ResourceInput
) =>
  withLedger((ledger) =>
    Effect.gen(function*() {
      // keys printed (no publish command) go out as they come, or with the result
      const published: Array<unknown> = []
      const print: Publish = (key) => {
        const view = publishedView(key, options.output.showSecrets, false)
        return renderer.streamsKeys ? renderer.print(view) : Effect.sync(() => published.push(view.json()))
      }
      const report = yield* Rotation.rotate(resource, rotationOptions(options, print, ledger)).pipe(
        // a rotation that stops after publishing has still published: those keys are printed before the error
        Effect.tapError((error) =>
          published.length > 0
            ? renderer.print({
              text: () => "",
              json: () => ({ resourceId: Ledger.displayId(error.resourceId), keys: published })
            })
            : Effect.void
        ),
        Effect.onInterrupt(() => renderer.print(interruptedView(options, resource, ledger, published)))
      )
      yield* renderer.print(rotatedView(options, report, published))
      if (Option.isNone(options.publishCommand)) yield* renderer.hint
    })
  )

const fleetEventView = (event: Rotation.FleetEvent): Renderer.View => {
  const json = () => {
    switch (event._tag) {
      case "Rotated":
        return {
          event: "rotated",
          resourceId: Ledger.displayId(event.resourceId),
          mode: event.report.mode,
          regenerated: event.report.regenerated,
          published: event.report.published,
          verified: event.report.verified,
          next: event.report.next,
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
  // for people, the progress bar (or its lines) tells the events
  return { text: () => "", json }
}

interface FleetState {
  readonly total: number
  rotated: number
  readonly failed: Array<{ readonly resourceId: string; readonly error: Rotation.RotationFailed }>
  throttled: number
  readonly startedAt: number
}

/** The keys that may be live unpublished: the ledger's (with why), and any other the library names. */
const unpublishedOf = (
  ledger: Ledger.Ledger,
  summary: Rotation.FleetSummary | undefined
): Array<Ledger.Unpublished> => {
  const known = ledger.unpublished()
  const more = (summary?.unpublished ?? []).filter((key) =>
    !known.some((entry) =>
      entry.keyType === key.keyType &&
      entry.resourceId.toLowerCase() === Ledger.displayId(key.resourceId).toLowerCase()
    )
  ).map((key) => ({ resourceId: Ledger.displayId(key.resourceId), keyType: key.keyType }))
  return [...known, ...more]
}

/**
 * The last word on a fleet: its summary, also when it was stopped (then with what was left undone).
 * `librarySummary` is what `Rotation.rotateFleet` returned (its counts of stopped and not started rotations,
 * and the keys it knows to be unpublished); a fleet interrupted before it could return has the ledger's only.
 */
const fleetSummary = (
  options: RotateOptions,
  renderer: Renderer.Renderer,
  state: FleetState,
  ledger: Ledger.Ledger,
  interrupted: boolean,
  librarySummary?: Rotation.FleetSummary
) =>
  Effect.gen(function*() {
    const durationMillis = (yield* Clock.currentTimeMillis) - state.startedAt
    const stopped = interrupted ? ledger.unfinished() : []
    const stoppedCount = librarySummary === undefined
      ? stopped.length
      : Math.max(librarySummary.stopped, stopped.length)
    const notStarted = librarySummary !== undefined
      ? librarySummary.notStarted
      : interrupted
      ? Math.max(0, state.total - state.rotated - state.failed.length - stopped.length)
      : 0
    const unpublished = unpublishedOf(ledger, librarySummary)
    const failed = state.failed.map((failure) => ({
      resourceId: Ledger.displayId(failure.resourceId),
      error: failure.error
    }))
    const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`
    yield* renderer.print({
      json: () => ({
        event: "summary",
        total: state.total,
        rotated: state.rotated,
        failed: failed.map((failure) => ({ resourceId: failure.resourceId, error: render.errorJson(failure.error) })),
        throttled: state.throttled,
        durationMillis,
        interrupted,
        stopped: stopped.map((resource) => ({ resourceId: resource.resourceId, published: resource.published })),
        stoppedCount,
        notStarted,
        unpublished
      }),
      text: () =>
        `${interrupted ? "interrupted: " : ""}rotated ${state.rotated} of ${plural(state.total, "resource")} in ${
          render.duration(durationMillis)
        } (${state.failed.length} failed, ${
          interrupted ? `${stoppedCount} stopped at a safe point, ${notStarted} not started, ` : ""
        }${interrupted || unpublished.length > 0 ? `${unpublished.length} unpublished, ` : ""}throttled ${
          plural(state.throttled, "time")
        })\n` +
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
    })
    if (!interrupted && Option.isNone(options.publishCommand) && state.rotated > 0) yield* renderer.hint
  })

/**
 * A fleet rotation: the file is read once to count and check it (nothing is rotated if it is malformed),
 * then streamed through `Rotation.rotateFleet` with progress on standard error. Interrupted, it stops at the
 * next safe point of every running rotation (no new one starts) and prints the summary of what was done.
 * Events (and keys printed without a publish command) are items of the renderer's stream, above the bar.
 */
export const rotateFleet = (
  options: RotateOptions,
  renderer: Renderer.Renderer,
  path: string
): Effect.Effect<
  Rotation.FleetSummary,
  FleetIncomplete | FleetFileError,
  CommunicationServices.CommunicationServices | FileSystem.FileSystem | HttpClient.HttpClient
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
      const item = (view: Renderer.View) =>
        Effect.flatMap(renderer.item(view), (text) => text === "" ? Effect.void : progress.stdout(text))
      const print: Publish = (key) => item(publishedView(key, options.output.showSecrets, true))
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
      const stop = yield* Stop.Stop
      // from here on a first signal stops the fleet through `stop` (it returns its summary) instead of
      // interrupting it; released before the summary is acted on
      const summary = yield* Effect.scoped(Effect.zipRight(
        stop.claim,
        Rotation.rotateFleet(FleetFile.stream(path), {
          ...rotationOptions(options, print, ledger),
          concurrency: options.concurrency,
          ...budgetOf(options),
          stop: stop.requested,
          onEvent: (event) =>
            record(event).pipe(
              Effect.zipRight(progress.onEvent(event)),
              Effect.zipRight(item(fleetEventView(event)))
            )
        })
      )).pipe(
        // what publish commands print goes above the progress bar
        Effect.provideService(Stdio, progress.output),
        Effect.onInterrupt(() =>
          (ticker === undefined ? Effect.void : Fiber.interrupt(ticker)).pipe(
            Effect.zipRight(progress.done),
            Effect.zipRight(fleetSummary(options, renderer, state, ledger, true))
          )
        )
      )
      if (ticker !== undefined) yield* Fiber.interrupt(ticker)
      yield* progress.done
      const stopped = yield* stop.isRequested
      yield* fleetSummary(
        options,
        renderer,
        { ...state, rotated: summary.rotated, throttled: summary.throttled },
        ledger,
        stopped,
        summary
      )
      // stopped by a signal: `run` reports it and exits with its status (130, 143), failures or not
      if (stopped) return yield* Effect.interrupt
      if (summary.failed.length > 0) {
        return yield* new FleetIncomplete({ total: summary.total, failed: summary.failed.length })
      }
      return summary
    })
  )

/**
 * New keys printed instead of published must reach the caller: without `--publish-command`, `-o none` and
 * `--query` (which could leave them out) are refused before anything is regenerated.
 */
const checkKeysReachCaller = (options: RotateOptions) =>
  Option.isSome(options.publishCommand)
    ? Effect.void
    : Option.isSome(options.output.query)
    ? Effect.fail(new UsageError({ reason: "--query could leave out the new keys: with it, give --publish-command" }))
    : Option.contains(options.output.output, "none")
    ? Effect.fail(new UsageError({ reason: "-o none would not print the new keys: with it, give --publish-command" }))
    : Effect.void

// ---------------------------------------------------------------------------------------------------------------
// --dry-run: Rotation.plan / Rotation.planFleet, nothing sent (no client is even built)
// ---------------------------------------------------------------------------------------------------------------

const plannedRows = (steps: ReadonlyArray<Rotation.PlannedStep>): string =>
  steps.map((step, i) =>
    `  ${i + 1}. ${step.action}${step.keyType === undefined ? "" : ` ${step.keyType}`}${
      step.duration === undefined ? "" : ` ${step.duration}`
    }${step.write ? "  (a write)" : ""}\n`
  ).join("")

const planView = (plan: Rotation.RotationPlan): Renderer.View => {
  const resourceId = Ledger.displayId(plan.resourceId)
  const value = {
    dryRun: true,
    resourceId,
    mode: plan.mode,
    steps: plan.steps,
    writes: plan.writes,
    next: plan.next
  }
  return {
    json: () => value,
    text: () =>
      `Dry run, nothing sent: the rotation of ${resourceId} (mode ${plan.mode}) would\n` + plannedRows(plan.steps) +
      `${plan.writes} write${plan.writes === 1 ? "" : "s"}; next run: --first ${plan.next}\n`
  }
}

const fleetPlanView = (path: string, plan: Rotation.FleetPlan): Renderer.View => {
  const invalid = plan.invalid.map((error) => ({
    resourceId: Ledger.displayId(error.resourceId),
    error: render.errorJson(error)
  }))
  const value = {
    dryRun: true,
    path: render.untrusted(path),
    total: plan.total,
    resources: plan.resources,
    duplicates: plan.duplicates,
    invalid,
    subscriptions: plan.subscriptions,
    steps: plan.steps,
    writesPerResource: plan.writesPerResource,
    writes: plan.writes,
    budget: plan.budget,
    minimumMillis: plan.minimumMillis
  }
  return {
    json: () => value,
    text: () =>
      `Dry run, nothing sent: ${plan.resources} resource${plan.resources === 1 ? "" : "s"} of ${plan.total} ` +
      `entr${plan.total === 1 ? "y" : "ies"} (${plan.duplicates} duplicate, ${plan.invalid.length} invalid) in ` +
      `${plan.subscriptions} subscription${plan.subscriptions === 1 ? "" : "s"}; each rotation would\n` +
      plannedRows(plan.steps) +
      render.rows([
        ["writes", `${plan.writes} (${plan.writesPerResource} a resource)`],
        [
          "write budget",
          plan.budget === false
            ? "none"
            : `${plan.budget.capacity} writes a subscription, refilled at ${plan.budget.perSecond} a second`
        ],
        ["minimum time", render.duration(plan.minimumMillis)]
      ]) +
      (invalid.length === 0
        ? ""
        : `invalid (they would fail):\n${
          invalid.map((entry) => `  ${entry.resourceId}\n    ${ExitCode.messageOf(entry.error)}\n`).join("")
        }`)
  }
}

const dryRunFleet = (options: RotateOptions, renderer: Renderer.Renderer, path: string) =>
  Effect.gen(function*() {
    const plan = yield* Rotation.planFleet(FleetFile.stream(path), {
      ...planOptions(options),
      concurrency: options.concurrency,
      ...budgetOf(options)
    })
    yield* renderer.print(fleetPlanView(path, plan))
    // entries that would fail: the dry run says so in its status, as the rotation would
    if (plan.invalid.length > 0) {
      return yield* new FleetIncomplete({ total: plan.total, failed: plan.invalid.length })
    }
  })

const dryRun = (options: RotateOptions) =>
  Effect.flatMap(Renderer.forOutput(options.output), (renderer) => {
    const target = options.target
    const planned: Effect.Effect<
      void,
      Rotation.RotationFailed | FleetIncomplete | FleetFileError,
      FileSystem.FileSystem
    > = target._tag === "Resource"
      ? Effect.flatMap(Rotation.plan(target.resource, planOptions(options)), (plan) => renderer.print(planView(plan)))
      : dryRunFleet(options, renderer, target.path)
    return Renderer.reportingFailures(renderer)(planned)
  })

export const rotate = (options: RotateOptions) =>
  Effect.zipRight(
    checkRotateOptions(options),
    options.dryRun ? dryRun(options) : Effect.zipRight(
      checkKeysReachCaller(options),
      rendered(options, (renderer): Effect.Effect<
        void,
        | Rotation.RotationFailed
        | FleetIncomplete
        | FleetFileError
        | DurableFleet.InvalidFleet
        | DurableFleet.JournalError,
        CommunicationServices.CommunicationServices | FileSystem.FileSystem | HttpClient.HttpClient
      > =>
        options.target._tag === "Resource"
          ? rotateOne(options, renderer, options.target.resource)
          : Option.isSome(options.journal)
          ? rotateJournaled(options, renderer, options.target.path, options.journal.value)
          : Effect.asVoid(rotateFleet(options, renderer, options.target.path)))
    )
  )

// ---------------------------------------------------------------------------------------------------------------
// --journal, status: a durable fleet run (@effect-acs/durable and its SQL drivers, loaded only for these)
// ---------------------------------------------------------------------------------------------------------------

/**
 * A fleet rotated by `DurableFleet.rotate`, its run in the journal: the same command resumes it. Its publish is
 * the one of every rotation (the command, or printing), its progress the fleet's.
 */
const rotateJournaled = (options: RotateOptions, renderer: Renderer.Renderer, path: string, journal: Journal) =>
  Effect.flatMap(Effect.promise(() => import("./journal.js")), (module) =>
    Effect.gen(function*() {
      const output = yield* Stdio
      const resources = yield* module.entries(FleetFile.stream(path))
      const progress = yield* Progress.start(output, resources.length, options.concurrency)
      const item = (view: Renderer.View) =>
        Effect.flatMap(renderer.item(view), (text) => text === "" ? Effect.void : progress.stdout(text))
      const ledger = new Ledger.Ledger()
      const { drain, first, publish, publishRetry, publishTimeout, settle, verify } = rotationOptions(
        options,
        (key) => item(publishedView(key, options.output.showSecrets, true)),
        ledger
      )
      const summary = yield* module.rotate(resources, journal, {
        runId: Option.getOrElse(options.runId, () => module.defaultRunId),
        publish,
        publishRetry,
        publishTimeout,
        settle,
        verify,
        first,
        drain,
        concurrency: options.concurrency,
        ...budgetOf(options),
        onEvent: (event) => Effect.zipRight(progress.onResource(module.outcome(event)), item(module.eventView(event)))
      }).pipe(
        Effect.provideService(Stdio, progress.output),
        Effect.onInterrupt(() => Effect.zipRight(progress.done, renderer.print(module.interruptedView(options.runId))))
      )
      yield* progress.done
      yield* renderer.print(module.summaryView(summary))
      if (summary.failed.length > 0) {
        return yield* new FleetIncomplete({ total: summary.resources, failed: summary.failed.length })
      }
      if (Option.isNone(options.publishCommand) && summary.rotated > 0) yield* renderer.hint
    }))

export interface StatusOptions {
  readonly journal: Journal
  readonly fromFile: string
  readonly runId: string
  readonly output: Renderer.OutputOptions
}

export const status = (options: StatusOptions) =>
  Effect.flatMap(Renderer.forOutput(options.output), (renderer) =>
    Renderer.reportingFailures(renderer)(
      Effect.flatMap(Effect.promise(() => import("./journal.js")), (module) =>
        Effect.flatMap(
          module.status(FleetFile.stream(options.fromFile), options.journal, options.runId),
          (status) => renderer.print(module.statusView(status))
        ))
    ))

// ---------------------------------------------------------------------------------------------------------------
// emulator: loaded only for `acs-keys emulator` (the server is most of the bundle's lazy part)
// ---------------------------------------------------------------------------------------------------------------

export type { EmulatorOptions }

export const emulator = (options: EmulatorOptions) =>
  Effect.flatMap(Effect.promise(() => import("./emulator.js")), (module) => module.run(options))
