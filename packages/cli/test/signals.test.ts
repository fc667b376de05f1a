/**
 * The real `acs-keys rotate` in a child process, against the emulator on 127.0.0.1, stopped as a person or
 * a supervisor stops it: Ctrl-C (SIGINT to its process group), Ctrl-C twice, SIGKILL. After each: what is
 * left running (the process group of every publish command must be empty), what was published (what the
 * publish command received, against the emulator's live keys) and what acs-keys said and exited with.
 */
import { ExitCode } from "@effect-acs/cli"
import type { EmulatorState } from "@effect-acs/emulator"
import { Emulator } from "@effect-acs/emulator"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as fs from "node:fs"
import { assertNoSecret, idOf, ref, secretsOf } from "./helpers.js"
import { exitOf, groupAlive, publishWorkspace, spawnCli, waitUntil } from "./processes.js"

const acs = ref("acs-1")

const connectionStrings = (emulator: Emulator.Service, resource: EmulatorState.ResourceRef) =>
  Effect.map(emulator.keys(resource), (keys) => ({
    Primary: Redacted.value(keys.primaryConnectionString),
    Secondary: Redacted.value(keys.secondaryConnectionString)
  }))

/** A command that hangs (a background and a foreground child, both in its group) for the Secondary key. */
const hangOnSecondary = `if [ "$ACS_KEY_TYPE" = Secondary ]; then sleep 1000 & sleep 1000; fi`

const rotateArgs = (emulator: Emulator.Service, command: string, ...more: Array<string>) => [
  "rotate",
  "--resource-id",
  idOf(acs),
  "--endpoint",
  emulator.url,
  "--publish-command",
  command,
  ...more
]

/** Waits until every process group is empty (the kernel reports ESRCH). */
const groupsGone = (pgids: ReadonlyArray<number>) =>
  waitUntil(`the process groups ${pgids.join(", ")} to be empty`, () => pgids.every((pgid) => !groupAlive(pgid)))

const timeout = 180_000

/**
 * Ctrl-C while a publish command hangs: acs-keys acknowledges it and lets the command run; a second Ctrl-C
 * ends acs-keys at once (exit 130) and kills the command's process group.
 */
const ctrlCTwice = (cli: Effect.Effect.Success<ReturnType<typeof spawnCli>>, pgid: number) =>
  Effect.gen(function*() {
    cli.signalGroup("SIGINT")
    yield* waitUntil(
      "acs-keys to acknowledge the Ctrl-C",
      () => cli.stderr().includes("SIGINT: stopping at the next safe point")
    )
    assert.isTrue(groupAlive(pgid))
    cli.signalGroup("SIGINT")
    const exit = yield* exitOf(cli)
    assert.strictEqual(exit.code, ExitCode.exitCodes.Interrupted, cli.stderr())
    yield* groupsGone([pgid])
  })

/**
 * A rotation of acs-1 by the real acs-keys (with `args` added) against a fresh emulator, whose publish
 * command hangs once it received the Secondary key; returns when it did, with that command's process group.
 */
const hangingPublish = (...args: ReadonlyArray<string>) =>
  Effect.gen(function*() {
    const emulator = yield* Emulator.make({ resources: [acs] })
    const before = yield* connectionStrings(emulator, acs)
    const work = yield* publishWorkspace(hangOnSecondary)
    const cli = yield* spawnCli(rotateArgs(emulator, work.command, ...args))
    yield* waitUntil(
      "the publish command to receive the Secondary key",
      () => work.read("acs-1.Secondary") !== undefined
    )
    const [pgid] = work.pgids("acs-1.Secondary")
    assert.isDefined(pgid)
    return { emulator, before, work, cli, pgid }
  })

