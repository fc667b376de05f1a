/**
 * Fails when anything under `fixtures/` looks like a real secret; run it in your tests, so that nothing
 * that looks real is ever committed.
 */
import { Secrets } from "@effect-acs/contract-tests"
import * as NodeContext from "@effect/platform-node/NodeContext"
import * as Effect from "effect/Effect"

export const scanFixtures = Secrets.scanForSecrets(["fixtures"]).pipe(Effect.provide(NodeContext.layer))
