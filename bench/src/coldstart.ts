/**
 * Cold start: fresh `node` processes running pre-bundled programs (no tsx), each importing a client and
 * making one call against the server. Runs are interleaved across programs (rotating order) so machine
 * drift spreads evenly.
 */
import * as ChildProcess from "node:child_process"
import { median } from "./stats.js"

export interface ColdProgram {
  readonly id: string
  readonly label: string
  /** Arguments to `node`; the port is appended. */
  readonly args: ReadonlyArray<string>
  /** The resource group its call uses (`undefined`: makes no call). */
  readonly group: string | undefined
}

export interface ColdResult {
  readonly runs: number
  readonly loadedMs: number
  readonly firstResponseMs: number
  readonly wallMs: number
  readonly loadedCpuMs: number
  readonly firstResponseCpuMs: number
}

type Run = Omit<ColdResult, "runs">

const runOnce = (program: ColdProgram, port: number, cwd: string): Promise<Run> =>
  new Promise((resolve, reject) => {
    const start = process.hrtime.bigint()
    const child = ChildProcess.spawn(process.execPath, [...program.args, String(port)], {
      cwd,
      stdio: ["ignore", "pipe", "inherit"]
    })
    let stdout = ""
    child.stdout.setEncoding("utf8")
    child.stdout.on("data", (chunk: string) => {
      stdout += chunk
    })
    child.on("error", reject)
    child.on("exit", (code) => {
      const wallMs = Number(process.hrtime.bigint() - start) / 1e6
      if (code !== 0) return reject(new Error(`${program.id} exited with ${code}: ${stdout}`))
      if (program.group === undefined) {
        return resolve({
          loadedMs: Number.NaN,
          firstResponseMs: Number.NaN,
          loadedCpuMs: Number.NaN,
          firstResponseCpuMs: Number.NaN,
          wallMs
        })
      }
      try {
        const line = JSON.parse(stdout.trim()) as Omit<Run, "wallMs"> & { ok: boolean }
        if (!line.ok) return reject(new Error(`${program.id}: no key in the response`))
        resolve({
          loadedMs: line.loadedMs,
          firstResponseMs: line.firstResponseMs,
          loadedCpuMs: line.loadedCpuMs,
          firstResponseCpuMs: line.firstResponseCpuMs,
          wallMs
        })
      } catch (error) {
        reject(new Error(`${program.id}: unreadable output ${JSON.stringify(stdout)}: ${String(error)}`))
      }
    })
  })

export const measure = async (
  programs: ReadonlyArray<ColdProgram>,
  runs: number,
  port: number,
  cwd: string
): Promise<Record<string, ColdResult>> => {
  const results = new Map<string, Array<Run>>(programs.map((program) => [program.id, []]))
  // one unrecorded round first: the bundles' pages into the OS cache
  for (const program of programs) await runOnce(program, port, cwd)
  for (let round = 0; round < runs; round++) {
    const k = round % programs.length
    for (const program of [...programs.slice(k), ...programs.slice(0, k)]) {
      results.get(program.id)!.push(await runOnce(program, port, cwd))
    }
  }
  const summary: Record<string, ColdResult> = {}
  for (const [id, list] of results) {
    summary[id] = {
      runs: list.length,
      loadedMs: median(list.map((run) => run.loadedMs)),
      firstResponseMs: median(list.map((run) => run.firstResponseMs)),
      wallMs: median(list.map((run) => run.wallMs)),
      loadedCpuMs: median(list.map((run) => run.loadedCpuMs)),
      firstResponseCpuMs: median(list.map((run) => run.firstResponseCpuMs))
    }
  }
  return summary
}
