import { AzureCredential, CommunicationServices, RetryPolicy } from "@effect-acs/core"
import { Emulator } from "@effect-acs/emulator"
import type { EmulatorState } from "@effect-acs/emulator"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import { assert } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import { type ChildProcess, spawn } from "node:child_process"
import { mkdtempSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"

/** `count` resources over `subscriptions` subscriptions. */
export const resources = (count: number, subscriptions = 2): Array<EmulatorState.ResourceRef> =>
  Array.from({ length: count }, (_, i) => ({
    subscriptionId: `0000000${i % subscriptions}-0000-4000-8000-00000000000d`,
    resourceGroupName: "rg-durable",
    communicationServiceName: `acs-${i}`
  }))

export const idOf = (resource: EmulatorState.ResourceRef) =>
  `/subscriptions/${resource.subscriptionId}/resourceGroups/${resource.resourceGroupName}/providers/Microsoft.Communication/communicationServices/${resource.communicationServiceName}`

/** A core client over real loopback HTTP to the emulator at `url`, with fast retries. */
export const clientLayer = (url: string) =>
  CommunicationServices.layer({
    endpoint: url,
    allowInsecureLoopback: true,
    retry: RetryPolicy.exponential({ baseDelay: "5 millis", maxDelay: "20 millis", maxRetryAfter: "1 second" })
  }).pipe(Layer.provide(AzureCredential.static(Emulator.defaultToken)), Layer.provide(NodeHttpClient.layer))

/** A temporary directory, removed by the returned function. */
export const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), "acs-durable-"))
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) }
}

export interface Published {
  readonly resourceId: string
  readonly keyType: "Primary" | "Secondary"
  readonly key: string
}

/** The publish log the runner appends to: every line, in order (a line cut by a kill is dropped). */
export const readPublished = (file: string): Array<Published> => {
  let text: string
  try {
    text = readFileSync(file, "utf8")
  } catch {
    return []
  }
  return text.split("\n").flatMap((line) => {
    try {
      return [JSON.parse(line) as Published]
    } catch {
      return []
    }
  })
}

/** The keys of a resource as plain strings (emulator state, not the API). */
export const plain = (keys: EmulatorState.ResourceKeys) => ({
  primary: Redacted.value(keys.primaryKey),
  secondary: Redacted.value(keys.secondaryKey)
})

const runner = fileURLToPath(new URL("./runner.ts", import.meta.url))
const packageDir = fileURLToPath(new URL("..", import.meta.url))

/** mulberry32: the kill moments of a seed. */
export const prng = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296
}

export const spawnRunner = (env: Record<string, string>): ChildProcess =>
  spawn(process.execPath, ["--conditions=source", "--import", "tsx", runner], {
    cwd: packageDir,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"]
  })

/** The child's end (listened to at once, so that no exit is missed): its exit code or signal, and its output. */
export const ended = (child: ChildProcess) => {
  let stdout = ""
  let stderr = ""
  child.stdout!.on("data", (chunk) => (stdout += chunk))
  child.stderr!.on("data", (chunk) => (stderr += chunk))
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>(
    (resolve) => child.on("exit", (code, signal) => resolve({ code, signal, stdout, stderr }))
  )
  return Effect.promise(() => exit)
}

/** Lines in the publish log so far (cheap: its size over a line's length is enough to trigger a kill). */
export const logLines = (file: string) => {
  try {
    return readPublished(file).length
  } catch {
    return 0
  }
}

/** The keys each resource has now (lower-cased id), as plain strings: the seed, before a fleet run. */
export const keysNow = (emulator: Emulator.Service, fleet: ReadonlyArray<EmulatorState.ResourceRef>) =>
  Effect.gen(function*() {
    const keys = new Map<string, { primary: string; secondary: string }>()
    for (const resource of fleet) keys.set(idOf(resource).toLowerCase(), plain(yield* emulator.keys(resource)))
    return keys
  })

/** How many regenerations the emulator answered (200) per resource (lower-cased id), from its request log. */
export const regenerationsAnswered = (emulator: Emulator.Service) =>
  Effect.map(emulator.requestLog, (entries) => {
    const answered = new Map<string, number>()
    for (const entry of entries) {
      if (entry.operation === "regenerateKey" && entry.status === 200) {
        const id = entry.path.toLowerCase().replace(/\/regeneratekey$/, "")
        answered.set(id, (answered.get(id) ?? 0) + 1)
      }
    }
    return answered
  })

/**
 * After a fleet run, for every resource: both keys differ from the seed (rotated), and the live keys are the
 * last ones the publish log has (no key lost). Returns each resource's answered regenerations.
 */
export const assertRotatedAndPublished = (
  emulator: Emulator.Service,
  fleet: ReadonlyArray<EmulatorState.ResourceRef>,
  seed: ReadonlyMap<string, { primary: string; secondary: string }>,
  published: ReadonlyArray<Published>
) =>
  Effect.gen(function*() {
    yield* emulator.awaitStats((stats) => stats.inFlight === 0)
    for (const resource of fleet) {
      const id = idOf(resource).toLowerCase()
      const live = plain(yield* emulator.keys(resource))
      assert.notStrictEqual(live.primary, seed.get(id)!.primary, `${id} Primary not rotated`)
      assert.notStrictEqual(live.secondary, seed.get(id)!.secondary, `${id} Secondary not rotated`)
      const mine = published.filter((entry) => entry.resourceId === id)
      assert.strictEqual(mine.filter((e) => e.keyType === "Primary").at(-1)?.key, live.primary, id)
      assert.strictEqual(mine.filter((e) => e.keyType === "Secondary").at(-1)?.key, live.secondary, id)
    }
    return yield* regenerationsAnswered(emulator)
  })
