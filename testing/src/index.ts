import * as Effect from "effect/Effect"
import * as Logger from "effect/Logger"
import * as util from "node:util"

/**
 * Every way a value commonly turns into text: `String`, `JSON.stringify`, `util.inspect` (fully deep) and
 * a log line through `Effect.log` in the logfmt and JSON formats.
 */
export const renderings = (value: unknown): Effect.Effect<ReadonlyArray<string>> =>
  Effect.gen(function*() {
    const lines: Array<string> = []
    const capture = Logger.zip(
      Logger.map(Logger.logfmtLogger, (line) => lines.push(line)),
      Logger.map(Logger.jsonLogger, (line) => lines.push(line))
    )
    yield* Effect.log("probe", value).pipe(
      Effect.annotateLogs("value", value),
      Effect.provide(Logger.replace(Logger.defaultLogger, capture))
    )
    return [String(value), JSON.stringify(value) ?? "", util.inspect(value, { depth: Infinity }), ...lines]
  })

/**
 * Fails unless no rendering of `value` contains any of the secrets (nor `accesskey=` followed by one).
 */
export const assertNoSecret = (value: unknown, secrets: ReadonlyArray<string>): Effect.Effect<ReadonlyArray<string>> =>
  Effect.map(renderings(value), (texts) => {
    for (const text of texts) {
      for (const secret of secrets) {
        if (text.includes(secret)) throw new Error(`a rendering contains a secret: ${text.replace(secret, "<HERE>")}`)
      }
    }
    return texts
  })

export * from "./leaks.js"
