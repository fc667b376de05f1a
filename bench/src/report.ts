/** Turns the measurements into the targets verdicts, `RESULTS.md` and `results.json`. */
import type { BundleSize } from "./build.js"
import type { ClientSpec } from "./clients.js"
import type { ColdResult } from "./coldstart.js"
import type { ProfileSummary } from "./cpuprofile.js"
import type { Config, MeasureResult } from "./measure.js"
import { fmt, ratio } from "./stats.js"

export interface Machine {
  readonly cpu: string
  readonly cores: number
  readonly memoryGiB: number
  readonly node: string
  readonly os: string
  readonly date: string
  readonly command: string
  readonly loadAverage: ReadonlyArray<number>
}

export interface ProfileResult {
  readonly client: string
  readonly calls: number
  readonly wallPerCallMicros: number
  readonly cpuPerCallMicros: number
  readonly file: string
  readonly summary: ProfileSummary
}

export interface Results {
  readonly machine: Machine
  readonly config: Config & { readonly coldRuns: number }
  readonly clients: ReadonlyArray<ClientSpec>
  readonly measure: MeasureResult
  readonly cold: Record<string, ColdResult>
  readonly coldPrograms: ReadonlyArray<{ readonly id: string; readonly label: string }>
  readonly bundles: ReadonlyArray<BundleSize>
  readonly coldCallsChecked: number
  readonly targets: ReadonlyArray<Target>
  readonly profile: ProfileResult | undefined
  readonly durationSeconds: number
}

export interface Target {
  readonly name: string
  readonly measured: string
  readonly limit: string
  readonly met: boolean
}

const rawFor: Record<string, string> = { fetch: "raw-fetch", "node:http": "raw-node-http", undici: "raw-undici" }

/** The raw transport a client runs on (the Azure SDK runs on node:http). */
export const baseline = (spec: ClientSpec): string => rawFor[spec.transport]!

/** The client the targets are about: the recommended Node transport, as users run it (tracer on). */
export const recommended = "ours-node-transport"

/** The spec of `recommended` in this run, if it ran. */
export const recommendedSpec = (clients: ReadonlyArray<ClientSpec>): ClientSpec | undefined =>
  clients.find((spec) => spec.id === recommended)

/**
 * The targets of "Core v2" (issue 13), measured on `recommended`: against the Azure SDK and raw node:http
 * (the transport both run on), cold start and bundle size. Each variant of the recommended client (spans
 * recorded by a tracer, tracer off) is reported against the same limits, so tracing's cost shows.
 */
