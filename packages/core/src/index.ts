/**
 * A typed, secret-safe Effect client for Azure Communication Services Regenerate Key and List Keys.
 *
 * @since 0.1.0
 */

/**
 * Where the bearer tokens come from.
 *
 * @example
 * ```ts
 * import { AzureCredential } from "@effect-acs/core"
 *
 * console.log(Object.keys(AzureCredential))
 * ```
 *
 * @since 0.1.0
 */
export * as AzureCredential from "./AzureCredential.js"

/**
 * The client: `regenerateKey` and `listKeys` as typed Effects.
 *
 * @example
 * ```ts
 * import { CommunicationServices } from "@effect-acs/core"
 *
 * console.log(Object.keys(CommunicationServices))
 * ```
 *
 * @since 0.1.0
 */
export * as CommunicationServices from "./CommunicationServices.js"

/**
 * Proves a key works: signs a harmless, read-only data-plane request with it (HMAC-SHA256).
 *
 * @example
 * ```ts
 * import { DataPlane } from "@effect-acs/core"
 *
 * console.log(Object.keys(DataPlane))
 * ```
 *
 * @since 0.3.0
 */
export * as DataPlane from "./DataPlane.js"

/**
 * The typed failures: one tag per failure mode.
 *
 * @example
 * ```ts
 * import { Errors } from "@effect-acs/core"
 *
 * console.log(Object.keys(Errors))
 * ```
 *
 * @since 0.1.0
 */
export * as Errors from "./Errors.js"

/**
 * The library's metrics (rotations, failures, throttling, key age) as Effect `Metric`s.
 *
 * @example
 * ```ts
 * import { Metrics } from "@effect-acs/core"
 *
 * console.log(Object.keys(Metrics))
 * ```
 *
 * @since 0.3.0
 */
export * as Metrics from "./Metrics.js"

/**
 * A lean `HttpClient` over Node's sockets, kept alive: the recommended transport on Node.
 *
 * @example
 * ```ts
 * import { NodeTransport } from "@effect-acs/core"
 *
 * console.log(Object.keys(NodeTransport))
 * ```
 *
 * @since 0.2.0
 */
export * as NodeTransport from "./NodeTransport.js"

/**
 * Finding and masking secrets in untrusted text: the one place that knows what a secret looks like.
 *
 * @example
 * ```ts
 * import { Redaction } from "@effect-acs/core"
 *
 * console.log(Object.keys(Redaction))
 * ```
 *
 * @since 0.2.0
 */
export * as Redaction from "./Redaction.js"

/**
 * When and how long to wait before a failed call is tried again.
 *
 * @example
 * ```ts
 * import { RetryPolicy } from "@effect-acs/core"
 *
 * console.log(Object.keys(RetryPolicy))
 * ```
 *
 * @since 0.1.0
 */
export * as RetryPolicy from "./RetryPolicy.js"

/**
 * Key rotation without an outage, for one resource or a fleet.
 *
 * @example
 * ```ts
 * import { Rotation } from "@effect-acs/core"
 *
 * console.log(Object.keys(Rotation))
 * ```
 *
 * @since 0.1.0
 */
export * as Rotation from "./Rotation.js"

/**
 * Azure Resource Manager's write budget as a token bucket, the one a fleet rotation keeps per subscription.
 *
 * @example
 * ```ts
 * import { WriteBudget } from "@effect-acs/core"
 *
 * console.log(Object.keys(WriteBudget))
 * ```
 *
 * @since 0.3.0
 */
export * as WriteBudget from "./WriteBudget.js"
