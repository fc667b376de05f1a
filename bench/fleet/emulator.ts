/**
 * The emulator for the fleet benchmark, in its own process (so that the fleet's memory is measured
 * alone): seeds `count` resources over `subscriptions` subscriptions, serves with the given write budget
 * (none when the capacity is 0) and prints its URL; answers `stats` on standard input with its counters.
 */
import { Emulator } from "@effect-acs/emulator"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as Effect from "effect/Effect"
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
  const lines = createInterface({ input: process.stdin })
  yield* Effect.async<void>((resume) => {
    lines.on("line", () => {
      Effect.runPromise(emulator.stats).then((stats) => process.stdout.write(`${JSON.stringify(stats)}\n`))
    })
    lines.on("close", () => resume(Effect.void))
  })
})

NodeRuntime.runMain(Effect.scoped(program))
