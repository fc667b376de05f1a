/**
 * Contract tests for effect-acs: load documented examples, Azure SDK test-proxy recordings and HAR files
 * into one canonical `Interaction`, sanitize them, and replay them with msw against the client.
 *
 * @since 0.1.0
 */

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
