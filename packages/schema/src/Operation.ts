/**
 * The facts of the two operations every package speaks (the client, the emulator, the CLI and the
 * contract tests): their names, the path Azure Resource Manager serves them at, the api-versions whose
 * shape is this one, and the subscription write budget both count against.
 *
 * Both are `POST` actions on a Communication Services resource, and Resource Manager counts both as
 * writes: `listKeys` spends the budget exactly like `regenerateKey`.
 *
 * @since 0.2.0
 */

/**
 * The operation names, as the spec's `operationId`s end: `CommunicationServices_RegenerateKey` and
 * `CommunicationServices_ListKeys`.
 *
 * @example
 * ```ts
 * import { Operation } from "@effect-acs/schema"
 *
 * Operation.names // ["regenerateKey", "listKeys"]
 * ```
 *
 * @since 0.2.0
 * @category constants
 */
export const names = ["regenerateKey", "listKeys"] as const

/**
 * `"regenerateKey" | "listKeys"`: also the last segment of the operation's path.
 *
 * @example
 * ```ts
 * import type { Operation } from "@effect-acs/schema"
 *
 * const operation: Operation.Name = "listKeys"
 * ```
 *
 * @since 0.2.0
 * @category models
 */
export type Name = typeof names[number]

/**
 * The path template of both operations, as the spec writes it (`{action}` is the operation's name).
 *
 * @example
 * ```ts
 * import { Operation } from "@effect-acs/schema"
 *
 * Operation.pathTemplate.endsWith("/{action}") // true
 * ```
 *
 * @since 0.2.0
 * @category constants
 */
export const pathTemplate =
  "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.Communication/communicationServices/{communicationServiceName}/{action}"

/**
 * The path of an operation on a resource, each part percent-encoded (no query: add `?api-version=`).
 *
 * @example
 * ```ts
 * import { Operation } from "@effect-acs/schema"
 *
 * Operation.path({ subscriptionId: "12345", resourceGroupName: "rg", communicationServiceName: "acs" }, "listKeys")
 * // "/subscriptions/12345/resourceGroups/rg/providers/Microsoft.Communication/communicationServices/acs/listKeys"
 * ```
 *
 * @since 0.2.0
 * @category formatting
 */
export const path = (
  parts: {
    readonly subscriptionId: string
    readonly resourceGroupName: string
    readonly communicationServiceName: string
  },
  operation: Name
): string =>
  `/subscriptions/${encodeURIComponent(parts.subscriptionId)}/resourceGroups/${
    encodeURIComponent(parts.resourceGroupName)
  }/providers/Microsoft.Communication/communicationServices/${
    encodeURIComponent(parts.communicationServiceName)
  }/${operation}`

/**
 * The api-versions whose Regenerate Key and List Keys have the shape of the 2020-08-20 spec, oldest
 * first; the first is the default.
 *
 * @example
 * ```ts
 * import { Operation } from "@effect-acs/schema"
 *
 * Operation.apiVersions[0] // "2020-08-20"
 * ```
 *
 * @since 0.2.0
 * @category constants
 */
export const apiVersions = ["2020-08-20", "2023-03-31", "2023-04-01", "2025-05-01", "2025-09-01", "2026-03-18"] as const

/**
 * Resource Manager's write budget per subscription (and principal): a bucket of `capacity` writes,
 * refilled at `perSecond`. A write over it is answered 429 with a `Retry-After`.
 *
 * @example
 * ```ts
 * import { Operation } from "@effect-acs/schema"
 *
 * // the fastest a fleet of 1,000 resources can be rotated at 2 writes each
 * const seconds = (2 * 1000 - Operation.writeBudget.capacity) / Operation.writeBudget.perSecond // 180
 * ```
 *
 * @since 0.2.0
 * @category constants
 */
export const writeBudget: { readonly capacity: number; readonly perSecond: number } = {
  capacity: 200,
  perSecond: 10
}
