import { ExitCode, FleetFile } from "@effect-acs/cli"
import { Emulator } from "@effect-acs/emulator"
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import * as FileSystem from "@effect/platform/FileSystem"
import { assert, describe, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import * as path from "node:path"
import { assertNoSecret, cli, idOf, otherSubscriptionId, ref, secretsOf } from "./helpers.js"

const a = ref("acs-a")
const b = ref("acs-b")
const c = ref("acs-c", otherSubscriptionId, "OtherGroup")
const fleet = [a, b, c]

const fileOf = (name: string, content: string) =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const directory = yield* fs.makeTempDirectoryScoped({ prefix: "acs-keys-fleet-" })
    const file = path.join(directory, name)
    yield* fs.writeFileString(file, content)
    return file
  }).pipe(Effect.provide(NodeFileSystem.layer))

const allSecrets = (emulator: Emulator.Service) =>
  Effect.map(Effect.forEach(fleet, (resource) => secretsOf(emulator, resource)), (secrets) => secrets.flat())

const decode = (text: string, chunkSize = text.length) => {
  const chunks: Array<string> = []
  for (let i = 0; i < text.length; i += Math.max(1, chunkSize)) chunks.push(text.slice(i, i + chunkSize))
  return Stream.runCollect(FleetFile.decode(Stream.fromIterable(chunks), "fleet")).pipe(
    Effect.map(Chunk.toReadonlyArray),
    Effect.either
  )
}

describe("FleetFile", () => {
  it.effect("text: one id a line, blank lines and # comments skipped, whatever the chunking", () =>
    Effect.gen(function*() {
      const text = `# production\n\n  ${idOf(a)}  \r\n${idOf(b)}\n# done\n${idOf(c)}`
      for (const size of [1, 7, text.length]) {
        const decoded = yield* decode(text, size)
        assert.deepStrictEqual(decoded, Either.right([idOf(a), idOf(b), idOf(c)].map((resourceId) => ({ resourceId }))))
      }
    }))

  it.effect("JSON: ids, {resourceId} and the three names, whatever the chunking", () =>
    Effect.gen(function*() {
      const text = JSON.stringify(
        [idOf(a), { resourceId: idOf(b) }, { ...c, note: "a, tricky ] \" value" }],
        null,
        2
      )
      for (const size of [1, 5, text.length]) {
        const decoded = yield* decode(`\n ${text}\n`, size)
        assert.deepStrictEqual(
          decoded,
          Either.right([
            { resourceId: idOf(a) },
            { resourceId: idOf(b) },
            { subscriptionId: c.subscriptionId, resourceGroupName: "OtherGroup", communicationServiceName: "acs-c" }
          ])
        )
      }
      assert.deepStrictEqual(yield* decode("[]"), Either.right([]))
      assert.deepStrictEqual(yield* decode(""), Either.right([]))
    }))

  it.effect("malformed files fail with FleetFileError saying where", () =>
    Effect.gen(function*() {
      const cases: ReadonlyArray<readonly [string, RegExp]> = [
        [`["${idOf(a)}", {"subscriptionId": 1}]`, /^fleet, element 2: expected a resource id/],
        [`["${idOf(a)}", {]`, /^fleet, element 2: not valid JSON/],
        [`["${idOf(a)}",]`, /^fleet, element 2: unexpected `]`/],
        [`["${idOf(a)}"`, /^fleet: the JSON array is not closed/],
        [`["${idOf(a)}"] x`, /^fleet: unexpected content after the JSON array/],
        [`${idOf(a)}\n${idOf(b)} ${idOf(c)}\n`, /^fleet, line 2: expected one resource id a line/]
      ]
      for (const [text, message] of cases) {
        const decoded = yield* decode(text, 3)
        assert.isTrue(Either.isLeft(decoded), text)
        const error = Option.getOrUndefined(Either.getLeft(decoded))
        assert.strictEqual(error?._tag, "FleetFileError")
        assert.match(error!.message, message)
      }
    }))
})

