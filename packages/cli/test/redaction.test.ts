import { Emulator, EmulatorFaults } from "@effect-acs/emulator"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import { assertNoSecret, cli, idOf, keyPattern, ref, secretsOf } from "./helpers.js"

const acs = ref("my-acs")

/** The first fault seed whose decisions for the first regenerations are these, in order. */
const seedPlanning = (
  faults: Omit<EmulatorFaults.Options, "seed">,
  decisions: ReadonlyArray<EmulatorFaults.Decision["_tag"]>
) =>
  Effect.gen(function*() {
    for (let seed = 0;; seed++) {
      const planned = yield* EmulatorFaults.plan({ ...faults, seed }, decisions.length)
      if (decisions.every((tag, i) => planned[i]?._tag === tag)) return seed
    }
  })

const connectionString = new RegExp(
  `^endpoint=https://my-acs\\.communication\\.azure\\.com/;accesskey=${keyPattern.source}$`
)

describe("acs-keys: keys are redacted unless --show-secrets", () => {
  it.scopedLive("list: text and --json print <redacted>; --show-secrets prints the keys", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.make({ resources: [acs] })
      const secrets = yield* secretsOf(emulator, acs)
      const base = ["list", "--resource-id", idOf(acs), "--endpoint", emulator.url]

      const text = yield* cli(base)
      assert.strictEqual(text.status, 0, text.stderr)
      assertNoSecret(text.stdout + text.stderr, secrets)
      assert.strictEqual(text.stdout.match(/<redacted>/g)?.length, 4)
      assert.include(text.stderr, "--show-secrets")

      const json = yield* cli([...base, "--json"])
      assert.strictEqual(json.status, 0, json.stderr)
      assertNoSecret(json.stdout + json.stderr, secrets)
      assert.deepStrictEqual(JSON.parse(json.stdout).keys, {
        primaryKey: "<redacted>",
        secondaryKey: "<redacted>",
        primaryConnectionString: "<redacted>",
        secondaryConnectionString: "<redacted>"
      })

      const shown = yield* cli([...base, "--json", "--show-secrets"])
      assert.strictEqual(shown.status, 0, shown.stderr)
      assert.deepStrictEqual(Object.values(JSON.parse(shown.stdout).keys), secrets)

      const shownText = yield* cli([...base, "--show-secrets"])
      assert.strictEqual(shownText.status, 0, shownText.stderr)
      for (const secret of secrets) assert.include(shownText.stdout, secret)
      assert.notInclude(shownText.stdout, "<redacted>")
    }))

  it.scopedLive("regenerate: the new key is redacted, or shown with --show-secrets", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.make({ resources: [acs] })
      const base = ["regenerate", "--resource-id", idOf(acs), "--key-type", "primary", "--endpoint", emulator.url]

      const hidden = yield* cli([...base, "--json"])
      assert.strictEqual(hidden.status, 0, hidden.stderr)
      assertNoSecret(hidden.stdout + hidden.stderr, yield* secretsOf(emulator, acs))
      assert.deepStrictEqual(JSON.parse(hidden.stdout).keys, {
        primaryKey: "<redacted>",
        primaryConnectionString: "<redacted>"
      })

      const text = yield* cli(base)
      assert.strictEqual(text.status, 0, text.stderr)
      assertNoSecret(text.stdout + text.stderr, yield* secretsOf(emulator, acs))
      assert.match(text.stdout, /^Regenerated the Primary key of \/subscriptions\//)

      const shown = yield* cli([...base, "--json", "--show-secrets"])
      const live = yield* emulator.keys(acs)
      const { keys } = JSON.parse(shown.stdout)
      assert.strictEqual(keys.primaryKey, Redacted.value(live.primaryKey))
      assert.match(keys.primaryKey, new RegExp(`^${keyPattern.source}$`))
      assert.match(keys.primaryConnectionString, connectionString)
    }))

  it.scopedLive("rotate: the published keys are printed redacted, or in clear with --show-secrets", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.make({ resources: [acs] })
      const before = yield* secretsOf(emulator, acs)
      const base = ["rotate", "--resource-id", idOf(acs), "--endpoint", emulator.url]

      const text = yield* cli(base)
      assert.strictEqual(text.status, 0, text.stderr)
      assertNoSecret(text.stdout + text.stderr, [...before, ...(yield* secretsOf(emulator, acs))])
      assert.match(text.stdout, /published the Secondary key of .+: connection string <redacted>\n/)
      assert.match(text.stdout, /published the Primary key of .+: connection string <redacted>\n/)
      assert.match(
        text.stdout,
        /Rotated \/subscriptions\/.+: regenerated Secondary, Primary; published Secondary, Primary/
      )

      const json = yield* cli([...base, "--json"])
      assert.strictEqual(json.status, 0, json.stderr)
      assertNoSecret(json.stdout + json.stderr, yield* secretsOf(emulator, acs))
      const report = JSON.parse(json.stdout)
      assert.deepStrictEqual(report.regenerated, ["Secondary", "Primary"])
      assert.deepStrictEqual(
        report.keys.map((key: any) => [key.keyType, key.key, key.connectionString]),
        [["Secondary", "<redacted>", "<redacted>"], ["Primary", "<redacted>", "<redacted>"]]
      )

      const shown = yield* cli([...base, "--json", "--show-secrets"])
      assert.strictEqual(shown.status, 0, shown.stderr)
      const live = yield* emulator.keys(acs)
      const published = JSON.parse(shown.stdout).keys
      assert.strictEqual(published[0].connectionString, Redacted.value(live.secondaryConnectionString))
      assert.strictEqual(published[1].connectionString, Redacted.value(live.primaryConnectionString))
      assert.match(published[1].connectionString, connectionString)
    }))

  it.scopedLive("failures never print a token", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.make({ resources: [acs] })
      const secretToken = "not-the-emulator-token-0123456789"
      const result = yield* cli([
        "list",
        "--resource-id",
        idOf(acs),
        "--endpoint",
        emulator.url,
        "--token",
        secretToken
      ])
      assert.strictEqual(result.status, 6)
      assert.notInclude(result.stdout + result.stderr, secretToken)
      assert.notInclude(result.stdout + result.stderr, Emulator.defaultToken)
    }))
})

