/**
 * Fleet benchmark: rotates 1,000 resources over 5 subscriptions against the emulator at ARM's default
 * write budget (200 writes, refilled at 10 per second, per subscription), then 10,000 with no budget (at
 * the default budget it would take ten minutes; this run is about memory and throughput), and reports the
 * time against the theoretical minimum the budget allows, the 429 count and the peak RSS of the rotating
 * process (the emulator runs in a child process).
 *
 *   pnpm --filter @effect-acs/bench fleet
 */
import { AzureCredential, CommunicationServices, Rotation } from "@effect-acs/core"
import { Emulator } from "@effect-acs/emulator"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Stream from "effect/Stream"
import { spawn } from "node:child_process"
import { writeFileSync } from "node:fs"
import { cpus, totalmem } from "node:os"
import { createInterface } from "node:readline"

interface Run {
  readonly count: number
  readonly subscriptions: number
  readonly capacity: number
  readonly perSecond: number
}

const budgetOf = (run: Run) =>
  run.capacity === 0 ? false as const : { capacity: run.capacity, perSecond: run.perSecond }

const startEmulator = (run: Run) =>
  Effect.acquireRelease(
    Effect.async<{ url: string; stats: () => Promise<{ throttled: number; requests: number }>; close: () => void }>(
      (resume) => {
        const child = spawn(
          process.execPath,
          [
            "--conditions=source",
            "--import",
            "tsx",
            new URL("emulator.ts", import.meta.url).pathname,
            ...[run.count, run.subscriptions, run.capacity, run.perSecond].map(String)
          ],
          { stdio: ["pipe", "pipe", "inherit"] }
        )
        const lines = createInterface({ input: child.stdout })
        const waiting: Array<(line: string) => void> = []
        lines.on("line", (line) => {
          const next = waiting.shift()
          if (next) next(line)
        })
        waiting.push((line) =>
          resume(Effect.succeed({
            url: JSON.parse(line).url as string,
            stats: () =>
              new Promise((done) => {
                waiting.push((stats) => done(JSON.parse(stats)))
                child.stdin.write("stats\n")
              }),
            close: () => child.kill()
          }))
        )
      }
    ),
    (emulator) => Effect.sync(emulator.close)
  )

const measure = (run: Run) =>
  Effect.scoped(Effect.gen(function*() {
    const emulator = yield* startEmulator(run)
    const client = CommunicationServices.layer({ endpoint: emulator.url, allowInsecureLoopback: true }).pipe(
      Layer.provide(AzureCredential.static(Emulator.defaultToken)),
      Layer.provide(NodeHttpClient.layer)
    )
    if (global.gc) global.gc()
    let peakRss = process.memoryUsage().rss
    const sampler = setInterval(() => peakRss = Math.max(peakRss, process.memoryUsage().rss), 50)
    let done = 0
    const ids = Stream.range(0, run.count - 1).pipe(Stream.map((i) => ({
      resourceId: `/subscriptions/0000000${
        i % run.subscriptions
      }-0000-4000-8000-000000000000/resourceGroups/rg-fleet/providers/Microsoft.Communication/communicationServices/acs-${i}`
    })))
    // the theoretical minimum is the plan's: the busiest subscription's writes beyond the bucket, at its refill rate
    const plan = yield* Rotation.planFleet(ids, { budget: budgetOf(run) })
    const summary = yield* Rotation.rotateFleet(ids, {
      publish: () => Effect.void,
      concurrency: 32,
      budget: budgetOf(run),
      onEvent: (event) =>
        Effect.sync(() => {
          if (event._tag !== "Throttled" && ++done % Math.ceil(run.count / 10) === 0) {
            process.stderr.write(`  ${done}/${run.count}\n`)
          }
        })
    }).pipe(Effect.provide(client))
    clearInterval(sampler)
    const stats = yield* Effect.promise(emulator.stats)
    const minimum = plan.minimumMillis
    return {
      writesPerRotation: plan.writesPerResource,
      ...run,
      rotated: summary.rotated,
      failed: summary.failed.length,
      durationMillis: summary.durationMillis,
      theoreticalMinimumMillis: minimum,
      ratio: minimum === 0 ? undefined : summary.durationMillis / minimum,
      responses429: stats.throttled,
      requests: stats.requests,
      peakRssMiB: Math.round((peakRss / 2 ** 20) * 10) / 10,
      rotationsPerSecond: Math.round(summary.rotated / (summary.durationMillis / 1000))
    }
  }))

const runs: ReadonlyArray<Run> = [
  { count: 1_000, subscriptions: 5, capacity: 200, perSecond: 10 },
  { count: 10_000, subscriptions: 5, capacity: 0, perSecond: 0 }
]

const main = Effect.gen(function*() {
  const results = []
  for (const run of runs) {
    process.stderr.write(`rotating ${run.count} resources over ${run.subscriptions} subscriptions...\n`)
    results.push(yield* measure(run))
  }
  const table = [
    "| resources | budget (capacity, writes/s) | rotated | failed | time | theoretical minimum | ratio | 429 responses | requests | rotations/s | peak RSS |",
    "| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ...results.map((r) =>
      `| ${r.count} | ${r.capacity === 0 ? "none" : `${r.capacity}, ${r.perSecond}`} | ${r.rotated} | ${r.failed} | ${
        (r.durationMillis / 1000).toFixed(1)
      } s | ${r.capacity === 0 ? "-" : `${(r.theoreticalMinimumMillis / 1000).toFixed(1)} s`} | ${
        r.ratio?.toFixed(3) ?? "-"
      } | ${r.responses429} | ${r.requests} | ${r.rotationsPerSecond} | ${r.peakRssMiB} MiB |`
    )
  ].join("\n")
  const report = `# Fleet rotation benchmark

- machine: ${cpus()[0]?.model ?? "unknown"}, ${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB
- Node ${process.version}, ${new Date().toISOString()}
- command: \`pnpm --filter @effect-acs/bench fleet\`
- the emulator runs in a child process; RSS is the rotating process's. ${
    results[0]?.writesPerRotation
  } writes per rotation
  (2 regenerations, no listKeys); theoretical minimum (\`Rotation.planFleet\`) = (writes of the busiest
  subscription - capacity) / refill rate.

${table}
`
  writeFileSync(new URL("../FLEET.md", import.meta.url), report)
  process.stdout.write(report)
})

Effect.runPromise(main).catch((error) => {
  process.stderr.write(`${String(error)}\n`)
  process.exitCode = 1
})
