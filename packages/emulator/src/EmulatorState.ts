/**
 * What the emulator holds: resources and their two access keys, the seed and state file format, and how
 * keys and connection strings are made.
 *
 * Keys are `Redacted` in memory. The state file necessarily holds them as plain strings (a restarted
 * emulator has to serve the same keys): it is written with mode `0600`, atomically (a temporary file in
 * the same directory, then a rename), and must be treated as a secret.
 *
 * @since 0.1.0
 */
import { Parameters } from "@effect-acs/schema"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import { randomBytes } from "node:crypto"

/**
 * An access key on the wire or in a file: a non-empty base64 string, decoded to `Redacted<string>`. A
 * failure never quotes the value.
 *
 * @example
 * ```ts
 * import { EmulatorState } from "@effect-acs/emulator"
 * import * as Redacted from "effect/Redacted"
 * import * as Schema from "effect/Schema"
 *
 * const key = Schema.decodeUnknownSync(EmulatorState.AccessKey)("c2VjcmV0")
 * Redacted.value(key) // "c2VjcmV0"
 * ```
 *
 * @since 0.1.0
 * @category schemas
 */
export const AccessKey: Schema.Schema<Redacted.Redacted<string>, string> = Schema.Redacted(
  Schema.String.pipe(
    Schema.filter((s) => /^[A-Za-z0-9+/]+={0,2}$/.test(s), {
      message: () => "an access key must be a non-empty base64 string"
    })
  )
).annotations({
  identifier: "AccessKey",
  title: "access key",
  description: "A Communication Services access key (base64)."
})

/**
 * One resource of a seed or state file: its three names, and optionally its keys. A key left out is
 * generated when the emulator starts.
 *
 * @example
 * ```ts
 * import { EmulatorState } from "@effect-acs/emulator"
 * import * as Schema from "effect/Schema"
 *
 * Schema.decodeUnknownSync(EmulatorState.ResourceEntry)({
 *   subscriptionId: "00000000-0000-0000-0000-000000000000",
 *   resourceGroupName: "MyResourceGroup",
 *   communicationServiceName: "MyCommunicationResource"
 * })
 * ```
 *
 * @since 0.1.0
 * @category schemas
 */
export class ResourceEntry extends Schema.Class<ResourceEntry>("ResourceEntry")({
  subscriptionId: Parameters.SubscriptionId,
  resourceGroupName: Parameters.ResourceGroupName,
  communicationServiceName: Parameters.CommunicationServiceName,
  primaryKey: Schema.optionalWith(AccessKey, { exact: true }),
  secondaryKey: Schema.optionalWith(AccessKey, { exact: true })
}, {
  identifier: "ResourceEntry",
  title: "Emulated resource",
  description: "A communication service resource of the emulator, with its access keys when known."
}) {}

/**
 * The seed file and the state file share one format: `{"version": 1, "resources": [ResourceEntry, ...]}`.
 * A seed file may leave out `version` and keys; the state file the emulator writes always has both.
 *
 * @example
 * ```ts
 * import { EmulatorState } from "@effect-acs/emulator"
 * import * as Schema from "effect/Schema"
 *
 * const file = Schema.decodeUnknownSync(EmulatorState.StateFile)({
 *   resources: [{ subscriptionId: "sub", resourceGroupName: "rg", communicationServiceName: "acs" }]
 * })
 * file.resources.length // 1
 * ```
 *
 * @since 0.1.0
 * @category schemas
 */
export class StateFile extends Schema.Class<StateFile>("StateFile")({
  version: Schema.optionalWith(Schema.Literal(1), { exact: true }),
  resources: Schema.Array(ResourceEntry)
}, {
  identifier: "StateFile",
  title: "Emulator state file",
  description: "The resources of the emulator and their access keys."
}) {}

/**
 * Names a resource. Resource group and resource names (and subscription ids) compare case-insensitively.
 *
 * @since 0.1.0
 * @category models
 */
