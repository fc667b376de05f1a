/**
 * How a command prints, chosen once from its options: text for people, `--json` (acs-keys' envelope), or an
 * az format (`-o`, with `--query`). A handler describes what it has to say as a `View` (each form computed
 * only if printed) and hands it to the renderer; it never asks which one it has.
 */
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { FleetIncomplete } from "../CliError.js"
import { Stdio } from "../Stdio.js"
import * as Format from "./format.js"
import * as render from "./render.js"
import type * as Spec from "./spec.js"

/** One thing to print, in each form. */
export interface View {
  /** For people (standard output). */
  readonly text: () => string
  /** The `--json` envelope. */
  readonly json: () => unknown
  /** The result as az prints it with `-o` (the keys object, for `list` and `regenerate`); the envelope if absent. */
  readonly result?: () => unknown
}

/** The output options of a command. */
export interface OutputOptions {
  readonly json: boolean
  readonly output: Option.Option<Spec.Format>
  readonly query: Option.Option<string>
  readonly showSecrets: boolean
}

export interface Renderer {
  readonly _tag: "Text" | "Json" | "Format"
  /** Prints the result of the command. */
  readonly print: (view: View) => Effect.Effect<void>
  /** One item of a stream (a fleet's events, the keys of a rotation as they are published) as text to print. */
  readonly item: (view: View) => Effect.Effect<string>
  /** Whether keys published without a publish command are printed as they come (else they are in the result). */
  readonly streamsKeys: boolean
  /** Prints a failure, on standard output, where the format says so (`--json`, `-o json`...). */
  readonly failure: (error: unknown) => Effect.Effect<void>
  /** Prints the hint that keys were redacted (to standard error, for people only). */
  readonly hint: Effect.Effect<void>
}

const write = (text: string) =>
  text === "" ? Effect.void : Effect.flatMap(Stdio, (output) => Effect.sync(() => output.stdout(text)))
const writeErr = (text: string) => Effect.flatMap(Stdio, (output) => Effect.sync(() => output.stderr(text)))
const line = (value: unknown) => `${JSON.stringify(value)}\n`

/** The failure as `{"error": {...}}`, but for an incomplete fleet, which its summary reports. */
const errorView = (error: unknown): Option.Option<View> =>
  error instanceof FleetIncomplete ? Option.none() : Option.some({
    text: () => "",
    json: () => ({ error: render.errorJson(error) })
  })

const text = (options: OutputOptions): Renderer => ({
  _tag: "Text",
  print: (view) => write(view.text()),
  item: (view) => Effect.succeed(view.text()),
  streamsKeys: true,
  failure: () => Effect.void,
  hint: options.showSecrets ? Effect.void : writeErr(`(${render.hint})\n`)
})

const json: Renderer = {
  _tag: "Json",
  print: (view) => write(line(view.json())),
  item: (view) => Effect.succeed(line(view.json())),
  streamsKeys: false,
  failure: (error) => Option.match(errorView(error), { onNone: () => Effect.void, onSome: (view) => json.print(view) }),
  hint: Effect.void
}

const formatted = (format: Spec.Format, query: Option.Option<string>, color: boolean): Renderer => {
  const shape = (view: View) => {
    const value = view.result === undefined ? view.json() : view.result()
    return Option.match(query, { onNone: () => Effect.succeed(value), onSome: (q) => Format.query(value, q) })
  }
  const self: Renderer = {
    _tag: "Format",
    print: (view) => Effect.flatMap(shape(view), (value) => Effect.flatMap(Format.render(format, value, color), write)),
    // a stream in JSON is one document a line
    item: (view) =>
      Effect.flatMap(
        shape(view),
        (value) =>
          format === "json" || format === "jsonc" ? Effect.succeed(line(value)) : Format.render(format, value, color)
      ),
    streamsKeys: false,
    // az prints failures on standard error only; -o json also gets the error object, for scripts
    failure: (error) =>
      format === "json" || format === "jsonc"
        ? Option.match(errorView(error), {
          onNone: () => Effect.void,
          onSome: (view) => write(`${JSON.stringify(view.json(), null, 2)}\n`)
        })
        : Effect.void,
    hint: Effect.void
  }
  return self
}

/** The renderer the options ask for: `-o` (with `--query`) first, then `--json`, else text. */
export const choose = (options: OutputOptions, color: boolean): Renderer =>
  Option.isSome(options.output)
    ? formatted(options.output.value, options.query, color)
    : options.json
    ? json
    : text(options)

/** The renderer of a command, chosen once: colours only where standard output may show them. */
export const forOutput = (options: OutputOptions): Effect.Effect<Renderer> =>
  Effect.map(Stdio, (output) => choose(options, output.color === true))

/** Runs `self`, printing its failure as the renderer says (the failure stays). */
export const reportingFailures = (renderer: Renderer) => <A, E, R>(self: Effect.Effect<A, E, R>) =>
  Effect.tapError(self, renderer.failure)
