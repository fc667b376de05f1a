/**
 * Proves that a key works: signs a harmless, read-only Communication Services data-plane request (list at most
 * one phone number) with a connection string's access key, as the service's HMAC-SHA256 scheme says, and
 * tells whether the service accepted it.
 *
 * The string signed is `VERB + "\n" + pathAndQuery + "\n" + x-ms-date + ";" + host + ";" + x-ms-content-sha256`,
 * with the base64-decoded access key; the request carries `x-ms-date`, `x-ms-content-sha256` (the base64
 * SHA-256 of the body) and `Authorization: HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=...`.
 * The key itself is never sent, and never appears in an error.
 *
 * `verify` plugs into a rotation: `Rotation.rotate(resource, { publish, verify: DataPlane.verify })` checks the
 * new key before the other one is regenerated. It needs an `HttpClient` (the caller's transport, as
 * everywhere in this library). The endpoint must be https, or http to a loopback address (the emulator).
 *
 * @since 0.3.0
 */
import type * as HttpClient from "@effect/platform/HttpClient"
import type * as Duration from "effect/Duration"
import type * as Effect from "effect/Effect"
import type * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import * as internal from "./internal/dataPlane.js"
import type { PublishedKey } from "./Rotation.js"

/**
 * The request `verify` sends, relative to the connection string's endpoint: the phone numbers of the
 * resource, at most one (read-only, changes nothing, answered `200` to any valid key).
 *
 * @example
 * ```ts
 * import { DataPlane } from "@effect-acs/core"
 *
 * DataPlane.probe // { method: "GET", path: "phoneNumbers?top=1&api-version=2022-12-01" }
 * ```
 *
 * @since 0.3.0
 * @category constants
 */
export const probe: { readonly method: "GET"; readonly path: string } = internal.probe

/**
 * What a request to sign is: its method, its absolute URL, its body (none by default), the access key
 * (base64, as in a connection string) and when it is made (epoch milliseconds).
 *
 * @example
 * ```ts
 * import type { DataPlane } from "@effect-acs/core"
 * import * as Redacted from "effect/Redacted"
 *
 * const request: DataPlane.SignInput = {
 *   method: "GET",
 *   url: "https://contoso.communication.azure.com/phoneNumbers?top=1&api-version=2022-12-01",
 *   accessKey: Redacted.make("ZXhhbXBsZS1hY2Nlc3Mta2V5LWZvci1kb2N1bWVudGF0aW9uLW9ubHk="),
 *   date: Date.UTC(2026, 11, 1, 12)
 * }
 * ```
 *
 * @since 0.3.0
 * @category models
 */
export interface SignInput {
  readonly method: string
  readonly url: string
  readonly body?: string | Uint8Array | undefined
  readonly accessKey: Redacted.Redacted<string>
  readonly date: number
}

/**
 * The three headers a signed request carries (the fourth signed one, `host`, is the URL's).
 *
 * @example
 * ```ts
 * import type { DataPlane } from "@effect-acs/core"
 *
 * const names = (headers: DataPlane.SignedHeaders) => Object.keys(headers)
 * ```
 *
 * @since 0.3.0
 * @category models
 */
export interface SignedHeaders {
  readonly "x-ms-date": string
  readonly "x-ms-content-sha256": string
  readonly authorization: string
}

/**
 * The connection string (or its access key) cannot be used: not a connection string, an access key that is
 * not base64, an endpoint that is plain http to a host that is not loopback. Nothing was sent.
 *
 * @example
 * ```ts
 * import { DataPlane } from "@effect-acs/core"
 *
 * new DataPlane.InvalidConnectionString({ resourceId: "/subscriptions/s", keyType: "Primary", reason: "no endpoint" }).message
 * ```
 *
 * @since 0.3.0
 * @category errors
 */
export class InvalidConnectionString
  extends Schema.TaggedError<InvalidConnectionString>("@effect-acs/core/DataPlane/InvalidConnectionString")(
    "InvalidConnectionString",
    { resourceId: Schema.String, keyType: Schema.String, reason: Schema.String }
  )
{
  /**
   * @since 0.3.0
   */
  override get message(): string {
    return `The ${this.keyType} connection string of ${this.resourceId} cannot be used on the data plane: ${this.reason}`
  }
}

/**
 * The data plane refused the key (`401` or `403`): it does not authenticate. `code` and `serviceMessage` are
 * the service's, masked and bounded.
 *
 * @example
 * ```ts
 * import { DataPlane } from "@effect-acs/core"
 * import * as Effect from "effect/Effect"
 *
 * const verified = Effect.fail(new DataPlane.KeyRejected({ resourceId: "/subscriptions/s", keyType: "Primary", status: 401 }))
 * const handled = verified.pipe(Effect.catchTag("KeyRejected", (error) => Effect.logError(error.message)))
 * ```
 *
 * @since 0.3.0
 * @category errors
 */
export class KeyRejected extends Schema.TaggedError<KeyRejected>("@effect-acs/core/DataPlane/KeyRejected")(
  "KeyRejected",
  {
    resourceId: Schema.String,
    keyType: Schema.String,
    status: Schema.Number,
    code: Schema.optional(Schema.String),
    serviceMessage: Schema.optional(Schema.String),
    requestId: Schema.optional(Schema.String)
  }
) {
  /**
   * @since 0.3.0
   */
  override get message(): string {
    const code = this.code === undefined ? "" : ` ${this.code}`
    const said = this.serviceMessage === undefined ? "" : `: ${this.serviceMessage}`
    return `The data plane refused the ${this.keyType} key of ${this.resourceId} (${this.status}${code})${said}`
  }
}