describe("acs-keys rotate, interrupted", () => {
  it.scopedLive(
    "Ctrl-C during a hanging publish: the command is let run until --publish-timeout, then killed; exit 130",
    () =>
      Effect.gen(function*() {
        const { before, cli, emulator, pgid, work } = yield* hangingPublish(
          "--publish-timeout",
          "20",
          "--publish-retries",
          "0"
        )
        assert.isDefined(pgid)
        assert.notStrictEqual(pgid, cli.pid) // a process group of its own
        assert.isTrue(groupAlive(pgid))

        cli.signalGroup("SIGINT")
        yield* waitUntil("acs-keys to acknowledge the Ctrl-C", () =>
          cli.stderr().includes("SIGINT: stopping at the next safe point"))
        // the terminal's Ctrl-C did not reach the command (another group), and acs-keys lets it run
        assert.isTrue(groupAlive(pgid))
        assert.isFalse(cli.hasExited())

        const exit = yield* exitOf(cli)
        assert.strictEqual(exit.code, ExitCode.exitCodes.Interrupted, cli.stderr())
        yield* groupsGone([pgid])
        // the command was given the live Secondary key but did not finish: it is not published, and acs-keys says so
        const live = yield* connectionStrings(emulator, acs)
        assert.strictEqual(work.read("acs-1.Secondary"), live.Secondary)
        assert.notStrictEqual(live.Secondary, before.Secondary)
        assert.strictEqual(live.Primary, before.Primary) // the Primary key was never regenerated
        assert.isUndefined(work.read("acs-1.Primary"))
        assert.include(
          cli.stdout(),
          `Interrupted the rotation of ${idOf(acs)}: nothing published; not regenerated: Primary`
        )
        assert.match(cli.stdout(), /may be live but not published/)
        assert.include(cli.stdout(), `${idOf(acs)}: Secondary (its last publication failed: `)
        assert.include(cli.stdout(), "did not finish within 20 s: its process group was killed")
        assert.include(cli.stderr(), "acs-keys: Interrupted (SIGINT)")
        assertNoSecret(cli.stdout() + cli.stderr(), [...Object.values(before), ...Object.values(live)])
        assert.strictEqual((yield* emulator.stats).regenerations, 1)
      }),
    timeout
  )

  it.scopedLive(
    "Ctrl-C twice during a hanging publish: the command's group is killed at once; exit 130 naming the key",
    () =>
      Effect.gen(function*() {
        // a publish timeout far beyond the test's: only the second Ctrl-C can end this run in time
        const { before, cli, emulator, pgid, work } = yield* hangingPublish("--publish-timeout", "3600")
        yield* ctrlCTwice(cli, pgid)
        assert.include(cli.stderr(), "acs-keys: SIGINT again: stopping now; killed 1 running publish command")
        assert.include(
          cli.stderr(),
          `acs-keys: the Secondary key of ${idOf(acs)} may be live but was not published`
        )
        const live = yield* connectionStrings(emulator, acs)
        assert.strictEqual(work.read("acs-1.Secondary"), live.Secondary)
        assert.strictEqual(live.Primary, before.Primary)
        assertNoSecret(cli.stdout() + cli.stderr(), [...Object.values(before), ...Object.values(live)])
      }),
    timeout
  )

  it.scopedLive(
    "SIGKILL during a hanging publish: the watchdog kills the command's group",
    () =>
      Effect.gen(function*() {
        const { before, cli, emulator, pgid, work } = yield* hangingPublish()
        assert.isTrue(groupAlive(pgid))
        cli.signal("SIGKILL")

        const exit = yield* exitOf(cli)
        assert.strictEqual(exit.signal, "SIGKILL")
        // nothing the publish command started outlives acs-keys
        yield* groupsGone([pgid])
        const live = yield* connectionStrings(emulator, acs)
        assert.strictEqual(work.read("acs-1.Secondary"), live.Secondary)
        assert.notStrictEqual(live.Secondary, before.Secondary)
        assert.strictEqual(live.Primary, before.Primary)
      }),
    timeout
  )

  it.scopedLive(
    "SIGKILL during the second publish: the first key was published, the second command's group is killed",
    () =>
      Effect.gen(function*() {
        const emulator = yield* Emulator.make({ resources: [acs] })
        const work = yield* publishWorkspace(`if [ "$ACS_KEY_TYPE" = Primary ]; then sleep 1000 & sleep 1000; fi`)
        const cli = yield* spawnCli(rotateArgs(emulator, work.command))

        yield* waitUntil(
          "the publish command to receive the Primary key",
          () => work.read("acs-1.Primary") !== undefined
        )
        const secondaryGroups = work.pgids("acs-1.Secondary")
        const [pgid] = work.pgids("acs-1.Primary")
        assert.strictEqual(secondaryGroups.length, 1)
        assert.isTrue(groupAlive(pgid!))
        cli.signal("SIGKILL")

        assert.strictEqual((yield* exitOf(cli)).signal, "SIGKILL")
        yield* groupsGone([pgid!, ...secondaryGroups])
        const live = yield* connectionStrings(emulator, acs)
        assert.strictEqual(work.read("acs-1.Secondary"), live.Secondary)
        assert.strictEqual(work.read("acs-1.Primary"), live.Primary)
        assert.strictEqual((yield* emulator.stats).regenerations, 2)
      }),
    timeout
  )

  it.scopedLive(
    "Ctrl-C while a regeneration is on the wire: it completes and is published, the other key is left alone",
    () =>
      Effect.gen(function*() {
        const emulator = yield* Emulator.make({ resources: [acs], regenerateLatency: "8 seconds" })
        const before = yield* connectionStrings(emulator, acs)
        const work = yield* publishWorkspace("")
        const cli = yield* spawnCli(rotateArgs(emulator, work.command, "--json"))

        yield* emulator.awaitStats((stats) => stats.inFlight === 1)
        cli.signalGroup("SIGINT")
        yield* waitUntil(
          "acs-keys to acknowledge the Ctrl-C",
          () => cli.stderr().includes("SIGINT: stopping at the next safe point")
        )
        // acknowledged while the regeneration is still on the wire: acs-keys waits for it
        assert.strictEqual((yield* emulator.stats).inFlight, 1)
        assert.isFalse(cli.hasExited())
        const exit = yield* exitOf(cli)
        assert.strictEqual(exit.code, ExitCode.exitCodes.Interrupted, cli.stderr())

        yield* emulator.awaitStats((stats) => stats.inFlight === 0)
        const live = yield* connectionStrings(emulator, acs)
        assert.notStrictEqual(live.Secondary, before.Secondary)
        // the key the service regenerated was published: no live key is unknown to the publish command
        assert.strictEqual(work.read("acs-1.Secondary"), live.Secondary)
        assert.strictEqual(live.Primary, before.Primary)
        assert.isUndefined(work.read("acs-1.Primary"))
        assert.strictEqual((yield* emulator.stats).regenerations, 1)
        const report = JSON.parse(cli.stdout().trim().split("\n").at(-1)!)
        assert.deepStrictEqual(report, {
          resourceId: idOf(acs),
          interrupted: true,
          regenerated: ["Secondary"],
          published: ["Secondary"],
          unpublished: []
        })
        yield* groupsGone(work.pgids("acs-1.Secondary"))
      }),
    timeout
  )
})

