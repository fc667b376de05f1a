/**
 * Runs `acs-keys list --json` in-process, its output captured, and returns the exit status and the keys
 * (redacted: `--show-secrets` was not given).
 */
import { AcsKeys, Stdio } from "@effect-acs/cli"
import * as Effect from "effect/Effect"

export const listThroughCli = (id: string, url: string) =>
  Effect.gen(function*() {
    const captured = Stdio.capture()
    const status = yield* AcsKeys.run(["list", "--resource-id", id, "--endpoint", url, "--json"]).pipe(
      Effect.provideService(Stdio.Stdio, captured.output)
    )
    return { status, keys: JSON.parse(captured.stdout()).keys }
  }).pipe(Effect.provide(AcsKeys.layer)) // NodeContext + NodeHttpClient
