/**
 * One client under test, in a process of its own (no JIT feedback, heap or GC threads shared with the other
 * clients). Started by `measure.ts` as `node build/bundles/worker.mjs <client id> <port>` (an esbuild bundle of
 * this file, workspace packages from their sources, no tsx); builds the client once, says `ready`, then runs the
 * batches it is asked for over IPC and answers with each call's latency and the process CPU (user + system) the
 * batch used.
 */
import type { Client } from "./clients.js"
import * as Clients from "./clients.js"

export type Request =
  | { readonly _tag: "Sequential"; readonly calls: number }
  | { readonly _tag: "Concurrent"; readonly calls: number; readonly concurrency: number }
  | { readonly _tag: "Close" }

export interface BatchResult {
  /** Microseconds, one per call, in completion order. */
  readonly latencies: ReadonlyArray<number>
  /** Process CPU (user + system) over the batch, microseconds. */
  readonly cpu: number
  /** Wall time of the batch, milliseconds. */
  readonly wall: number
}

export type Reply =
  | { readonly _tag: "Ready" }
  | { readonly _tag: "Batch"; readonly result: BatchResult }
  | { readonly _tag: "Failed"; readonly message: string }

const sequential = async (client: Client, calls: number) => {
  const latencies: Array<number> = []
  for (let i = 0; i < calls; i++) {
    const start = performance.now()
    await client.call("acs-0")
    latencies.push((performance.now() - start) * 1000)
  }
  return latencies
}

const concurrent = async (client: Client, calls: number, concurrency: number) => {
  const latencies: Array<number> = []
  let next = 0
  const worker = async (index: number) => {
    const service = `acs-${index}`
    while (next < calls) {
      next++
      const start = performance.now()
      await client.call(service)
      latencies.push((performance.now() - start) * 1000)
    }
  }
  await Promise.all(Array.from({ length: concurrency }, (_, index) => worker(index)))
  return latencies
}

const send = (reply: Reply) => process.send!(reply)

const main = async () => {
  const [id, port] = process.argv.slice(2)
  const spec = Clients.allSpecs.find((spec) => spec.id === id)
  if (spec === undefined || port === undefined) throw new Error(`usage: worker.ts <client id> <port> (got ${id})`)
  const client = await Clients.make(spec, Number(port))
  process.on("message", (request: Request) => {
    if (request._tag === "Close") {
      client.close().finally(() => process.exit(0))
      return
    }
    const cpu = process.cpuUsage()
    const start = performance.now()
    const run = request._tag === "Sequential"
      ? sequential(client, request.calls)
      : concurrent(client, request.calls, request.concurrency)
    run.then(
      (latencies) => {
        const wall = performance.now() - start
        const used = process.cpuUsage(cpu)
        send({ _tag: "Batch", result: { latencies, cpu: used.user + used.system, wall } })
      },
      (error: unknown) => send({ _tag: "Failed", message: String(error) })
    )
  })
  send({ _tag: "Ready" })
}

main().catch((error: unknown) => {
  console.error(error)
  process.exit(1)
})