describe("acs-keys rotate --from-file", () => {
  it.scopedLive("a text file: every resource rotated, progress as plain lines, a summary, no key printed", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.make({ resources: fleet })
      const before = yield* allSecrets(emulator)
      const file = yield* fileOf("ids.txt", `# fleet\n${fleet.map(idOf).join("\n")}\n`)
      const result = yield* cli(["rotate", "--from-file", file, "--endpoint", emulator.url, "--concurrency", "2"])
      assert.strictEqual(result.status, 0, result.stderr)
      const after = yield* allSecrets(emulator)
      assertNoSecret(result.stdout + result.stderr, [...before, ...after])
      // every key changed
      for (const [index, secret] of before.entries()) assert.notStrictEqual(after[index], secret)

      assert.match(result.stderr, /^rotating 3 resources, 2 at a time\n/)
      const progress = result.stderr.split("\n").filter((line) => /^\[\d\/3\] /.test(line))
      assert.strictEqual(progress.length, 3)
      for (const line of progress) {
        assert.match(line, /^\[\d\/3\] rotated \/subscriptions\/.+ \(Secondary, Primary\) in /)
      }
      assert.deepStrictEqual(progress.map((line) => line.slice(0, 5)).sort(), ["[1/3]", "[2/3]", "[3/3]"])
      assert.notInclude(result.stderr, "\r")
      // published keys printed redacted, and the summary
      assert.strictEqual(result.stdout.match(/published the \w+ key of .+: connection string <redacted>\n/g)?.length, 6)
      assert.match(result.stdout, /rotated 3 of 3 resources in .+ \(0 failed, throttled 0 times\)\n/)
    }))

  it.scopedLive("a JSON file with a missing resource: the others rotate, the summary names the failure, exit 14", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.make({ resources: fleet })
      const missing = ref("acs-missing")
      const file = yield* fileOf(
        "ids.json",
        JSON.stringify([idOf(a), { ...b }, idOf(missing), { resourceId: idOf(c) }])
      )
      const result = yield* cli(["rotate", "--from-file", file, "--endpoint", emulator.url])
      assert.strictEqual(result.status, ExitCode.exitCodes.RotationFailed)
      assertNoSecret(result.stdout + result.stderr, yield* allSecrets(emulator))
      assert.match(
        result.stderr,
        /\[\d\/4\] FAILED {2}\/subscriptions\/.+\/acs-missing: RotationFailed \(NotFound\): .+stopped at Regenerate/
      )
      assert.match(
        result.stdout,
        /rotated 3 of 4 resources in .+ \(1 failed, throttled 0 times\)\nfailed:\n {2}\/subscriptions\/.+\/acs-missing\n/
      )
      assert.match(result.stderr, /acs-keys: FleetIncomplete: 1 of 4 rotations failed\n$/)
      assert.strictEqual((yield* emulator.stats).regenerations, 6)
    }))

  it.scopedLive("--json: one JSON object a line, events then the summary", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.make({ resources: fleet })
      const file = yield* fileOf("ids.txt", [...fleet, ref("acs-missing")].map(idOf).join("\n"))
      const result = yield* cli(["rotate", "--from-file", file, "--endpoint", emulator.url, "--json"])
      assert.strictEqual(result.status, ExitCode.exitCodes.RotationFailed)
      assertNoSecret(result.stdout, yield* allSecrets(emulator))
      const lines = result.stdout.trim().split("\n").map((line) => JSON.parse(line))
      const events = lines.map((line) => line.event)
      assert.strictEqual(events.filter((event) => event === "published").length, 6)
      assert.strictEqual(events.filter((event) => event === "rotated").length, 3)
      assert.strictEqual(events.filter((event) => event === "failed").length, 1)
      // every line is an event, the summary last
      assert.strictEqual(events.filter((event) => event === undefined).length, 0)
      assert.strictEqual(events.at(-1), "summary")
      assert.deepStrictEqual(
        lines.filter((line) => line.event === "published").map((line) => [line.key, line.connectionString]),
        Array.from({ length: 6 }, () => ["<redacted>", "<redacted>"])
      )
      const failed = lines.find((line) => line.event === "failed")
      assert.strictEqual(failed.error._tag, "RotationFailed")
      assert.strictEqual(failed.error.step, "Regenerate")
      assert.strictEqual(failed.error.cause._tag, "NotFound")
      assert.strictEqual(failed.error.cause.code, "ResourceNotFound")
      const summary = lines.at(-1)
      assert.strictEqual(summary.total, 4)
      assert.strictEqual(summary.rotated, 3)
      assert.deepStrictEqual(summary.failed.map((entry: any) => entry.error.cause._tag), ["NotFound"])
    }))

  it.scopedLive("on a terminal, progress is a bar redrawn in place", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.make({ resources: fleet })
      const file = yield* fileOf("ids.txt", fleet.map(idOf).join("\n"))
      const result = yield* cli(["rotate", "--from-file", file, "--endpoint", emulator.url], { isTTY: true })
      assert.strictEqual(result.status, 0, result.stderr)
      const frames = result.stderr.split("\r\x1b[2K").filter((frame) => frame.startsWith("rotating ["))
      assert.isAtLeast(frames.length, 4)
      assert.match(frames[0]!, /^rotating \[░+\] 0\/3 +0%/)
      assert.match(frames.at(-1)!, /^rotating \[█+\] 3\/3 100% {2}rotated 3 {2}failed 0 {2}throttled 0 /)
      assert.notMatch(result.stderr, /^\[\d\/3\]/m)
    }))

  it.scopedLive("an unreadable or malformed file: FleetFileError, nothing rotated", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.make({ resources: fleet })
      const absent = yield* cli(["rotate", "--from-file", "/nonexistent/ids.txt", "--endpoint", emulator.url])
      assert.strictEqual(absent.status, ExitCode.exitCodes.FleetFileError)
      assert.match(absent.stderr, /acs-keys: FleetFileError: \/nonexistent\/ids.txt: no such file\n/)

      // the error is at the end of the file: the file is checked before anything is rotated
      const file = yield* fileOf("ids.json", `["${idOf(a)}", "${idOf(b)}", 42]`)
      const malformed = yield* cli(["rotate", "--from-file", file, "--endpoint", emulator.url])
      assert.strictEqual(malformed.status, ExitCode.exitCodes.FleetFileError)
      assert.match(malformed.stderr, /ids\.json, element 3: expected a resource id/)
      assert.strictEqual((yield* emulator.stats).requests, 0)
    }))
})
