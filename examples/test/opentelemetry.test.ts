import { AzureCredential } from "@effect-acs/core"
import { Emulator } from "@effect-acs/emulator"
import { assert, describe, it } from "@effect/vitest"
import { AggregationTemporality, InMemoryMetricExporter } from "@opentelemetry/sdk-metrics"
import type { ResourceMetrics } from "@opentelemetry/sdk-metrics"
import { InMemorySpanExporter } from "@opentelemetry/sdk-trace-base"
import type { ReadableSpan } from "@opentelemetry/sdk-trace-base"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as otel from "../src/opentelemetry.js"
import { at, emulatorCredential, idOf, resources, secretsOf } from "./support.js"

/** InMemorySpanExporter forgets its spans on shutdown, which closing the SDK's layer does: this one keeps them. */
class KeptSpans extends InMemorySpanExporter {
  override shutdown() {
    return Promise.resolve()
  }
}

/**
 * Runs `effect` with the example's TelemetryLive over in-memory exporters, closes the SDK (which flushes the
 * spans and makes a last metric export) and returns what was exported.
 */
const exported = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.gen(function*() {
    const spans = new KeptSpans()
    const metrics = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE)
    const value = yield* Effect.scoped(
      Effect.provide(effect, otel.TelemetryLive({ spans, metrics }, { serviceName: "otel-test" }))
    )
    return { value, spans: spans.getFinishedSpans(), metrics: metrics.getMetrics() }
  })

/** The data points of the metric `name` in the last export. */
const pointsOf = (all: ReadonlyArray<ResourceMetrics>, name: string) =>
  (all.at(-1)?.scopeMetrics ?? []).flatMap((scope) => scope.metrics)
    .filter((metric) => metric.descriptor.name === name)
    .flatMap((metric) => metric.dataPoints as ReadonlyArray<{ attributes: Record<string, unknown>; value: unknown }>)

/** Every string an exporter would send: span names, attributes, events, statuses, metric names and labels. */
const exportedText = (spans: ReadonlyArray<ReadableSpan>, metrics: ReadonlyArray<ResourceMetrics>) =>
  JSON.stringify([
    spans.map((span) => [span.name, span.attributes, span.events, span.status, span.resource.attributes]),
    metrics.flatMap((batch) =>
      batch.scopeMetrics.flatMap((scope) =>
        scope.metrics.map((metric) => [metric.descriptor, metric.dataPoints.map((point) => point.attributes)])
      )
    )
  ])

