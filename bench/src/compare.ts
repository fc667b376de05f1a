/**
 * Before and after: the targets of two `pnpm bench` runs (each a `results.json`), side by side, and the
 * layer-by-layer breakdown of the recommended client in each. Every figure is a ratio measured within its own
 * run (against the Azure SDK or raw node:http of that run), so two runs on a noisy machine stay comparable.
 *
 * `pnpm --filter @effect-acs/bench compare <before.json> <after.json> [<after2.json> ...]` prints markdown.
 */
import * as Fs from "node:fs"
import type { Results } from "./report.js"
import { recommended } from "./report.js"
import { fmt } from "./stats.js"

const files = process.argv.slice(2)
if (files.length < 2) {
  console.error("usage: compare <before.json> <after.json> [<after2.json> ...]")
  process.exit(2)
}
const runs = files.map((file) => ({ file, results: JSON.parse(Fs.readFileSync(file, "utf8")) as Results }))

const names = [...new Set(runs.flatMap(({ results }) => results.targets.map((target) => target.name)))]
const lines: Array<string> = []
lines.push(
  `| Target | Limit | ${
    runs.map(({ file, results }) => `${file} (${results.machine.date.slice(0, 16)})`).join(" | ")
  } |`,
  `| --- | ---: | ${runs.map(() => "---:").join(" | ")} |`
)
for (const name of names) {
  const limit = runs.map(({ results }) => results.targets.find((target) => target.name === name)?.limit).find(Boolean)
  const cells = runs.map(({ results }) => {
    const target = results.targets.find((entry) => entry.name === name)
    return target === undefined ? "" : `${target.measured.split(" ")[0]}${target.met ? " (met)" : ""}`
  })
  lines.push(`| ${name} | ${limit ?? ""} | ${cells.join(" | ")} |`)
}

lines.push(
  "",
  "Layer by layer (sequential median µs / sequential CPU per call µs / concurrency-32 CPU per call µs):",
  ""
)
lines.push(`| Layer | ${runs.map(({ file }) => file).join(" | ")} |`, `| --- | ${runs.map(() => "---:").join(" | ")} |`)
const rows: Array<[string, (results: Results) => string]> = [
  ["raw node:http keep-alive", (r) => triple(r, "raw-node-http")],
  ["NodeTransport as a plain Effect HttpClient (tracer on)", (r) => triple(r, "platform-node-transport")],
  ["ours / NodeTransport (tracer on)", (r) => triple(r, recommended)],
  ["ours / NodeTransport, spans recorded", (r) => triple(r, `${recommended}-traced`)],
  ["ours / NodeTransport, tracer off", (r) => triple(r, `${recommended}-notrace`)],
  ["Azure SDK", (r) => triple(r, "azure-sdk")]
]
for (const [label, cell] of rows) lines.push(`| ${label} | ${runs.map(({ results }) => cell(results)).join(" | ")} |`)
console.log(lines.join("\n"))

function triple(results: Results, id: string): string {
  const seq = results.measure.sequential[id]
  const conc = results.measure.concurrent[id]
  return seq === undefined || conc === undefined
    ? ""
    : `${fmt(seq.p50)} / ${fmt(seq.cpuPerCall)} / ${fmt(conc.cpuPerCall)}`
}
