#!/usr/bin/env node
/**
 * The `acs-keys` executable. `--help`, `--version` and a mistyped command line are read from `spec.ts`
 * alone; the command itself (and, through it, the client or the emulator) is loaded only when it runs.
 *
 * @since 0.1.0
 */
import * as Argv from "./internal/argv.js"
import * as Help from "./internal/help.js"
import { colorful } from "./internal/terminal.js"

const argv = process.argv.slice(2)
const plan = Argv.plan(argv)
if (plan._tag === "Help" || plan._tag === "Version") {
  process.stdout.write(Help.answer(plan, { color: colorful(), columns: process.stdout.columns ?? 80 }))
} else {
  const AcsKeys = await import("./AcsKeys.js")
  AcsKeys.main(argv)
}
