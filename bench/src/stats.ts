/** Small statistics and formatting helpers shared by the harness and the report. */
import * as Http from "node:http"

/** The q-quantile (0..1) of sorted values, by linear interpolation. */
export const quantile = (sorted: ReadonlyArray<number>, q: number): number => {
  if (sorted.length === 0) return Number.NaN
  const position = (sorted.length - 1) * q
  const lower = Math.floor(position)
  const upper = Math.ceil(position)
  const a = sorted[lower]!
  const b = sorted[upper]!
  return a + (b - a) * (position - lower)
}

export const median = (values: ReadonlyArray<number>): number => quantile([...values].sort((a, b) => a - b), 0.5)

export const sum = (values: ReadonlyArray<number>): number => values.reduce((total, value) => total + value, 0)

/** Server-side state, read with a connection of its own (never one of a client under test). */
export interface ServerCount {
  readonly counts: Record<string, number>
  readonly unmatched: number
  readonly cpuMicros?: number
}

export const serverRequest = (port: number, method: "GET" | "POST", path: string): Promise<string> =>
  new Promise((resolve, reject) => {
    const request = Http.request({ host: "127.0.0.1", port, method, path, agent: false }, (response) => {
      let text = ""
      response.setEncoding("utf8")
      response.on("data", (chunk: string) => {
        text += chunk
      })
      response.on("end", () => resolve(text))
      response.on("error", reject)
    })
    request.on("error", reject)
    request.end()
  })

export const serverCount = async (port: number): Promise<ServerCount> =>
  JSON.parse(await serverRequest(port, "GET", "/count")) as ServerCount

export const fmt = (value: number, digits = 0): string =>
  Number.isFinite(value)
    ? value.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits })
    : "n/a"

export const ratio = (value: number, base: number): string =>
  Number.isFinite(value) && Number.isFinite(base) && base > 0 ? `${(value / base).toFixed(2)}x` : "n/a"
