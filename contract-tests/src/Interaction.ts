/**
 * One HTTP exchange, in the one canonical form every loader decodes to and `replay` serves: a request
 * (method, absolute URL, headers, body) and the response to it (status, headers, body).
 *
 * Header names are lower case. A body is either JSON (`{ _tag: "Json", value }`, compared structurally) or
 * text (`{ _tag: "Text", text }`, compared exactly); no body is an absent `body`.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"

/**
 * A JSON body: compared with a request's body structurally (key order does not matter).
 *
 * @example
 * ```ts
 * import { Interaction } from "@effect-acs/contract-tests"
 * import * as Schema from "effect/Schema"
 *
 * Schema.is(Interaction.JsonBody)({ _tag: "Json", value: { keyType: "Primary" } }) // true
 * ```
 *
 * @since 0.1.0
 * @category schemas
 */
export const JsonBody = Schema.TaggedStruct("Json", { value: Schema.Unknown }).annotations({
  identifier: "JsonBody",
  description: "A JSON body."
})

/**
 * A text body (an HTML error page, say): compared exactly.
 *
 * @example
 * ```ts
 * import { Interaction } from "@effect-acs/contract-tests"
 * import * as Schema from "effect/Schema"
 *
 * Schema.is(Interaction.TextBody)({ _tag: "Text", text: "<html>Bad Gateway</html>" }) // true
 * ```
 *
 * @since 0.1.0
 * @category schemas
 */
export const TextBody = Schema.TaggedStruct("Text", { text: Schema.String }).annotations({
  identifier: "TextBody",
  description: "A text body."
})

/**
 * A request or response body.
 *
 * @example
 * ```ts
 * import { Interaction } from "@effect-acs/contract-tests"
 *
 * const body: Interaction.Body = { _tag: "Json", value: { keyType: "Secondary" } }
 * ```
 *
 * @since 0.1.0
 * @category schemas
 */
export const Body = Schema.Union(JsonBody, TextBody)

/**
 * A request or response body.
 *
 * @example
 * ```ts
 * import type { Interaction } from "@effect-acs/contract-tests"
 *
 * const body: Interaction.Body = { _tag: "Text", text: "Bad Gateway" }
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type Body = typeof Body.Type

/**
 * HTTP headers, names lower case (decoding lower-cases them).
 *
 * @example
 * ```ts
 * import { Interaction } from "@effect-acs/contract-tests"
 * import * as Schema from "effect/Schema"
 *
 * Schema.decodeUnknownSync(Interaction.Headers)({ "Content-Type": "application/json" })
 * // { "content-type": "application/json" }
 * ```
 *
 * @since 0.1.0
 * @category schemas
 */
export const Headers = Schema.transform(
  Schema.Record({ key: Schema.String, value: Schema.String }),
  Schema.Record({ key: Schema.String, value: Schema.String }),
  {
    strict: true,
    decode: (headers) => lowerCaseNames(headers),
    encode: (headers) => headers
  }
).annotations({ identifier: "Headers", description: "HTTP headers, names in lower case." })

const lowerCaseNames = (headers: Readonly<Record<string, string>>): Record<string, string> => {
  const out: Record<string, string> = {}
  for (const [name, value] of Object.entries(headers)) out[name.toLowerCase()] = value
  return out
}

/**
 * An absolute http(s) URL.
 *
 * @example
 * ```ts
 * import { Interaction } from "@effect-acs/contract-tests"
 * import * as Schema from "effect/Schema"
 *
 * Schema.is(Interaction.AbsoluteUrl)("https://management.azure.com/subscriptions") // true
 * Schema.is(Interaction.AbsoluteUrl)("/subscriptions") // false
 * ```
 *
 * @since 0.1.0
 * @category schemas
 */
export const AbsoluteUrl = Schema.String.pipe(
  Schema.filter((s) => {
    const url = URL.canParse(s) ? new URL(s) : undefined
    return url !== undefined && (url.protocol === "https:" || url.protocol === "http:")
  }, { message: () => "expected an absolute http(s) URL" })
).annotations({ identifier: "AbsoluteUrl", description: "An absolute http(s) URL." })

/**
 * The status of a final HTTP response, 200 to 599.
 *
 * @example
 * ```ts
 * import { Interaction } from "@effect-acs/contract-tests"
 * import * as Schema from "effect/Schema"
 *
 * Schema.is(Interaction.Status)(429) // true
 * ```
 *
 * @since 0.1.0
 * @category schemas
 */
export const Status = Schema.Int.pipe(
  Schema.between(200, 599, { message: () => "expected the status of a final HTTP response (200-599)" })
).annotations({ identifier: "Status" })

/**
 * The request of an interaction.
 *
 * @example
 * ```ts
 * import { Interaction } from "@effect-acs/contract-tests"
 *
 * const request = Interaction.Request.make({
 *   method: "POST",
 *   url: "https://management.azure.com/subscriptions/12345/resourceGroups/MyResourceGroup/providers/Microsoft.Communication/communicationServices/MyCommunicationResource/listKeys?api-version=2020-08-20",
 *   headers: {}
 * })
 * ```
 *
 * @since 0.1.0
 * @category schemas
 */
export class Request extends Schema.Class<Request>("InteractionRequest")({
  method: Schema.String.pipe(Schema.nonEmptyString({ message: () => "expected an HTTP method" })),
  url: AbsoluteUrl,
  headers: Schema.optionalWith(Headers, { default: () => ({}) }),
  body: Schema.optionalWith(Body, { exact: true })
}, { identifier: "InteractionRequest", description: "The request of an interaction." }) {}