export const evaluateTargets = (
  clients: ReadonlyArray<ClientSpec>,
  measure: MeasureResult,
  cold: Record<string, ColdResult>,
  bundles: ReadonlyArray<BundleSize>
): Array<Target> => {
  const targets: Array<Target> = []
  const seq = measure.sequential
  const conc = measure.concurrent
  const azure = "azure-sdk"
  const push = (name: string, ours: number, theirs: number, limit: number, unit: string, atLeast = false) => {
    const value = ours / theirs
    targets.push({
      name,
      measured: `${value.toFixed(2)}x (${fmt(ours)} vs ${fmt(theirs)} ${unit})`,
      limit: `${atLeast ? ">=" : "<="} ${limit.toFixed(2)}x`,
      met: atLeast ? value >= limit : value <= limit
    })
  }
  const variants = clients.filter((spec) => spec.id === recommended || spec.id.startsWith(`${recommended}-`))
  if (seq[azure] !== undefined && conc[azure] !== undefined) {
    for (const spec of variants) {
      const id = spec.id
      push(`${spec.label}: sequential median vs the Azure SDK`, seq[id]!.p50, seq[azure]!.p50, 0.8, "µs")
      push(
        `${spec.label}: sequential CPU per call vs the Azure SDK`,
        seq[id]!.cpuPerCall,
        seq[azure]!.cpuPerCall,
        0.8,
        "µs"
      )
      push(
        `${spec.label}: concurrency 32 calls/s vs the Azure SDK`,
        conc[id]!.throughput,
        conc[azure]!.throughput,
        1.25,
        "calls/s",
        true
      )
      push(
        `${spec.label}: concurrency 32 CPU per call vs the Azure SDK`,
        conc[id]!.cpuPerCall,
        conc[azure]!.cpuPerCall,
        0.8,
        "µs"
      )
      push(
        `${spec.label}: sequential median vs raw node:http keep-alive`,
        seq[id]!.p50,
        seq["raw-node-http"]!.p50,
        1.5,
        "µs"
      )
    }
  }
  const azureCold = cold["azure"]
  const oursCold = cold[recommended]
  if (azureCold !== undefined && oursCold !== undefined) {
    push(
      "cold start, ours / NodeTransport: time to first response vs the Azure SDK",
      oursCold.firstResponseMs,
      azureCold.firstResponseMs,
      1,
      "ms"
    )
  }
  const oursBundle = bundles.find((bundle) => bundle.program === recommended)
  const theirsBundle = bundles.find((bundle) => bundle.program === "azure-identity")
  if (oursBundle !== undefined && theirsBundle !== undefined) {
    push(
      "bundle (gzip), ours / NodeTransport vs the Azure SDK + @azure/identity",
      oursBundle.gzip / 1024,
      theirsBundle.gzip / 1024,
      0.7,
      "KiB"
    )
  }
  return targets
}

const table = (header: ReadonlyArray<string>, rows: ReadonlyArray<ReadonlyArray<string>>, align?: string) =>
  [
    `| ${header.join(" | ")} |`,
    align ?? `|${header.map((_, i) => (i === 0 ? " --- " : " ---: ")).join("|")}|`,
    ...rows.map((row) => `| ${row.join(" | ")} |`)
  ].join("\n")

