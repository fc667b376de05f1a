/**
 * docs/cli.md against the code: its exit statuses are `ExitCode.exitCodes`, exactly; every error tag the
 * command's modules define is in its table of tags with the status `ExitCode` gives it (or named as only ever
 * the cause of a failed rotation); every option of every command is documented.
 */
import { AcsKeys, CliError, ExitCode } from "@effect-acs/cli"
import { DataPlane, Errors, Rotation } from "@effect-acs/core"
import { DurableFleet } from "@effect-acs/durable"
import { EmulatorError } from "@effect-acs/emulator"
import { assert, describe, it } from "@effect/vitest"
import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import * as Spec from "../src/internal/spec.js"

const doc = fs.readFileSync(
  path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..", "..", "docs", "cli.md"),
  "utf8"
)

/** The section of the doc under `heading`, up to the next heading of the same level or above. */
const section = (heading: string): string => {
  const level = heading.match(/^#+/)![0].length
  const start = doc.indexOf(`\n${heading}\n`)
  assert.isAbove(start, -1, `docs/cli.md has no "${heading}"`)
  const rest = doc.slice(start + heading.length + 2)
  const end = rest.search(new RegExp(`\\n#{1,${level}} `))
  return end === -1 ? rest : rest.slice(0, end)
}

/** The `_tag` of every error class a module exports. */
const tagsOf = (module: Record<string, unknown>): Array<string> =>
  Object.values(module).flatMap((value) => {
    if (typeof value !== "function") return []
    const tag = (value as { readonly _tag?: unknown })._tag
    return typeof tag === "string" ? [tag] : []
  })

/** Tags that only ever reach the user as the `cause` of a `RotationFailed`, or never from `acs-keys`. */
const notTopLevel = ["PublishCommandError", "PublishTimedOut", "UnknownResourceError"]

describe("docs/cli.md says what the code does", () => {
  it("acs-keys --version is the version of the package (internal/version.ts follows package.json)", () => {
    const manifest = JSON.parse(
      fs.readFileSync(path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "package.json"), "utf8")
    )
    assert.strictEqual(AcsKeys.version, manifest.version)
  })

  it("the exit statuses: every name and number of ExitCode.exitCodes, and no other", () => {
    const rows = [...section("## Errors and exit statuses").matchAll(/^\| (\d+) \| `(\w+)` \|/gm)]
    const documented = Object.fromEntries(rows.map(([, code, name]) => [name!, Number(code)]))
    assert.deepStrictEqual(documented, { ...ExitCode.exitCodes })
  })

  it("the error tags: every tag of core's, the CLI's and the emulator's errors, with the status ExitCode gives", () => {
    const tags = [
      ...tagsOf(Errors),
      ...tagsOf({ RotationFailed: Rotation.RotationFailed, PublishTimedOut: Rotation.PublishTimedOut }),
      // rotate --verify data-plane: a rotation stopped at Verify exits with the status of these
      ...tagsOf(DataPlane),
      ...tagsOf(CliError),
      // rotate --journal, status
      ...tagsOf({ InvalidFleet: DurableFleet.InvalidFleet, JournalError: DurableFleet.JournalError }),
      ...tagsOf(EmulatorError)
    ]
    // the classes were found (a module that stopped exporting them would make this test vacuous)
    for (
      const tag of ["InvalidInput", "UnexpectedResponse", "FleetIncomplete", "UsageError", "ListenError", "KeyRejected"]
    ) {
      assert.include(tags, tag)
    }
    const table = section("### Error tags")
    const rows = new Map([...table.matchAll(/^\| `(\w+)` \| (\d+) \|/gm)].map(([, tag, code]) => [tag!, Number(code)]))
    for (const tag of tags) {
      if (notTopLevel.includes(tag)) {
        assert.include(table, `\`${tag}\``, `${tag} is not mentioned`)
        assert.isFalse(rows.has(tag), `${tag} is in the table of statuses`)
        continue
      }
      assert.strictEqual(rows.get(tag), ExitCode.fromError({ _tag: tag }), `${tag}: its documented status`)
    }
    // the tags of DataPlane reach acs-keys as the cause of a rotation stopped at Verify: that is their status
    for (const tag of tagsOf(DataPlane)) {
      const stopped = { _tag: "RotationFailed", step: "Verify", cause: { _tag: tag } }
      assert.strictEqual(rows.get(tag), ExitCode.fromError(stopped), `${tag}: the status of a rotation it stopped`)
    }
    // and nothing documented that the code does not have (but @effect/cli's own ValidationError)
    for (const tag of rows.keys()) if (tag !== "ValidationError") assert.include(tags, tag, `${tag} is not a tag`)
    assert.strictEqual(rows.get("ValidationError"), ExitCode.exitCodes.UsageError)
  })

  it("every option of every command, and every alias of a command, is in the doc", () => {
    for (const command of Spec.commands) {
      for (const alias of command.aliases) assert.include(doc, `acs-keys ${alias}`, alias)
      for (const flag of command.flags) {
        assert.match(doc, new RegExp(`\`--${flag.name}[\` <]`), `${command.name} --${flag.name}`)
      }
    }
  })
})
