/**
 * The recording formats `Recording` reads, as values of one abstraction: a format decodes a parsed
 * document into interactions (through its schema, every issue reported) and, when it can be written,
 * encodes interactions back.
 *
 * @since 0.2.0
 */
import * as documentedExampleFormat from "./internal/documentedExample.js"
import type * as internal from "./internal/format.js"
import * as harFormat from "./internal/har.js"
import * as powerShellFormat from "./internal/powerShell.js"
import { formats } from "./internal/recording.js"
import * as testProxyFormat from "./internal/testProxy.js"
import * as vcrFormat from "./internal/vcr.js"

/**
 * What a format's `decode` is told besides the document: where it came from, and the origin of requests
 * recorded without one (the HttpRecorder's relative URIs, documented examples).
 *
 * @example
 * ```ts
 * import type { Format } from "@effect-acs/contract-tests"
 *
 * const context: Format.DecodeContext = { source: "SessionRecords/Keys.json", endpoint: "https://management.azure.com" }
 * ```
 *
 * @since 0.2.0
 * @category models
 */
export type DecodeContext = internal.DecodeContext

/**
 * A recording format: its name, the syntax of its files (`yaml` also reads JSON), `decode` (a parsed
 * document to interactions, or the issues that make it not of this format) and `encode` (interactions to
 * a document to `JSON.stringify`, for the formats this package writes).
 *
 * @example
 * ```ts
 * import { Format } from "@effect-acs/contract-tests"
 * import * as Either from "effect/Either"
 *
 * const decoded = Format.har.decode({ log: { version: "1.2", entries: [] } }, {
 *   source: "empty.har",
 *   endpoint: "https://management.azure.com"
 * })
 * Either.isRight(decoded) // true
 * ```
 *
 * @since 0.2.0
 * @category models
 */
export type Format = internal.Format

/**
 * Azure SDK test-proxy recordings (`{"Entries": [...], "Variables": {}}`), also .NET's `SessionRecords`
 * (header values as lists, bodies as JSON or strings). Written by `encode` and by `Recorder`.
 *
 * @example
 * ```ts
 * import { Format } from "@effect-acs/contract-tests"
 *
 * Format.testProxy.name // "TestProxy"
 * ```
 *
 * @since 0.2.0
 * @category formats
 */
export const testProxy: Format = testProxyFormat.format

/**
 * HAR 1.2 (and 1.1) archives, as browsers and proxies export them. Written by `encode` and by `Recorder`.
 *
 * @example
 * ```ts
 * import { Format } from "@effect-acs/contract-tests"
 *
 * Format.har.syntax // "json"
 * ```
 *
 * @since 0.2.0
 * @category formats
 */
export const har: Format = harFormat.format

/**
 * vcrpy cassettes (YAML), as the Azure CLI and the older azure-sdk-for-python tests record: `interactions`
 * of `request` (`method`, `uri`, `headers`, `body`) and `response` (`status.code`, `headers`,
 * `body.string`); `!!binary` bodies, gzip-decoded when `content-encoding` says so. Read only.
 *
 * @example
 * ```ts
 * import { Format } from "@effect-acs/contract-tests"
 *
 * Format.vcr.syntax // "yaml"
 * ```
 *
 * @since 0.2.0
 * @category formats
 */
export const vcr: Format = vcrFormat.format

/**
 * Azure PowerShell recordings: the generated modules' `*.Recording.json` (`Request` / `Response` per key,
 * `ContentHeaders`, `isContentBase64`) and the older HttpRecorder's `SessionRecords` (`Entries` with
 * relative `RequestUri`s, resolved against the context's endpoint). Read only.
 *
 * @example
 * ```ts
 * import { Format } from "@effect-acs/contract-tests"
 *
 * Format.powerShell.name // "PowerShell"
 * ```
 *
 * @since 0.2.0
 * @category formats
 */
export const powerShell: Format = powerShellFormat.format

/**
 * The API documentation's examples (`parameters` + `responses`): the operation is the example's
 * `operationId`, or Regenerate Key when it has a body parameter; the endpoint is the context's. Read only.
 *
 * @example
 * ```ts
 * import { Format } from "@effect-acs/contract-tests"
 *
 * Format.documentedExample.name // "DocumentedExample"
 * ```
 *
 * @since 0.2.0
 * @category formats
 */
export const documentedExample: Format = documentedExampleFormat.format

/**
 * Every format, in the order `Recording.decode` tries them.
 *
 * @example
 * ```ts
 * import { Format } from "@effect-acs/contract-tests"
 *
 * Format.all.map((format) => format.name) // ["PowerShell", "TestProxy", "Har", "Vcr", "DocumentedExample"]
 * ```
 *
 * @since 0.2.0
 * @category formats
 */
export const all: ReadonlyArray<Format> = formats
