/**
 * HAR 1.2 files (HTTP Archive): what a browser's developer tools ("Save all as HAR"), mitmproxy, Fiddler or
 * Charles export.
 *
 * Each entry with a final response becomes an interaction; entries without one (status 0: blocked or
 * aborted, or 1xx) are skipped. HTTP/2 pseudo-headers (`:authority`, ...) are dropped, repeated headers are
 * joined with `, `, a base64 `content.encoding` is decoded. A browser archive holds every request of the
 * page: keep the Resource Manager calls with `include`, and `Secrets.sanitize` the rest before committing.
 *
 * This module reads and writes this one format (`Format.har`); `Recording.load` detects it among the
 * others and also gives the recording's endpoint and api-version.
 *
 * @since 0.1.0
 */
import type * as FileSystem from "@effect/platform/FileSystem"
import type * as Effect from "effect/Effect"
import type * as Schema from "effect/Schema"
import type { LoadError, MalformedRecording } from "./ContractError.js"
import type * as Interaction from "./Interaction.js"
import * as internal from "./internal/har.js"

/**
 * Options of the loader.
 *
 * @example
 * ```ts
 * import type { Har } from "@effect-acs/contract-tests"
 *
 * const options: Har.DecodeOptions = {
 *   include: (interaction) => interaction.request.url.startsWith("https://management.azure.com/")
 * }
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface DecodeOptions {
  /** Where the archive came from, for error messages; default `<input>`. */
  readonly source?: string | undefined
  /** Keeps only the interactions this returns `true` for (all by default). */
  readonly include?: ((interaction: Interaction.Interaction) => boolean) | undefined
}

/**
 * A HAR file, as written to disk.
 *
 * @example
 * ```ts
 * import type { Har } from "@effect-acs/contract-tests"
 *
 * const empty: Har.Archive = { log: { version: "1.2", entries: [] } }
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type Archive = typeof internal.Har.Encoded

/**
 * The shape of a HAR file, as the loader reads it (the fields a replay needs; others are ignored).
 *
 * @example
 * ```ts
 * import { Har } from "@effect-acs/contract-tests"
 * import * as Schema from "effect/Schema"
 *
 * Schema.is(Har.Archive)({ log: { version: "1.2", entries: [] } }) // true
 * ```
 *
 * @since 0.1.0
 * @category schemas
 */
export const Archive: Schema.Schema<typeof internal.Har.Type, Archive> = internal.Har

/**
 * Decodes a parsed HAR into interactions, in order.
 *
 * @example
 * ```ts
 * import { Har } from "@effect-acs/contract-tests"
 * import * as Effect from "effect/Effect"
 *
 * const interactions = Effect.runSync(Har.decode({
 *   log: {
 *     version: "1.2",
 *     creator: { name: "Firefox", version: "128.0" },
 *     entries: [{
 *       request: {
 *         method: "POST",
 *         url: "https://management.azure.com/subscriptions/12345/resourceGroups/MyResourceGroup/providers/Microsoft.Communication/communicationServices/MyCommunicationResource/listKeys?api-version=2020-08-20",
 *         headers: [{ name: ":authority", value: "management.azure.com" }, { name: "Authorization", value: "Bearer <token>" }]
 *       },
 *       response: {
 *         status: 200,
 *         headers: [{ name: "Content-Type", value: "application/json; charset=utf-8" }],
 *         content: { mimeType: "application/json", text: "{\"primaryKey\":\"<primaryKey>\"}" }
 *       }
 *     }]
 *   }
 * }))
 * console.log(interactions[0]?.response.body) // { _tag: "Json", value: { primaryKey: "<primaryKey>" } }
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
 * Reads and decodes a HAR file.
 *
 * @example
 * ```ts
 * import { Har } from "@effect-acs/contract-tests"
 * import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
 * import * as Effect from "effect/Effect"
 *
 * const interactions = Har.load("portal.har", {
 *   include: (interaction) => interaction.request.url.includes("/Microsoft.Communication/")
 * }).pipe(Effect.provide(NodeFileSystem.layer))
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
 * Writes interactions as a HAR 1.2 file (every required field filled; times are zero and
 * `startedDateTime` is the epoch unless given): `JSON.stringify` it to a file.
 *
 * @example
 * ```ts
 * import { Har, Interaction } from "@effect-acs/contract-tests"
 *
 * const archive = Har.encode([
 *   Interaction.make({ request: { method: "GET", url: "https://management.azure.com/ping" }, response: { status: 200 } })
 * ])
 * console.log(archive.log.entries.length) // 1
 * ```
 *
 * @since 0.1.0
 * @category encoding
 */
export const encode: (
  interactions: ReadonlyArray<Interaction.Interaction>,
  options?: { readonly startedDateTime?: string | undefined }
) => Archive = internal.encode
