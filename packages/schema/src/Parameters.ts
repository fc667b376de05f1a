/**
 * The URI parameters of the operation, as branded strings with the documented constraints.
 *
 * Every constraint is checked before a value can reach a URL: a value containing `/`, `?`, `#`, `%`,
 * `..` or whitespace fails here, so that no path or query can be injected later.
 *
 * @since 0.1.0
 */
import type * as Arbitrary from "effect/Arbitrary"
import type * as FastCheck from "effect/FastCheck"
import * as Schema from "effect/Schema"

// eslint-disable-next-line no-control-regex
const unsafe = /[/?#%\s\u0000-\u001f\u007f-\u009f]|\.\./

/** How a character is named in a message: visible ASCII as itself, anything else by its code point. */
const describeChar = (c: string) =>
  /^[\x21-\x7e]$/.test(c) ? `"${c}"` : `U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")}`

/**
 * The first character that may not stand in a URL path segment, described without quoting the value (a
 * secret pasted into the wrong field must not come back in the message).
 */
/** Half of a surrogate pair without the other half: not text, and `encodeURIComponent` throws on it. */
const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/

const injection = (s: string, name: string): string | undefined => {
  const lone = loneSurrogate.exec(s)
  if (lone !== null) return `${name} must be text (found half of a surrogate pair at position ${lone.index + 1})`
  const match = unsafe.exec(s)
  if (match !== null) {
    return `${name} must not contain "/", "?", "#", "%", "..", whitespace or control characters ` +
      `(found ${match[0] === ".." ? "\"..\"" : describeChar(match[0])} at position ${match.index + 1})`
  }
  // "." alone is a dot-segment: URL normalisation would drop it and change the path
  if (s === ".") return `${name} must not be "."`
  return undefined
}

const noInjection = <S extends Schema.Schema<string, string>>(self: S, name: string) =>
  self.pipe(Schema.filter((s) => injection(s, name)))

/** The first character outside `allowed`, described without quoting the value. */
const firstOutside = (s: string, allowed: RegExp): string => {
  for (const c of s) if (!allowed.test(c)) return `${describeChar(c)} at position ${s.indexOf(c) + 1}`
  return "none"
}

const alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

const wordArbitrary = <A extends string>(extra: string, maxLength: number): Arbitrary.LazyArbitrary<A> => (fc) =>
  fc.string({ unit: fc.constantFrom(...(alphabet + extra)), minLength: 1, maxLength })
    .filter((s) => !s.includes("..")) as FastCheck.Arbitrary<A>

/**
 * The ID of the target subscription (1 to 128 characters; a UUID in practice).
 *
 * @example
 * ```ts
 * import { Parameters } from "@effect-acs/schema"
 * import * as Schema from "effect/Schema"
 *
 * Schema.decodeUnknownSync(Parameters.SubscriptionId)("00000000-0000-0000-0000-000000000000")
 * ```
 *
 * @since 0.1.0
 * @category schemas
 */
export const SubscriptionId = Schema.String.pipe(
  Schema.minLength(1, { message: () => "subscriptionId must not be empty" }),
  Schema.maxLength(128, {
    message: (issue) => `subscriptionId must be at most 128 characters, got ${String(issue.actual).length}`
  }),
  (self) => noInjection(self, "subscriptionId"),
  Schema.brand("SubscriptionId")
).annotations({
  identifier: "SubscriptionId",
  title: "subscriptionId",
  description: "The ID of the target subscription.",
  arbitrary: () => wordArbitrary("-", 36),
  jsonSchema: { type: "string", minLength: 1, description: "The ID of the target subscription." }
})

/**
 * The `subscriptionId` path parameter, branded.
 *
 * @example
 * ```ts
 * import { Parameters } from "@effect-acs/schema"
 *
 * const value: Parameters.SubscriptionId = Parameters.SubscriptionId.make("12345")
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type SubscriptionId = typeof SubscriptionId.Type

/**
 * The documented pattern of a resource group name. `\w` is meant as in .NET, where it matches any
 * Unicode letter or digit; {@link ResourceGroupName} validates with that meaning.
 *
 * @example
 * ```ts
 * import { Parameters } from "@effect-acs/schema"
 *
 * Parameters.resourceGroupNamePattern // "^[-\\w\\._\\(\\)]+$"
 * ```
 *
 * @since 0.1.0
 * @category constants
 */
export const resourceGroupNamePattern = "^[-\\w\\._\\(\\)]+$"

/**
 * The name of the resource group: 1 to 90 characters of letters, digits, `-`, `_`, `.`, `(` and `)`
 * (documented pattern `^[-\w\._\(\)]+$`). The name is case insensitive.
 *
 * @example
 * ```ts
 * import { Parameters } from "@effect-acs/schema"
 * import * as Schema from "effect/Schema"
 *
 * Schema.decodeUnknownSync(Parameters.ResourceGroupName)("MyResourceGroup")
 * ```
 *
 * @since 0.1.0
 * @category schemas
 */
export const ResourceGroupName = Schema.String.pipe(
  Schema.minLength(1, { message: () => "resourceGroupName must not be empty" }),
  Schema.maxLength(90, {
    message: (issue) => `resourceGroupName must be at most 90 characters, got ${String(issue.actual).length}`
  }),
  (self) => noInjection(self, "resourceGroupName"),
  Schema.filter((s) =>
    /^[-\p{L}\p{Mn}\p{Nd}\p{Pc}.()]+$/u.test(s)
      ? s.endsWith(".") ? "resourceGroupName must not end with \".\"" : undefined
      : `resourceGroupName may contain only letters, digits, "-", "_", ".", "(" and ")" (found ${
        firstOutside(s, /[-\p{L}\p{Mn}\p{Nd}\p{Pc}.()]/u)
      })`
  ),
  Schema.brand("ResourceGroupName")
).annotations({
  identifier: "ResourceGroupName",
  title: "resourceGroupName",
  description: "The name of the resource group. The name is case insensitive.",
  arbitrary: () => wordArbitrary("-_.()", 90),
  jsonSchema: {
    type: "string",
    minLength: 1,
    maxLength: 90,
    pattern: resourceGroupNamePattern,
    description: "The name of the resource group. The name is case insensitive."
  }
})

/**
 * The `resourceGroupName` path parameter, branded.
 *
 * @example
 * ```ts
 * import { Parameters } from "@effect-acs/schema"
 *
 * const value: Parameters.ResourceGroupName = Parameters.ResourceGroupName.make("MyResourceGroup")
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type ResourceGroupName = typeof ResourceGroupName.Type

/**
 * The name of the CommunicationService resource: 1 to 63 characters of ASCII letters, digits, `-` and `_`
 * (documented pattern `^[-\w]+$`).
 *
 * @example
 * ```ts
 * import { Parameters } from "@effect-acs/schema"
 * import * as Schema from "effect/Schema"
 *
 * Schema.decodeUnknownSync(Parameters.CommunicationServiceName)("MyCommunicationResource")
 * ```
 *
 * @since 0.1.0
 * @category schemas
 */
export const CommunicationServiceName = Schema.String.pipe(
  Schema.minLength(1, { message: () => "communicationServiceName must not be empty" }),
  Schema.maxLength(63, {
    message: (issue) => `communicationServiceName must be at most 63 characters, got ${String(issue.actual).length}`
  }),
  (self) => noInjection(self, "communicationServiceName"),
  Schema.filter((s) =>
    /^[-\w]+$/.test(s) ||
    `communicationServiceName may contain only letters, digits, "-" and "_" (found ${firstOutside(s, /[-\w]/)})`
  ),
  Schema.brand("CommunicationServiceName")
).annotations({
  identifier: "CommunicationServiceName",
  title: "communicationServiceName",
  description: "The name of the CommunicationService resource.",
  arbitrary: () => wordArbitrary("-_", 63),
  jsonSchema: {
    type: "string",
    minLength: 1,
    maxLength: 63,
    pattern: "^[-\\w]+$",
    description: "The name of the CommunicationService resource."
  }
})

/**
 * The `communicationServiceName` path parameter, branded.
 *
 * @example
 * ```ts
 * import { Parameters } from "@effect-acs/schema"
 *
 * const value: Parameters.CommunicationServiceName = Parameters.CommunicationServiceName.make("MyCommunicationResource")
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type CommunicationServiceName = typeof CommunicationServiceName.Type

/**
 * The API version to use for this operation (at least one character, e.g. `2020-08-20` or
 * `2023-04-01-preview`; letters, digits, `.` and `-` only, so it cannot break out of the query string).
 *
 * @example
 * ```ts
 * import { Parameters } from "@effect-acs/schema"
 * import * as Schema from "effect/Schema"
 *
 * Schema.decodeUnknownSync(Parameters.ApiVersion)("2020-08-20")
 * ```
 *
 * @since 0.1.0
 * @category schemas
 */
export const ApiVersion = Schema.String.pipe(
  Schema.minLength(1, { message: () => "api-version must not be empty" }),
  (self) => noInjection(self, "api-version"),
  Schema.filter((s) =>
    /^[A-Za-z0-9.-]+$/.test(s) ||
    `api-version may contain only letters, digits, "." and "-" (found ${firstOutside(s, /[A-Za-z0-9.-]/)})`
  ),
  Schema.brand("ApiVersion")
).annotations({
  identifier: "ApiVersion",
  title: "api-version",
  description: "The API version to use for this operation.",
  arbitrary: () => (fc) =>
    fc.tuple(fc.integer({ min: 2015, max: 2099 }), fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 28 }))
      .map(([y, m, d]) => `${y}-${String(m).padStart(2, "0")}-${String(d).padStart(2, "0")}` as ApiVersion),
  jsonSchema: { type: "string", minLength: 1, description: "The API version to use for this operation." }
})

/**
 * The `api-version` query parameter, branded.
 *
 * @example
 * ```ts
 * import { Parameters } from "@effect-acs/schema"
 *
 * const value: Parameters.ApiVersion = Parameters.ApiVersion.make("2020-08-20")
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type ApiVersion = typeof ApiVersion.Type

/**
 * The api-version this library targets by default, the one the API reference documents.
 *
 * @example
 * ```ts
 * import { Parameters } from "@effect-acs/schema"
 *
 * Parameters.defaultApiVersion // "2020-08-20"
 * ```
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultApiVersion: ApiVersion = ApiVersion.make("2020-08-20")
