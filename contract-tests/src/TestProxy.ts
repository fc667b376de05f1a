/**
 * Recordings of the Azure SDK test-proxy (`{"Entries": [...], "Variables": {}}`), the format the Azure SDKs
 * record live traffic in (`TEST_MODE=record`): each entry holds `RequestUri`, `RequestMethod`,
 * `RequestHeaders`, `RequestBody`, `StatusCode`, `ResponseHeaders` and `ResponseBody`.
 *
 * Header values may be strings or arrays of strings (joined with `, `). A body is `null` (none), a JSON
 * value, or a string (text; JSON when the content type says so and it parses). `Variables` are read but not
 * used.
 *
 * This module reads and writes this one format (`Format.testProxy`); `Recording.load` detects it among the
 * others and also gives the recording's endpoint and api-version.
 *
 * @since 0.1.0
 */
import type * as FileSystem from "@effect/platform/FileSystem"
import type * as Effect from "effect/Effect"
import type * as Schema from "effect/Schema"
import type { LoadError, MalformedRecording } from "./ContractError.js"
import type * as Interaction from "./Interaction.js"
import * as internal from "./internal/testProxy.js"

/**
 * Options of the loader.
 *
 * @example
 * ```ts
 * import type { TestProxy } from "@effect-acs/contract-tests"
 *
 * const options: TestProxy.DecodeOptions = {
 *   include: (interaction) => interaction.request.url.includes("/Microsoft.Communication/")
 * }
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface DecodeOptions {
  /** Where the recording came from, for error messages; default `<input>`. */
  readonly source?: string | undefined
  /** Keeps only the interactions this returns `true` for (all by default). */
  readonly include?: ((interaction: Interaction.Interaction) => boolean) | undefined
}

/**
 * A test-proxy recording, as written to a file.
 *
 * @example
 * ```ts
 * import type { TestProxy } from "@effect-acs/contract-tests"
 *
 * const empty: TestProxy.Recording = { Entries: [], Variables: {} }
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type Recording = typeof internal.Recording.Encoded

/**
 * The shape of a recording, as the loader reads it.
 *
 * @example
 * ```ts
 * import { TestProxy } from "@effect-acs/contract-tests"
 * import * as Schema from "effect/Schema"
 *
 * Schema.is(TestProxy.Recording)({ Entries: [] }) // true
 * ```
 *
 * @since 0.1.0
 * @category schemas
 */
export const Recording: Schema.Schema<typeof internal.Recording.Type, Recording> = internal.Recording

/**
 * Decodes a parsed recording into interactions, one per entry, in order.
 *
 * @example
 * ```ts
 * import { TestProxy } from "@effect-acs/contract-tests"
 * import * as Effect from "effect/Effect"
 *
 * const interactions = Effect.runSync(TestProxy.decode({
 *   Entries: [{
 *     RequestUri: "https://management.azure.com/subscriptions/12345/resourceGroups/MyResourceGroup/providers/Microsoft.Communication/communicationServices/MyCommunicationResource/listKeys?api-version=2020-08-20",
 *     RequestMethod: "POST",
 *     RequestHeaders: { Authorization: "Sanitized" },
 *     RequestBody: null,
 *     StatusCode: 200,
 *     ResponseHeaders: { "Content-Type": "application/json" },
 *     ResponseBody: { primaryKey: "<primaryKey>", secondaryKey: "<secondaryKey>" }
 *   }],
 *   Variables: {}
 * }))
 * console.log(interactions[0]?.response.status) // 200
 * ```
 *
 * @since 0.1.0
 * @category decoding
 */
export const decode: (
  input: unknown,
  options?: DecodeOptions
) => Effect.Effect<ReadonlyArray<Interaction.Interaction>, MalformedRecording> = internal.decode

/**
 * Reads and decodes a recording file.
 *
 * @example
 * ```ts
 * import { TestProxy } from "@effect-acs/contract-tests"
 * import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
 * import * as Effect from "effect/Effect"
 *
 * const interactions = TestProxy.load("fixtures/recordings/rotation.testproxy.json").pipe(
 *   Effect.provide(NodeFileSystem.layer)
 * )
 * ```
 *
 * @since 0.1.0
 * @category loading
 */
export const load: (
  path: string,
  options?: Omit<DecodeOptions, "source">
) => Effect.Effect<ReadonlyArray<Interaction.Interaction>, LoadError, FileSystem.FileSystem> = internal.load

/**
 * Writes interactions as a recording (to save a sanitized one, say): `JSON.stringify` it to a file.
 *
 * @example
 * ```ts
 * import { Interaction, TestProxy } from "@effect-acs/contract-tests"
 *
 * const recording = TestProxy.encode([
 *   Interaction.make({ request: { method: "GET", url: "https://management.azure.com/ping" }, response: { status: 200 } })
 * ])
 * console.log(JSON.stringify(recording, null, 2))
 * ```
 *
 * @since 0.1.0
 * @category encoding
 */
export const encode: (interactions: ReadonlyArray<Interaction.Interaction>) => Recording = internal.encode