const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`

/** The reference row under one of ours: the same transport as a plain Effect HttpClient. */
const platformFor = (clients: ReadonlyArray<ClientSpec>, ours: ClientSpec): ClientSpec | undefined =>
  clients.find((spec) => spec.id === ours.id.replace(/^ours-/, "platform-").replace(/-(notrace|traced)$/, "")) ??
    clients.find((spec) => spec.kind === "platform" && spec.transport === ours.transport)

/** The row under the platform one: the raw call on the same transport inside `Effect.async`, the Effect runtime alone. */
const effectFor = (clients: ReadonlyArray<ClientSpec>, ours: ClientSpec): ClientSpec | undefined =>
  clients.find((spec) => spec.kind === "effect" && spec.transport === ours.transport)

/** Buckets of self time, for "where the time goes". */
const bucketOf = (pkg: string, name: string, where: string): string => {
  if (name === "(garbage collector)") return "garbage collection"
  if (pkg === "(native / VM)") {
    return /^(writev|writeUtf8String|writeBuffer|read|close|connect)/.test(name) || name === "dispatch"
      ? "transport syscalls / native I/O"
      : "VM / native (program, microtasks, JSON.parse, ...)"
  }
  if (pkg === "undici" || pkg === "node (built-in)" || pkg === "@effect/platform-node" || pkg === "wasm") {
    return "transport (undici / node:http / streams)"
  }
  if (pkg.startsWith("wasm")) return "transport (undici / node:http / streams)"
  if (pkg === "effect") {
    if (/internal\/tracer\.js|Tracer\.js/.test(where) || /Span|span/.test(name)) return "tracing (spans)"
    if (/Schema|ParseResult|SchemaAST/.test(where)) return "effect/Schema (input and response decoding)"
    return "Effect runtime (fibers, scheduling, FiberRefs, Context)"
  }
  if (pkg === "@effect/platform") return "@effect/platform HttpClient (request, headers, response)"
  if (pkg.startsWith("@effect-acs/")) return "our library code (@effect-acs/*)"
  return "other"
}

const whereTheTimeGoes = (summary: ProfileSummary, all: ProfileSummary["topFunctions"]) => {
  const buckets = new Map<string, number>()
  for (const entry of all) {
    const bucket = bucketOf(entry.pkg, entry.name, entry.where)
    buckets.set(bucket, (buckets.get(bucket) ?? 0) + entry.ms)
  }
  return [...buckets].sort((a, b) => b[1] - a[1]).map(([bucket, ms]) => [
    bucket,
    `${fmt(ms, 1)} ms`,
    `${((ms / summary.totalMs) * 100).toFixed(1)}%`
  ])
}

/** Per-call cost, layer by layer, on the transport of our fastest Node client, from this run's rows. */
const decomposition = (results: Results, best: ClientSpec): Array<string> => {
  const seq = results.measure.sequential
  const conc = results.measure.concurrent
  const present = (id: string) => seq[id] !== undefined && conc[id] !== undefined
  const raw = baseline(best)
  const platform = platformFor(results.clients, best)
  const notrace = results.clients.find((spec) => spec.id === `${best.id}-notrace`)
  const rows: Array<Array<string>> = []
  const step = (label: string, from: string, to: string) => {
    if (!present(from) || !present(to)) return
    rows.push([
      label,
      `${fmt(seq[to]!.p50 - seq[from]!.p50)}`,
      `${fmt(seq[to]!.cpuPerCall - seq[from]!.cpuPerCall)}`,
      `${fmt(conc[to]!.cpuPerCall - conc[from]!.cpuPerCall)}`
    ])
  }
  rows.push([
    `${raw} (the transport itself)`,
    fmt(seq[raw]!.p50),
    fmt(seq[raw]!.cpuPerCall),
    fmt(conc[raw]!.cpuPerCall)
  ])
  const effect = effectFor(results.clients, best)
  if (platform !== undefined) {
    if (effect !== undefined && present(effect.id)) {
      step(`+ the Effect runtime (${effect.id} - ${raw})`, raw, effect.id)
      step(`+ @effect/platform HttpClient and NodeTransport (${platform.id} - ${effect.id})`, effect.id, platform.id)
    } else {
      step(`+ @effect/platform HttpClient (${platform.id} - ${raw})`, raw, platform.id)
    }
    step(`+ our library, spans on (${best.id} - ${platform.id})`, platform.id, best.id)
  } else {
    step(`+ @effect/platform and our library (${best.id} - ${raw})`, raw, best.id)
  }
  if (notrace !== undefined) {
    step(`  of which tracing, both spans (${best.id} - ${notrace.id})`, notrace.id, best.id)
  }
  rows.push(["= ours", fmt(seq[best.id]!.p50), fmt(seq[best.id]!.cpuPerCall), fmt(conc[best.id]!.cpuPerCall)])
  rows.push([
    "Azure SDK, for reference",
    fmt(seq["azure-sdk"]!.p50),
    fmt(seq["azure-sdk"]!.cpuPerCall),
    fmt(conc["azure-sdk"]!.cpuPerCall)
  ])
  return [
    "## Where the time goes, layer by layer",
    "",
    `Our recommended Node client, **${best.label}**, against the rows of this run that peel it layer by layer ` +
    "(differences of medians and of CPU per call; the noisier the machine, the rougher the differences):",
    "",
    table(["Layer", "Sequential median µs", "Sequential CPU/call µs", "Concurrency-32 CPU/call µs"], rows),
    ""
  ]
}

/** The floor under our client: @effect/platform alone on the same transport, from this run. */
const floor = (results: Results, best: ClientSpec): Array<string> => {
  const platform = platformFor(results.clients, best)
  const seq = results.measure.sequential
  const conc = results.measure.concurrent
  if (platform === undefined || seq["azure-sdk"] === undefined) return []
  const raw = baseline(best)
  const effect = effectFor(results.clients, best)
  const runtime = effect === undefined || seq[effect.id] === undefined || conc[effect.id] === undefined
    ? []
    : [
      `- **Under it, the Effect runtime.** ${effect.label}, the raw call inside \`Effect.async\` and nothing else, ` +
      `is at ${ratio(seq[effect.id]!.p50, seq[raw]!.p50)} of ${raw}'s median, and against the Azure SDK at ` +
      `${ratio(seq[effect.id]!.p50, seq["azure-sdk"]!.p50)} of its median and ` +
      `${ratio(seq[effect.id]!.cpuPerCall, seq["azure-sdk"]!.cpuPerCall)} of its CPU sequentially, ` +
      `${ratio(conc[effect.id]!.cpuPerCall, conc["azure-sdk"]!.cpuPerCall)} of its CPU at concurrency 32: what ` +
      "any Effect client pays per call before it sends a byte of its own.",
      ""
    ]
  return [
    `- **The floor is @effect/platform's HttpClient.** In this run, ${platform.label} alone, with no library on top, ` +
    `is at ${ratio(seq[platform.id]!.p50, seq[raw]!.p50)} of ${raw}'s median, and against the Azure SDK at ` +
    `${ratio(seq[platform.id]!.p50, seq["azure-sdk"]!.p50)} of its median and ` +
    `${ratio(seq[platform.id]!.cpuPerCall, seq["azure-sdk"]!.cpuPerCall)} of its CPU sequentially, ` +
    `${ratio(conc[platform.id]!.p50, conc["azure-sdk"]!.p50)} and ` +
    `${ratio(conc[platform.id]!.cpuPerCall, conc["azure-sdk"]!.cpuPerCall)} at concurrency 32. Where those are ` +
    "above the targets (1.5x of raw; 0.8x of the Azure SDK), no change inside our library alone can meet " +
    "them: this row is NodeTransport on the platform's own `HttpClient.make` path (tracing on), and our client " +
    "runs NodeTransport's lean path, so the difference between the two rows is our library minus what that path saves.",
    "",
    ...runtime
  ]
}

