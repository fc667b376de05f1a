/**
 * The API documentation's example format (`x-ms-examples` of the REST API specs): the request as
 * `parameters` (the path parameters, `api-version` and the body parameter) and one body per documented
 * status in `responses`.
 *
 * An example does not say which operation it documents (newer ones carry an `operationId`, checked when
 * present) nor the endpoint, so the loader is told: `regenerateKey` or `listKeys`, and the Resource Manager
 * endpoint (the public cloud by default). It yields one interaction per documented response, in status
 * order, or only the one asked for with `status`. The parameters are validated with the wire schemas of
 * `@effect-acs/schema`, as is the body of a 200.
 *
 * @since 0.1.0
 */
import type * as FileSystem from "@effect/platform/FileSystem"
import type * as Effect from "effect/Effect"
import type * as Schema from "effect/Schema"
import type { LoadError, MalformedRecording } from "./ContractError.js"
import type * as Interaction from "./Interaction.js"
import * as internal from "./internal/documentedExample.js"

/**
 * The operation an example documents.
 *
 * @example
 * ```ts
 * import type { DocumentedExample } from "@effect-acs/contract-tests"
 *
 * const operation: DocumentedExample.Operation = "regenerateKey"
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type Operation = "regenerateKey" | "listKeys"

/**
 * What the loader needs to know.
 *
 * @example
 * ```ts
 * import type { DocumentedExample } from "@effect-acs/contract-tests"
 *
 * const options: DocumentedExample.Options = {
 *   operation: "regenerateKey",
 *   endpoint: "https://management.azure.com",
 *   status: 200
 * }
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** The operation the example documents, which fixes the path template. */
  readonly operation: Operation
  /** The Resource Manager endpoint; default `https://management.azure.com`. */
  readonly endpoint?: string | undefined
  /** Only the response with this status; default every documented response, in status order. */
  readonly status?: number | undefined
  /** Where the example came from, for error messages; default `<input>`. */
  readonly source?: string | undefined
}

/**
 * The shape of an example file, as the loader reads it (other fields are ignored).
 *
 * @example
 * ```ts
 * import { DocumentedExample } from "@effect-acs/contract-tests"
 * import * as Schema from "effect/Schema"
 *
 * Schema.is(DocumentedExample.DocumentedExample)({}) // false
 * ```
 *
 * @since 0.1.0
 * @category schemas
 */
export const DocumentedExample: Schema.Schema<
  typeof internal.ExampleFile.Type,
  typeof internal.ExampleFile.Encoded
> = internal.ExampleFile

/**
 * Decodes a parsed example into interactions.
 *
 * @example
 * ```ts
 * import { DocumentedExample } from "@effect-acs/contract-tests"
 * import * as Effect from "effect/Effect"
 *
 * const interactions = Effect.runSync(DocumentedExample.decode({
 *   parameters: {
 *     subscriptionId: "12345",
 *     resourceGroupName: "MyResourceGroup",
 *     communicationServiceName: "MyCommunicationResource",
 *     "api-version": "2020-08-20",
 *     parameters: { keyType: "Primary" }
 *   },
 *   responses: { "200": { body: { primaryKey: "1234", primaryConnectionString: "endpoint=http://example.com;accesskey=1234" } } }
 * }, { operation: "regenerateKey" }))
 *
 * console.log(interactions[0]?.request.url)
 * // https://management.azure.com/subscriptions/12345/resourceGroups/MyResourceGroup/providers/Microsoft.Communication/communicationServices/MyCommunicationResource/regenerateKey?api-version=2020-08-20
 * ```
 *
 * @since 0.1.0
 * @category decoding
 */
export const decode: (
  input: unknown,
  options: Options
) => Effect.Effect<ReadonlyArray<Interaction.Interaction>, MalformedRecording> = internal.decode

/**
 * Reads and decodes an example file.
 *
 * @example
 * ```ts
 * import { DocumentedExample } from "@effect-acs/contract-tests"
 * import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
 * import * as Effect from "effect/Effect"
 *
 * const interactions = DocumentedExample.load("fixtures/documented/2023-04-01/regenerateKey.json", {
 *   operation: "regenerateKey"
 * }).pipe(Effect.provide(NodeFileSystem.layer))
 * ```
 *
 * @since 0.1.0
 * @category loading
 */
export const load: (
  path: string,
  options: Omit<Options, "source">
) => Effect.Effect<ReadonlyArray<Interaction.Interaction>, LoadError, FileSystem.FileSystem> = internal.load
