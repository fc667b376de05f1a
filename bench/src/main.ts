/**
 * `pnpm bench`: one run of every benchmark, then `RESULTS.md` and `results.json`.
 *
 * 1. esbuild-bundles the server and the cold-start / bundle-size programs;
 * 2. starts the server (its own process) and one worker process per client (`measure.ts`, `worker.ts`):
 *    sequential latency and concurrency 32 for every client, interleaved, request counts checked after each
 *    phase;
 * 3. cold start of fresh processes, ours against the Azure SDK;
 * 4. when a target is missed, profiles our client over its fastest Node transport (`profile.ts`);
 * 5. writes the results and prints whether each target is met.
 */
import * as ChildProcess from "node:child_process"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import { fileURLToPath } from "node:url"
import type { BundleSize } from "./build.js"
import { bundle } from "./build.js"
import * as Clients from "./clients.js"
import type { ColdProgram } from "./coldstart.js"
import * as ColdStart from "./coldstart.js"
import type { CpuProfile, ProfileSummary } from "./cpuprofile.js"
import { summarize } from "./cpuprofile.js"
import type { Config } from "./measure.js"
import * as Measure from "./measure.js"
import type { ProfileResult, Results } from "./report.js"
import * as Report from "./report.js"
import { serverCount } from "./stats.js"

const benchDir = Path.resolve(Path.dirname(fileURLToPath(import.meta.url)), "..")
const buildDir = Path.join(benchDir, "build")
const started = performance.now()
const log = (line: string) =>
  console.log(`[bench ${((performance.now() - started) / 1000).toFixed(0).padStart(3)}s] ${line}`)

const quick = process.env["BENCH_QUICK"] === "1"
const config: Omit<Config, "port"> & { readonly coldRuns: number } = quick
  ? {
    warmupRounds: 1,
    seqRounds: 3,
    seqBatch: 100,
    concWarmupRounds: 1,
    concRounds: 2,
    concBatch: 320,
    concurrency: 32,
    coldRuns: 3
  }
  : {
    // 1,500 sequential and 1,024 concurrent calls per client before anything is recorded: the per-call figures
    // are the steady state of a warmed-up process (JIT-compiled, connections open), for every client alike;
    // cold start is measured apart, in fresh processes
    warmupRounds: 10,
    seqRounds: 14,
    seqBatch: 150,
    concWarmupRounds: 2,
    concRounds: 6,
    concBatch: 512,
    concurrency: 32,
    coldRuns: 15
  }

const node = (args: ReadonlyArray<string>, ipc: boolean) =>
  ChildProcess.spawn(process.execPath, args, {
    cwd: benchDir,
    stdio: ipc ? ["ignore", "inherit", "inherit", "ipc"] : ["ignore", "pipe", "inherit"]
  })

const startServer = async (file: string) => {
  const child = node([file], true)
  const port = await new Promise<number>((resolve, reject) => {
    child.once("message", (message: { port: number }) => resolve(message.port))
    child.once("exit", (code) => reject(new Error(`the server exited with ${code}`)))
  })
  return { child, port }
}

const runProfile = (port: number, client: string, calls: number) =>
  new Promise<ProfileResult & { readonly all: ProfileSummary["topFunctions"] }>((resolve, reject) => {
    const file = Path.join("build", "profile", `${client}.cpuprofile`)
    Fs.mkdirSync(Path.join(benchDir, "build", "profile"), { recursive: true })
    const child = node(
      ["--conditions=source", "--import", "tsx", "src/profile.ts", String(port), client, String(calls), "1", file],
      false
    )
    let stdout = ""
    child.stdout!.setEncoding("utf8")
    child.stdout!.on("data", (chunk: string) => {
      stdout += chunk
    })
    child.on("exit", (code) => {
      if (code !== 0) return reject(new Error(`profile.ts exited with ${code}`))
      const line = JSON.parse(stdout) as Omit<ProfileResult, "file" | "client"> & { transport: string }
      const profile = JSON.parse(Fs.readFileSync(Path.join(benchDir, file), "utf8")) as CpuProfile
      resolve({
        client,
        calls: line.calls,
        wallPerCallMicros: line.wallPerCallMicros,
        cpuPerCallMicros: line.cpuPerCallMicros,
        file: `bench/${file}`,
        summary: line.summary,
        all: summarize(profile, Number.POSITIVE_INFINITY).topFunctions
      })
    })
  })

const withoutAll = ({ all: _all, ...profile }: ProfileResult & { readonly all: unknown }): ProfileResult => profile

