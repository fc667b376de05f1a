import * as Redaction from "@effect-acs/core/Redaction"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as util from "node:util"
import type { Output } from "../Stdio.js"

/** ANSI escape sequences (SGR and other CSI). */
// eslint-disable-next-line no-control-regex
const ansi = /\x1b\[[0-9;?]*[ -/]*[@-~]/g

/**
 * An Effect `Console` writing to an `Output`: what `@effect/cli` prints (help, usage errors, the version)
 * goes where the rest of the command's output goes. What goes to standard error (usage errors, which may
 * quote what was typed) is masked: a secret typed in the wrong place is not echoed back.
 */
export const fromOutput = (output: Output): Console.Console => {
  // @effect/cli styles what it prints: plain text unless the output shows colours
  const plain = (text: string) => output.color === true ? text : text.replace(ansi, "")
  const line = (write: (text: string) => void) => (...args: ReadonlyArray<unknown>) =>
    write(plain(`${util.format(...args)}\n`))
  const out = line(output.stdout)
  const err = line((text) => output.stderr(Redaction.mask(text)))
  const noop = () => {}
  const unsafe: Console.UnsafeConsole = {
    assert: (condition, ...args) => {
      if (!condition) err("Assertion failed:", ...args)
    },
    clear: noop,
    count: noop,
    countReset: noop,
    debug: err,
    dir: (item) => out(util.inspect(item)),
    dirxml: out,
    error: err,
    group: noop,
    groupCollapsed: noop,
    groupEnd: noop,
    info: out,
    log: out,
    table: (data) => out(util.inspect(data)),
    time: noop,
    timeEnd: noop,
    timeLog: noop,
    trace: err,
    warn: err
  }
  return {
    [Console.TypeId]: Console.TypeId,
    assert: (condition, ...args) => Effect.sync(() => unsafe.assert(condition, ...args)),
    clear: Effect.void,
    count: () => Effect.void,
    countReset: () => Effect.void,
    debug: (...args) => Effect.sync(() => unsafe.debug(...args)),
    dir: (item, options) => Effect.sync(() => unsafe.dir(item, options)),
    dirxml: (...args) => Effect.sync(() => unsafe.dirxml(...args)),
    error: (...args) => Effect.sync(() => unsafe.error(...args)),
    group: () => Effect.void,
    groupEnd: Effect.void,
    info: (...args) => Effect.sync(() => unsafe.info(...args)),
    log: (...args) => Effect.sync(() => unsafe.log(...args)),
    table: (data) => Effect.sync(() => unsafe.table(data)),
    time: () => Effect.void,
    timeEnd: () => Effect.void,
    timeLog: () => Effect.void,
    trace: (...args) => Effect.sync(() => unsafe.trace(...args)),
    warn: (...args) => Effect.sync(() => unsafe.warn(...args)),
    unsafe
  }
}