describe("acs-keys rotate, terminated", () => {
  it.scopedLive(
    "SIGTERM (a supervisor) during a publish: it finishes and is published, nothing more; exit 143",
    () =>
      Effect.gen(function*() {
        const emulator = yield* Emulator.make({ resources: [acs] })
        const before = yield* connectionStrings(emulator, acs)
        const work = yield* publishWorkspace(
          `if [ "$ACS_KEY_TYPE" = Secondary ]; then while [ ! -e "$dir/release" ]; do sleep 0.1; done; fi`
        )
        const cli = yield* spawnCli(rotateArgs(emulator, work.command))
        yield* waitUntil(
          "the publish command to receive the Secondary key",
          () => work.read("acs-1.Secondary") !== undefined
        )
        cli.signal("SIGTERM")
        yield* waitUntil(
          "acs-keys to acknowledge the SIGTERM",
          () => cli.stderr().includes("SIGTERM: stopping at the next safe point")
        )
        assert.isFalse(cli.hasExited())
        fs.writeFileSync(work.file("release"), "")

        const exit = yield* exitOf(cli)
        assert.strictEqual(exit.code, ExitCode.exitCodes.Terminated, cli.stderr())
        assert.include(
          cli.stdout(),
          `Interrupted the rotation of ${idOf(acs)}: published Secondary; not regenerated: Primary\n`
        )
        assert.notInclude(cli.stdout(), "may be live but not published")
        assert.include(cli.stderr(), "acs-keys: Terminated (SIGTERM)")
        const live = yield* connectionStrings(emulator, acs)
        assert.strictEqual(work.read("acs-1.Secondary"), live.Secondary)
        assert.strictEqual(live.Primary, before.Primary)
        assert.isUndefined(work.read("acs-1.Primary"))
        yield* groupsGone(work.pgids("acs-1.Secondary"))
      }),
    timeout
  )
})

