/**
 * Rotation v2 on the command line, against the emulator over real HTTP: `--verify data-plane` (the new key
 * proven on the emulator's data plane, a refused one stops the rotation with its own status and is never
 * printed), `--mode alternate`, `--dry-run` (0 requests), `--drain` refused with `alternate` before any
 * request, and a fleet stopped through `Rotation`'s `stop` (its summary counts).
 */
import type { AcsKeys } from "@effect-acs/cli"
import { ExitCode } from "@effect-acs/cli"
import { DataPlane, Rotation } from "@effect-acs/core"
import { Emulator } from "@effect-acs/emulator"
import { assert, describe, it } from "@effect/vitest"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Redacted from "effect/Redacted"
import * as fs from "node:fs"
import { assertNoSecret, cli, idOf, ref, secretsOf } from "./helpers.js"
import { publishWorkspace, waitUntil } from "./processes.js"

const codes = ExitCode.exitCodes
const acs = ref("acs-v2")

const liveKeys = (emulator: Emulator.Service) =>
  Effect.map(emulator.keys(acs), (keys) => ({
    Primary: Redacted.value(keys.primaryKey),
    Secondary: Redacted.value(keys.secondaryKey)
  }))

/** The last JSON line of standard output. */
const lastJson = (stdout: string) => JSON.parse(stdout.trim().split("\n").at(-1)!)