/**
 * The response of an interaction.
 *
 * @example
 * ```ts
 * import { Interaction } from "@effect-acs/contract-tests"
 *
 * const response = Interaction.Response.make({ status: 200, headers: {}, body: { _tag: "Json", value: {} } })
 * ```
 *
 * @since 0.1.0
 * @category schemas
 */
export class Response extends Schema.Class<Response>("InteractionResponse")({
  status: Status,
  headers: Schema.optionalWith(Headers, { default: () => ({}) }),
  body: Schema.optionalWith(Body, { exact: true })
}, { identifier: "InteractionResponse", description: "The response of an interaction." }) {}

/**
 * One HTTP exchange: a request and the response to it. `source` says where it came from (a file and an
 * entry), for error messages.
 *
 * @example
 * ```ts
 * import { Interaction } from "@effect-acs/contract-tests"
 * import * as Schema from "effect/Schema"
 *
 * const interaction = Schema.decodeUnknownSync(Interaction.Interaction)({
 *   request: {
 *     method: "POST",
 *     url: "https://management.azure.com/subscriptions/12345/resourceGroups/MyResourceGroup/providers/Microsoft.Communication/communicationServices/MyCommunicationResource/regenerateKey?api-version=2020-08-20",
 *     headers: { "Content-Type": "application/json" },
 *     body: { _tag: "Json", value: { keyType: "Primary" } }
 *   },
 *   response: { status: 200, body: { _tag: "Json", value: { primaryKey: "1234" } } }
 * })
 * interaction.request.headers["content-type"] // "application/json"
 * ```
 *
 * @since 0.1.0
 * @category schemas
 */
export class Interaction extends Schema.Class<Interaction>("Interaction")({
  request: Request,
  response: Response,
  source: Schema.optionalWith(Schema.String, { exact: true })
}, { identifier: "Interaction", description: "One HTTP exchange: a request and its response." }) {}

/**
 * A list of interactions, in the order they are expected.
 *
 * @example
 * ```ts
 * import { Interaction } from "@effect-acs/contract-tests"
 * import * as Schema from "effect/Schema"
 *
 * const decode = Schema.decodeUnknownSync(Interaction.Interactions)
 * decode([]) // []
 * ```
 *
 * @since 0.1.0
 * @category schemas
 */
export const Interactions = Schema.Array(Interaction)

/**
 * The input of `make`: a body is given as `json` (any JSON value) or `text`, and header names may be in
 * any case.
 *
 * @example
 * ```ts
 * import type { Interaction } from "@effect-acs/contract-tests"
 *
 * const input: Interaction.Input = {
 *   request: { method: "POST", url: "https://management.azure.com/x", json: { keyType: "Primary" } },
 *   response: { status: 502, headers: { "Content-Type": "text/html" }, text: "<html>Bad Gateway</html>" }
 * }
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface Input {
  readonly request: MessageInput & { readonly method: string; readonly url: string }
  readonly response: MessageInput & { readonly status: number }
  readonly source?: string | undefined
}

/**
 * The body and headers of a request or response given to `make`.
 *
 * @example
 * ```ts
 * import type { Interaction } from "@effect-acs/contract-tests"
 *
 * const message: Interaction.MessageInput = { headers: { "Retry-After": "1" }, json: { error: { code: "TooManyRequests" } } }
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface MessageInput {
  readonly headers?: Readonly<Record<string, string>> | undefined
  /** A JSON body; a `content-type: application/json` header is added when there is none. */
  readonly json?: unknown
  /** A text body, sent as is. */
  readonly text?: string | undefined
}

const message = (input: MessageInput): { headers: Record<string, string>; body?: Body } => {
  const headers = lowerCaseNames(input.headers ?? {})
  if (input.json !== undefined) {
    if (headers["content-type"] === undefined) headers["content-type"] = "application/json"
    return { headers, body: { _tag: "Json", value: input.json } }
  }
  if (input.text !== undefined) return { headers, body: { _tag: "Text", text: input.text } }
  return { headers }
}

/**
 * Builds an interaction in code: bodies as `json` or `text`, header names in any case. Throws (as every
 * `Schema.Class` constructor does) when the URL is not absolute or the status is not an HTTP status.
 *
 * @example
 * ```ts
 * import { Interaction } from "@effect-acs/contract-tests"
 *
 * const throttled = Interaction.make({
 *   request: {
 *     method: "POST",
 *     url: "https://management.azure.com/subscriptions/12345/resourceGroups/MyResourceGroup/providers/Microsoft.Communication/communicationServices/MyCommunicationResource/listKeys?api-version=2020-08-20"
 *   },
 *   response: { status: 429, headers: { "Retry-After": "1" }, json: { error: { code: "TooManyRequests", message: "Slow down" } } }
 * })
 * throttled.response.headers["retry-after"] // "1"
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (input: Input): Interaction =>
  new Interaction({
    request: new Request({
      method: input.request.method.toUpperCase(),
      url: input.request.url,
      ...message(input.request)
    }),
    response: new Response({ status: input.response.status, ...message(input.response) }),
    ...(input.source === undefined ? {} : { source: input.source })
  })

/**
 * A one-line description: `METHOD url -> status`.
 *
 * @example
 * ```ts
 * import { Interaction } from "@effect-acs/contract-tests"
 *
 * Interaction.describe(Interaction.make({
 *   request: { method: "post", url: "https://management.azure.com/x" },
 *   response: { status: 200 }
 * }))
 * // "POST https://management.azure.com/x -> 200"
 * ```
 *
 * @since 0.1.0
 * @category utils
 */
export const describe = (interaction: Interaction): string =>
  `${interaction.request.method} ${interaction.request.url} -> ${interaction.response.status}` +
  (interaction.source === undefined ? "" : ` (${interaction.source})`)
