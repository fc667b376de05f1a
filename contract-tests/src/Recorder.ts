/**
 * A recorder of our own, no .NET needed: `layer` wraps the caller's `HttpClient` so that every exchange a
 * program makes through it (against real Azure or the emulator) is recorded, and writes the recording
 * (test-proxy JSON or HAR) when the layer's scope closes.
 *
 * Each exchange is sanitized as soon as it is complete (`Secrets.sanitize`'s rules: keys become
 * `<key-1>`, `<key-2>` consistently across the recording, the bearer token `Bearer <token>`, and the
 * token anywhere else too), so no unsanitized request or response is kept, let alone written; the text
 * is scanned (`Secrets.scanText`) before it is written, and is not written if anything in it still looks
 * like a secret. The file is written to a temporary name and renamed, so it is never half-written.
 *
 * Bounded: a response body longer than `maxBodyBytes` (1 MiB, the client's own default limit) fails its
 * request with a `ResponseError` instead of being buffered, and exchanges after the first
 * `maxInteractions` (1000) are not recorded (a warning is logged). Exchanges are recorded in the order
 * their responses were read; a request without a response (a transport failure) is not recorded, and a
 * streamed request body (which the recorder cannot read without consuming it) is recorded as a note.
 *
 * @since 0.2.0
 */
import type * as FileSystem from "@effect/platform/FileSystem"
import * as HttpClient from "@effect/platform/HttpClient"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type { SecretsFound, WriteError } from "./ContractError.js"
import type * as Interaction from "./Interaction.js"
import * as internal from "./internal/recorder.js"

/**
 * Where and how to record.
 *
 * @example
 * ```ts
 * import type { Recorder } from "@effect-acs/contract-tests"
 *
 * const options: Recorder.Options = { path: "recordings/rotation.har", format: "Har" }
 * ```
 *
 * @since 0.2.0
 * @category models
 */
export interface Options {
  /** The file to write (its directory is created). */
  readonly path: string
  /** `"TestProxy"` (the default: `{"Entries": [...], "Variables": {}}`) or `"Har"` (HAR 1.2). */
  readonly format?: "TestProxy" | "Har" | undefined
  /** The longest response body recorded, in bytes; default 1 MiB. A longer one fails its request. */
  readonly maxBodyBytes?: number | undefined
  /** The most exchanges recorded; default 1000. Later ones are not recorded. */
  readonly maxInteractions?: number | undefined
}

/**
 * A running recorder.
 *
 * @example
 * ```ts
 * import type { Recorder } from "@effect-acs/contract-tests"
 * import * as Effect from "effect/Effect"
 *
 * const count = (recorder: Recorder.RecorderService) => Effect.map(recorder.interactions, (all) => all.length)
 * ```
 *
 * @since 0.2.0
 * @category models
 */
export interface RecorderService {
  /** The file the recording is written to. */
  readonly path: string
  /** The exchanges recorded so far, sanitized. */
  readonly interactions: Effect.Effect<ReadonlyArray<Interaction.Interaction>>
  /**
   * Writes the recording now (it is written again when the scope closes), failing with `SecretsFound`
   * (nothing written) or `WriteError`; succeeds with the path.
   */
  readonly save: Effect.Effect<string, WriteError | SecretsFound>
}

/**
 * The running recorder, for a program that wants to look at what was recorded, or save it early.
 *
 * @example
 * ```ts
 * import { Recorder } from "@effect-acs/contract-tests"
 * import * as Effect from "effect/Effect"
 *
 * const saveNow = Effect.flatMap(Recorder.Recorder, (recorder) => recorder.save)
 * ```
 *
 * @since 0.2.0
 * @category tags
 */
export class Recorder extends Context.Tag("@effect-acs/contract-tests/Recorder")<Recorder, RecorderService>() {}

/**
 * Records the traffic of the `HttpClient` it is given and provides the recording `HttpClient` (and the
 * `Recorder`): put it between your transport and the client. When the layer's scope closes the recording
 * is written; if that fails (a secret still found, a write error) the error is logged, as a finalizer
 * cannot fail: call `save` yourself to handle it.
 *
 * @example
 * ```ts
 * import { Recorder } from "@effect-acs/contract-tests"
 * import { AzureCredential, CommunicationServices } from "@effect-acs/core"
 * import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
 * import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
 * import * as Layer from "effect/Layer"
 * import * as Redacted from "effect/Redacted"
 *
 * const RecordedClient = CommunicationServices.layer().pipe(
 *   Layer.provide(AzureCredential.static(Redacted.make("a token from az account get-access-token"))),
 *   Layer.provide(Recorder.layer({ path: "recordings/rotation.testproxy.json" })),
 *   Layer.provide(NodeHttpClient.layer),
 *   Layer.provide(NodeFileSystem.layer)
 * )
 * ```
 *
 * @since 0.2.0
 * @category layers
 */
export const layer = (
  options: Options
): Layer.Layer<HttpClient.HttpClient | Recorder, never, HttpClient.HttpClient | FileSystem.FileSystem> =>
  Layer.scopedContext(
    Effect.map(
      internal.make(options),
      ({ client, service }) => Context.make(HttpClient.HttpClient, client).pipe(Context.add(Recorder, service))
    )
  )