describe("rotate --verify data-plane", () => {
  it.scopedLive("against the emulator's data plane: the new key is verified before the other is regenerated", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.make({ resources: [acs], dataPlane: true })
      const before = yield* liveKeys(emulator)
      const result = yield* cli([
        "rotate",
        "--ids",
        idOf(acs),
        "--endpoint",
        emulator.url,
        "--verify",
        "data-plane",
        "--verify-timeout",
        "10",
        "--json"
      ])
      assert.strictEqual(result.status, codes.Success, result.stderr)
      const report = JSON.parse(result.stdout)
      assert.deepStrictEqual(report.verified, ["Secondary"])
      assert.deepStrictEqual(report.steps.map((step: { action: string }) => step.action), [
        "regenerateKey",
        "publish",
        "verify",
        "regenerateKey",
        "publish"
      ])
      const after = yield* liveKeys(emulator)
      assert.notStrictEqual(after.Primary, before.Primary)
      assert.notStrictEqual(after.Secondary, before.Secondary)
      // the data plane was asked, and said yes, between the two regenerations
      const log = yield* emulator.requestLog
      const kinds = log.map((entry) => entry.operation ?? `${entry.method} ${entry.status}`)
      assert.deepStrictEqual(kinds, ["regenerateKey", "GET 200", "regenerateKey"])
      assertNoSecret(result.stdout + result.stderr, yield* secretsOf(emulator, acs))
    }))

  it.scopedLive("a key the data plane refuses: exit 17 (KeyRejected), the other key untouched, no key printed", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.make({ resources: [acs], dataPlane: true })
      const before = yield* liveKeys(emulator)
      // the publish command records the key, then regenerates it again: what it published no longer works
      const regenerate = `${emulator.url}${idOf(acs)}/regenerateKey?api-version=2020-08-20`
      const work = yield* publishWorkspace(
        `node -e 'fetch(process.argv[1], { method: "POST", headers: { authorization: "Bearer ${Emulator.defaultToken}", ` +
          `"content-type": "application/json" }, body: JSON.stringify({ keyType: process.env.ACS_KEY_TYPE }) })` +
          `.then((r) => process.exit(r.status === 200 ? 0 : 1))' '${regenerate}'`
      )
      const result = yield* cli([
        "rotate",
        "--ids",
        idOf(acs),
        "--endpoint",
        emulator.url,
        "--verify",
        "data-plane",
        "--publish-command",
        work.command
      ])
      assert.strictEqual(result.status, codes.KeyRejected, result.stderr)
      assert.strictEqual(codes.KeyRejected, 17)
      assert.match(
        result.stderr,
        /^acs-keys: RotationFailed \(KeyRejected\): Rotation of .+ stopped at Verify \(Secondary key\): the new Secondary key could not be verified: The data plane refused the Secondary key of .+ \(401/m
      )
      const after = yield* liveKeys(emulator)
      assert.strictEqual(after.Primary, before.Primary) // never regenerated
      assert.notStrictEqual(after.Secondary, before.Secondary)
      const published = work.read("acs-v2.Secondary")
      assert.isDefined(published)
      assertNoSecret(result.stdout + result.stderr, [
        ...(yield* secretsOf(emulator, acs)),
        published!,
        before.Primary,
        before.Secondary
      ])
    }))

  it.scopedLive("--from-file: every resource's new key verified (the rotated events say so)", () =>
    Effect.gen(function*() {
      const fleet = [ref("acs-a"), ref("acs-b")]
      const emulator = yield* Emulator.make({ resources: fleet, dataPlane: true })
      const work = yield* publishWorkspace("")
      const file = work.file("ids.txt")
      fs.writeFileSync(file, fleet.map(idOf).join("\n") + "\n")
      const result = yield* cli([
        "rotate",
        "--from-file",
        file,
        "--endpoint",
        emulator.url,
        "--verify",
        "data-plane",
        "--publish-command",
        work.command,
        "--json"
      ])
      assert.strictEqual(result.status, codes.Success, result.stderr)
      const rotated = result.stdout.trim().split("\n").map((line) => JSON.parse(line)).filter((event) =>
        event.event === "rotated"
      )
      assert.deepStrictEqual(
        rotated.map((event) => [event.resourceId, event.verified, event.next]).sort(),
        fleet.map((resource) => [idOf(resource), ["Secondary"], "Secondary"]).sort()
      )
      const log = yield* emulator.requestLog
      assert.strictEqual(log.filter((entry) => entry.method === "GET" && entry.status === 200).length, 2)
    }))

  it("a rotation stopped at Verify exits with the status of the verification's failure", () => {
    const resourceId = idOf(acs)
    const at = (step: "Verify" | "Publish", cause: unknown) =>
      new Rotation.RotationFailed({ resourceId, step, keyType: "Secondary", livePublished: true, reason: "x", cause })
    const key = { resourceId, keyType: "Secondary" }
    const causes: ReadonlyArray<readonly [unknown, ExitCode.Name]> = [
      [new DataPlane.KeyRejected({ ...key, status: 401 }), "KeyRejected"],
      [
        new DataPlane.DataPlaneTransportError({ ...key, reason: "Timeout", description: "no answer" }),
        "DataPlaneTransportError"
      ],
      [
        new DataPlane.DataPlaneUnexpectedResponse({ ...key, status: 503, description: "" }),
        "DataPlaneUnexpectedResponse"
      ],
      [new DataPlane.InvalidConnectionString({ ...key, reason: "no endpoint" }), "InvalidConnectionString"],
      // a cause copied without the key (Rotation's safeCause) keeps its tag
      [{ _tag: "KeyRejected", message: "refused" }, "KeyRejected"],
      // anything else a verify fails with, or a data-plane tag at another step, is a failed rotation
      [new Error("boom"), "RotationFailed"]
    ]
    for (const [cause, name] of causes) {
      assert.strictEqual(ExitCode.nameOf(at("Verify", cause)), name)
      assert.strictEqual(ExitCode.fromError(at("Verify", cause)), codes[name])
    }
    assert.strictEqual(
      ExitCode.nameOf(at("Publish", new DataPlane.KeyRejected({ ...key, status: 401 }))),
      "RotationFailed"
    )
    assert.match(ExitCode.describe(at("Verify", causes[0]![0])), /^RotationFailed \(KeyRejected\): /)
  })
})

