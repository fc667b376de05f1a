import { Emulator } from "@effect-acs/emulator"
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import * as FileSystem from "@effect/platform/FileSystem"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as NodePath from "node:path"
import { keyPattern, other, resource, respond } from "./helpers.js"

const tempDir = Effect.flatMap(FileSystem.FileSystem, (fs) => fs.makeTempDirectoryScoped({ prefix: "emulator-" }))

const plainKeys = (emulator: Emulator.Service, ref = resource) =>
  Effect.map(emulator.keys(ref), (keys) => [Redacted.value(keys.primaryKey), Redacted.value(keys.secondaryKey)])

/** A value that looks like a secret and must never show in an error message. */
const secret = "c2VjcmV0LXRoYXQtbXVzdC1ub3QtbGVhaw=="

describe("Emulator: persistence and seeding", () => {
  it.scoped("with a state file, a restart keeps the keys; the file is written atomically with mode 0600", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const dir = yield* tempDir
      const stateFile = NodePath.join(dir, "nested", "state.json")
      const options: Emulator.Options = { resources: [resource], stateFile }

      const [afterRotation, added] = yield* Effect.scoped(Effect.gen(function*() {
        const emulator = yield* Emulator.make(options)
        assert.strictEqual((yield* respond(emulator, { body: { keyType: "Secondary" } })).status, 200)
        const added = yield* emulator.addResource(other)
        return [yield* plainKeys(emulator), Redacted.value(added.primaryKey)] as const
      }))

      const text = yield* fs.readFileString(stateFile)
      const file = JSON.parse(text)
      assert.strictEqual(file.version, 1)
      assert.lengthOf(file.resources, 2)
      assert.match(file.resources[0].primaryKey, keyPattern)
      assert.strictEqual((yield* fs.stat(stateFile)).mode & 0o777, 0o600)
      assert.deepStrictEqual(yield* fs.readDirectory(NodePath.dirname(stateFile)), ["state.json"])

      yield* Effect.scoped(Effect.gen(function*() {
        const emulator = yield* Emulator.make(options)
        assert.deepStrictEqual(yield* plainKeys(emulator), afterRotation)
        // a resource added at run time is kept too
        assert.strictEqual(Redacted.value((yield* emulator.keys(other)).primaryKey), added)
        const listed = yield* respond(emulator, { operation: "listKeys" })
        assert.deepStrictEqual([listed.body.primaryKey, listed.body.secondaryKey], afterRotation)
      }))
    }).pipe(Effect.provide(NodeFileSystem.layer)))

  it.scoped("a seed file names resources, with or without keys; the options add to it", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const seedFile = NodePath.join(yield* tempDir, "seed.json")
      yield* fs.writeFileString(
        seedFile,
        JSON.stringify({ resources: [{ ...resource, primaryKey: "cHJpbWFyeQ==" }] })
      )
      const emulator = yield* Emulator.make({ seedFile, resources: [other] })
      const [primary, secondary] = yield* plainKeys(emulator)
      assert.strictEqual(primary, "cHJpbWFyeQ==")
      assert.match(secondary!, keyPattern)
      assert.strictEqual((yield* respond(emulator, { operation: "listKeys", ref: other })).status, 200)
      // the seed file is only read
      assert.notInclude(yield* fs.readFileString(seedFile), secondary!)
    }).pipe(Effect.provide(NodeFileSystem.layer)))

  it.scoped("the state file wins over the seed for keys", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const stateFile = NodePath.join(dir, "state.json")
      const seeded = { resources: [{ ...resource, primaryKey: "c2VlZA==" }], stateFile }
      const rotated = yield* Effect.scoped(Effect.gen(function*() {
        const emulator = yield* Emulator.make(seeded)
        assert.deepStrictEqual((yield* plainKeys(emulator))[0], "c2VlZA==")
        return (yield* respond(emulator)).body.primaryKey as string
      }))
      yield* Effect.scoped(Effect.gen(function*() {
        const emulator = yield* Emulator.make(seeded)
        assert.strictEqual((yield* plainKeys(emulator))[0], rotated)
      }))
    }).pipe(Effect.provide(NodeFileSystem.layer)))

  it.scoped("a bad seed file fails with SeedFileError, never quoting its content", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const dir = yield* tempDir
      const cases: ReadonlyArray<readonly [string, string | undefined, string]> = [
        ["missing.json", undefined, "missing.json"],
        ["broken.json", `{"resources": [{"primaryKey": "${secret}"`, "not valid JSON"],
        ["shape.json", JSON.stringify({ resources: { primaryKey: secret } }), "resources"],
        ["names.json", JSON.stringify({ resources: [{ ...resource, resourceGroupName: "a/b" }] }), "resourceGroupName"],
        ["key.json", JSON.stringify({ resources: [{ ...resource, primaryKey: `${secret}!` }] }), "primaryKey"],
        ["version.json", JSON.stringify({ version: 2, resources: [] }), "version"]
      ]
      for (const [name, content, expected] of cases) {
        const seedFile = NodePath.join(dir, name)
        if (content !== undefined) yield* fs.writeFileString(seedFile, content)
        const error = yield* Effect.flip(Emulator.make({ seedFile }))
        assert.strictEqual(error._tag, "SeedFileError", name)
        assert.include(error.message, expected, name)
        assert.include(error.message, seedFile, name)
        assert.notInclude(error.message, secret.slice(0, 12), name)
      }
    }).pipe(Effect.provide(NodeFileSystem.layer)))

  it.scoped("a bad state file fails with StateFileError (read), never quoting its content", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const dir = yield* tempDir
      for (const content of [`not json ${secret}`, JSON.stringify({ resources: [{ primaryKey: secret }] })]) {
        const stateFile = NodePath.join(dir, "state.json")
        yield* fs.writeFileString(stateFile, content)
        const error = yield* Effect.flip(Emulator.make({ resources: [resource], stateFile }))
        assert.strictEqual(error._tag, "StateFileError")
        if (error._tag === "StateFileError") assert.strictEqual(error.operation, "read")
        assert.notInclude(error.message, secret.slice(0, 12))
      }
    }).pipe(Effect.provide(NodeFileSystem.layer)))

  it.scoped("a state file that cannot be written fails with StateFileError (write)", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const dir = yield* tempDir
      const blocker = NodePath.join(dir, "file")
      yield* fs.writeFileString(blocker, "")
      const error = yield* Effect.flip(
        Emulator.make({ resources: [resource], stateFile: NodePath.join(blocker, "s.json") })
      )
      assert.strictEqual(error._tag, "StateFileError")
      if (error._tag === "StateFileError") assert.strictEqual(error.operation, "write")
    }).pipe(Effect.provide(NodeFileSystem.layer)))

  it.scoped("a regeneration whose keys cannot be saved answers 500 and leaves the key unchanged", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const dir = NodePath.join(yield* tempDir, "state")
      const emulator = yield* Emulator.make({ resources: [resource], stateFile: NodePath.join(dir, "state.json") })
      const before = yield* plainKeys(emulator)
      // a file where the state directory was
      yield* fs.remove(dir, { recursive: true })
      yield* fs.writeFileString(dir, "")
      const reply = yield* respond(emulator)
      assert.strictEqual(reply.status, 500)
      assert.strictEqual(reply.body.error.code, "InternalServerError")
      assert.deepStrictEqual(yield* plainKeys(emulator), before)
      assert.strictEqual((yield* emulator.stats).inFlight, 0)
    }).pipe(Effect.provide(NodeFileSystem.layer)))

  it.scoped("deeply nested or malformed files are typed start errors, never a defect or a stack overflow", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const dir = yield* tempDir
      const deep = 100_000
      const cases: ReadonlyArray<readonly [string, string | Uint8Array, string]> = [
        ["arrays.json", "[".repeat(deep) + "]".repeat(deep), "nested deeper than 64"],
        ["objects.json", "{\"resources\":".repeat(deep) + "[]" + "}".repeat(deep), "nested deeper than 64"],
        ["unclosed.json", "{\"resources\": [" + "[".repeat(deep), "nested deeper than 64"],
        ["entry.json", `{"resources": [${"[".repeat(deep)}${"]".repeat(deep)}]}`, "nested deeper than 64"],
        ["key.json", `{"resources": [{"primaryKey": ${"{\"a\":".repeat(deep)}1${"}".repeat(deep)}}]}`, "nested deeper"],
        ["shallow.json", `{"resources": [${"[".repeat(40)}${"]".repeat(40)}]}`, "resources"],
        ["utf8.json", Uint8Array.from([0x7b, 0x22, 0xff, 0x22, 0x7d]), "not valid UTF-8"],
        ["nul.json", new Uint8Array(64), "not valid JSON"],
        ["empty.json", "", "not valid JSON"]
      ]
      for (const [name, content, expected] of cases) {
        const file = NodePath.join(dir, name)
        yield* typeof content === "string" ? fs.writeFileString(file, content) : fs.writeFile(file, content)
        const seed = yield* Effect.flip(Emulator.make({ seedFile: file }))
        assert.strictEqual(seed._tag, "SeedFileError", name)
        assert.include(seed.message, expected, name)
        const state = yield* Effect.flip(Emulator.make({ resources: [resource], stateFile: file }))
        assert.strictEqual(state._tag, "StateFileError", name)
        if (state._tag === "StateFileError") assert.strictEqual(state.operation, "read", name)
        assert.include(state.message, expected, name)
      }
    }).pipe(Effect.provide(NodeFileSystem.layer)))

  it.scoped("a file over 64 MiB is refused before it is read; an endless one once 64 MiB have come", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const dir = yield* tempDir
      // sparse: takes no room on disk, and must not be read
      const huge = NodePath.join(dir, "huge.json")
      yield* fs.writeFileString(huge, "")
      yield* fs.truncate(huge, 8 * 1024 * 1024 * 1024)
      const state = yield* Effect.flip(Emulator.make({ resources: [resource], stateFile: huge }))
      assert.strictEqual(state._tag, "StateFileError")
      assert.include(state.message, `larger than ${64 * 1024 * 1024} bytes`)
      const seed = yield* Effect.flip(Emulator.make({ seedFile: huge }))
      assert.strictEqual(seed._tag, "SeedFileError")
      assert.include(seed.message, "larger than")
      // a device with no end: the read stops at the limit
      const endless = yield* Effect.flip(Emulator.make({ seedFile: "/dev/zero" }))
      assert.strictEqual(endless._tag, "SeedFileError")
      assert.include(endless.message, "larger than")
      // the state file was not touched
      assert.strictEqual(Number((yield* fs.stat(huge)).size), 8 * 1024 * 1024 * 1024)
    }).pipe(Effect.provide(NodeFileSystem.layer)))
})
