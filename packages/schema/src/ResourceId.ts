/**
 * ARM resource ids of communication services:
 * `/subscriptions/{s}/resourceGroups/{rg}/providers/Microsoft.Communication/communicationServices/{n}`.
 *
 * @since 0.1.0
 */
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import * as Parameters from "./Parameters.js"

/**
 * The three parts that name a communication service resource.
 *
 * @example
 * ```ts
 * import { ResourceId } from "@effect-acs/schema"
 * import * as Schema from "effect/Schema"
 *
 * const parts = Schema.decodeUnknownSync(ResourceId.ResourceIdParts)({
 *   subscriptionId: "12345",
 *   resourceGroupName: "MyResourceGroup",
 *   communicationServiceName: "MyCommunicationResource"
 * })
 * ```
 *
 * @since 0.1.0
 * @category schemas
 */
export class ResourceIdParts extends Schema.Class<ResourceIdParts>("ResourceIdParts")({
  subscriptionId: Parameters.SubscriptionId,
  resourceGroupName: Parameters.ResourceGroupName,
  communicationServiceName: Parameters.CommunicationServiceName
}, {
  identifier: "ResourceIdParts",
  title: "Communication service resource",
  description: "The subscription, resource group and name of a CommunicationService resource."
}) {}

const shape =
  /^\/subscriptions\/([^/]*)\/resourceGroups\/([^/]*)\/providers\/Microsoft\.Communication\/communicationServices\/([^/]*)\/?$/i

/**
 * What is wrong with a text that is not a resource id, without quoting it: a connection string or a key
 * pasted into the wrong place must not come back in the message.
 */
const describeNotAnId = (input: string): string =>
  /accesskey\s*=|endpoint\s*=/i.test(input)
    ? " (the value looks like a connection string, which is a secret: it is not shown)"
    : !input.startsWith("/")
    ? ` (got ${input.length} characters not starting with "/")`
    : ` (got ${input.split("/").length - 1} segments)`

const expected =
  "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.Communication/communicationServices/{communicationServiceName}"

/**
 * Writes the canonical resource id of a resource.
 *
 * @example
 * ```ts
 * import { ResourceId } from "@effect-acs/schema"
 * import * as Schema from "effect/Schema"
 *
 * const parts = Schema.decodeUnknownSync(ResourceId.ResourceIdParts)({
 *   subscriptionId: "12345",
 *   resourceGroupName: "rg",
 *   communicationServiceName: "acs"
 * })
 * ResourceId.format(parts)
 * // "/subscriptions/12345/resourceGroups/rg/providers/Microsoft.Communication/communicationServices/acs"
 * ```
 *
 * @since 0.1.0
 * @category formatting
 */
export const format = (parts: {
  readonly subscriptionId: string
  readonly resourceGroupName: string
  readonly communicationServiceName: string
}): string =>
  `/subscriptions/${parts.subscriptionId}/resourceGroups/${parts.resourceGroupName}` +
  `/providers/Microsoft.Communication/communicationServices/${parts.communicationServiceName}`

/**
 * Decodes an ARM resource id of a communication service to its three parts, and encodes them back to
 * the canonical id. The fixed segments (`subscriptions`, `resourceGroups`, `providers`,
 * `Microsoft.Communication`, `communicationServices`) match in any letter case and a trailing `/` is
 * tolerated; every part is validated by its own schema; any other shape fails with a message saying what
 * was expected.
 *
 * @example
 * ```ts
 * import { ResourceId } from "@effect-acs/schema"
 * import * as Schema from "effect/Schema"
 *
 * const parts = Schema.decodeUnknownSync(ResourceId.ResourceId)(
 *   "/subscriptions/12345/resourcegroups/MyResourceGroup/providers/microsoft.communication/communicationservices/MyCommunicationResource/"
 * )
 * parts.communicationServiceName // "MyCommunicationResource"
 * ```
 *
 * @since 0.1.0
 * @category schemas
 */
export const ResourceId: Schema.Schema<ResourceIdParts, string> = Schema.transformOrFail(
  Schema.String,
  ResourceIdParts,
  {
    strict: true,
    decode: (input, _, ast) => {
      const match = shape.exec(input)
      return match === null
        ? ParseResult.fail(
          new ParseResult.Type(
            ast,
            input,
            `Expected a resource id of the form ${expected}${describeNotAnId(input)}`
          )
        )
        : ParseResult.succeed({
          subscriptionId: match[1]!,
          resourceGroupName: match[2]!,
          communicationServiceName: match[3]!
        })
    },
    encode: (parts) => ParseResult.succeed(format(parts))
  }
).annotations({
  identifier: "ResourceId",
  title: "Communication service resource id",
  description: `The ARM resource id of a CommunicationService resource: ${expected}`,
  jsonSchema: {
    type: "string",
    pattern:
      "^/subscriptions/[^/]+/resourceGroups/[^/]+/providers/Microsoft\\.Communication/communicationServices/[^/]+/?$"
  }
})