describe("rotate --mode alternate", () => {
  it.scopedLive("run twice: each key replaced once, each run says which key it replaced and which is next", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.make({ resources: [acs] })
      const start = yield* liveKeys(emulator)
      const list = (endpoint: string) =>
        Effect.map(
          cli(["list", "--ids", idOf(acs), "--endpoint", endpoint, "--show-secrets", "-o", "json"]),
          (result) => JSON.parse(result.stdout)
        )

      const first = yield* cli(["rotate", "--ids", idOf(acs), "--endpoint", emulator.url, "--mode", "alternate"])
      assert.strictEqual(first.status, codes.Success, first.stderr)
      assert.include(first.stdout, "mode alternate: replaced the Secondary key; next run: --first Primary")
      const middle = yield* liveKeys(emulator)
      assert.strictEqual(middle.Primary, start.Primary)
      assert.notStrictEqual(middle.Secondary, start.Secondary)
      const listed = yield* list(emulator.url)
      assert.strictEqual(listed.primaryKey, start.Primary)
      assert.strictEqual(listed.secondaryKey, middle.Secondary)

      const second = yield* cli([
        "rotate",
        "--ids",
        idOf(acs),
        "--endpoint",
        emulator.url,
        "--mode",
        "alternate",
        "--first",
        "Primary",
        "--json"
      ])
      assert.strictEqual(second.status, codes.Success, second.stderr)
      const report = JSON.parse(second.stdout)
      assert.strictEqual(report.mode, "alternate")
      assert.deepStrictEqual(report.regenerated, ["Primary"])
      assert.strictEqual(report.next, "Secondary")
      const end = yield* liveKeys(emulator)
      assert.strictEqual(end.Secondary, middle.Secondary)
      assert.notStrictEqual(end.Primary, start.Primary)
      // one regeneration a run
      assert.strictEqual((yield* emulator.stats).regenerations, 2)
    }))

  it.scopedLive("stopped during its publication: says what it published, and no other key as left undone", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.make({ resources: [acs] })
      const work = yield* publishWorkspace(`while [ ! -e "$dir/release" ]; do sleep 0.1; done`)
      const stop = yield* Deferred.make<AcsKeys.Signal>()
      yield* Effect.fork(
        waitUntil("the publish command to receive the key", () => fs.existsSync(work.file("acs-v2.Secondary"))).pipe(
          Effect.zipRight(Deferred.succeed(stop, "SIGINT")),
          Effect.zipRight(Effect.sync(() => fs.writeFileSync(work.file("release"), "")))
        )
      )
      const result = yield* cli([
        "rotate",
        "--ids",
        idOf(acs),
        "--endpoint",
        emulator.url,
        "--mode",
        "alternate",
        "--publish-command",
        work.command
      ], { stop: Deferred.await(stop) })
      assert.strictEqual(result.status, codes.Interrupted, result.stderr)
      assert.include(result.stdout, `Interrupted the rotation of ${idOf(acs)}: published Secondary\n`)
      assert.notInclude(result.stdout, "not regenerated")
    }))

  it.scopedLive("--drain (or --grace-seconds) with --mode alternate: a usage error, before any request", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.make({ resources: [acs] })
      const before = yield* liveKeys(emulator)
      for (const wait of [["--drain", "10m"], ["--grace-seconds", "5"]]) {
        const result = yield* cli([
          "rotate",
          "--ids",
          idOf(acs),
          "--endpoint",
          emulator.url,
          "--mode",
          "alternate",
          ...wait
        ])
        assert.strictEqual(result.status, codes.UsageError, wait.join(" "))
        assert.include(result.stderr, `acs-keys: UsageError: ${wait[0]} cannot be combined with --mode alternate`)
      }
      // and what cannot mean anything: a drain that is not a duration, two drains, a timeout without a verify
      const refused: ReadonlyArray<readonly [ReadonlyArray<string>, string]> = [
        [["--drain", "soon"], "--drain must be a duration"],
        [["--drain", "1m", "--grace-seconds", "60"], "--drain and --grace-seconds say the same thing"],
        [["--verify-timeout", "5"], "--verify-timeout applies to --verify data-plane only"]
      ]
      for (const [more, message] of refused) {
        const result = yield* cli(["rotate", "--ids", idOf(acs), "--endpoint", emulator.url, ...more])
        assert.strictEqual(result.status, codes.UsageError, more.join(" "))
        assert.include(result.stderr, message)
      }
      assert.strictEqual((yield* emulator.stats).requests, 0)
      assert.deepStrictEqual(yield* liveKeys(emulator), before)
    }))
})

