/**
 * The emulator for the fleet benchmark, in its own process (so that the fleet's memory is measured
 * alone): seeds `count` resources over `subscriptions` subscriptions, serves with the given write budget
 * (none when the capacity is 0) and prints its URL; answers each line of standard input with one line of JSON:
 * `stats` with its counters, `keys` with every key it holds now (for main.ts's scan of a journal for secrets).
 */
import { Emulator } from "@effect-acs/emulator"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import { createInterface } from "node:readline"

const [count, subscriptions, capacity, refillPerSecond] = process.argv.slice(2).map(Number) as [
  number,
  number,
  number,
  number
]

const program = Effect.gen(function*() {
  const emulator = yield* Emulator.make({
    resources: Array.from({ length: count }, (_, i) => ({
      subscriptionId: `0000000${i % subscriptions}-0000-4000-8000-000000000000`,
      resourceGroupName: "rg-fleet",
      communicationServiceName: `acs-${i}`
    })),
    throttle: capacity > 0 ? { capacity, refillPerSecond } : false
  })
  process.stdout.write(`${JSON.stringify({ url: emulator.url })}\n`)
  const keys = Effect.flatMap(emulator.resources, (resources) =>
    Effect.forEach(resources, (resource) =>
      Effect.map(
        Effect.orDie(emulator.keys(resource)),
        (held) => [Redacted.value(held.primaryKey), Redacted.value(held.secondaryKey)]
      )).pipe(Effect.map((pairs) => pairs.flat())))
  const lines = createInterface({ input: process.stdin })
  yield* Effect.async<void>((resume) => {
    lines.on("line", (command) => {
      Effect.runPromise<unknown, never>(command === "keys" ? keys : emulator.stats).then((answer) =>
        process.stdout.write(`${JSON.stringify(answer)}\n`)
      )
    })
    lines.on("close", () => resume(Effect.void))
  })
})

NodeRuntime.runMain(Effect.scoped(program))
