/**
 * Handling the keys you receive: reveal a secret at the one place that needs it, describe it everywhere
 * else.
 */
import { ConnectionString } from "@effect-acs/schema"
import * as FileSystem from "@effect/platform/FileSystem"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import { createHash } from "node:crypto"

/** A short fingerprint of a key: tells keys apart in logs and audit trails, reveals nothing of the key. */
export const fingerprint = (key: Redacted.Redacted<string>): string =>
  createHash("sha256").update(Redacted.value(key)).digest("hex").slice(0, 12)

/**
 * What may be logged about a connection string: its endpoint and its key's fingerprint. A malformed one
 * fails with a `ParseError` that names the problem but never quotes the string.
 */
export const describeConnectionString = (connectionString: Redacted.Redacted<string>) =>
  Effect.map(
    Schema.decode(ConnectionString.ConnectionStringFromRedacted)(connectionString),
    (parts) => `${parts.endpoint} (key ${fingerprint(parts.accessKey)})`
  )

/**
 * Saves a connection string for a process that reads it from a file: readable by its owner only, and
 * atomically (a new file, then a rename), so a reader sees the old content or the new, never half, and
 * never a moment of a wider mode.
 */
export const saveConnectionString = (path: string, connectionString: Redacted.Redacted<string>) =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const description = yield* describeConnectionString(connectionString)
    const temporary = `${path}.tmp`
    yield* fs.remove(temporary, { force: true })
    // the one place the secret is revealed: straight into a file only its owner can read
    yield* fs.writeFileString(temporary, Redacted.value(connectionString), { mode: 0o600 })
    yield* fs.rename(temporary, path)
    yield* Effect.log(`saved ${path}: ${description}`)
  })
