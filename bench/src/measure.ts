/**
 * Latency and throughput: every client in a worker process of its own (`worker.ts`, run from its esbuild
 * bundle `build/bundles/worker.mjs`, built by `main.ts`), driven batch by batch
 * over IPC, interleaved in rotating order so that drift of a shared machine spreads over all clients alike,
 * while only one client runs at a time.
 *
 * Sequential: each round runs every client for a batch of back-to-back calls; each call is timed, and the
 * worker's CPU (user + system) over the batch divided by its calls is the CPU per call. Concurrent: each round
 * runs every client for a batch of calls kept `concurrency` in flight, each worker on its own resource (our
 * client serialises calls per resource, by design). After each phase the server's per-client request counts
 * must equal the calls made.
 */
import * as ChildProcess from "node:child_process"
import type { ClientSpec } from "./clients.js"
import { quantile, serverCount, serverRequest, sum } from "./stats.js"
import type { BatchResult, Reply, Request } from "./worker.js"

export interface Config {
  readonly port: number
  readonly warmupRounds: number
  readonly seqRounds: number
  readonly seqBatch: number
  readonly concWarmupRounds: number
  readonly concRounds: number
  readonly concBatch: number
  readonly concurrency: number
}

export interface SeqResult {
  readonly calls: number
  readonly p50: number
  readonly p90: number
  readonly p99: number
  readonly mean: number
  readonly cpuPerCall: number
  readonly batchMedians: ReadonlyArray<number>
}

export interface ConcResult {
  readonly calls: number
  readonly throughput: number
  readonly cpuPerCall: number
  readonly p50: number
  readonly p99: number
  readonly serverBusy: number
}

export interface MeasureResult {
  readonly sequential: Record<string, SeqResult>
  readonly concurrent: Record<string, ConcResult>
  readonly requestsChecked: number
}

interface Worker {
  readonly spec: ClientSpec
  readonly run: (request: Request) => Promise<BatchResult>
  readonly close: () => Promise<void>
}

const spawnWorker = (spec: ClientSpec, port: number, cwd: string): Promise<Worker> =>
  new Promise((resolve, reject) => {
    const child = ChildProcess.spawn(process.execPath, ["build/bundles/worker.mjs", spec.id, String(port)], {
      cwd,
      stdio: ["ignore", "inherit", "inherit", "ipc"]
    })
    let pending: { resolve: (result: BatchResult) => void; reject: (error: Error) => void } | undefined
    const exited = new Promise<void>((done) => child.once("exit", () => done()))
    child.once("exit", (code) => {
      const error = new Error(`worker ${spec.id} exited with ${code}`)
      pending?.reject(error)
      reject(error)
    })
    child.on("message", (reply: Reply) => {
      switch (reply._tag) {
        case "Ready":
          return resolve({
            spec,
            run: (request) =>
              new Promise<BatchResult>((resolve, reject) => {
                pending = { resolve, reject }
                child.send(request)
              }),
            close: () => {
              if (child.connected) child.send({ _tag: "Close" } satisfies Request)
              return exited
            }
          })
        case "Batch":
          pending?.resolve(reply.result)
          pending = undefined
          return
        case "Failed":
          pending?.reject(new Error(`${spec.id}: ${reply.message}`))
          pending = undefined
          return
      }
    })
  })

const rotate = <A>(items: ReadonlyArray<A>, by: number): Array<A> => {
  const k = by % items.length
  return [...items.slice(k), ...items.slice(0, k)]
}

const sorted = (batches: ReadonlyArray<BatchResult>) =>
  batches.flatMap((batch) => batch.latencies).sort((a, b) => a - b)