/**
 * Cold start and bundle size, layer by layer: the Effect runtime alone, @effect/platform's HttpClient over its
 * smallest transport (bundle only) and over NodeTransport, then our library, each against the Azure SDK.
 */
const coldLayers = (results: Results): Array<string> => {
  const azure = results.cold["azure"]
  const theirs = results.bundles.find((bundle) => bundle.program === "azure-identity")
  const layers: ReadonlyArray<readonly [id: string, label: string]> = [
    ["effect-node-http", "the Effect runtime, a call over node:http in `Effect.async`"],
    [
      "platform-fetch",
      "(bundle only) + @effect/platform's HttpClient over FetchHttpClient, its smallest transport (no library)"
    ],
    ["platform-node-transport", "+ @effect/platform's HttpClient and NodeTransport (no library)"],
    [recommended, "+ our library (core, schema): ours / NodeTransport"]
  ]
  if (azure === undefined || results.cold[recommended] === undefined) return []
  const rows = layers.map(([id, label]) => {
    const cold = results.cold[id]
    const bundle = results.bundles.find((entry) => entry.program === id)
    return [
      label,
      cold === undefined ? "" : fmt(cold.firstResponseMs),
      cold === undefined ? "" : ratio(cold.firstResponseMs, azure.firstResponseMs),
      cold === undefined ? "" : fmt(cold.firstResponseCpuMs),
      cold === undefined ? "" : ratio(cold.firstResponseCpuMs, azure.firstResponseCpuMs),
      bundle === undefined ? "" : kib(bundle.gzip),
      bundle === undefined || theirs === undefined ? "" : ratio(bundle.gzip, theirs.gzip)
    ]
  })
  return [
    "Cold start and bundle, layer by layer (medians of this run; the targets are <= 1.00x and <= 0.70x):",
    "",
    table(
      [
        "Layer",
        "First response ms",
        "vs Azure SDK",
        "CPU ms at first response",
        "vs Azure SDK",
        "Bundle gzip",
        "vs Azure SDK + identity"
      ],
      rows
    ),
    ""
  ]
}

