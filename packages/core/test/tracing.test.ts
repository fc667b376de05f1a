import { CommunicationServices } from "@effect-acs/core"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Tracer from "effect/Tracer"
import { clientLayer, documentedSample, resource, resourceId, token } from "./fake.js"

/** Runs the effect with a tracer that records every span it starts. */
const recordingSpans = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.gen(function*() {
    const spans: Array<Tracer.Span> = []
    const native = yield* Effect.tracer
    const tracer = Tracer.make({
      span: (...args) => {
        const span = native.span(...args)
        spans.push(span)
        return span
      },
      context: native.context
    })
    const exit = yield* Effect.exit(Effect.withTracer(effect, tracer))
    return { spans, exit }
  })

const attributes = (span: Tracer.Span) => Object.fromEntries(span.attributes)

const secret = "c3Bhbi10ZXN0LXNlY3JldA=="

describe("tracing", () => {
  it.effect("a span per call with resource, key type, api-version, attempts, status and request ids", () =>
    Effect.gen(function*() {
      const { layer } = clientLayer([{ status: 503, body: {}, headers: { "retry-after": "0" } }, {
        status: 200,
        body: {
          ...documentedSample,
          secondaryKey: secret,
          secondaryConnectionString: `endpoint=https://x/;accesskey=${secret}`
        }
      }])
      const { spans } = yield* recordingSpans(
        CommunicationServices.regenerateKey({ ...resource, keyType: "secondary" }).pipe(Effect.provide(layer))
      )
      const span = spans.find((span) => span.name === "CommunicationServices.regenerateKey")
      assert.isDefined(span)
      const attrs = attributes(span!)
      assert.strictEqual(span!.kind, "client")
      assert.strictEqual(attrs["acs.resource_id"], resourceId)
      assert.strictEqual(attrs["acs.key_type"], "Secondary")
      assert.strictEqual(attrs["acs.api_version"], "2020-08-20")
      assert.strictEqual(attrs["acs.attempts"], 2)
      assert.strictEqual(attrs["acs.status"], 200)
      assert.strictEqual(attrs["acs.request_id"], "req-2")
      assert.strictEqual(attrs["acs.correlation_request_id"], "corr-2")
      assert.match(String(attrs["acs.client_request_id"]), /^[0-9a-f-]{36}$/)
      for (const recorded of spans) {
        const text = JSON.stringify([...recorded.attributes].map(([k, v]) => [k, String(v)]))
        assert.notInclude(text, token)
        assert.notInclude(text, secret)
      }
    }))

  it.effect("a failed call's span names the error and whether the outcome is known", () =>
    Effect.gen(function*() {
      const { layer } = clientLayer([{ status: 404, body: { error: { code: "ResourceNotFound" } } }])
      const { spans } = yield* recordingSpans(CommunicationServices.listKeys(resource).pipe(Effect.provide(layer)))
      const span = spans.find((span) => span.name === "CommunicationServices.listKeys")!
      const attrs = attributes(span)
      assert.strictEqual(attrs["acs.error"], "NotFound")
      assert.strictEqual(attrs["acs.status"], 404)
      assert.strictEqual(attrs["acs.outcome_unknown"], false)
      assert.strictEqual(attrs["acs.request_id"], "req-1")
    }))

  it.effect("no trace context is sent unless propagateTrace; then the traceparent of the call's own span", () =>
    Effect.gen(function*() {
      const quiet = clientLayer([{ status: 200, body: documentedSample }])
      yield* recordingSpans(CommunicationServices.listKeys(resource).pipe(Effect.provide(quiet.layer)))
      const sentQuiet = Object.keys(quiet.seen[0]!.headers)
      assert.isFalse(sentQuiet.some((name) => /^(traceparent|tracestate|b3|x-b3-)/i.test(name)), sentQuiet.join())

      const opted = clientLayer([{ status: 200, body: documentedSample }], { propagateTrace: true })
      const { spans } = yield* recordingSpans(
        CommunicationServices.listKeys(resource).pipe(Effect.provide(opted.layer))
      )
      const span = spans.find((span) => span.name === "CommunicationServices.listKeys")!
      assert.strictEqual(opted.seen[0]!.headers["traceparent"], `00-${span.traceId}-${span.spanId}-01`)
      assert.isUndefined(opted.seen[0]!.headers["b3"])
    }))
})
