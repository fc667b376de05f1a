/**
 * No output of acs-keys quotes a secret given in the wrong place (a connection string as `--resource-id`,
 * `--subscription`, `--key-type`, in a fleet file), in text, JSON, errors and usage errors; and what a
 * server nests without end cannot crash the renderers.
 */
import { ExitCode } from "@effect-acs/cli"
import { Rotation } from "@effect-acs/core"
import { Emulator } from "@effect-acs/emulator"
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import * as FileSystem from "@effect/platform/FileSystem"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as crypto from "node:crypto"
import * as path from "node:path"
import * as render from "../src/internal/render.js"
import { cli, idOf, keyPattern, ref } from "./helpers.js"
import { exitOf, spawnCli } from "./processes.js"

const acs = ref("acs-1")
const key = crypto.randomBytes(64).toString("base64")
const connectionString = `endpoint=https://acs-1.communication.azure.com/;accesskey=${key}`

/** Fails if the text holds the connection string, its key, or anything shaped like a key. */
const assertNotEchoed = (text: string, label: string) => {
  assert.notInclude(text, key, label)
  assert.notInclude(text, key.replace(/=+$/, ""), label)
  assert.notInclude(text, encodeURIComponent(key), label)
  assert.isFalse(keyPattern.test(text), `${label}: something shaped like a key`)
}

describe("acs-keys never echoes a secret typed in the wrong place", () => {
  it.scopedLive(
    "a connection string as --resource-id, --subscription, --key-type, --first, or an argument",
    () =>
      Effect.gen(function*() {
        const emulator = yield* Emulator.make({ resources: [acs] })
        const endpoint = ["--endpoint", emulator.url]
        const cases: ReadonlyArray<readonly [string, ReadonlyArray<string>, number]> = [
          ["list --resource-id", ["list", "--resource-id", connectionString, ...endpoint], 3],
          [
            "regenerate --resource-id",
            ["regenerate", "--resource-id", connectionString, "-k", "primary", ...endpoint],
            3
          ],
          ["rotate --resource-id", ["rotate", "--resource-id", connectionString, ...endpoint], 14],
          [
            "list --subscription",
            ["list", "--subscription", connectionString, "-g", "rg", "-n", "acs-1", ...endpoint, "--max-retries", "0"],
            -1
          ],
          [
            "rotate --subscription",
            ["rotate", "-s", connectionString, "-g", "rg", "-n", "acs-1", ...endpoint, "--max-retries", "0"],
            14
          ],
          ["regenerate --key-type", ["regenerate", "--resource-id", idOf(acs), "-k", connectionString, ...endpoint], 2],
          ["rotate --first", ["rotate", "--resource-id", idOf(acs), "--first", connectionString, ...endpoint], 2],
          ["list <argument>", ["list", connectionString, ...endpoint], 2],
          ["emulator --resource", ["emulator", "--resource", connectionString], 2],
          ["--max-retries", ["list", "--resource-id", idOf(acs), "--max-retries", connectionString, ...endpoint], 2]
        ]
        for (const [label, args, status] of cases) {
          for (const json of [false, true]) {
            const result = yield* cli(json ? [...args, "--json"] : args)
            const name = `${label}${json ? " --json" : ""}`
            if (status !== -1) assert.strictEqual(result.status, status, `${name}: ${result.stderr}`)
            assert.notStrictEqual(result.status, 0, name)
            assert.notStrictEqual(result.status, ExitCode.exitCodes.Unexpected, `${name}: ${result.stderr}`)
            assertNotEchoed(result.stdout + result.stderr, name)
          }
        }
        assert.strictEqual((yield* emulator.stats).regenerations, 0)
      }),
    120_000
  )

  it.scopedLive(
    "a connection string as a line of a fleet file, text and JSON: the other resources rotate",
    () =>
      Effect.gen(function*() {
        const emulator = yield* Emulator.make({ resources: [acs] })
        const fs = yield* FileSystem.FileSystem
        const directory = yield* fs.makeTempDirectoryScoped()
        const text = path.join(directory, "ids.txt")
        const json = path.join(directory, "ids.json")
        yield* fs.writeFileString(text, `${idOf(acs)}\n${connectionString}\n`)
        yield* fs.writeFileString(json, JSON.stringify([connectionString, { resourceId: connectionString }, idOf(acs)]))
        for (const file of [text, json]) {
          for (const output of [[], ["--json"]]) {
            const result = yield* cli(["rotate", "--from-file", file, "--endpoint", emulator.url, ...output])
            const name = `${path.basename(file)} ${output.join(" ")}`
            assert.strictEqual(result.status, ExitCode.exitCodes.RotationFailed, `${name}: ${result.stderr}`)
            assert.match(result.stdout, /rotated 1 of \d resources|"rotated":1/, name)
            assertNotEchoed(result.stdout + result.stderr, name)
          }
        }
      }).pipe(Effect.provide(NodeFileSystem.layer)),
    120_000
  )

  it.scopedLive("the real executable: rotate --resource-id <connection string> --json", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.make({ resources: [acs] })
      for (const output of [[], ["--json"]]) {
        const child = yield* spawnCli([
          "rotate",
          "--resource-id",
          connectionString,
          "--endpoint",
          emulator.url,
          ...output
        ])
        const exit = yield* exitOf(child)
        assert.strictEqual(exit.code, ExitCode.exitCodes.RotationFailed, child.stderr())
        assert.match(child.stderr(), /^acs-keys: RotationFailed \(InvalidInput\): /m)
        assertNotEchoed(child.stdout() + child.stderr(), output.join(" "))
      }
    }), 120_000)
})

describe("renderers are bounded", () => {
  const deep = (depth: number): unknown => {
    let value: unknown = { code: "Leaf", message: connectionString }
    for (let i = 0; i < depth; i++) value = { code: "Nested", message: "m", details: [value] }
    return value
  }

  it("errorJson and describe walk a failure nested 100 000 levels deep without overflowing, masking its text", () => {
    const nested = deep(100_000)
    const failure = new Rotation.RotationFailed({
      resourceId: idOf(acs),
      step: "Regenerate",
      keyType: "Secondary",
      livePublished: false,
      reason: "the Secondary key was not regenerated",
      cause: { _tag: "BadRequest", message: `refused ${connectionString}`, details: [nested], additionalInfo: nested }
    })
    const rendered = JSON.stringify(render.errorJson(failure))
    assert.isBelow(rendered.length, 100_000)
    assert.include(rendered, "\"…\"")
    assert.include(rendered, "\"exitStatus\":14")
    assertNotEchoed(rendered, "errorJson")
    const line = ExitCode.describe(failure)
    assert.match(line, /^RotationFailed \(BadRequest\): Rotation of /)
    assertNotEchoed(line, "describe")
    // a fleet's failure, as printed in its events
    assertNotEchoed(JSON.stringify(render.errorJson(nested)), "a bare nested value")
  })

  it("a message that cannot be computed is replaced, not a crash", () => {
    const hostile = {
      _tag: "ServiceError",
      get message(): string {
        throw new RangeError("Maximum call stack size exceeded")
      }
    }
    assert.strictEqual(ExitCode.messageOf(hostile), "(the message could not be rendered)")
    assert.strictEqual(render.errorJson(hostile).message, "(the message could not be rendered)")
  })
})
