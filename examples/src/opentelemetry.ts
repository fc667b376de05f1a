/**
 * Export the library's spans and metrics with OpenTelemetry: `@effect/opentelemetry` 0.64 (the Effect 3
 * line) over the OpenTelemetry SDK 2.x, to a collector over OTLP/HTTP. The rotation runs in a span of its
 * own, so its `CommunicationServices.regenerateKey` calls share one trace.
 *
 * From examples/, signed in to Azure, with an OpenTelemetry collector listening on localhost:4318:
 *
 *   ACS_RESOURCE_ID=/subscriptions/<id>/resourceGroups/<rg>/providers/Microsoft.Communication/communicationServices/<name> \
 *   ACS_CONNECTION_STRING_FILE=/run/secrets/acs-connection-string \
 *   OTEL_EXPORTER_OTLP_ENDPOINT=http://localhost:4318 pnpm exec tsx --conditions=source src/opentelemetry.ts
 */
import { DefaultAzureCredential } from "@azure/identity"
import { AzureCredential, CommunicationServices, Rotation } from "@effect-acs/core"
import * as NodeSdk from "@effect/opentelemetry/NodeSdk"
import * as NodeContext from "@effect/platform-node/NodeContext"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import { OTLPMetricExporter } from "@opentelemetry/exporter-metrics-otlp-http"
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http"
import { PeriodicExportingMetricReader } from "@opentelemetry/sdk-metrics"
import type { PushMetricExporter } from "@opentelemetry/sdk-metrics"
import { BatchSpanProcessor } from "@opentelemetry/sdk-trace-base"
import type { SpanExporter } from "@opentelemetry/sdk-trace-base"
import * as Config from "effect/Config"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { pathToFileURL } from "node:url"
import { saveConnectionString } from "./handle-keys.js"

/** Where spans and metrics go. */
export interface Exporters {
  readonly spans: SpanExporter
  readonly metrics: PushMetricExporter
}

/** OTLP over HTTP: both read `OTEL_EXPORTER_OTLP_ENDPOINT` (default `http://localhost:4318`) and `..._HEADERS`. */
export const otlpExporters = (): Exporters => ({ spans: new OTLPTraceExporter(), metrics: new OTLPMetricExporter() })

/**
 * The OpenTelemetry SDK as a layer: Effect's tracer becomes OpenTelemetry's (every `Effect.withSpan`, the
 * client's spans included), spans are exported in batches, and every Effect `Metric` (the library's
 * `Metrics` among them) is pushed every `metricInterval`. Closing the layer's scope (the end of the program)
 * flushes both, so a short-lived scheduled run loses nothing.
 */
export const TelemetryLive = (exporters: Exporters, options: {
  readonly serviceName?: string | undefined
  readonly metricInterval?: Duration.DurationInput | undefined
} = {}) =>
  NodeSdk.layer(() => ({
    resource: { serviceName: options.serviceName ?? "acs-key-rotation" },
    spanProcessor: new BatchSpanProcessor(exporters.spans),
    metricReader: new PeriodicExportingMetricReader({
      exporter: exporters.metrics,
      exportIntervalMillis: Duration.toMillis(options.metricInterval ?? Duration.seconds(60))
    })
  }))

/** A rotation in a span of its own (`rotate-acs-keys`), which holds the resource id and, at the end, the next key. */
export const rotateTraced = <E, R>(
  resourceId: string,
  options: Pick<Rotation.RotateOptions<E, R>, "publish" | "mode" | "first">
) =>
  Rotation.rotate({ resourceId }, options).pipe(
    Effect.tap((report) => Effect.annotateCurrentSpan("acs.next_key", report.next)),
    Effect.withSpan("rotate-acs-keys", { kind: "internal", attributes: { "acs.resource_id": resourceId } })
  )

/** The client over fetch, with the given credential and options (the default: Azure's public cloud). */
export const ClientLive = (
  credential: Layer.Layer<AzureCredential.AzureCredential>,
  options: CommunicationServices.Options = {}
) => CommunicationServices.layer(options).pipe(Layer.provide(credential), Layer.provide(FetchHttpClient.layer))

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  Effect.gen(function*() {
    const resourceId = yield* Config.string("ACS_RESOURCE_ID")
    const path = yield* Config.string("ACS_CONNECTION_STRING_FILE")
    return yield* rotateTraced(resourceId, { publish: (key) => saveConnectionString(path, key.connectionString) })
  }).pipe(
    Effect.provide(ClientLive(AzureCredential.fromTokenCredential(new DefaultAzureCredential()))),
    Effect.provide(NodeContext.layer),
    Effect.provide(TelemetryLive(otlpExporters())),
    NodeRuntime.runMain
  )
}