describe("rotate --read-keys", () => {
  it.scopedLive("reads the keys first: 3 requests instead of 2, listKeys the first step", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.make({ resources: [acs] })
      const rotate = (...more: Array<string>) =>
        cli(["rotate", "--ids", idOf(acs), "--endpoint", emulator.url, "--json", ...more])
      const plain = yield* rotate()
      assert.strictEqual(plain.status, codes.Success, plain.stderr)
      assert.strictEqual((yield* emulator.stats).requests, 2)
      yield* emulator.resetStats
      const read = yield* rotate("--read-keys")
      assert.strictEqual(read.status, codes.Success, read.stderr)
      assert.strictEqual((yield* emulator.stats).requests, 3)
      assert.strictEqual(JSON.parse(read.stdout).steps[0].action, "listKeys")
      assert.deepStrictEqual((yield* emulator.requestLog).map((entry) => entry.operation), [
        "listKeys",
        "regenerateKey",
        "regenerateKey"
      ])
    }))
})

describe("rotate --dry-run", () => {
  it.scopedLive("one resource: the steps in order and the writes, 0 requests", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.make({ resources: [acs] })
      const args = ["rotate", "--ids", idOf(acs), "--endpoint", emulator.url, "--dry-run"]
      const text = yield* cli([...args, "--verify", "data-plane", "--drain", "90s"])
      assert.strictEqual(text.status, codes.Success, text.stderr)
      assert.include(text.stdout, "Dry run, nothing sent")
      assert.match(
        text.stdout,
        /1\. regenerateKey Secondary {2}\(a write\)\n {2}2\. publish Secondary\n {2}3\. verify Secondary\n {2}4\. drain Secondary 1m 30s\n {2}5\. regenerateKey Primary {2}\(a write\)\n {2}6\. publish Primary\n2 writes; next run: --first Secondary\n/
      )
      const json = yield* cli([...args, "--read-keys", "--mode", "alternate", "--first", "primary", "--json"])
      assert.strictEqual(json.status, codes.Success, json.stderr)
      assert.deepInclude(JSON.parse(json.stdout), {
        dryRun: true,
        mode: "alternate",
        writes: 2,
        next: "Secondary",
        steps: [
          { action: "listKeys", write: true },
          { action: "regenerateKey", keyType: "Primary", write: true },
          { action: "publish", keyType: "Primary", write: false }
        ]
      })
      // -o none and --query are fine: a dry run prints no key
      assert.strictEqual((yield* cli([...args, "--query", "writes", "-o", "tsv"])).stdout, "2\n")
      assert.strictEqual((yield* emulator.stats).requests, 0)
    }))

  it.scopedLive("--from-file: resources, duplicates, invalid entries, writes, budget and minimum time; 0 requests", () =>
    Effect.gen(function*() {
      const fleet = Array.from({ length: 150 }, (_, i) => ref(`acs-${i}`))
      const emulator = yield* Emulator.make({ resources: fleet })
      const work = yield* publishWorkspace("")
      const file = work.file("ids.txt")
      fs.writeFileSync(file, [...fleet.map(idOf), idOf(fleet[0]!)].join("\n") + "\n")
      const result = yield* cli(["rotate", "--from-file", file, "--endpoint", emulator.url, "--dry-run", "--json"])
      assert.strictEqual(result.status, codes.Success, result.stderr)
      const plan = JSON.parse(result.stdout)
      assert.deepInclude(plan, {
        dryRun: true,
        total: 151,
        resources: 150,
        duplicates: 1,
        invalid: [],
        subscriptions: 1,
        writesPerResource: 2,
        writes: 300,
        budget: Rotation.armWriteBudget,
        // 100 writes beyond the bucket of 200, at 10 a second
        minimumMillis: 10_000
      })
      const text = yield* cli(["rotate", "--from-file", file, "--endpoint", emulator.url, "--dry-run"])
      assert.include(text.stdout, "minimum time  10.0 s")
      assert.strictEqual((yield* emulator.stats).requests, 0)
    }))
})

