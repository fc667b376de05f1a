/**
 * Profiles our client: loops calls through it over one transport and records a CPU profile of the
 * measured part only (the V8 sampling profiler through `node:inspector`, the same profiler and
 * `.cpuprofile` format as `node --cpu-prof`, started after the warm-up so that start-up and
 * transpilation stay out of it). Writes the `.cpuprofile` (open it in Chrome DevTools) and prints a
 * JSON summary: self time by package and the top self-time functions.
 *
 * `node --conditions=source --import tsx src/profile.ts <port> <transport id> <calls> <concurrency> <out>`
 */
import * as Fs from "node:fs"
import * as Inspector from "node:inspector"
import * as Clients from "./clients.js"
import type { CpuProfile } from "./cpuprofile.js"
import { summarize } from "./cpuprofile.js"

const [portArg, transportId = "ours-undici", callsArg = "10000", concurrencyArg = "1", out = "profile.cpuprofile"] =
  process.argv.slice(2)
const port = Number(portArg)
const calls = Number(callsArg)
const concurrency = Number(concurrencyArg)

const post = <A>(session: Inspector.Session, method: string, params?: object) =>
  new Promise<A>((resolve, reject) =>
    session.post(method, params ?? {}, (error, result) => (error ? reject(error) : resolve(result as A)))
  )

const main = async () => {
  const spec = Clients.allSpecs.find((spec) => spec.id === transportId)
  if (spec === undefined) throw new Error(`unknown client ${transportId}`)
  const client = await Clients.make(spec, port)
  const loop = async (count: number) => {
    let next = 0
    await Promise.all(Array.from({ length: concurrency }, async (_, index) => {
      while (next < count) {
        next++
        await client.call(`acs-${index}`)
      }
    }))
  }
  await loop(Math.min(2000, calls))
  const session = new Inspector.Session()
  session.connect()
  await post(session, "Profiler.enable")
  await post(session, "Profiler.setSamplingInterval", { interval: 100 })
  await post(session, "Profiler.start")
  const cpu = process.cpuUsage()
  const start = performance.now()
  await loop(calls)
  const wall = performance.now() - start
  const used = process.cpuUsage(cpu)
  const { profile } = await post<{ profile: CpuProfile }>(session, "Profiler.stop")
  session.disconnect()
  await client.close()
  Fs.writeFileSync(out, JSON.stringify(profile))
  const summary = summarize(profile)
  console.log(JSON.stringify({
    transport: transportId,
    calls,
    concurrency,
    wallPerCallMicros: (wall * 1000) / calls,
    cpuPerCallMicros: (used.user + used.system) / calls,
    summary
  }))
}

main().catch((error: unknown) => {
  console.error(error)
  process.exit(1)
})
