/**
 * Sanitizes recorded interactions and saves them as a test-proxy recording, ready to commit.
 */
import type { Interaction } from "@effect-acs/contract-tests"
import { Secrets, TestProxy } from "@effect-acs/contract-tests"
import * as FileSystem from "@effect/platform/FileSystem"
import * as Effect from "effect/Effect"

export const saveSanitized = (recorded: ReadonlyArray<Interaction.Interaction>, path: string) =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const sanitized = Secrets.sanitize(recorded)
    // or Har.encode(sanitized) for a HAR
    yield* fs.writeFileString(path, JSON.stringify(TestProxy.encode(sanitized), null, 2))
  })
