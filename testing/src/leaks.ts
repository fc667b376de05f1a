import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as Option from "effect/Option"
import * as Tracer from "effect/Tracer"
import * as util from "node:util"

/** A span as an in-memory tracer saw it: name, every attribute, every event and how it ended. */
export interface RecordedSpan {
  readonly name: string
  readonly kind: Tracer.SpanKind
  readonly attributes: Map<string, unknown>
  readonly events: Array<{ readonly name: string; readonly attributes: Record<string, unknown> | undefined }>
  readonly links: Array<Tracer.SpanLink>
  exit: Exit.Exit<unknown, unknown> | undefined
}

/** An in-memory `Tracer` that records every span, and the layer that installs it. */
export interface SpanRecorder {
  readonly tracer: Tracer.Tracer
  readonly layer: Layer.Layer<never>
  readonly spans: ReadonlyArray<RecordedSpan>
  /** Every text a span exporter could send: names, attribute names and values, events, the failure. */
  readonly texts: () => ReadonlyArray<string>
  readonly clear: () => void
}

const text = (value: unknown): string => {
  if (typeof value === "string") return value
  try {
    return `${String(value)} ${JSON.stringify(value) ?? ""} ${util.inspect(value, { depth: 8 })}`
  } catch {
    return util.inspect(value, { depth: 8 })
  }
}

/** Makes a `SpanRecorder`: provide `recorder.layer` (`Layer.setTracer`) to the program under test. */
export const makeSpanRecorder = (): SpanRecorder => {
  const spans: Array<RecordedSpan> = []
  let ids = 0
  const tracer = Tracer.make({
    span(name, parent, context, links, startTime, kind) {
      const recorded: RecordedSpan = {
        name,
        kind,
        attributes: new Map(),
        events: [],
        links: [...links],
        exit: undefined
      }
      spans.push(recorded)
      const spanId = `span${++ids}`
      const traceId = Option.match(parent, { onNone: () => `trace${ids}`, onSome: (p) => p.traceId })
      let status: Tracer.SpanStatus = { _tag: "Started", startTime }
      const span: Tracer.Span = {
        _tag: "Span",
        name,
        spanId,
        traceId,
        parent,
        context,
        get status() {
          return status
        },
        attributes: recorded.attributes,
        links: recorded.links,
        sampled: true,
        kind,
        end(endTime, exit) {
          status = { _tag: "Ended", startTime, endTime, exit }
          recorded.exit = exit
        },
        attribute(key, value) {
          recorded.attributes.set(key, value)
        },
        event(eventName, _startTime, attributes) {
          recorded.events.push({ name: eventName, attributes })
        },
        addLinks(more) {
          recorded.links.push(...more)
        }
      }
      return span
    },
    context: (f) => f()
  })
  return {
    tracer,
    layer: Layer.setTracer(tracer),
    spans,
    clear: () => {
      spans.length = 0
    },
    texts: () =>
      spans.flatMap((span) => [
        span.name,
        ...[...span.attributes].map(([key, value]) => `${key}=${text(value)}`),
        ...span.events.flatMap((event) => [event.name, text(event.attributes ?? {})]),
        ...(span.exit !== undefined && Exit.isFailure(span.exit) ? [Cause.pretty(span.exit.cause)] : [])
      ])
  }
}

/**
 * Every way an error (or any value) commonly becomes text: `message`, `String`, `JSON.stringify`,
 * `util.inspect` (fully deep), `Cause.pretty(Cause.fail(value))`, and log lines (`Effect.log` with the value,
 * `Effect.logError` with it as the cause) in the logfmt, JSON, structured and string formats.
 */
export const errorRenderings = (value: unknown): Effect.Effect<ReadonlyArray<string>> =>
  Effect.gen(function*() {
    const lines: Array<string> = []
    const capture = Logger.zip(
      Logger.zip(
        Logger.map(Logger.logfmtLogger, (line) => lines.push(line)),
        Logger.map(Logger.jsonLogger, (line) => lines.push(line))
      ),
      Logger.zip(
        Logger.map(Logger.structuredLogger, (line) => lines.push(text(line))),
        Logger.map(Logger.stringLogger, (line) => lines.push(line))
      )
    )
    yield* Effect.log("probe", value).pipe(
      Effect.zipRight(Effect.logError("probe", Cause.fail(value))),
      Effect.annotateLogs("value", value),
      Effect.provide(Logger.replace(Logger.defaultLogger, capture))
    )
    const message = typeof value === "object" && value !== null && "message" in value ? String(value.message) : ""
    return [
      message,
      String(value),
      JSON.stringify(value) ?? "",
      util.inspect(value, { depth: Infinity }),
      Cause.pretty(Cause.fail(value)),
      ...lines
    ]
  })

const base64url = (base64: string) => base64.replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "")

/**
 * The forms a secret commonly takes in text: as is, percent-encoded (`%2B`, `%2F`, `%3D`, either case),
 * without its base64 padding, and as base64url (padded and not).
 */
export const secretVariants = (secret: string): ReadonlyArray<string> => {
  const encoded = encodeURIComponent(secret)
  return [...new Set([secret, encoded, encoded.toLowerCase(), secret.replace(/=+$/, ""), base64url(secret)])]
    .filter((variant) => variant.length > 0)
}

/** How long a piece of a secret must be to count as a leak of it. */
export const leakWindow = 16

/**
 * Where the secrets leak into the texts: a secret, any of its `secretVariants`, or any `leakWindow`
 * characters of one of them. Each finding quotes the text with the leak marked `<<HERE>>`.
 */
export const findLeaks = (texts: ReadonlyArray<string>, secrets: ReadonlyArray<string>): Array<string> => {
  const needles = new Set<string>()
  for (const secret of secrets) {
    for (const variant of secretVariants(secret)) {
      if (variant.length <= leakWindow) needles.add(variant)
      else for (let i = 0; i + leakWindow <= variant.length; i++) needles.add(variant.slice(i, i + leakWindow))
    }
  }
  const findings: Array<string> = []
  for (const text of texts) {
    for (const needle of needles) {
      const at = text.indexOf(needle)
      if (at >= 0) {
        findings.push(
          `…${text.slice(Math.max(0, at - 80), at)}<<HERE>>${text.slice(at, at + needle.length + 40)}…`
        )
        break
      }
    }
  }
  return findings
}

/**
 * Fails unless no secret (nor a variant, nor a piece of one, see `findLeaks`) appears in any
 * `errorRenderings` of the value, nor, when a `SpanRecorder` is given, in any recorded span.
 */
export const assertNoLeak = (
  value: unknown,
  secrets: ReadonlyArray<string>,
  recorder?: SpanRecorder
): Effect.Effect<void> =>
  Effect.flatMap(errorRenderings(value), (texts) =>
    Effect.sync(() => {
      const inRenderings = findLeaks(texts, secrets)
      const inSpans = recorder === undefined ? [] : findLeaks(recorder.texts(), secrets)
      if (inRenderings.length + inSpans.length > 0) {
        throw new Error(
          [
            inRenderings.length > 0 ? `a rendering of the ${describe(value)} holds a secret:` : "",
            ...inRenderings,
            inSpans.length > 0
              ? `recorded spans (${recorder?.spans.map((s) => s.name).join(", ")}) hold a secret:`
              : "",
            ...inSpans
          ].filter((line) => line !== "").join("\n")
        )
      }
    }))

const describe = (value: unknown): string =>
  typeof value === "object" && value !== null && "_tag" in value ? String(value._tag) : typeof value
