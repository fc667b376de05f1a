/**
 * Recordings of Regenerate Key and List Keys traffic, whichever tool made them: `load` (or `decode`)
 * detects the format (see `Format.all`: Azure PowerShell, the Azure SDK test-proxy and .NET
 * `SessionRecords`, HAR, vcrpy cassettes of the Azure CLI and azure-sdk-for-python, the documentation's
 * examples) and yields the canonical interactions with the `endpoint` and `apiVersion` the recording's
 * key operations used, so that a client can be pointed at exactly what the replay expects. A file of no
 * supported format fails with `MalformedRecording` naming every format tried and why each refused it.
 *
 * Reading is bounded: files over `maxBytes` (32 MiB by default) are refused before they are read, and
 * documents nested deeper than `maxDepth` (64) before they are walked.
 *
 * @since 0.2.0
 */
import type * as FileSystem from "@effect/platform/FileSystem"
import type * as Effect from "effect/Effect"
import type { LoadError, MalformedRecording, RecordingFormat } from "./ContractError.js"
import type { Operation } from "./DocumentedExample.js"
import type { Format } from "./Format.js"
import type * as Interaction from "./Interaction.js"
import * as internal from "./internal/recording.js"

/**
 * A loaded recording: its format, where it came from, its interactions (all of them, set-up and polling
 * included, in order), and the origin and api-version of its first key operation (`undefined` when it
 * holds none).
 *
 * @example
 * ```ts
 * import type { Recording } from "@effect-acs/contract-tests"
 *
 * const describe = (recording: Recording.Recording) =>
 *   `${recording.format}: ${recording.interactions.length} interactions against ${recording.endpoint} at ${recording.apiVersion}`
 * ```
 *
 * @since 0.2.0
 * @category models
 */
export interface Recording {
  readonly format: RecordingFormat
  readonly source: string
  readonly interactions: ReadonlyArray<Interaction.Interaction>
  /** The origin the key operations went to (`https://management.azure.com`, or the emulator's). */
  readonly endpoint: string | undefined
  /** The `api-version` the key operations sent. */
  readonly apiVersion: string | undefined
}

/**
 * Options of `decode` and `load`; all optional.
 *
 * @example
 * ```ts
 * import { Format, type Recording } from "@effect-acs/contract-tests"
 *
 * const options: Recording.DecodeOptions = {
 *   formats: [Format.vcr],
 *   endpoint: "https://management.usgovcloudapi.net",
 *   maxBytes: 4 * 1024 * 1024
 * }
 * ```
 *
 * @since 0.2.0
 * @category models
 */
export interface DecodeOptions {
  /** Where the text came from, for `source` and error messages; default `<input>`. */
  readonly source?: string | undefined
  /** The formats to try, in order; default `Format.all`. */
  readonly formats?: ReadonlyArray<Format> | undefined
  /**
   * The origin of requests recorded without one (the HttpRecorder's relative URIs, documented examples);
   * default `https://management.azure.com`.
   */
  readonly endpoint?: string | undefined
  /** The largest recording read, in bytes; default 32 MiB. */
  readonly maxBytes?: number | undefined
  /** The deepest nesting of arrays and objects accepted; default 64. */
  readonly maxDepth?: number | undefined
}

/**
 * Decodes a recording's text, detecting its format.
 *
 * @example
 * ```ts
 * import { Recording } from "@effect-acs/contract-tests"
 * import * as Effect from "effect/Effect"
 *
 * const cassette = `
 * interactions:
 * - request:
 *     method: POST
 *     uri: https://management.azure.com/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/clitest.rg000001/providers/Microsoft.Communication/communicationServices/acs000002/listKeys?api-version=2023-04-01
 *     headers: {Authorization: [Sanitized]}
 *     body: null
 *   response:
 *     status: {code: 200, message: OK}
 *     headers: {Content-Type: [application/json]}
 *     body: {string: '{"primaryKey": "Sanitized", "secondaryKey": "Sanitized"}'}
 * version: 1
 * `
 * const recording = Effect.runSync(Recording.decode(cassette, { source: "test_list_keys.yaml" }))
 * console.log(recording.format, recording.endpoint, recording.apiVersion) // Vcr https://management.azure.com 2023-04-01
 * ```
 *
 * @since 0.2.0
 * @category decoding
 */
export const decode: (text: string, options?: DecodeOptions) => Effect.Effect<Recording, MalformedRecording> =
  internal.decode

/**
 * Reads and decodes a recording file, detecting its format.
 *
 * @example
 * ```ts
 * import { Recording } from "@effect-acs/contract-tests"
 * import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
 * import * as Effect from "effect/Effect"
 *
 * const recording = Recording.load("recordings/test_communication_keys.yaml").pipe(Effect.provide(NodeFileSystem.layer))
 * ```
 *
 * @since 0.2.0
 * @category loading
 */
export const load: (
  path: string,
  options?: Omit<DecodeOptions, "source">
) => Effect.Effect<Recording, LoadError, FileSystem.FileSystem> = internal.load

/**
 * The operation an interaction's request is (`POST` to a communication service's `regenerateKey` or
 * `listKeys`, fixed segments in any letter case), or `undefined`.
 *
 * @example
 * ```ts
 * import { Interaction, Recording } from "@effect-acs/contract-tests"
 *
 * Recording.operation(Interaction.make({
 *   request: {
 *     method: "POST",
 *     url: "https://management.azure.com/subscriptions/s/resourcegroups/rg/providers/microsoft.communication/communicationservices/acs/regeneratekey?api-version=2020-08-20"
 *   },
 *   response: { status: 200 }
 * })) // "regenerateKey"
 * ```
 *
 * @since 0.2.0
 * @category utils
 */
export const operation: (interaction: Interaction.Interaction) => Operation | undefined = internal.operation

/**
 * The Regenerate Key and List Keys interactions of a recording, in order: what a replay of this library's
 * calls expects, without the resource group set-up, the polling and the clean-up around them.
 *
 * @example
 * ```ts
 * import { Recording } from "@effect-acs/contract-tests"
 * import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
 * import * as Effect from "effect/Effect"
 *
 * const keyOperations = Recording.load("recordings/rotation.json").pipe(
 *   Effect.map(Recording.keyOperations),
 *   Effect.provide(NodeFileSystem.layer)
 * )
 * ```
 *
 * @since 0.2.0
 * @category utils
 */
export const keyOperations: (recording: Recording) => ReadonlyArray<Interaction.Interaction> = internal.keyOperations

/**
 * A recording of interactions made in code (or by `Recorder`): its `endpoint` and `apiVersion` read from
 * the first key operation, as `load` does.
 *
 * @example
 * ```ts
 * import { Interaction, Recording } from "@effect-acs/contract-tests"
 *
 * const recording = Recording.fromInteractions("TestProxy", "in code", [
 *   Interaction.make({
 *     request: {
 *       method: "POST",
 *       url: "http://127.0.0.1:8080/subscriptions/s/resourceGroups/rg/providers/Microsoft.Communication/communicationServices/acs/listKeys?api-version=2023-04-01"
 *     },
 *     response: { status: 200, json: { primaryKey: "<key-1>" } }
 *   })
 * ])
 * recording.endpoint // "http://127.0.0.1:8080"
 * ```
 *
 * @since 0.2.0
 * @category constructors
 */
export const fromInteractions: (
  format: RecordingFormat,
  source: string,
  interactions: ReadonlyArray<Interaction.Interaction>
) => Recording = internal.fromInteractions
