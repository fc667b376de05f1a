/**
 * Run in a child process by unbounded.test.ts: one `regenerateKey` against the URL given, over the transport
 * named, then one JSON line on stdout: how the call ended and the process's peak RSS. A watchdog ends the
 * process early (saying so) once its RSS passes the given ceiling, so that a client which reads a hostile body
 * whole cannot take the machine down with it.
 *
 *   node --conditions=source --import tsx read-body.ts <transport> <url> <ceiling MB>
 */
import { AzureCredential, CommunicationServices, NodeTransport } from "@effect-acs/core"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"

const [transportName = "", url = "", ceilingMb = "600"] = process.argv.slice(2)
const transports = {
  "FetchHttpClient.layer": FetchHttpClient.layer,
  "NodeHttpClient.layer": NodeHttpClient.layer,
  "NodeHttpClient.layerUndici": NodeHttpClient.layerUndici,
  "NodeTransport.layer": NodeTransport.layer
} as const
const transport = transports[transportName as keyof typeof transports]

const report = (fields: Record<string, unknown>) => {
  process.stdout.write(`${JSON.stringify({ ...fields, maxRSS: process.resourceUsage().maxRSS })}\n`)
}

const ceiling = Number(ceilingMb) * 1024 * 1024
const watchdog = setInterval(() => {
  if (process.memoryUsage.rss() > ceiling) {
    report({ watchdog: true, outcome: `still reading when the RSS passed ${ceilingMb} MB` })
    process.exit(0)
  }
}, 5)

const describe = (exit: Exit.Exit<unknown, unknown>): string => {
  if (Exit.isSuccess(exit)) return "success"
  const failure = Cause.failureOption(exit.cause)
  if (failure._tag === "Some") {
    const e = failure.value as Record<string, unknown>
    return [e._tag, e.reason, e.status].filter((x) => x !== undefined).join("/")
  }
  return `defect: ${Cause.pretty(exit.cause).split("\n")[0]}`
}

const program = CommunicationServices.regenerateKey({
  subscriptionId: "00000000-1111-4222-8333-444444444444",
  resourceGroupName: "rg-attack",
  communicationServiceName: "acs-attack",
  keyType: "Primary"
}).pipe(
  Effect.provide(
    CommunicationServices.layer({ endpoint: url, allowInsecureLoopback: true, retry: false, timeout: "20 seconds" })
      .pipe(Layer.provide(AzureCredential.static(Redacted.make("child-token"))), Layer.provide(transport))
  )
)

if (transport === undefined) {
  report({ outcome: `unknown transport ${transportName}` })
  process.exit(2)
}
void Effect.runPromiseExit(program).then((exit) => {
  clearInterval(watchdog)
  report({ watchdog: false, outcome: describe(exit) })
  process.exit(0)
})
