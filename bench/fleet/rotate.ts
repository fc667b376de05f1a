/**
 * One rotating run of the fleet benchmark, in its own process (so that its peak RSS is this run's alone): rotates
 * `count` resources of the emulator at `url` with core's in-memory `Rotation.rotateFleet` or with
 * `DurableFleet.rotate` on a SQLite or PostgreSQL journal, with the same client, publish, concurrency and budget,
 * and prints one JSON line: the summary, the time, and the process's RSS before the run and at its peak.
 */
import { AzureCredential, CommunicationServices, Rotation } from "@effect-acs/core"
import { DurableFleet } from "@effect-acs/durable"
import { Emulator } from "@effect-acs/emulator"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Stream from "effect/Stream"

/** What main.ts asks of this process (its only argument, as JSON). */
export interface Request {
  readonly url: string
  readonly engine: "in-memory" | "sqlite" | "pg"
  readonly count: number
  readonly subscriptions: number
  readonly budget: { readonly capacity: number; readonly perSecond: number } | false
  readonly concurrency: number
  /** The SQLite file or the PostgreSQL URL of a durable run. */
  readonly journal?: string | undefined
  readonly runId?: string | undefined
}

/** What this process prints. */
export interface Result {
  readonly rotated: number
  readonly alreadyDone: number
  readonly failed: number
  readonly firstFailure: string | undefined
  /** The rotation's own clock: `summary.durationMillis`. */
  readonly durationMillis: number
  /** CPU time (user and system) of this process during the run. */
  readonly cpuMillis: number
  /** Building the engine (opening the journal, starting the runner) and closing it; 0 in memory. */
  readonly engineStartMillis: number
  readonly engineStopMillis: number
  /** After the modules are loaded and the engine is built, after a GC. */
  readonly rssBeforeMiB: number
  /** The kernel's high-water mark of this process (`getrusage`), startup included. */
  readonly peakRssMiB: number
  /** Heap used after a GC, before and after the run (what the run left behind). */
  readonly heapBeforeMiB: number
  readonly heapAfterMiB: number
  /** Heap used after a GC at every tenth of the fleet. */
  readonly heapCurveMiB: ReadonlyArray<number>
  /** Milliseconds from the start at every tenth of the fleet. */
  readonly timeCurveMillis: ReadonlyArray<number>
}

const request = JSON.parse(process.argv[2]!) as Request

const mib = (bytes: number) => Math.round((bytes / 2 ** 20) * 10) / 10

const gc = () => {
  if (global.gc) global.gc()
}

const idOf = (i: number) =>
  `/subscriptions/0000000${
    i % request.subscriptions
  }-0000-4000-8000-000000000000/resourceGroups/rg-fleet/providers/Microsoft.Communication/communicationServices/acs-${i}`

const client = CommunicationServices.layer({ endpoint: request.url, allowInsecureLoopback: true }).pipe(
  Layer.provide(AzureCredential.static(Emulator.defaultToken)),
  Layer.provide(NodeHttpClient.layer)
)

// the same publish for every engine: a cheap function in this process
const publish = () => Effect.void

// at every tenth of the fleet: the progress, and the heap after a GC (what the run holds as it goes)
let done = 0
const heapCurve: Array<number> = []
const timeCurve: Array<number> = []
const progressFrom = Date.now()
const progress = () =>
  Effect.sync(() => {
    if (++done % Math.ceil(request.count / 10) === 0) {
      gc()
      const memory = process.memoryUsage()
      heapCurve.push(mib(memory.heapUsed))
      timeCurve.push(Date.now() - progressFrom)
      process.stderr.write(
        `  ${done}/${request.count} ${((Date.now() - progressFrom) / 1000).toFixed(1)} s, rss ${
          mib(memory.rss)
        } MiB, heap after GC ${mib(memory.heapUsed)} MiB\n`
      )
    }
  })

const inMemory = Effect.gen(function*() {
  const ids = Stream.range(0, request.count - 1).pipe(Stream.map((i) => ({ resourceId: idOf(i) })))
  const summary = yield* Rotation.rotateFleet(ids, {
    publish,
    concurrency: request.concurrency,
    budget: request.budget,
    onEvent: (event) => event._tag === "Throttled" ? Effect.void : progress()
  })
  return {
    rotated: summary.rotated,
    alreadyDone: 0,
    failed: summary.failed.length,
    firstFailure: summary.failed[0]?.error.message,
    durationMillis: summary.durationMillis
  }
})

const durable = Effect.gen(function*() {
  const ids = Array.from({ length: request.count }, (_, i) => ({ resourceId: idOf(i) }))
  const summary = yield* DurableFleet.rotate(ids, {
    runId: request.runId!,
    publish,
    concurrency: request.concurrency,
    budget: request.budget,
    onEvent: progress
  })
  return {
    rotated: summary.rotated,
    alreadyDone: summary.alreadyDone,
    failed: summary.failed.length,
    firstFailure: summary.failed[0]?.message,
    durationMillis: summary.durationMillis
  }
})

const engine = request.engine === "sqlite"
  ? DurableFleet.layerSqlite({ filename: request.journal! })
  : DurableFleet.layerPg({ url: Redacted.make(request.journal!) })

const measured = <A, E, R>(run: Effect.Effect<A, E, R>) =>
  Effect.gen(function*() {
    gc()
    const rssBefore = process.memoryUsage().rss
    const heapBefore = process.memoryUsage().heapUsed
    const cpuBefore = process.cpuUsage()
    const result = yield* run
    const cpu = process.cpuUsage(cpuBefore)
    gc()
    return {
      result,
      rssBefore,
      heapBefore,
      heapAfter: process.memoryUsage().heapUsed,
      cpuMillis: Math.round((cpu.user + cpu.system) / 1000)
    }
  })

const main = Effect.gen(function*() {
  const startedAt = Date.now()
  let builtAt = startedAt
  let runEndedAt = startedAt
  const { cpuMillis, heapAfter, heapBefore, result, rssBefore } = request.engine === "in-memory"
    ? yield* measured(inMemory).pipe(Effect.provide(client))
    : yield* Effect.scoped(
      Effect.gen(function*() {
        const context = yield* Layer.build(engine)
        builtAt = Date.now()
        const measurement = yield* measured(durable).pipe(Effect.provide(context), Effect.provide(client))
        runEndedAt = Date.now()
        return measurement
      })
    )
  const output: Result = {
    ...result,
    cpuMillis,
    engineStartMillis: builtAt - startedAt,
    engineStopMillis: request.engine === "in-memory" ? 0 : Date.now() - runEndedAt,
    rssBeforeMiB: mib(rssBefore),
    peakRssMiB: mib(process.resourceUsage().maxRSS * 1024),
    heapBeforeMiB: mib(heapBefore),
    heapAfterMiB: mib(heapAfter),
    heapCurveMiB: heapCurve,
    timeCurveMillis: timeCurve
  }
  process.stdout.write(`${JSON.stringify(output)}\n`)
})

Effect.runPromise(main).then(
  // the runner's fibers and sockets need not be waited for once the result is out
  () => process.exit(0),
  (error) => {
    process.stderr.write(`${String(error)}\n`)
    process.exit(1)
  }
)