/** Cold start, from this run: where ours spends its extra milliseconds against the Azure SDK. */
const coldFindings = (results: Results): Array<string> => {
  const azure = results.cold["azure"]
  const lines: Array<string> = []
  if (azure === undefined) return lines
  for (const { id, label } of results.coldPrograms.filter(({ id }) => id.startsWith("ours-"))) {
    const ours = results.cold[id]!
    const bundle = results.bundles.find((entry) => entry.program === id)
    lines.push(
      `- **${label}**: loading ${fmt(ours.loadedCpuMs - azure.loadedCpuMs)} ms CPU more than the Azure SDK ` +
        `(${bundle === undefined ? "" : `${kib(bundle.raw)} to parse and evaluate; `}` +
        `${fmt(ours.loadedCpuMs)} against ${fmt(azure.loadedCpuMs)} ms), then ` +
        `${fmt(ours.firstResponseCpuMs - ours.loadedCpuMs)} ms CPU from loaded to the first response against ` +
        `${fmt(azure.firstResponseCpuMs - azure.loadedCpuMs)} ms (the first run of the Effect runtime and of the ` +
        "Schema parsers)."
    )
  }
  return [
    ...coldLayers(results),
    "Cold start, from this run's table:",
    "",
    ...lines,
    "- `effect` is 87% of our bundle (the runtime, `effect/Schema`, and the Stream/Channel machinery",
    "  `@effect/platform`'s response type pulls in); `layerUndici` adds the `undici` package (about 520 KiB) where",
    "  FetchHttpClient uses the copy built into Node, which itself loads lazily on the first fetch.",
    ""
  ]
}

