/**
 * A quick in-process peel of the layers under our client, against the bench's server (started here as a
 * child process): raw node:http, NodeTransport's direct exchange run as an Effect, and our client, each in
 * interleaved batches of sequential calls; prints CPU and wall per call. Rough (one process, JIT shared):
 * for finding where the time goes, not for RESULTS.md.
 * `node --conditions=source --import tsx src/layers.ts [batches] [calls per batch]`
 */
import * as ChildProcess from "node:child_process"
import * as Path from "node:path"
import * as Clients from "./clients.js"

const batches = Number(process.argv[2] ?? "10")
const perBatch = Number(process.argv[3] ?? "1000")

const main = async () => {
  const server = ChildProcess.spawn(
    process.execPath,
    ["--conditions=source", "--import", "tsx", Path.join(import.meta.dirname, "server.ts")],
    { stdio: ["ignore", "pipe", "inherit", "ipc"] }
  )
  const port = await new Promise<number>((resolve) =>
    server.on("message", (message: { port?: number }) => message.port !== undefined && resolve(message.port))
  )
  const ids = ["raw-node-http", "azure-sdk", "ours-node-transport", "ours-node-transport-notrace"]
  const clients = await Promise.all(
    ids.map((id) => Clients.make(Clients.allSpecs.find((spec) => spec.id === id)!, port))
  )
  const totals = clients.map(() => ({ cpu: 0, wall: 0, calls: 0 }))
  for (let batch = 0; batch < batches; batch++) {
    for (let k = 0; k < clients.length; k++) {
      const index = (k + batch) % clients.length
      const client = clients[index]!
      const cpu = process.cpuUsage()
      const start = performance.now()
      for (let i = 0; i < perBatch; i++) await client.call("acs-0")
      const wall = performance.now() - start
      const used = process.cpuUsage(cpu)
      if (batch > 0) {
        totals[index]!.cpu += used.user + used.system
        totals[index]!.wall += wall * 1000
        totals[index]!.calls += perBatch
      }
    }
  }
  for (let k = 0; k < clients.length; k++) {
    const t = totals[k]!
    console.log(
      `${ids[k]!.padEnd(30)} cpu/call ${(t.cpu / t.calls).toFixed(0)} us  wall/call ${(t.wall / t.calls).toFixed(0)} us`
    )
  }
  await Promise.all(clients.map((client) => client.close()))
  server.kill()
}
main()
