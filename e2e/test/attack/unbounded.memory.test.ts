/**
 * Class 3 of issue 11, memory: a client reading an endless body, a 512 MiB body or a gzip bomb inflating to
 * 2 GiB keeps its process's peak RSS under 300 MB, on every transport. The client runs in a child process
 * (child/read-body.ts) so that its `maxRSS` is its own; the hostile server runs here.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as ChildProcess from "node:child_process"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import * as Server from "./server.js"
import { transports } from "./support.js"

const MiB = 1024 * 1024

const here = path.dirname(fileURLToPath(import.meta.url))
const e2eRoot = path.resolve(here, "../..")
const childScript = path.join(here, "child", "read-body.ts")
const rssLimitMb = 300

interface ChildReport {
  readonly watchdog: boolean
  readonly outcome: string
  /** kilobytes */
  readonly maxRSS: number
}

const runChild = (transport: string, url: string) =>
  Effect.async<ChildReport>((resume) => {
    const child = ChildProcess.spawn(
      process.execPath,
      ["--conditions=source", "--import", "tsx", childScript, transport, url, String(2 * rssLimitMb)],
      { cwd: e2eRoot, stdio: ["ignore", "pipe", "pipe"] }
    )
    let stdout = ""
    let stderr = ""
    child.stdout.on("data", (chunk) => (stdout += chunk))
    child.stderr.on("data", (chunk) => (stderr += chunk))
    const guard = setTimeout(() => child.kill("SIGKILL"), 40_000)
    child.once("exit", (code, signal) => {
      clearTimeout(guard)
      const line = stdout.trim().split("\n").pop() ?? ""
      try {
        resume(Effect.succeed(JSON.parse(line) as ChildReport))
      } catch {
        resume(Effect.succeed({
          watchdog: false,
          outcome: `the child ended (${code ?? signal}) without a report: ${stderr.slice(0, 500)}`,
          maxRSS: 0
        }))
      }
    })
    return Effect.sync(() => child.kill("SIGKILL"))
  })

describe.each(transports)("memory stays bounded in a child process over $name", (transport) => {
  const bodies: ReadonlyArray<readonly [string, Server.Handler]> = [
    ["an endless body", (_, response) => Server.bulk(response, { prefix: "{\"primaryKey\":\"", total: Infinity })],
    ["a 512 MiB body", (_, response) => Server.bulk(response, { prefix: "{\"primaryKey\":\"", total: 512 * MiB })],
    ["a gzip bomb inflating to 2 GiB", (_, response) => Server.gzipBomb(response, { inflatedBytes: 2048 * MiB })]
  ]
  for (const [name, handler] of bodies) {
    it.live(`${name}: BodyTooLarge, and the peak RSS stays under ${rssLimitMb} MB`, () =>
      Effect.scoped(Effect.gen(function*() {
        const server = yield* Server.make(handler)
        const report = yield* runChild(transport.name, server.url)
        const peakMb = Math.round(report.maxRSS / 1024)
        assert.isFalse(report.watchdog, `the child passed ${2 * rssLimitMb} MB of RSS: ${report.outcome}`)
        assert.isAbove(report.maxRSS, 0, report.outcome)
        assert.isBelow(peakMb, rssLimitMb, `peak RSS ${peakMb} MB (${report.outcome})`)
        assert.strictEqual(report.outcome, "UnexpectedResponse/BodyTooLarge/200")
      })))
  }
})