export const run = async (
  specs: ReadonlyArray<ClientSpec>,
  config: Config,
  cwd: string,
  log: (line: string) => void
): Promise<MeasureResult> => {
  await serverRequest(config.port, "POST", "/reset")
  const workers = await Promise.all(specs.map((spec) => spawnWorker(spec, config.port, cwd)))
  log(`${workers.length} worker processes ready`)
  const expected = new Map<string, number>()
  const made = (id: string, calls: number) => expected.set(id, (expected.get(id) ?? 0) + calls)
  const checkCounts = async (phase: string) => {
    const server = await serverCount(config.port)
    const problems: Array<string> = []
    for (const [id, calls] of expected) {
      const seen = server.counts[id] ?? 0
      if (seen !== calls) problems.push(`${id}: ${calls} calls, ${seen} requests`)
    }
    for (const id of Object.keys(server.counts)) {
      if (!expected.has(id)) problems.push(`${id}: requests from no known client`)
    }
    if (server.unmatched !== 0) problems.push(`${server.unmatched} requests matched no route`)
    if (problems.length > 0) throw new Error(`request counts do not match after ${phase}: ${problems.join("; ")}`)
    return sum([...expected.values()])
  }

  try {
    const sequential = async (worker: Worker) => {
      const result = await worker.run({ _tag: "Sequential", calls: config.seqBatch })
      made(worker.spec.id, config.seqBatch)
      return result
    }
    const concurrent = async (worker: Worker) => {
      const before = (await serverCount(config.port)).cpuMicros ?? 0
      const result = await worker.run({
        _tag: "Concurrent",
        calls: config.concBatch,
        concurrency: config.concurrency
      })
      const after = (await serverCount(config.port)).cpuMicros ?? 0
      made(worker.spec.id, config.concBatch)
      return { ...result, serverBusy: (after - before) / 1000 / result.wall }
    }

    // warm-up (JIT, connections), not recorded
    for (let round = 0; round < config.warmupRounds; round++) {
      for (const worker of rotate(workers, round)) await sequential(worker)
    }
    await checkCounts("warm-up")

    const seqBatches = new Map<string, Array<BatchResult>>(specs.map((spec) => [spec.id, []]))
    for (let round = 0; round < config.seqRounds; round++) {
      for (const worker of rotate(workers, round)) seqBatches.get(worker.spec.id)!.push(await sequential(worker))
      if ((round + 1) % 5 === 0) log(`sequential round ${round + 1}/${config.seqRounds}`)
    }
    await checkCounts("the sequential phase")

    for (let round = 0; round < config.concWarmupRounds; round++) {
      for (const worker of rotate(workers, round)) await concurrent(worker)
    }
    const concBatches = new Map<string, Array<BatchResult & { serverBusy: number }>>(
      specs.map((spec) => [spec.id, []])
    )
    for (let round = 0; round < config.concRounds; round++) {
      for (const worker of rotate(workers, round)) concBatches.get(worker.spec.id)!.push(await concurrent(worker))
      log(`concurrent round ${round + 1}/${config.concRounds}`)
    }
    const requestsChecked = await checkCounts("the concurrent phase")

    const seqResults: Record<string, SeqResult> = {}
    const concResults: Record<string, ConcResult> = {}
    for (const spec of specs) {
      const seq = seqBatches.get(spec.id)!
      const all = sorted(seq)
      seqResults[spec.id] = {
        calls: all.length,
        p50: quantile(all, 0.5),
        p90: quantile(all, 0.9),
        p99: quantile(all, 0.99),
        mean: sum(all) / all.length,
        cpuPerCall: sum(seq.map((batch) => batch.cpu)) / all.length,
        batchMedians: seq.map((batch) => quantile([...batch.latencies].sort((a, b) => a - b), 0.5))
      }
      const conc = concBatches.get(spec.id)!
      const allConc = sorted(conc)
      concResults[spec.id] = {
        calls: allConc.length,
        throughput: allConc.length / (sum(conc.map((batch) => batch.wall)) / 1000),
        cpuPerCall: sum(conc.map((batch) => batch.cpu)) / allConc.length,
        p50: quantile(allConc, 0.5),
        p99: quantile(allConc, 0.99),
        serverBusy: Math.max(...conc.map((batch) => batch.serverBusy))
      }
    }
    return { sequential: seqResults, concurrent: concResults, requestsChecked }
  } finally {
    await Promise.all(workers.map((worker) => worker.close()))
  }
}