export const markdown = (results: Results, allFunctions: ProfileSummary["topFunctions"] | undefined): string => {
  const { clients, config, machine, measure } = results
  const specOf = (id: string) => clients.find((spec) => spec.id === id)!
  const seq = measure.sequential
  const conc = measure.concurrent
  const azure = "azure-sdk"
  const lines: Array<string> = []
  const push = (...text: Array<string>) => lines.push(...text)

  push(
    "# Benchmark results",
    "",
    "Generated by `pnpm bench` (`bench/src/main.ts`); do not edit by hand. How to read it: `bench/README.md`.",
    "",
    table(["", ""], [
      ["CPU", machine.cpu],
      ["Cores", String(machine.cores)],
      ["Memory", `${machine.memoryGiB.toFixed(1)} GiB`],
      ["Node", machine.node],
      ["OS", machine.os],
      ["Date", machine.date],
      ["Command", `\`${machine.command}\``],
      ["Load average at start (1/5/15 min)", machine.loadAverage.map((value) => value.toFixed(2)).join(" / ")],
      ["Duration", `${results.durationSeconds.toFixed(0)} s`],
      [
        "Requests checked",
        `${fmt(measure.requestsChecked)} in the latency/throughput phases and ${results.coldCallsChecked} cold-start ` +
        "calls; the server's count equalled the calls made, client by client"
      ]
    ], "| --- | --- |"),
    "",
    "## Targets",
    "",
    table(
      ["Target", "Measured", "Limit", "Met"],
      results.targets.map((target) => [target.name, target.measured, target.limit, target.met ? "yes" : "**no**"]),
      "| --- | ---: | ---: | :---: |"
    ),
    ""
  )

  push(
    "## Sequential latency",
    "",
    `${config.seqRounds} rounds x ${config.seqBatch} back-to-back calls per client (${
      fmt(config.seqRounds * config.seqBatch)
    } timed calls each) after ${config.warmupRounds} warm-up round(s); each client in a process of its own, one batch at a time, ` +
      "order rotated each round. " +
      "CPU per call = process CPU (user + system, GC threads included) over each batch / calls. " +
      "Ratios: to the raw transport the client runs on, and to the Azure SDK.",
    "",
    table(
      [
        "Client",
        "Transport",
        "Median µs",
        "p90 µs",
        "p99 µs",
        "CPU/call µs",
        "Median vs raw",
        "CPU vs raw",
        "Median vs Azure SDK",
        "CPU vs Azure SDK"
      ],
      clients.map((spec) => {
        const row = seq[spec.id]!
        const base = seq[baseline(spec)]!
        return [
          spec.label,
          spec.transport,
          fmt(row.p50),
          fmt(row.p90),
          fmt(row.p99),
          fmt(row.cpuPerCall),
          ratio(row.p50, base.p50),
          ratio(row.cpuPerCall, base.cpuPerCall),
          ratio(row.p50, seq[azure]!.p50),
          ratio(row.cpuPerCall, seq[azure]!.cpuPerCall)
        ]
      })
    ),
    "",
    "## Concurrency 32",
    "",
    `${config.concRounds} rounds x ${config.concBatch} calls per client, 32 in flight (each of the 32 workers on its own ` +
      `resource: our client serialises calls per resource by design), after ${config.concWarmupRounds} warm-up round(s). ` +
      "Throughput = calls / wall time of the batches. Server busy = the server process's CPU / wall time during the " +
      "client's busiest batch (below 100% means the server was not the bottleneck).",
    "",
    table(
      [
        "Client",
        "Calls/s",
        "CPU/call µs",
        "p50 µs",
        "p99 µs",
        "Calls/s vs raw",
        "CPU vs raw",
        "Calls/s vs Azure SDK",
        "CPU vs Azure SDK",
        "Server busy"
      ],
      clients.map((spec) => {
        const row = conc[spec.id]!
        const base = conc[baseline(spec)]!
        return [
          spec.label,
          fmt(row.throughput),
          fmt(row.cpuPerCall),
          fmt(row.p50),
          fmt(row.p99),
          ratio(row.throughput, base.throughput),
          ratio(row.cpuPerCall, base.cpuPerCall),
          ratio(row.throughput, conc[azure]!.throughput),
          ratio(row.cpuPerCall, conc[azure]!.cpuPerCall),
          `${(row.serverBusy * 100).toFixed(0)}%`
        ]
      })
    ),
    "",
    "Clients:",
    "",
    ...clients.map((spec) => `- **${spec.label}** (\`${spec.id}\`): ${spec.note}.`),
    ""
  )

  const coldAzure = results.cold["azure"]
  push(
    "## Cold start",
    "",
    `Median of ${config.coldRuns} fresh \`node\` processes per program (interleaved), each running an esbuild bundle ` +
      "(minified ESM, no tsx) that imports the client and makes one call. Loaded = modules evaluated; first response = " +
      "the call's result in hand; both measured in the child from process start (`performance.now()`), with the " +
      "process CPU (user + system) at both points, which a busy machine distorts less than wall time. Wall = spawn " +
      "to exit, measured by the parent (Node's global fetch keeps the process alive for a while after the response).",
    "",
    table(
      [
        "Program",
        "Bundle",
        "Loaded ms",
        "First response ms",
        "Wall ms",
        "CPU ms at load",
        "CPU ms at first response",
        "First response vs Azure SDK",
        "Wall vs Azure SDK",
        "CPU vs Azure SDK"
      ],
      results.coldPrograms.map(({ id, label }) => {
        const row = results.cold[id]!
        const size = results.bundles.find((bundle) => bundle.program === id)
        return [
          label,
          size === undefined ? "" : kib(size.raw),
          fmt(row.loadedMs),
          fmt(row.firstResponseMs),
          fmt(row.wallMs),
          fmt(row.loadedCpuMs),
          fmt(row.firstResponseCpuMs),
          coldAzure === undefined ? "" : ratio(row.firstResponseMs, coldAzure.firstResponseMs),
          coldAzure === undefined ? "" : ratio(row.wallMs, coldAzure.wallMs),
          coldAzure === undefined ? "" : ratio(row.firstResponseCpuMs, coldAzure.firstResponseCpuMs)
        ]
      })
    ),
    ""
  )

  const ours = results.bundles.find((bundle) => bundle.program === recommended)
  const theirs = results.bundles.find((bundle) => bundle.program === "azure-identity")
  push(
    "## Bundle size",
    "",
    "esbuild: bundle, minify, platform node, format esm, target node20, `conditions: [\"source\"]`; gzip with " +
      "node:zlib defaults (level 6).",
    "",
    table(
      ["Program", "Modules", "Raw", "gzip", "Raw vs Azure SDK + identity", "gzip vs Azure SDK + identity"],
      results.bundles.map((bundle) => [
        bundle.program === recommended
          ? "**ours: core + NodeTransport + static credential**"
          : bundle.program === "azure-identity"
          ? "**Azure SDK: arm-communication + identity (DefaultAzureCredential)**"
          : bundle.program,
        fmt(bundle.moduleCount),
        kib(bundle.raw),
        kib(bundle.gzip),
        theirs === undefined ? "" : ratio(bundle.raw, theirs.raw),
        theirs === undefined ? "" : ratio(bundle.gzip, theirs.gzip)
      ])
    ),
    ""
  )
  if (ours !== undefined) {
    push(
      `What our bundle (${recommended}) contains, by package (minified bytes, esbuild metafile):`,
      "",
      table(
        ["Package", "Bytes", "Share"],
        ours.packages.map((entry) => [entry.name, fmt(entry.bytes), `${((entry.bytes / ours.raw) * 100).toFixed(1)}%`])
      ),
      "",
      "Its largest modules:",
      "",
      table(["Module", "Bytes"], ours.modules.slice(0, 12).map((entry) => [entry.name, fmt(entry.bytes)])),
      ""
    )
  }
  if (theirs !== undefined) {
    push(
      "The Azure SDK bundle, by package (top 10):",
      "",
      table(["Package", "Bytes"], theirs.packages.slice(0, 10).map((entry) => [entry.name, fmt(entry.bytes)])),
      ""
    )
  }

  const profile = results.profile
  const best = recommendedSpec(clients)
  if (best !== undefined) {
    push(...decomposition(results, best), ...floor(results, best), ...coldFindings(results))
  }
  if (profile !== undefined) {
    push(
      "## Where the time goes (profile of our client)",
      "",
      `${fmt(profile.calls)} sequential calls through **${
        specOf(profile.client).label
      }** (the recommended Node transport), V8 sampling profiler (100 µs) started after a warm-up: ${
        fmt(profile.wallPerCallMicros)
      } µs wall ` +
        `and ${fmt(profile.cpuPerCallMicros)} µs CPU per call while profiled. Profile: \`${profile.file}\` (open in ` +
        "Chrome DevTools). Self time on the main thread; idle excluded. Time spent in a syscall includes time the " +
        "thread was descheduled there, which on a busy 2-core machine inflates `writev`.",
      "",
      table(
        ["Package", "Self ms", "Share"],
        profile.summary.byPackage.map((entry) => [entry.name, fmt(entry.ms, 1), `${(entry.share * 100).toFixed(1)}%`])
      ),
      ""
    )
    if (allFunctions !== undefined) {
      push(
        "By kind of work:",
        "",
        table(["Work", "Self ms", "Share"], whereTheTimeGoes(profile.summary, allFunctions)),
        ""
      )
    }
    push(
      "Top self-time functions:",
      "",
      table(
        ["Function", "Package", "Where", "Self ms", "Share"],
        profile.summary.topFunctions.slice(0, 20).map((entry) => [
          `\`${entry.name}\``,
          entry.pkg,
          entry.where === "" ? "" : `\`${entry.where}\``,
          fmt(entry.ms, 1),
          `${(entry.share * 100).toFixed(1)}%`
        ])
      ),
      ""
    )
  }
  return lines.join("\n")
}
