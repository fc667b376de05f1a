/**
 * A fleet runner the kill tests spawn in a child process (`node --conditions=source --import tsx runner.ts`):
 * it rotates the fleet of `FLEET_FILE` (a JSON array of resource ids) in the run `RUN_ID` against the emulator
 * at `EMULATOR_URL`, with its journal at `JOURNAL` (a SQLite file, or a `postgres://` URL), and appends every key
 * it publishes, synchronously, to `PUBLISH_LOG` (one JSON line each: the test's stand-in for a secret store).
 * It prints one JSON line with its summary when it is done.
 */
import { AzureCredential, CommunicationServices, RetryPolicy } from "@effect-acs/core"
import { DurableFleet } from "@effect-acs/durable"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import { appendFileSync, readFileSync } from "node:fs"

const env = (name: string) => {
  const value = process.env[name]
  if (value === undefined || value === "") throw new Error(`${name} is not set`)
  return value
}

const journal = env("JOURNAL")
const ids = JSON.parse(readFileSync(env("FLEET_FILE"), "utf8")) as Array<string>
const log = env("PUBLISH_LOG")
const budget = process.env.BUDGET === undefined ? false : JSON.parse(process.env.BUDGET)

const client = CommunicationServices.layer({
  endpoint: env("EMULATOR_URL"),
  allowInsecureLoopback: true,
  retry: RetryPolicy.exponential({ baseDelay: "5 millis", maxDelay: "20 millis", maxRetryAfter: "1 second" })
}).pipe(Layer.provide(AzureCredential.static("emulator-token")), Layer.provide(NodeHttpClient.layer))

const engine = journal.startsWith("postgres://")
  ? DurableFleet.layerPg({ url: Redacted.make(journal) })
  : DurableFleet.layerSqlite({ filename: journal })

const program = DurableFleet.rotate(ids.map((resourceId) => ({ resourceId })), {
  runId: env("RUN_ID"),
  concurrency: Number(process.env.CONCURRENCY ?? "8"),
  budget,
  recoveryDelay: "20 millis",
  settle: "1 second",
  publish: (key) =>
    Effect.sync(() =>
      appendFileSync(
        log,
        JSON.stringify({
          resourceId: key.resourceId.toLowerCase(),
          keyType: key.keyType,
          key: Redacted.value(key.key)
        }) +
          "\n"
      )
    )
}).pipe(
  Effect.tap((summary) => Effect.sync(() => console.log(JSON.stringify(summary)))),
  Effect.provide(Layer.merge(client, engine))
)

Effect.runPromise(program).then(
  () => process.exit(0),
  (error) => {
    console.error(String(error))
    process.exit(1)
  }
)