const coldPrograms: ReadonlyArray<ColdProgram & { readonly label: string }> = [
  { id: "node-baseline", label: "node, empty program (baseline)", args: ["-e", "0"], group: undefined },
  {
    id: "ours-fetch",
    label: "ours / FetchHttpClient",
    args: ["build/bundles/ours-fetch.mjs"],
    group: "cold-ours-fetch"
  },
  {
    id: "ours-node-http",
    label: "ours / NodeHttpClient keep-alive",
    args: ["build/bundles/ours-node-http.mjs"],
    group: "cold-ours-node-http"
  },
  {
    id: "ours-undici",
    label: "ours / layerUndici",
    args: ["build/bundles/ours-undici.mjs"],
    group: "cold-ours-undici"
  },
  {
    id: "ours-node-transport",
    label: "ours / NodeTransport",
    args: ["build/bundles/ours-node-transport.mjs"],
    group: "cold-ours-node-transport"
  },
  {
    id: "effect-node-http",
    label: "Effect.async / node:http (floor: the Effect runtime)",
    args: ["build/bundles/effect-node-http.mjs"],
    group: "cold-effect-node-http"
  },
  {
    id: "platform-node-transport",
    label: "Effect HttpClient / NodeTransport (floor: no library)",
    args: ["build/bundles/platform-node-transport.mjs"],
    group: "cold-platform-node-transport"
  },
  {
    id: "azure",
    label: "Azure SDK (static TokenCredential)",
    args: ["build/bundles/azure.mjs"],
    group: "cold-azure-sdk"
  }
]

const machine = (): Results["machine"] => ({
  cpu: Os.cpus()[0]?.model.trim() ?? "unknown",
  cores: Os.cpus().length,
  memoryGiB: Os.totalmem() / 1024 ** 3,
  node: process.version,
  os: `${Os.type()} ${Os.release()} ${Os.arch()}`,
  date: new Date().toISOString(),
  command: "pnpm bench (tsx --conditions=source src/main.ts, in bench/)",
  loadAverage: Os.loadavg()
})

const main = async () => {
  const machineInfo = machine()
  log(`${machineInfo.cpu}, ${machineInfo.cores} cores, Node ${machineInfo.node}${quick ? " (BENCH_QUICK)" : ""}`)
  Fs.rmSync(Path.join(buildDir, "bundles"), { recursive: true, force: true })

  log("bundling (esbuild)")
  const sizes: Array<BundleSize> = []
  for (
    const program of [
      "ours-fetch",
      "ours-node-http",
      "ours-undici",
      "ours-node-transport",
      "effect-node-http",
      "platform-fetch",
      "platform-node-transport",
      "azure",
      "azure-identity"
    ]
  ) {
    sizes.push(await bundle(`src/programs/${program}.ts`, `build/bundles/${program}.mjs`, benchDir))
  }
  await bundle("src/server.ts", "build/bundles/server.mjs", benchDir)
  // the client processes run a bundle too (not minified, so that stack traces stay readable): no tsx in them
  await bundle("src/worker.ts", "build/bundles/worker.mjs", benchDir, { minify: false })

  const server = await startServer("build/bundles/server.mjs")
  log(`server on 127.0.0.1:${server.port} (pid ${server.child.pid})`)
  try {
    log(`latency and throughput: ${Clients.specs.length} clients, interleaved`)
    const measure = await Measure.run(Clients.specs, { ...config, port: server.port }, benchDir, log)
    log(`request counts matched (${measure.requestsChecked} requests)`)

    log(`cold start: ${config.coldRuns} runs per program`)
    const cold = await ColdStart.measure(coldPrograms, config.coldRuns, server.port, benchDir)
    const counts = (await serverCount(server.port)).counts
    let coldCallsChecked = 0
    for (const program of coldPrograms) {
      if (program.group === undefined) continue
      const seen = counts[program.group] ?? 0
      // one unrecorded warm-up run per program, then the recorded runs
      if (seen !== config.coldRuns + 1) {
        throw new Error(`cold start ${program.id}: ${config.coldRuns + 1} calls, ${seen} requests`)
      }
      coldCallsChecked += seen
    }
    log(`cold start: request counts matched (${coldCallsChecked} requests)`)

    const targets = Report.evaluateTargets(Clients.specs, measure, cold, sizes)
    let profile: (ProfileResult & { readonly all: ProfileSummary["topFunctions"] }) | undefined
    const best = Report.recommendedSpec(Clients.specs)
    if (targets.some((target) => !target.met) && best !== undefined) {
      log(`a target is missed: profiling ${best.id}`)
      profile = await runProfile(server.port, best.id, quick ? 1000 : 3000)
    }

    const results: Results = {
      machine: machineInfo,
      config: { ...config, port: server.port },
      clients: Clients.specs,
      measure,
      cold,
      coldPrograms: coldPrograms.map(({ id, label }) => ({ id, label })),
      bundles: sizes,
      coldCallsChecked,
      targets,
      profile: profile === undefined ? undefined : withoutAll(profile),
      durationSeconds: (performance.now() - started) / 1000
    }
    Fs.writeFileSync(Path.join(benchDir, "results.json"), JSON.stringify(results, null, 2) + "\n")
    Fs.writeFileSync(Path.join(benchDir, "RESULTS.md"), Report.markdown(results, profile?.all) + "\n")
    log("wrote bench/RESULTS.md and bench/results.json")
    console.log("")
    console.log("Targets:")
    for (const target of targets) {
      console.log(`  [${target.met ? "met" : "MISSED"}] ${target.name}: ${target.measured} (limit ${target.limit})`)
    }
  } finally {
    server.child.kill()
  }
}

main().catch((error: unknown) => {
  console.error(error)
  process.exitCode = 1
})