describe("a fleet stopped (Ctrl-C): Rotation's stop, then the summary", () => {
  it.scopedLive(
    "rotated, failed, stopped, not started and unpublished counted; exit 130 (SIGINT) or 143 (SIGTERM)",
    () =>
      Effect.gen(function*() {
        const fleet = [ref("acs-1"), ref("acs-2"), ref("acs-3")]
        const emulator = yield* Emulator.make({ resources: fleet })
        // acs-1's first publication fails (its key is live, unpublished); acs-2's waits for the test
        const work = yield* publishWorkspace(
          `if [ "$name" = acs-1.Secondary ]; then exit 3; fi
if [ "$name" = acs-2.Secondary ]; then while [ ! -e "$dir/release" ]; do sleep 0.1; done; fi`
        )
        const file = work.file("ids.txt")
        fs.writeFileSync(file, fleet.map(idOf).join("\n") + "\n")
        const runs: ReadonlyArray<readonly [ReadonlyArray<string>, AcsKeys.Signal]> = [
          [["--json"], "SIGINT"],
          [[], "SIGTERM"]
        ]
        for (const [format, signal] of runs) {
          yield* emulator.resetStats
          for (const name of ["acs-2.Secondary", "release"]) fs.rmSync(work.file(name), { force: true })
          // Ctrl-C once acs-2's publication is under way, then let that publication finish
          const stop = yield* Deferred.make<AcsKeys.Signal>()
          yield* Effect.fork(
            waitUntil(
              "acs-2's first key to reach the publish command",
              () => fs.existsSync(work.file("acs-2.Secondary"))
            )
              .pipe(
                Effect.zipRight(Deferred.succeed(stop, signal)),
                Effect.zipRight(Effect.sync(() => fs.writeFileSync(work.file("release"), "")))
              )
          )
          const run = yield* Effect.fork(cli([
            "rotate",
            "--from-file",
            file,
            "--concurrency",
            "1",
            "--endpoint",
            emulator.url,
            "--publish-command",
            work.command,
            "--publish-retries",
            "0",
            ...format
          ], { stop: Deferred.await(stop) }))
          const result = yield* Fiber.join(run)
          // SIGINT (Ctrl-C) exits 130, SIGTERM 143, as any stopped command
          assert.strictEqual(result.status, signal === "SIGINT" ? codes.Interrupted : codes.Terminated, result.stderr)
          assert.include(
            result.stderr,
            signal === "SIGINT" ? "acs-keys: Interrupted (SIGINT)" : "acs-keys: Terminated (SIGTERM)"
          )
          if (format.length > 0) {
            const summary = lastJson(result.stdout)
            assert.strictEqual(summary.event, "summary")
            // one summary, the fleet's own (not a second one from an interruption)
            assert.strictEqual(result.stdout.split("\n").filter((line) => line.includes(`"event":"summary"`)).length, 1)
            assert.deepInclude(summary, {
              total: 3,
              rotated: 0,
              interrupted: true,
              stopped: [{ resourceId: idOf(fleet[1]!), published: ["Secondary"] }],
              stoppedCount: 1,
              notStarted: 1
            })
            assert.deepStrictEqual(summary.failed.map((entry: { resourceId: string }) => entry.resourceId), [
              idOf(fleet[0]!)
            ])
            assert.deepStrictEqual(
              summary.unpublished.map((key: { resourceId: string; keyType: string }) => [
                key.resourceId,
                key.keyType
              ]),
              [[idOf(fleet[0]!), "Secondary"]]
            )
          } else {
            assert.strictEqual(result.stdout.match(/^interrupted: /gm)?.length, 1)
            assert.match(
              result.stdout,
              /^interrupted: rotated 0 of 3 resources in .+ \(1 failed, 1 stopped at a safe point, 1 not started, 1 unpublished, throttled 0 times\)$/m
            )
            assert.include(result.stdout, `${idOf(fleet[0]!)}: Secondary (its last publication failed: `)
          }
          // acs-1 and acs-2 each had one key regenerated, acs-3 none
          assert.strictEqual((yield* emulator.stats).regenerations, 2)
        }
      }),
    120_000
  )
})