describe("opentelemetry.md: opentelemetry.ts", () => {
  it.scopedLive("a rotation exports its spans, the rotation metrics and the key's rotated_at; no secret", () =>
    Effect.gen(function*() {
      const [acs] = resources(1).map((ref) => ({ ...ref, communicationServiceName: "acs-otel" }))
      const emulator = yield* Emulator.make({ resources: [acs!] })
      const before = yield* secretsOf(emulator, [acs!])
      const published: Array<string> = []
      const { metrics, spans, value: report } = yield* exported(
        otel.rotateTraced(idOf(acs!), {
          publish: (key) => Effect.sync(() => published.push(Redacted.value(key.connectionString)))
        }).pipe(Effect.provide(otel.ClientLive(emulatorCredential, at(emulator))))
      )
      assert.deepStrictEqual(report.regenerated, ["Secondary", "Primary"])

      const calls = spans.filter((span) => span.name === "CommunicationServices.regenerateKey")
      assert.strictEqual(calls.length, 2)
      const parent = spans.find((span) => span.name === "rotate-acs-keys")
      assert.isDefined(parent)
      assert.strictEqual(parent!.attributes["acs.next_key"], "Secondary")
      assert.deepStrictEqual(calls.map((span) => span.attributes["acs.key_type"]), ["Secondary", "Primary"])
      for (const span of calls) {
        assert.strictEqual(span.kind, 2) // SpanKind.CLIENT
        assert.strictEqual(span.spanContext().traceId, parent!.spanContext().traceId)
        assert.strictEqual(span.parentSpanContext?.spanId, parent!.spanContext().spanId)
        assert.include(span.attributes, {
          "acs.resource_id": idOf(acs!),
          "acs.api_version": "2020-08-20",
          "acs.attempts": 1,
          "acs.status": 200,
          "http.response.status_code": 200
        })
        assert.isString(span.attributes["acs.request_id"])
        assert.isString(span.attributes["acs.client_request_id"])
        assert.notProperty(span.attributes, "acs.error")
      }
      assert.isFalse(spans.some((span) => span.name === "http.client" || span.name.startsWith("http ")))

      assert.deepInclude(pointsOf(metrics, "effect_acs.rotations").map((point) => point.attributes), {
        outcome: "rotated"
      })
      const rotatedAt = pointsOf(metrics, "effect_acs.key.rotated_at").filter((point) =>
        point.attributes["resource"] === "acs-otel"
      )
      assert.sameMembers(rotatedAt.map((point) => point.attributes["key"]), ["Secondary", "Primary"])
      for (const point of rotatedAt) {
        assert.strictEqual(point.attributes["resource_id"], idOf(acs!))
        const seconds = point.value as number
        assert.isTrue(Number.isInteger(seconds) && seconds >= Math.floor(report.startedAt / 1000), `${seconds}`)
        assert.isAtMost(seconds, Math.ceil(report.finishedAt / 1000))
      }

      // the published connection strings, every key before and after, and the bearer token: none was exported
      const secrets = [...published, ...before, ...(yield* secretsOf(emulator, [acs!])), Emulator.defaultToken]
      assert.strictEqual(published.length, 2)
      const text = exportedText(spans, metrics)
      for (const secret of secrets) assert.notInclude(text, secret)
    }))

  it.scopedLive("a 429 from the emulator shows in effect_acs.throttled, and in the call's span as a second attempt", () =>
    Effect.gen(function*() {
      const [acs] = resources(1).map((ref) => ({ ...ref, communicationServiceName: "acs-otel-throttled" }))
      // one write in the bucket: the second regeneration is answered 429 (Retry-After: 1), then succeeds
      const emulator = yield* Emulator.make({ resources: [acs!], throttle: { capacity: 1, refillPerSecond: 1 } })
      const { metrics, spans, value: report } = yield* exported(
        otel.rotateTraced(idOf(acs!), { publish: () => Effect.void }).pipe(
          Effect.provide(otel.ClientLive(emulatorCredential, at(emulator)))
        )
      )
      assert.deepStrictEqual(report.regenerated, ["Secondary", "Primary"])
      assert.isAtLeast((yield* emulator.stats).throttled, 1)
      const throttled = pointsOf(metrics, "effect_acs.throttled").find((point) =>
        point.attributes["operation"] === "regenerateKey"
      )
      assert.isDefined(throttled)
      assert.isAtLeast(throttled!.value as number, 1)
      // one span per call, not per attempt
      assert.strictEqual(spans.filter((span) => span.name === "CommunicationServices.regenerateKey").length, 2)
      const second = spans.find((span) =>
        span.name === "CommunicationServices.regenerateKey" && span.attributes["acs.key_type"] === "Primary"
      )
      assert.isAtLeast(second!.attributes["acs.attempts"] as number, 2)
      assert.strictEqual(second!.attributes["acs.status"], 200)
    }))

  it.scopedLive("a failed rotation: effect_acs.rotation.failures by step and error, the span's acs.error", () =>
    Effect.gen(function*() {
      const [acs] = resources(1).map((ref) => ({ ...ref, communicationServiceName: "acs-otel-forbidden" }))
      // the token authenticates but may not regenerate: 403 AuthorizationFailed, a known outcome
      const emulator = yield* Emulator.make({ resources: [acs!], forbiddenTokens: ["reader-token"] })
      const { metrics, spans, value: error } = yield* exported(
        Effect.flip(
          otel.rotateTraced(idOf(acs!), { publish: () => Effect.void }).pipe(
            Effect.provide(otel.ClientLive(AzureCredential.static("reader-token"), at(emulator)))
          )
        )
      )
      assert.strictEqual(error._tag === "RotationFailed" && error.step, "Regenerate")
      assert.deepInclude(pointsOf(metrics, "effect_acs.rotation.failures").map((point) => point.attributes), {
        step: "Regenerate",
        error: "AuthorizationFailed"
      })
      assert.deepInclude(pointsOf(metrics, "effect_acs.rotations").map((point) => point.attributes), {
        outcome: "failed"
      })
      const call = spans.find((span) => span.name === "CommunicationServices.regenerateKey")
      assert.include(call!.attributes, {
        "acs.error": "AuthorizationFailed",
        "acs.status": 403,
        "http.response.status_code": 403
      })
      assert.strictEqual(call!.status.code, 2) // SpanStatusCode.ERROR
      assert.isFalse(
        pointsOf(metrics, "effect_acs.key.rotated_at").some((point) =>
          point.attributes["resource"] === "acs-otel-forbidden"
        )
      )
    }))
})
