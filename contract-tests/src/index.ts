/**
 * Contract tests for effect-acs: load recordings of any Azure tool (test-proxy, .NET SessionRecords, Azure
 * PowerShell, vcrpy cassettes of the Azure CLI and azure-sdk-for-python, HAR, documented examples) into one
 * canonical `Interaction`, sanitize them, replay them with msw (strictly or as ARM matches), check the
 * responses' conformance, and record your own with `Recorder`.
 *
 * @since 0.1.0
 */

/**
 * Checks recorded responses against the operation's schemas from `@effect-acs/schema`.
 *
 * @example
 * ```ts
 * import { Conformance } from "@effect-acs/contract-tests"
 *
 * console.log(Object.keys(Conformance))
 * ```
 *
 * @since 0.2.0
 */
export * as Conformance from "./Conformance.js"

/**
 * The typed failures of the harness: one tag per failure mode.
 *
 * @example
 * ```ts
 * import { ContractError } from "@effect-acs/contract-tests"
 *
 * console.log(Object.keys(ContractError))
 * ```
 *
 * @since 0.1.0
 */
export * as ContractError from "./ContractError.js"

/**
 * The API documentation's example format (`parameters` + `responses`).
 *
 * @example
 * ```ts
 * import { DocumentedExample } from "@effect-acs/contract-tests"
 *
 * console.log(Object.keys(DocumentedExample))
 * ```
 *
 * @since 0.1.0
 */
export * as DocumentedExample from "./DocumentedExample.js"

/**
 * The recording formats, as values of one abstraction (decode a document to interactions, encode back).
 *
 * @example
 * ```ts
 * import { Format } from "@effect-acs/contract-tests"
 *
 * console.log(Object.keys(Format))
 * ```
 *
 * @since 0.2.0
 */
export * as Format from "./Format.js"

/**
 * HAR 1.2 files, as browsers and proxies export them.
 *
 * @example
 * ```ts
 * import { Har } from "@effect-acs/contract-tests"
 *
 * console.log(Object.keys(Har))
 * ```
 *
 * @since 0.1.0
 */
export * as Har from "./Har.js"

/**
 * One HTTP exchange in the canonical form every loader decodes to.
 *
 * @example
 * ```ts
 * import { Interaction } from "@effect-acs/contract-tests"
 *
 * console.log(Object.keys(Interaction))
 * ```
 *
 * @since 0.1.0
 */
export * as Interaction from "./Interaction.js"

/**
 * Records a program's traffic through its `HttpClient`, sanitized in memory, as a test-proxy recording or a HAR.
 *
 * @example
 * ```ts
 * import { Recorder } from "@effect-acs/contract-tests"
 *
 * console.log(Object.keys(Recorder))
 * ```
 *
 * @since 0.2.0
 */
export * as Recorder from "./Recorder.js"

/**
 * Loads a recording of any supported format (detected), with its endpoint and api-version.
 *
 * @example
 * ```ts
 * import { Recording } from "@effect-acs/contract-tests"
 *
 * console.log(Object.keys(Recording))
 * ```
 *
 * @since 0.2.0
 */
export * as Recording from "./Recording.js"

/**
 * Replays interactions with msw, strictly and in order, and verifies that every one was used.
 *
 * @example
 * ```ts
 * import { Replay } from "@effect-acs/contract-tests"
 *
 * console.log(Object.keys(Replay))
 * ```
 *
 * @since 0.1.0
 */
export * as Replay from "./Replay.js"

/**
 * Sanitizing recordings and scanning files for secrets.
 *
 * @example
 * ```ts
 * import { Secrets } from "@effect-acs/contract-tests"
 *
 * console.log(Object.keys(Secrets))
 * ```
 *
 * @since 0.1.0
 */
export * as Secrets from "./Secrets.js"

/**
 * Azure SDK test-proxy recordings (`{"Entries": [...], "Variables": {}}`).
 *
 * @example
 * ```ts
 * import { TestProxy } from "@effect-acs/contract-tests"
 *
 * console.log(Object.keys(TestProxy))
 * ```
 *
 * @since 0.1.0
 */
export * as TestProxy from "./TestProxy.js"