export interface ResourceRef {
  readonly subscriptionId: string
  readonly resourceGroupName: string
  readonly communicationServiceName: string
}

/**
 * A resource to add: its names and, optionally, its keys (plain or `Redacted`); missing keys are generated.
 *
 * @since 0.1.0
 * @category models
 */
export interface ResourceInput extends ResourceRef {
  readonly primaryKey?: string | Redacted.Redacted<string> | undefined
  readonly secondaryKey?: string | Redacted.Redacted<string> | undefined
}

/**
 * The current keys of a resource and the connection strings built from them, all `Redacted`.
 *
 * @since 0.1.0
 * @category models
 */
export interface ResourceKeys {
  readonly primaryKey: Redacted.Redacted<string>
  readonly secondaryKey: Redacted.Redacted<string>
  readonly primaryConnectionString: Redacted.Redacted<string>
  readonly secondaryConnectionString: Redacted.Redacted<string>
}

/**
 * The number of random bytes in a generated key (64 bytes, 88 base64 characters), as the real service.
 *
 * @since 0.1.0
 * @category constants
 */
export const keyBytes = 64

/**
 * Generates a fresh access key: 64 cryptographically random bytes in base64 (88 characters).
 *
 * @example
 * ```ts
 * import { EmulatorState } from "@effect-acs/emulator"
 * import * as Effect from "effect/Effect"
 * import * as Redacted from "effect/Redacted"
 *
 * const key = Effect.runSync(EmulatorState.generateKey)
 * Redacted.value(key).length // 88
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const generateKey: Effect.Effect<Redacted.Redacted<string>> = Effect.sync(() =>
  Redacted.make(randomBytes(keyBytes).toString("base64"))
)

/**
 * The endpoint of a communication service, as in its connection strings:
 * `https://{name}.communication.azure.com/`.
 *
 * @example
 * ```ts
 * import { EmulatorState } from "@effect-acs/emulator"
 *
 * EmulatorState.endpoint("my-acs") // "https://my-acs.communication.azure.com/"
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const endpoint = (communicationServiceName: string): string =>
  `https://${communicationServiceName}.communication.azure.com/`

/**
 * The connection string of a key: `endpoint=https://{name}.communication.azure.com/;accesskey={key}` (or the
 * endpoint given: the emulator's own, with its data plane on).
 *
 * @example
 * ```ts
 * import { EmulatorState } from "@effect-acs/emulator"
 * import * as Redacted from "effect/Redacted"
 *
 * const cs = EmulatorState.connectionString("my-acs", Redacted.make("c2VjcmV0"))
 * Redacted.value(cs) // "endpoint=https://my-acs.communication.azure.com/;accesskey=c2VjcmV0"
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const connectionString = (
  communicationServiceName: string,
  key: Redacted.Redacted<string>,
  endpointUrl: string = endpoint(communicationServiceName)
): Redacted.Redacted<string> => Redacted.make(`endpoint=${endpointUrl};accesskey=${Redacted.value(key)}`)

/**
 * The keys of a resource with their connection strings (to `endpointUrl`, by default the service's).
 *
 * @example
 * ```ts
 * import { EmulatorState } from "@effect-acs/emulator"
 * import * as Redacted from "effect/Redacted"
 *
 * const keys = EmulatorState.resourceKeys("my-acs", Redacted.make("cHJpbWFyeQ=="), Redacted.make("c2Vjb25kYXJ5"))
 * String(keys.primaryConnectionString) // "<redacted>"
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const resourceKeys = (
  communicationServiceName: string,
  primaryKey: Redacted.Redacted<string>,
  secondaryKey: Redacted.Redacted<string>,
  endpointUrl: string = endpoint(communicationServiceName)
): ResourceKeys => ({
  primaryKey,
  secondaryKey,
  primaryConnectionString: connectionString(communicationServiceName, primaryKey, endpointUrl),
  secondaryConnectionString: connectionString(communicationServiceName, secondaryKey, endpointUrl)
})