describe("acs-keys rotate --json: keys published before a failure are printed", () => {
  it.scopedLive("the second regeneration fails before the key changes: it is done again, and both keys are on stdout", () =>
    Effect.gen(function*() {
      // a seed whose first regeneration passes and whose second fails before the key changes
      const faults = { errorRate: 0.5, when: "before", operations: ["regenerateKey"] } as const
      const seed = yield* seedPlanning(faults, ["Pass", "Error"])
      const emulator = yield* Emulator.make({ resources: [acs], faults: { ...faults, seed } })
      const run = yield* cli([
        "rotate",
        "--resource-id",
        idOf(acs),
        "--endpoint",
        emulator.url,
        "--max-retries",
        "0",
        "--settle",
        "0.3",
        "--json",
        "--show-secrets"
      ])
      assert.strictEqual(run.status, 0, run.stderr)
      const live = yield* emulator.keys(acs)
      const printed = run.stdout.trim().split("\n").map((line) => JSON.parse(line))
      const report = printed.find((line) => Array.isArray(line.keys))
      const keys = report?.keys as Array<{ keyType: string; key: string }>
      assert.deepStrictEqual(keys.map((key) => key.keyType), ["Secondary", "Primary"])
      assert.strictEqual(keys[0]!.key, Redacted.value(live.secondaryKey))
      assert.strictEqual(keys[1]!.key, Redacted.value(live.primaryKey))
      assert.isTrue(report.recovered)
      // the unknown outcome's key was watched (--settle 0.3): read after 2 s is past 0.3 s, so once, at 0.3 s
      assert.strictEqual(report.steps.filter((step: { action: string }) => step.action === "listKeys").length, 1)
    }))
})

describe("acs-keys regenerate: an answer after an attempt whose outcome is unknown says so", () => {
  it.scopedLive("a 5xx after the key changed, then an answer: priorOutcomeUnknown in --json, a warning in text", () =>
    Effect.gen(function*() {
      // a seed under which each of the two commands' regenerations fails after the key changed, then passes
      const faults = { errorRate: 0.5, when: "after", operations: ["regenerateKey"] } as const
      const seed = yield* seedPlanning(faults, ["Error", "Pass", "Error", "Pass"])
      const emulator = yield* Emulator.make({ resources: [acs], faults: { ...faults, seed } })
      const base = ["regenerate", "--resource-id", idOf(acs), "--key-type", "Primary", "--endpoint", emulator.url]
      const json = yield* cli([...base, "--max-retries", "1", "--json"])
      assert.strictEqual(json.status, 0, json.stderr)
      assert.deepInclude(JSON.parse(json.stdout), { attempts: 2, priorOutcomeUnknown: true })
      const text = yield* cli([...base, "--max-retries", "1"])
      assert.strictEqual(text.status, 0, text.stderr)
      assert.include(text.stdout, "an earlier attempt's outcome is unknown")
    }))
})
