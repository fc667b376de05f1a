/**
 * CLI start-up: the published `acs-keys` (packages/cli/build/bundle, built first) as fresh processes,
 * against `node -e 0`: `acs-keys --version`, and `acs-keys list` against the emulator (started in this
 * process, throttling off). Runs are interleaved (A B C A B C ...) so that machine drift spreads evenly;
 * each figure is the median wall time of RUNS runs (default 7), and each ratio is against `node -e 0`.
 *
 *   pnpm --filter @effect-acs/bench cli-startup [runs]
 *
 * Targets (issue 16): --version within 3x of `node -e 0`, list within 5x.
 */
import * as Emulator from "@effect-acs/emulator/Emulator"
import * as Effect from "effect/Effect"
import * as ChildProcess from "node:child_process"
import * as Path from "node:path"
import { fileURLToPath } from "node:url"
import { median } from "./stats.js"

const cliDirectory = Path.resolve(Path.dirname(fileURLToPath(import.meta.url)), "..", "..", "packages", "cli")
const bundle = Path.join(cliDirectory, "build", "bundle", "acs-keys.mjs")
const runs = Number(process.argv[2] ?? 7)
const resource = {
  subscriptionId: "00000000-0000-0000-0000-000000000000",
  resourceGroupName: "rg-bench",
  communicationServiceName: "acs-bench"
}

/** One run's wall time in milliseconds (it must exit 0); asynchronous, so the emulator here keeps answering. */
const time = (args: ReadonlyArray<string>): Effect.Effect<number> =>
  Effect.async<number>((resume) => {
    const start = process.hrtime.bigint()
    const child = ChildProcess.spawn(process.execPath, args, { stdio: ["ignore", "ignore", "pipe"] })
    let stderr = ""
    child.stderr.setEncoding("utf8").on("data", (text: string) => stderr += text)
    child.on("close", (code) => {
      const wall = Number(process.hrtime.bigint() - start) / 1e6
      resume(code === 0 ? Effect.succeed(wall) : Effect.dieMessage(`node ${args.join(" ")} exited ${code}: ${stderr}`))
    })
  })

const program = Effect.gen(function*() {
  ChildProcess.execFileSync("pnpm", ["--filter", "@effect-acs/cli", "bundle"], { stdio: "inherit" })
  const emulator = yield* Emulator.make({ resources: [resource], throttle: false })
  const cases = [
    { id: "node -e 0", args: ["-e", "0"], target: undefined },
    { id: "acs-keys --version", args: [bundle, "--version"], target: 3 },
    {
      id: "acs-keys list (emulator)",
      args: [
        bundle,
        "list",
        "-s",
        resource.subscriptionId,
        "-g",
        resource.resourceGroupName,
        "-n",
        resource.communicationServiceName,
        "--endpoint",
        emulator.url,
        "-o",
        "none"
      ],
      target: 5
    }
  ]
  const times = new Map(cases.map((c) => [c.id, [] as Array<number>]))
  // one unrecorded round: the files into the OS cache
  for (const c of cases) yield* time(c.args)
  for (let round = 0; round < runs; round++) {
    const k = round % cases.length
    for (const c of [...cases.slice(k), ...cases.slice(0, k)]) times.get(c.id)!.push(yield* time(c.args))
  }
  const baseline = median(times.get("node -e 0")!)
  const lines = [
    `CLI start-up, median of ${runs} runs (Node ${process.version}, ${new Date().toISOString().slice(0, 10)})`,
    "",
    "| command | median wall | vs node -e 0 | target |",
    "| --- | ---: | ---: | ---: |"
  ]
  let met = true
  for (const c of cases) {
    const ms = median(times.get(c.id)!)
    const ratio = ms / baseline
    if (c.target !== undefined && ratio > c.target) met = false
    lines.push(
      `| \`${c.id}\` | ${ms.toFixed(0)} ms | ${ratio.toFixed(2)}x | ${c.target === undefined ? "" : `${c.target}x`} |`
    )
  }
  console.log(lines.join("\n"))
  if (!met) process.exitCode = 1
})

Effect.runPromise(Effect.scoped(program)).catch((error) => {
  console.error(error)
  process.exitCode = 1
})
