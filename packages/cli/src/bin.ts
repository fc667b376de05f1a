#!/usr/bin/env node
/**
 * The `acs-keys` executable.
 *
 * @since 0.1.0
 */
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as Effect from "effect/Effect"
import * as AcsKeys from "./AcsKeys.js"

NodeRuntime.runMain(AcsKeys.run(process.argv.slice(2)).pipe(Effect.provide(AcsKeys.layer)), {
  disableErrorReporting: true,
  teardown: AcsKeys.teardown
})
