/**
 * Where `acs-keys` writes: standard output (results), standard error (progress, hints and errors), and
 * whether standard error is a terminal (the fleet progress bar is drawn only then).
 *
 * `Stdio` is a context reference whose default is the process's own streams, so the command runs as is;
 * tests and embedders provide another one (`capture()` keeps what was written in memory).
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import * as terminal from "./internal/terminal.js"

/**
 * The output side of a terminal.
 *
 * @example
 * ```ts
 * import type { Stdio } from "@effect-acs/cli"
 *
 * const quiet: Stdio.Output = { stdout: () => {}, stderr: () => {}, isTTY: false, columns: 80 }
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface Output {
  /** Writes text to standard output, as is (add the newline yourself). */
  readonly stdout: (text: string) => void
  /** Writes text to standard error, as is. */
  readonly stderr: (text: string) => void
  /** Whether standard error is a terminal: progress is a redrawn bar then, plain lines otherwise. */
  readonly isTTY: boolean
  /** The width of the terminal in columns (80 when unknown). */
  readonly columns: number
  /**
   * Whether standard output may be styled with ANSI escapes (help headings, `-o jsonc`): a terminal, and
   * neither `NO_COLOR` nor `TERM=dumb` set. Absent means no.
   *
   * @since 0.2.0
   */
  readonly color?: boolean | undefined
}

/**
 * Whether the process's standard output shows colours: a terminal, without `NO_COLOR` (any non-empty value,
 * see no-color.org) or `TERM=dumb`.
 *
 * @example
 * ```ts
 * import { Stdio } from "@effect-acs/cli"
 *
 * Stdio.colorful() // false when piped, or with NO_COLOR=1
 * ```
 *
 * @since 0.2.0
 * @category constructors
 */
export const colorful: () => boolean = terminal.colorful

/**
 * The process's standard output and standard error.
 *
 * @example
 * ```ts
 * import { Stdio } from "@effect-acs/cli"
 *
 * const output = Stdio.processOutput()
 * output.isTTY // whether stderr is a terminal
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const processOutput = (): Output => ({
  stdout: (text) => {
    process.stdout.write(text)
  },
  stderr: (text) => {
    process.stderr.write(text)
  },
  isTTY: process.stderr.isTTY === true,
  columns: process.stderr.columns ?? 80,
  color: colorful()
})

/**
 * The output `acs-keys` writes to; by default the process's own.
 *
 * @example
 * ```ts
 * import { AcsKeys, Stdio } from "@effect-acs/cli"
 * import * as Effect from "effect/Effect"
 *
 * const captured = Stdio.capture()
 * const program = AcsKeys.run(["--version"]).pipe(Effect.provideService(Stdio.Stdio, captured.output))
 * ```
 *
 * @since 0.1.0
 * @category tags
 */
export class Stdio extends Context.Reference<Stdio>()("@effect-acs/cli/Stdio", {
  defaultValue: processOutput
}) {}

/**
 * An in-memory `Output`, and what was written to it so far.
 *
 * @example
 * ```ts
 * import { Stdio } from "@effect-acs/cli"
 *
 * const captured = Stdio.capture()
 * captured.output.stdout("hello\n")
 * captured.stdout() // "hello\n"
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface Captured {
  readonly output: Output
  /** Everything written to standard output so far. */
  readonly stdout: () => string
  /** Everything written to standard error so far. */
  readonly stderr: () => string
}

/**
 * Captures output in memory (for tests, or to embed the command). Not a terminal unless `isTTY` says so.
 *
 * @example
 * ```ts
 * import { Stdio } from "@effect-acs/cli"
 *
 * const terminal = Stdio.capture({ isTTY: true, columns: 100 })
 * terminal.output.stderr("progress")
 * terminal.stderr() // "progress"
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const capture = (options?: {
  readonly isTTY?: boolean | undefined
  readonly columns?: number | undefined
  readonly color?: boolean | undefined
}): Captured => {
  const out: Array<string> = []
  const err: Array<string> = []
  return {
    output: {
      stdout: (text) => {
        out.push(text)
      },
      stderr: (text) => {
        err.push(text)
      },
      isTTY: options?.isTTY ?? false,
      columns: options?.columns ?? 80,
      color: options?.color ?? false
    },
    stdout: () => out.join(""),
    stderr: () => err.join("")
  }
}