describe("acs-keys rotate --from-file, interrupted", () => {
  const fleet = [ref("acs-1"), ref("acs-2"), ref("acs-3")]

  const fleetFile = (work: { readonly file: (name: string) => string }) =>
    Effect.sync(() => {
      const file = work.file("ids.txt")
      fs.writeFileSync(file, fleet.map(idOf).join("\n") + "\n")
      return file
    })

  it.scopedLive(
    "Ctrl-C: the running rotation stops after its current publish, no new one starts; the summary says so",
    () =>
      Effect.gen(function*() {
        const emulator = yield* Emulator.make({ resources: fleet })
        const before = yield* Effect.forEach(fleet, (resource) => connectionStrings(emulator, resource))
        // the first key of the first resource is published only once the test says so
        const work = yield* publishWorkspace(
          `if [ "$name" = acs-1.Secondary ]; then while [ ! -e "$dir/release" ]; do sleep 0.1; done; fi`
        )
        const ids = yield* fleetFile(work)
        const cli = yield* spawnCli([
          "rotate",
          "--from-file",
          ids,
          "--concurrency",
          "1",
          "--endpoint",
          emulator.url,
          "--publish-command",
          work.command,
          "--json"
        ])
        yield* waitUntil(
          "the publish command to receive the first key",
          () => work.read("acs-1.Secondary") !== undefined
        )
        cli.signalGroup("SIGINT")
        yield* waitUntil(
          "acs-keys to acknowledge the Ctrl-C",
          () => cli.stderr().includes("SIGINT: stopping at the next safe point")
        )
        fs.writeFileSync(work.file("release"), "")

        const exit = yield* exitOf(cli)
        assert.strictEqual(exit.code, ExitCode.exitCodes.Interrupted, cli.stderr())
        const summary = JSON.parse(cli.stdout().trim().split("\n").at(-1)!)
        assert.strictEqual(summary.event, "summary")
        assert.deepInclude(summary, {
          total: 3,
          rotated: 0,
          failed: [],
          interrupted: true,
          stopped: [{ resourceId: idOf(fleet[0]!), published: ["Secondary"] }],
          stoppedCount: 1,
          notStarted: 2,
          unpublished: []
        })
        const live = yield* Effect.forEach(fleet, (resource) => connectionStrings(emulator, resource))
        assert.strictEqual(work.read("acs-1.Secondary"), live[0]!.Secondary)
        assert.strictEqual(live[0]!.Primary, before[0]!.Primary)
        assert.deepStrictEqual(live.slice(1), before.slice(1))
        assert.strictEqual((yield* emulator.stats).regenerations, 1)
        yield* groupsGone(work.pgids("acs-1.Secondary"))
        assertNoSecret(
          cli.stdout() + cli.stderr(),
          (yield* Effect.forEach(fleet, (r) => secretsOf(emulator, r))).flat()
        )
      }),
    timeout
  )

  it.scopedLive(
    "Ctrl-C twice: the hanging command's group is killed, the key named, the rest not started (text)",
    () =>
      Effect.gen(function*() {
        const emulator = yield* Emulator.make({ resources: fleet })
        const work = yield* publishWorkspace(`if [ "$name" = acs-2.Secondary ]; then sleep 1000 & sleep 1000; fi`)
        const ids = yield* fleetFile(work)
        const cli = yield* spawnCli([
          "rotate",
          "--from-file",
          ids,
          "--concurrency",
          "1",
          "--endpoint",
          emulator.url,
          "--publish-command",
          work.command
        ])
        yield* waitUntil(
          "the publish command to receive acs-2's first key",
          () => work.read("acs-2.Secondary") !== undefined
        )
        const [pgid] = work.pgids("acs-2.Secondary")
        yield* ctrlCTwice(cli, pgid!)
        assert.include(cli.stderr(), `the Secondary key of ${idOf(fleet[1]!)} may be live but was not published`)
        const live = yield* Effect.forEach(fleet, (resource) => connectionStrings(emulator, resource))
        // acs-1 rotated and published in full, acs-2's Secondary went to the command only, acs-3 untouched
        assert.strictEqual(work.read("acs-1.Secondary"), live[0]!.Secondary)
        assert.strictEqual(work.read("acs-1.Primary"), live[0]!.Primary)
        assert.strictEqual(work.read("acs-2.Secondary"), live[1]!.Secondary)
        assert.isUndefined(work.read("acs-3.Secondary"))
        assert.strictEqual((yield* emulator.stats).regenerations, 3)
      }),
    timeout
  )
})

describe("other commands", () => {
  it.scopedLive("acs-keys emulator stops at the first Ctrl-C, exit 130", () =>
    Effect.gen(function*() {
      const cli = yield* spawnCli(["emulator", "--resource", idOf(acs)])
      yield* waitUntil("the emulator to listen", () => cli.stdout().includes("emulator listening on http://127.0.0.1:"))
      assert.isFalse(cli.hasExited())
      cli.signalGroup("SIGINT")
      const exit = yield* exitOf(cli)
      assert.strictEqual(exit.code, ExitCode.exitCodes.Interrupted, cli.stderr())
      assert.include(cli.stderr(), "acs-keys: Interrupted (SIGINT)")
    }), timeout)
})
