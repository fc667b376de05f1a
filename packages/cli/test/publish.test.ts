import { ExitCode } from "@effect-acs/cli"
import { Emulator } from "@effect-acs/emulator"
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import * as FileSystem from "@effect/platform/FileSystem"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as path from "node:path"
import { assertNoSecret, cli, idOf, keyPattern, ref, secretsOf } from "./helpers.js"

const acs = ref("my-acs")

/** A publish command that records what it received: its standard input, its arguments and its environment. */
const recorderScript = `import { writeFileSync } from "node:fs"
import { join } from "node:path"
const chunks = []
for await (const chunk of process.stdin) chunks.push(chunk)
const stdin = Buffer.concat(chunks).toString("utf8")
const received = { stdin, argv: process.argv, env: process.env }
writeFileSync(join(process.argv[2], process.env.ACS_KEY_TYPE + ".json"), JSON.stringify(received))
console.log("recorded the " + process.env.ACS_KEY_TYPE + " key")
`

/** Fails the first time it runs (leaving a marker), succeeds after. */
const flakyScript = `import { existsSync, writeFileSync } from "node:fs"
import { join } from "node:path"
for await (const _ of process.stdin) {}
const marker = join(process.argv[2], "ran-once")
if (!existsSync(marker)) {
  writeFileSync(marker, "")
  process.exit(3)
}
`

const quote = (value: string) => `"${value}"`

const workspace = Effect.gen(function*() {
  const fs = yield* FileSystem.FileSystem
  const directory = yield* fs.makeTempDirectoryScoped({ prefix: "acs-keys-publish-" })
  const write = (name: string, content: string) =>
    Effect.as(fs.writeFileString(path.join(directory, name), content), path.join(directory, name))
  const read = (name: string) => Effect.map(fs.readFileString(path.join(directory, name)), JSON.parse)
  const command = (script: string) => `${quote(process.execPath)} ${quote(script)} ${quote(directory)}`
  return { directory, write, read, command }
}).pipe(Effect.provide(NodeFileSystem.layer))

/** Sets `ACS_KEYS_TOKEN` for the scope. */
const withTokenVariable = (value: string) =>
  Effect.acquireRelease(
    Effect.sync(() => {
      const previous = process.env.ACS_KEYS_TOKEN
      process.env.ACS_KEYS_TOKEN = value
      return previous
    }),
    (previous) =>
      Effect.sync(() => {
        if (previous === undefined) delete process.env.ACS_KEYS_TOKEN
        else process.env.ACS_KEYS_TOKEN = previous
      })
  )

describe("acs-keys rotate --publish-command", () => {
  it.scopedLive(
    "the connection string arrives on stdin, never in argv or the environment",
    () =>
      Effect.gen(function*() {
        const emulator = yield* Emulator.make({ resources: [acs] })
        const before = yield* secretsOf(emulator, acs)
        const work = yield* workspace
        const script = yield* work.write("recorder.mjs", recorderScript)
        // the token acs-keys reads from the environment is not passed on to the command
        yield* withTokenVariable(Emulator.defaultToken)

        const result = yield* cli([
          "rotate",
          "--resource-id",
          idOf(acs),
          "--endpoint",
          emulator.url,
          "--publish-command",
          work.command(script)
        ])
        assert.strictEqual(result.status, 0, result.stderr)
        const live = yield* emulator.keys(acs)
        assertNoSecret(result.stdout + result.stderr, [...before, ...(yield* secretsOf(emulator, acs))])
        assert.include(result.stderr, "recorded the Secondary key\n")
        assert.include(result.stderr, "recorded the Primary key\n")
        assert.match(result.stdout, /published Secondary, Primary with the publish command/)

        for (const keyType of ["Secondary", "Primary"] as const) {
          const received = yield* work.read(`${keyType}.json`)
          const connectionString = Redacted.value(
            keyType === "Primary" ? live.primaryConnectionString : live.secondaryConnectionString
          )
          const key = Redacted.value(keyType === "Primary" ? live.primaryKey : live.secondaryKey)
          assert.strictEqual(received.stdin, connectionString)
          assert.match(received.stdin, new RegExp(`accesskey=${keyPattern.source}$`))
          assert.strictEqual(received.env.ACS_RESOURCE_ID, idOf(acs))
          assert.strictEqual(received.env.ACS_KEY_TYPE, keyType)
          assert.isUndefined(received.env.ACS_KEYS_TOKEN)
          const elsewhere = JSON.stringify([received.argv, received.env])
          assert.notInclude(elsewhere, key)
          assert.notInclude(elsewhere, "accesskey")
        }
      }),
    30_000
  )

  it.scopedLive("a failing command stops the rotation with RotationFailed at Publish", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.make({ resources: [acs] })
      const result = yield* cli([
        "rotate",
        "--resource-id",
        idOf(acs),
        "--endpoint",
        emulator.url,
        "--publish-command",
        "exit 3",
        "--publish-retries",
        "0"
      ])
      assert.strictEqual(result.status, ExitCode.exitCodes.RotationFailed)
      const line = result.stderr.split("\n").find((l) => l.startsWith("acs-keys: "))!
      assert.match(
        line,
        /^acs-keys: RotationFailed \(PublishCommandError\): Rotation of .+ stopped at Publish \(Secondary key\): .*exited with status 3/
      )
      assertNoSecret(result.stdout + result.stderr, yield* secretsOf(emulator, acs))
      // the Secondary key was regenerated, the Primary one was left alone
      assert.strictEqual((yield* emulator.stats).regenerations, 1)
    }), 30_000)

  it.scopedLive("a failed publication is retried (--publish-retries)", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.make({ resources: [acs] })
      const work = yield* workspace
      const script = yield* work.write("flaky.mjs", flakyScript)
      const result = yield* cli([
        "rotate",
        "--resource-id",
        idOf(acs),
        "--endpoint",
        emulator.url,
        "--publish-command",
        work.command(script),
        "--publish-retries",
        "1",
        "--json"
      ])
      assert.strictEqual(result.status, 0, result.stderr)
      const report = JSON.parse(result.stdout)
      assert.deepStrictEqual(report.published, ["Secondary", "Primary"])
      assert.isUndefined(report.keys)
    }), 30_000)
})