/**
 * The data plane could not be reached, or did not answer within the timeout (`reason`): whether the key
 * works is unknown.
 *
 * @example
 * ```ts
 * import { DataPlane } from "@effect-acs/core"
 *
 * new DataPlane.DataPlaneTransportError({ resourceId: "/subscriptions/s", keyType: "Primary", reason: "Timeout", description: "no answer within 30s" }).message
 * ```
 *
 * @since 0.3.0
 * @category errors
 */
export class DataPlaneTransportError
  extends Schema.TaggedError<DataPlaneTransportError>("@effect-acs/core/DataPlane/DataPlaneTransportError")(
    "DataPlaneTransportError",
    {
      resourceId: Schema.String,
      keyType: Schema.String,
      reason: Schema.Literal("Transport", "Timeout"),
      description: Schema.String
    }
  )
{
  /**
   * @since 0.3.0
   */
  override get message(): string {
    return `The data plane of ${this.resourceId} could not verify the ${this.keyType} key (${this.reason}): ${this.description}`
  }
}

/**
 * The data plane answered neither success nor a refusal (a `5xx`, a redirect, a `404`): whether the key works
 * is unknown. `description` is the service's text, masked and bounded.
 *
 * @example
 * ```ts
 * import { DataPlane } from "@effect-acs/core"
 *
 * new DataPlane.DataPlaneUnexpectedResponse({ resourceId: "/subscriptions/s", keyType: "Primary", status: 503, description: "" }).message
 * ```
 *
 * @since 0.3.0
 * @category errors
 */
export class DataPlaneUnexpectedResponse extends Schema.TaggedError<DataPlaneUnexpectedResponse>(
  "@effect-acs/core/DataPlane/DataPlaneUnexpectedResponse"
)("DataPlaneUnexpectedResponse", {
  resourceId: Schema.String,
  keyType: Schema.String,
  status: Schema.Number,
  description: Schema.String,
  requestId: Schema.optional(Schema.String)
}) {
  /**
   * @since 0.3.0
   */
  override get message(): string {
    const said = this.description === "" ? "" : `: ${this.description}`
    return `The data plane of ${this.resourceId} answered ${this.status} verifying the ${this.keyType} key${said}`
  }
}

/**
 * Every way `verify` can fail.
 *
 * @example
 * ```ts
 * import type { DataPlane } from "@effect-acs/core"
 *
 * const unknown = (error: DataPlane.VerifyError) => error._tag !== "KeyRejected"
 * ```
 *
 * @since 0.3.0
 * @category errors
 */
export type VerifyError = InvalidConnectionString | KeyRejected | DataPlaneTransportError | DataPlaneUnexpectedResponse

/**
 * Signs a request: the three headers it must carry. Fails (before any I/O) when the access key is not base64.
 *
 * @example
 * ```ts
 * import { DataPlane } from "@effect-acs/core"
 * import * as Effect from "effect/Effect"
 * import * as Redacted from "effect/Redacted"
 *
 * const headers = DataPlane.sign({
 *   method: "GET",
 *   url: "https://contoso.communication.azure.com/phoneNumbers?top=1&api-version=2022-12-01",
 *   accessKey: Redacted.make("ZXhhbXBsZS1hY2Nlc3Mta2V5LWZvci1kb2N1bWVudGF0aW9uLW9ubHk="),
 *   date: Date.UTC(2026, 11, 1, 12)
 * })
 * // authorization: "HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=se4N+SlofqT4c7/QOsCz91hpit9Wj3EXzx+jDh4bCjM="
 * Effect.runSync(headers)
 * ```
 *
 * @since 0.3.0
 * @category signing
 */
export const sign: (input: SignInput) => Effect.Effect<SignedHeaders, InvalidConnectionString> = internal.sign

/**
 * How `verifyWith` verifies: how long it waits for the answer (default 30 seconds) and how much of a refusal's
 * body it reads (default 64 KiB).
 *
 * @example
 * ```ts
 * import type { DataPlane } from "@effect-acs/core"
 *
 * const options: DataPlane.VerifyOptions = { timeout: "10 seconds" }
 * ```
 *
 * @since 0.3.0
 * @category models
 */
export interface VerifyOptions {
  readonly timeout?: Duration.DurationInput | undefined
  readonly maxResponseBytes?: number | undefined
}

/**
 * `verify` with options.
 *
 * @example
 * ```ts
 * import { DataPlane, Rotation } from "@effect-acs/core"
 * import * as Effect from "effect/Effect"
 *
 * const rotation = Rotation.rotate(
 *   { resourceId: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Communication/communicationServices/acs" },
 *   { publish: () => Effect.void, verify: DataPlane.verifyWith({ timeout: "10 seconds" }) }
 * )
 * ```
 *
 * @since 0.3.0
 * @category verification
 */
export const verifyWith: (
  options: VerifyOptions
) => (key: PublishedKey) => Effect.Effect<void, VerifyError, HttpClient.HttpClient> = internal.verifyWith

/**
 * Succeeds when the key's connection string authenticates on the data plane; fails with `KeyRejected` when
 * the service refuses it, and with another `VerifyError` when that cannot be told.
 *
 * @example
 * ```ts
 * import { DataPlane, Rotation } from "@effect-acs/core"
 * import * as Effect from "effect/Effect"
 *
 * const rotation = Rotation.rotate(
 *   { resourceId: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Communication/communicationServices/acs" },
 *   { publish: () => Effect.void, verify: DataPlane.verify }
 * )
 * ```
 *
 * @since 0.3.0
 * @category verification
 */
export const verify: (key: PublishedKey) => Effect.Effect<void, VerifyError, HttpClient.HttpClient> = internal
  .verifyWith({})
