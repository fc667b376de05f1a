import type { KeyType } from "@effect-acs/schema"
import * as CommunicationServiceKeys from "@effect-acs/schema/CommunicationServiceKeys"
import * as ErrorResponse from "@effect-acs/schema/ErrorResponse"
import * as Json from "@effect-acs/schema/Json"
import * as Operation from "@effect-acs/schema/Operation"
import * as Parameters from "@effect-acs/schema/Parameters"
import * as HttpBody from "@effect/platform/HttpBody"
import * as HttpClient from "@effect/platform/HttpClient"
import type * as HttpClientError from "@effect/platform/HttpClientError"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as UrlParams from "@effect/platform/UrlParams"
import * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Exit from "effect/Exit"
import * as FiberRef from "effect/FiberRef"
import { identity } from "effect/Function"
import * as Metric from "effect/Metric"
import * as Option from "effect/Option"
import * as ParseResult from "effect/ParseResult"
import * as Predicate from "effect/Predicate"
import * as Redacted from "effect/Redacted"
import * as Schedule from "effect/Schedule"
import * as ScheduleDecision from "effect/ScheduleDecision"
import * as ScheduleIntervals from "effect/ScheduleIntervals"
import * as Schema from "effect/Schema"
import type * as Scope from "effect/Scope"
import { type AccessToken, AzureCredential } from "../AzureCredential.js"
import type {
  CommunicationServicesService,
  KeysResponse,
  Options,
  RegenerateKeyInput,
  ResourceInput
} from "../CommunicationServices.js"
import * as Errors from "../Errors.js"
import * as Metrics from "../Metrics.js"
import * as Redaction from "../Redaction.js"
import * as RetryPolicy from "../RetryPolicy.js"
import * as Body from "./body.js"
import * as Credential from "./credential.js"
import { claimsChallenge, remainingWrites, retryAfterMillis } from "./headers.js"
import * as input from "./input.js"
import * as KeyedLock from "./keyedLock.js"
import { noRedirects } from "./redirects.js"
import { passThrough, SafePoint } from "./safePoint.js"
import { liveClock, timeoutFail, timerMillis } from "./timeout.js"
import { version } from "./version.js"

/** The Resource Manager endpoints of the Azure clouds (public as `CommunicationServices.endpoints`). */
export const endpoints = {
  AzurePublic: "https://management.azure.com",
  AzureUSGovernment: "https://management.usgovcloudapi.net",
  AzureChina: "https://management.chinacloudapi.cn"
} as const

const loopbackHosts = /^(localhost|127(?:\.\d{1,3}){3}|\[::1\])$/i

/** Checks the endpoint: https, or http to a loopback address when the caller opted in. */
export const endpoint = (
  value: string,
  allowInsecureLoopback: boolean
): Either.Either<URL, Errors.InvalidInput> => {
  // URL parsing silently drops tabs and line breaks and trims spaces: refuse them before it sees them
  // eslint-disable-next-line no-control-regex
  if (typeof value !== "string" || /[\u0000-\u0020\u007f-\u009f]/.test(value)) {
    return Either.left(
      new Errors.InvalidInput({
        field: "endpoint",
        reason: "expected an absolute https URL without spaces or control characters"
      })
    )
  }
  const url = URL.canParse(value) ? new URL(value) : undefined
  if (url === undefined || (url.protocol !== "https:" && url.protocol !== "http:")) {
    return Either.left(new Errors.InvalidInput({ field: "endpoint", reason: "expected an absolute https URL" }))
  }
  if (url.search !== "" || url.hash !== "" || url.username !== "" || url.password !== "") {
    return Either.left(
      new Errors.InvalidInput({ field: "endpoint", reason: "expected no query, fragment or credentials" })
    )
  }
  if (url.protocol === "http:" && !(allowInsecureLoopback && loopbackHosts.test(url.hostname))) {
    return Either.left(
      new Errors.InvalidInput({
        field: "endpoint",
        reason: allowInsecureLoopback
          ? "bearer tokens are sent over https only; plain http is allowed to a loopback address only"
          : "bearer tokens are sent over https only (set allowInsecureLoopback to use an emulator on loopback)"
      })
    )
  }
  return Either.right(url)
}

const decodeKeysWithSchema = Schema.decodeUnknownEither(CommunicationServiceKeys.CommunicationServiceKeys, {
  errors: "all"
})

/** The fields of `CommunicationServiceKeys`, each an optional (exact) `Schema.Redacted(Schema.String)`. */
const keyFields = Object.keys(CommunicationServiceKeys.CommunicationServiceKeys.fields)

/**
 * `CommunicationServiceKeys` decoded from a parsed body: without the schema's machinery for what a 200
 * usually is (an object whose key fields, where present, are strings), which decodes to exactly what the
 * schema would give (a test holds the two equal); through the schema for anything else, and its errors.
 */
export const decodeKeys = (
  json: unknown
): Either.Either<CommunicationServiceKeys.CommunicationServiceKeys, ParseResult.ParseError> => {
  if (typeof json !== "object" || json === null || Array.isArray(json)) return decodeKeysWithSchema(json)
  const props: Record<string, Redacted.Redacted<string>> = {}
  for (const name of keyFields) {
    if (!Object.hasOwn(json, name)) continue
    const value = (json as Record<string, unknown>)[name]
    if (typeof value !== "string") return decodeKeysWithSchema(json)
    props[name] = Redacted.make(value)
  }
  return Either.right(new CommunicationServiceKeys.CommunicationServiceKeys(props, true))
}
const decodeErrorResponse = Schema.decodeUnknownEither(ErrorResponse.ErrorResponse)

const bodies: Record<KeyType.KeyType, HttpBody.HttpBody> = {
  Primary: HttpBody.text("{\"keyType\":\"Primary\"}", "application/json"),
  Secondary: HttpBody.text("{\"keyType\":\"Secondary\"}", "application/json")
}

/** Node error codes that mean the connection was never made, so the request was never sent. */
const notSentCodes = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "ENETUNREACH", "EHOSTUNREACH", "EADDRNOTAVAIL"])

const causeCodes = (cause: unknown): Array<string> => {
  const codes: Array<string> = []
  for (let current = cause, depth = 0; Predicate.isRecord(current) && depth < 5; depth++) {
    if (Predicate.isString(current.code)) codes.push(current.code)
    current = current.cause
  }
  return codes
}

const causeDescription = (cause: unknown, mask: (text: string) => string): string => {
  const messages: Array<string> = []
  for (let current = cause, depth = 0; current instanceof Error && depth < 5; depth++) {
    messages.push(current.message)
    current = current.cause
  }
  return mask(messages.join(": ")) || "the request failed"
}

/** A header value that can be sent: visible ASCII and spaces, nothing Node or a proxy would refuse or split. */
const headerSafe = /^[\x20-\x7e]*$/

/** A bearer token that can be sent: one run of visible ASCII (no space, control or non-ASCII character). */
const tokenSafe = /^[\x21-\x7e]+$/

// -------------------------------------------------------------------------------------------------------------
// classify: what one attempt ended with, as a result or a tagged error
// -------------------------------------------------------------------------------------------------------------

/** The facts of one attempt that every result and error of it carries. */
interface Attempt {
  readonly operation: Errors.Operation
  readonly resourceId: string
  readonly keyType: KeyType.KeyType | undefined
  readonly clientRequestId: string
  /** This attempt's number, from 1 (the retry loop owns the count). */
  readonly attempts: number
  /** An earlier attempt of the call may have changed the keys: every error of this call says so. */
  readonly priorOutcomeUnknown: boolean
}

/** What an attempt ended with, once a token was in hand: a response and its (bounded) body, or no response. */
type Outcome =
  | { readonly _tag: "Response"; readonly response: HttpClientResponse.HttpClientResponse; readonly body: Body.Body }
  | { readonly _tag: "Failed"; readonly error: HttpClientError.HttpClientError }
  | { readonly _tag: "TimedOut" }

/** Untrusted text from a response (header values, error fields) as it may be kept: masked, one line, bounded. */
type Untrusted = (text: string, maxLength?: number) => string

/** A request id in its usual form (a GUID) cannot hold a secret: kept as it is, without masking. */
const guid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

const requestIds = (headers: HttpClientResponse.HttpClientResponse["headers"], attempt: Attempt, clean: Untrusted) => {
  const id = (value: string | undefined) => value === undefined || guid.test(value) ? value : clean(value, 128)
  return {
    requestId: id(headers["x-ms-request-id"]),
    correlationRequestId: id(headers["x-ms-correlation-request-id"]),
    clientRequestId: attempt.clientRequestId
  }
}

const describeParseError = (error: ParseResult.ParseError): string => {
  const paths = ParseResult.ArrayFormatter.formatErrorSync(error).map((issue) => issue.path.join(".") || "(root)")
  return `the body does not match CommunicationServiceKeys at ${[...new Set(paths)].join(", ")}`
}

/** Every string of a parsed (depth-bounded) JSON value, keys and values alike, made fit to keep. */
const cleanJson = (value: unknown, clean: Untrusted): unknown => {
  if (typeof value === "string") return clean(value)
  if (Array.isArray(value)) return value.map((item) => cleanJson(item, clean))
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([key, field]) => [clean(key, 256), cleanJson(field, clean)]))
  }
  return value
}

const hasKey = (keys: CommunicationServiceKeys.CommunicationServiceKeys, keyType: KeyType.KeyType): boolean =>
  (keyType === "Primary" ? keys.primaryKey : keys.secondaryKey) !== undefined

/** A 200: the keys, or why the body cannot be trusted to hold them. */
const classifyOk = (
  attempt: Attempt,
  response: HttpClientResponse.HttpClientResponse,
  body: Body.Body,
  clean: Untrusted,
  maxResponseBytes: number
): Either.Either<KeysResponse, Errors.UnexpectedResponse> => {
  const ids = requestIds(response.headers, attempt, clean)
  const unexpected = (reason: Errors.UnexpectedResponse["reason"], description: string) =>
    Either.left(
      new Errors.UnexpectedResponse({
        status: 200,
        reason,
        description,
        ...ids,
        operation: attempt.operation,
        resourceId: attempt.resourceId,
        attempts: attempt.attempts,
        // a regeneration answered 200 happened, whatever its body says
        outcomeUnknown: attempt.priorOutcomeUnknown || attempt.operation === "regenerateKey"
      })
    )
  if (body._tag === "TooLarge") {
    return unexpected("BodyTooLarge", `the 200 body is larger than ${maxResponseBytes} bytes`)
  }
  const json = Json.parse(body.text)
  if (Either.isLeft(json)) {
    return json.left.reason === "TooDeep"
      ? unexpected("NonConformingBody", `the 200 body is ${json.left.message}`)
      : unexpected(
        "NotJson",
        `the 200 body is not JSON (content-type: ${clean(response.headers["content-type"] ?? "none", 128)})`
      )
  }
  const keys = decodeKeys(json.right)
  if (Either.isLeft(keys)) return unexpected("NonConformingBody", describeParseError(keys.left))
  if (attempt.keyType !== undefined && !hasKey(keys.right, attempt.keyType)) {
    // the key may have been regenerated, but nobody can know which it is now
    return unexpected("NonConformingBody", `the 200 body does not hold the regenerated ${attempt.keyType} key`)
  }
  return Either.right({
    keys: keys.right,
    ...ids,
    attempts: attempt.attempts,
    priorOutcomeUnknown: attempt.priorOutcomeUnknown,
    remainingWrites: remainingWrites(response.headers)
  })
}

/** Any other status: its tagged error, keeping only the decoded, masked ARM fields. */
const classifyStatus = (
  attempt: Attempt,
  response: HttpClientResponse.HttpClientResponse,
  body: Body.Body,
  clean: Untrusted,
  now: number
): Errors.ResponseError => {
  const status = response.status
  // a body too large, too deep or not JSON (an HTML page from a gateway) is described by the status alone
  const json = body._tag === "Text" && body.text !== "" ? Either.getOrUndefined(Json.parse(body.text)) : undefined
  // every string of the body is masked before it is decoded, nested details and additional info included
  const error = Either.getOrUndefined(decodeErrorResponse(cleanJson(json, clean)))?.error
  const fields = {
    status,
    code: error?.code,
    armMessage: error?.message,
    target: error?.target,
    details: error?.details ?? [],
    additionalInfo: error?.additionalInfo ?? [],
    ...requestIds(response.headers, attempt, clean),
    operation: attempt.operation,
    resourceId: attempt.resourceId,
    attempts: attempt.attempts
  }
  const known = { ...fields, outcomeUnknown: attempt.priorOutcomeUnknown }
  // a regeneration answered by a timeout or a server error may have happened
  const unknown = { ...fields, outcomeUnknown: attempt.priorOutcomeUnknown || attempt.operation === "regenerateKey" }
  switch (status) {
    case 401:
      return new Errors.AuthenticationFailed(known)
    case 403:
      return new Errors.AuthorizationFailed(known)
    case 404:
      return new Errors.NotFound({
        ...known,
        missing: fields.code === "SubscriptionNotFound"
          ? "Subscription"
          : fields.code === "ResourceGroupNotFound"
          ? "ResourceGroup"
          : fields.code === "ResourceNotFound"
          ? "Resource"
          : "Unknown"
      })
    case 409:
      return new Errors.Conflict(known)
    case 429:
      return new Errors.Throttled({ ...known, retryAfterMillis: retryAfterMillis(response.headers, now) })
    case 408:
      return new Errors.BadRequest(unknown)
  }
  if (status >= 400 && status < 500) return new Errors.BadRequest(known)
  if (status >= 500 && status < 600) {
    return new Errors.ServiceError({ ...unknown, retryAfterMillis: retryAfterMillis(response.headers, now) })
  }
  return new Errors.UnexpectedResponse({
    ...(status >= 200 && status < 300 ? unknown : known),
    reason: "UndeclaredStatus",
    description: status >= 300 && status < 400
      ? `the API declares only 200 as success, got the redirect ${status} (redirects are never followed)`
      : `the API declares only 200 as success, got ${status}`
  })
}

/**
 * What an attempt's outcome means: the keys, or the one tagged error that says what happened and whether
 * the keys may have changed (`outcomeUnknown`: this attempt's ambiguity, or an earlier one's).
 */
const classify = (
  attempt: Attempt,
  outcome: Outcome,
  context: {
    readonly clean: Untrusted
    readonly now: number
    readonly timeout: Duration.Duration
    readonly maxResponseBytes: number
  }
): Either.Either<KeysResponse, Errors.CommunicationServicesError> => {
  const transport = (reason: "Connect" | "Connection" | "Timeout", description: string) =>
    Either.left(
      new Errors.TransportError({
        reason,
        description,
        clientRequestId: attempt.clientRequestId,
        operation: attempt.operation,
        resourceId: attempt.resourceId,
        attempts: attempt.attempts,
        // a request that was never sent changed nothing; any other may have reached the service
        outcomeUnknown: attempt.priorOutcomeUnknown || (attempt.operation === "regenerateKey" && reason !== "Connect")
      })
    )
  switch (outcome._tag) {
    case "TimedOut":
      return transport("Timeout", `no complete response within ${Duration.format(context.timeout)}`)
    case "Failed": {
      const error = outcome.error
      const description = causeDescription(error.cause, (text) => context.clean(text, 512))
      // a failure while the body was read: the request was sent
      if (error._tag === "ResponseError") return transport("Connection", description)
      const notSent = error.reason !== "Transport" || causeCodes(error.cause).some((code) => notSentCodes.has(code))
      return transport(notSent ? "Connect" : "Connection", description)
    }
    case "Response":
      return outcome.response.status === 200
        ? classifyOk(attempt, outcome.response, outcome.body, context.clean, context.maxResponseBytes)
        : Either.left(classifyStatus(attempt, outcome.response, outcome.body, context.clean, context.now))
  }
}

/** The claims of a 401's `WWW-Authenticate` challenge (a Conditional Access re-authentication), if any. */
const challengeOf = (outcome: Outcome): string | undefined =>
  outcome._tag === "Response" && outcome.response.status === 401 ? claimsChallenge(outcome.response.headers) : undefined

/** What a call's span says of its outcome: attempts, status, error, and the request ids. */
const outcomeAttributes = (
  exit: Exit.Exit<KeysResponse, Errors.CommunicationServicesError>
): Record<string, string | number | boolean> => {
  if (Exit.isSuccess(exit)) {
    const response = exit.value
    return {
      "acs.attempts": response.attempts,
      "acs.status": 200,
      "http.response.status_code": 200,
      "acs.request_id": response.requestId ?? "",
      "acs.correlation_request_id": response.correlationRequestId ?? "",
      "acs.client_request_id": response.clientRequestId
    }
  }
  const failure = Cause.failureOption(exit.cause)
  if (Option.isNone(failure)) return {}
  const error = failure.value
  if (Errors.isResponseError(error)) {
    return {
      "acs.attempts": error.attempts,
      "acs.status": error.status,
      "http.response.status_code": error.status,
      "acs.error": error._tag,
      "acs.outcome_unknown": error.outcomeUnknown,
      "acs.request_id": error.requestId ?? "",
      "acs.correlation_request_id": error.correlationRequestId ?? "",
      "acs.client_request_id": error.clientRequestId ?? ""
    }
  }
  return error._tag === "TransportError"
    ? {
      "acs.attempts": error.attempts,
      "acs.status": 0,
      "acs.error": error._tag,
      "acs.outcome_unknown": error.outcomeUnknown,
      "acs.request_id": error.requestId ?? "",
      "acs.correlation_request_id": error.correlationRequestId ?? "",
      "acs.client_request_id": error.clientRequestId ?? ""
    }
    : { "acs.error": error._tag }
}

// -------------------------------------------------------------------------------------------------------------
// the client
// -------------------------------------------------------------------------------------------------------------

/** The W3C trace context of the current span, when there is one (the caller opted in to send it). */
const withTraceparent = (request: HttpClientRequest.HttpClientRequest) =>
  Effect.map(
    Effect.option(Effect.currentSpan),
    Option.match({
      onNone: () => request,
      onSome: (span) =>
        HttpClientRequest.setHeader(
          request,
          "traceparent",
          `00-${span.traceId}-${span.spanId}-${span.sampled ? "01" : "00"}`
        )
    })
  )

const invalidOption = (field: string, reason: string) => Either.left(new Errors.InvalidInput({ field, reason }))

/** The `retry` option as a policy: a policy, any `Schedule` of failures, or `false` for none. */
const retryPolicy = (retry: Options["retry"]): RetryPolicy.RetryPolicy | undefined => {
  if (retry === undefined) return RetryPolicy.defaultPolicy
  if (retry === false) return RetryPolicy.none
  if (Schedule.isSchedule(retry)) {
    return RetryPolicy.make(retry as Schedule.Schedule<unknown, Errors.CommunicationServicesError>)
  }
  return Predicate.isRecord(retry) && Schedule.isSchedule(retry.schedule) && Duration.isDuration(retry.maxRetryAfter)
    ? retry
    : undefined
}

/** The options, checked before anything is built or sent. */
const resolve = (options: Options) =>
  Either.gen(function*() {
    const url = yield* endpoint(options.endpoint ?? endpoints.AzurePublic, options.allowInsecureLoopback ?? false)
    const apiVersion = yield* input.apiVersion(options.apiVersion ?? Parameters.defaultApiVersion)
    const timeout = options.timeout === undefined
      ? Duration.seconds(30)
      : Option.getOrUndefined(Duration.decodeUnknown(options.timeout))
    if (timeout === undefined || !(Duration.toMillis(timeout) > 0)) {
      return yield* invalidOption("timeout", "expected a positive duration, such as \"30 seconds\" or 30000 (ms)")
    }
    const suffix = options.userAgentSuffix ?? ""
    if (typeof suffix !== "string" || !headerSafe.test(suffix) || suffix.length > 256) {
      return yield* invalidOption(
        "userAgentSuffix",
        "expected at most 256 printable ASCII characters (no line breaks, control or non-ASCII characters)"
      )
    }
    const scope = options.scope ?? `${url.origin}/.default`
    if (typeof scope !== "string" || !tokenSafe.test(scope)) {
      return yield* invalidOption("scope", "expected a token scope such as https://management.azure.com/.default")
    }
    const maxResponseBytes = options.maxResponseBytes ?? Body.defaultMaxResponseBytes
    if (!Number.isSafeInteger(maxResponseBytes) || maxResponseBytes < 1) {
      return yield* invalidOption("maxResponseBytes", "expected a positive whole number of bytes")
    }
    const policy = retryPolicy(options.retry)
    if (policy === undefined) {
      return yield* invalidOption("retry", "expected a RetryPolicy, a Schedule of failures, or false")
    }
    return {
      base: url.href.replace(/\/+$/, ""),
      apiVersion,
      timeout,
      userAgent: `effect-acs/${version} (${
        typeof process === "undefined" ? "unknown" : `Node ${process.version}; ${process.platform}`
      })${suffix === "" ? "" : ` ${suffix}`}`,
      scope,
      maxResponseBytes,
      policy,
      propagateTrace: options.propagateTrace === true
    }
  })

/** `Metrics.throttled`, one counter per operation: every 429 counts, retried or not. */
const throttledCounter: Record<Errors.Operation, Effect.Effect<void>> = {
  regenerateKey: Metric.increment(Metric.tagged(Metrics.throttled, "operation", "regenerateKey")),
  listKeys: Metric.increment(Metric.tagged(Metrics.throttled, "operation", "listKeys"))
}

/** One call's request, built once for all its attempts (and the URL a direct transport is given). */
interface Call {
  readonly request: HttpClientRequest.HttpClientRequest
  readonly clientRequestId: string
  readonly url: URL | undefined
}

/** What one attempt ended with, and the claims of a challenge to answer, if any. */
interface Settled {
  readonly result: Either.Either<KeysResponse, Errors.CommunicationServicesError>
  readonly challenge?: string
}

/** The attempt's time ran out: while the token was fetched (nothing sent), or during the exchange. */
const timedOut: Outcome = { _tag: "TimedOut" }

class AttemptTimedOut {
  constructor(readonly sending: boolean) {}
}

export const make = (options: Options = {}) =>
  Effect.gen(function*() {
    const config = yield* resolve(options)
    const { apiVersion, maxResponseBytes, policy, scope, timeout } = config
    const credential = yield* AzureCredential
    const maxRetryAfterMillis = Duration.toMillis(policy.maxRetryAfter)
    const transport = yield* HttpClient.HttpClient
    // a transport that streams the body ties the exchange to the attempt's scope: reading stops at the
    // size limit, and closing the scope aborts whatever the server still sends (and `FetchHttpClient` is told
    // not to follow redirects); one that reads the (bounded) body before answering holds nothing open
    const eager = Body.isEager(transport)
    const http = transport.pipe(
      // the platform's own span would record every response header (server-controlled text) as attributes,
      // and would send trace headers to Resource Manager: this client records one span of its own instead
      HttpClient.withTracerDisabledWhen(() => true),
      eager ? identity : HttpClient.withScope
    )
    const scoped = <A, E>(exchange: Effect.Effect<A, E, Scope.Scope>): Effect.Effect<A, E> =>
      // (without `withScope` the exchange needs no scope: only its type says otherwise)
      eager ? exchange as Effect.Effect<A, E> : noRedirects(Effect.scoped(exchange))
    const lock = KeyedLock.make()
    // an unwrapped NodeTransport: its exchange can be sent without the platform's pipeline, to a deadline
    const direct = Body.directOf(transport)
    const timeoutMillis = timerMillis(timeout)
    const cachedToken = Credential.cachedOf(credential)

    // what every request of this client shares, built once
    const query = `?api-version=${encodeURIComponent(apiVersion)}`
    const headers = {
      accept: "application/json",
      // a compressed body would be inflated by some transports before the size limit sees it
      "accept-encoding": "identity",
      "user-agent": config.userAgent,
      // set per call (in place: the headers keep their order)
      "x-ms-client-request-id": ""
    }
    // the request of each operation and key type but its URL and client request id
    const template = (body: HttpBody.HttpBody | undefined) =>
      HttpClientRequest.post("", body === undefined ? { headers } : { headers, body })
    const templates = {
      Primary: template(bodies.Primary),
      Secondary: template(bodies.Secondary),
      listKeys: template(undefined)
    }

    /** The request of one call, the same for each of its attempts but the token. */
    const requestFor = (
      resource: input.Resource,
      operation: Errors.Operation,
      keyType: KeyType.KeyType | undefined
    ): Call => {
      const clientRequestId = crypto.randomUUID()
      const request = HttpClientRequest.setHeader(
        HttpClientRequest.setUrl(
          keyType === undefined ? templates.listKeys : templates[keyType],
          config.base + Operation.path(resource.parts, operation) + query
        ),
        "x-ms-client-request-id",
        clientRequestId
      )
      // the URL the transport would make of the request, once for all the attempts of a direct transport
      const url = direct === undefined || config.propagateTrace
        ? undefined
        : Either.getOrUndefined(UrlParams.makeUrl(request.url, request.urlParams, request.hash))
      return { request, clientRequestId, url }
    }

    /** What an attempt's outcome means, with the claims of a challenge to answer (once) if there is one. */
    const settle = (
      at: Attempt,
      claims: string | undefined,
      outcome: Outcome,
      bearer: string | undefined,
      now: number
    ): Settled => {
      // whatever the server sends back is masked, the token this request carried included
      const known = bearer === undefined ? [] : [bearer]
      const clean: Untrusted = (text, maxLength) => Redaction.untrusted(text, { known, maxLength })
      const challenge = claims === undefined ? challengeOf(outcome) : undefined
      const result = classify(at, outcome, { clean, now, timeout, maxResponseBytes })
      return challenge === undefined ? { result } : { result, challenge }
    }

    /** A 429 counts in `Metrics.throttled`, retried or not. */
    const counted = (at: Attempt, settled: Settled): Effect.Effect<Settled> =>
      Either.isLeft(settled.result) && settled.result.left._tag === "Throttled"
        ? Effect.as(throttledCounter[at.operation], settled)
        : Effect.succeed(settled)

    const unsendable = () =>
      new Errors.CredentialError({
        reason: "the credential returned a token that cannot be sent in an HTTP header " +
          "(it is empty or holds a space, a control character or a non-ASCII character)"
      })

    /**
     * One attempt: a token, the exchange, the body read (bounded), all within the attempt's timeout, then
     * classified. Nothing has been sent while the token is fetched: that wait is a safe point of a rotation
     * step unless an earlier attempt's outcome is unknown.
     *
     * Over a direct transport (`NodeTransport`, unwrapped), on the live clock, with a token already in hand
     * (a static credential, or one cached and fresh) and no safe point to honour, nothing can wait before
     * the exchange: the transport itself ends the exchange at the attempt's deadline, and nothing is forked.
     * Any other attempt is the general one, `general`.
     */
    const attempt = (
      call: Call,
      at: Attempt,
      claims: string | undefined
    ): Effect.Effect<Settled, Errors.CredentialError> =>
      call.url === undefined
        ? general(call.request, at, claims, credential.getToken({ scope, claims }))
        : Effect.withFiberRuntime((fiber) => {
          const url = call.url!
          const clock = Context.get(fiber.currentDefaultServices, Clock.Clock)
          const stoppable = at.priorOutcomeUnknown ? passThrough : Context.get(fiber.currentContext, SafePoint)
          if (clock !== liveClock || stoppable !== passThrough) {
            return general(call.request, at, claims, credential.getToken({ scope, claims }))
          }
          // the token in hand: one the credential holds fresh, or one its getToken already succeeded with
          const held = cachedToken === undefined || claims !== undefined
            ? undefined
            : cachedToken(scope, clock.unsafeCurrentTimeMillis())
          const token = held === undefined ? credential.getToken({ scope, claims }) : undefined
          if (token !== undefined && (!Exit.isExit(token) || Exit.isFailure(token))) {
            return general(call.request, at, claims, token)
          }
          const bearer = Redacted.value((held ?? (token as Exit.Success<AccessToken, never>).value).token)
          if (!tokenSafe.test(bearer)) return Effect.fail(unsendable())
          const sent = direct!(
            call.request,
            url,
            { ...call.request.headers, authorization: `Bearer ${bearer}` },
            timeoutMillis
          )
          return Effect.matchEffect(sent, {
            onFailure: (error) =>
              counted(
                at,
                settle(
                  at,
                  claims,
                  error instanceof Body.TimedOut ? timedOut : { _tag: "Failed", error },
                  bearer,
                  clock.unsafeCurrentTimeMillis()
                )
              ),
            onSuccess: (response) => {
              const body = Body.readEager(response, maxResponseBytes)
              const outcome: Outcome = body._tag === "Failed"
                ? { _tag: "Failed", error: body.error }
                : { _tag: "Response", response, body }
              return counted(at, settle(at, claims, outcome, bearer, clock.unsafeCurrentTimeMillis()))
            }
          })
        })

    /** An attempt over any transport: the exchange runs in a fiber of its own, which a timer interrupts. */
    const general = (
      request: HttpClientRequest.HttpClientRequest,
      at: Attempt,
      claims: string | undefined,
      getToken: Effect.Effect<AccessToken, Errors.CredentialError>
    ): Effect.Effect<Settled, Errors.CredentialError> => {
      let sending = false
      const token = at.priorOutcomeUnknown
        ? getToken
        : Effect.flatMap(SafePoint, (stoppable) => stoppable(getToken))
      const exchange = Effect.flatMap(token, (token) => {
        const bearer = Redacted.value(token.token)
        if (!tokenSafe.test(bearer)) return Effect.fail(unsendable())
        sending = true
        const authorized = HttpClientRequest.setHeader(request, "authorization", `Bearer ${bearer}`)
        return (config.propagateTrace
          ? Effect.flatMap(withTraceparent(authorized), http.execute)
          : http.execute(authorized))
          .pipe(
            Effect.flatMap((response) =>
              Effect.map(
                Body.read(response, maxResponseBytes),
                (body): Outcome => ({ _tag: "Response", response, body })
              )
            ),
            Effect.catchAll((error) => Effect.succeed<Outcome>({ _tag: "Failed", error })),
            Effect.map((outcome) => ({ outcome, bearer }))
          )
      })
      return timeoutFail(scoped(exchange), timeout, () => new AttemptTimedOut(sending)).pipe(
        Effect.catchIf(
          (error): error is AttemptTimedOut => error instanceof AttemptTimedOut,
          (error) =>
            error.sending
              ? Effect.succeed({ outcome: timedOut, bearer: undefined })
              : Effect.fail(new Errors.CredentialError({ reason: `no token within ${Duration.format(timeout)}` }))
        ),
        Effect.flatMap(({ bearer, outcome }) =>
          Effect.flatMap(Clock.currentTimeMillis, (now) => counted(at, settle(at, claims, outcome, bearer, now)))
        )
      )
    }

    /**
     * The attempts of one call, as the retry policy's schedule says: each failure is fed to it, and its delay
     * (or the `Retry-After` the service asked for, capped) is waited before the next attempt. A claims
     * challenge is answered at once, with a fresh token for those claims.
     */
    const call = (
      resource: input.Resource,
      operation: Errors.Operation,
      keyType: KeyType.KeyType | undefined
    ): Effect.Effect<KeysResponse, Errors.CommunicationServicesError> => {
      const request = requestFor(resource, operation, keyType)
      const clientRequestId = request.clientRequestId
      const loop = (
        state: unknown,
        attempts: number,
        priorOutcomeUnknown: boolean,
        claims: string | undefined
      ): Effect.Effect<KeysResponse, Errors.CommunicationServicesError> =>
        attempt(
          request,
          { operation, resourceId: resource.id, keyType, clientRequestId, attempts, priorOutcomeUnknown },
          claims
        ).pipe(
          Effect.flatMap(({ challenge, result }) => {
            if (challenge !== undefined) return loop(state, attempts + 1, priorOutcomeUnknown, challenge)
            return Either.isRight(result) ? Effect.succeed(result.right) : retryAfter(result.left, state, attempts)
          })
        )
      const retryAfter = (error: Errors.CommunicationServicesError, state: unknown, attempts: number) =>
        Effect.flatMap(Clock.currentTimeMillis, (now) =>
          Effect.flatMap(policy.schedule.step(now, error, state), ([next, , decision]) => {
            if (ScheduleDecision.isDone(decision)) {
              return Effect.fail(error)
            }
            const asked = Errors.retryAfterMillis(error)
            const delay = asked === undefined
              ? Math.max(0, ScheduleIntervals.start(decision.intervals) - now)
              : Math.min(asked, maxRetryAfterMillis)
            const unknown = Errors.isOutcomeUnknown(error)
            const again = loop(next, attempts + 1, unknown, undefined)
            // a wait after a failure that changed nothing (a 429, a refused connection) is a safe point
            const wait = unknown
              ? Effect.sleep(delay)
              : Effect.flatMap(SafePoint, (stoppable) =>
                stoppable(Effect.sleep(delay)))
            // a retry that fails before reaching the service (no token) must not hide that an earlier
            // attempt's outcome is unknown: the earlier error, which says so, is the one to act on
            return Effect.zipRight(
              wait,
              unknown ? Effect.catchTag(again, "CredentialError", () => Effect.fail(error)) : again
            )
          }))
      return loop(policy.schedule.initial, 1, false, undefined)
    }

    /** One span per call, with the attempt count and ids of its outcome (never a header or body). */
    const traced = (
      name: string,
      attributes: Record<string, string>,
      effect: () => Effect.Effect<KeysResponse, Errors.CommunicationServicesError>
    ) =>
      // `Effect.useSpan`, with the outcome's attributes set where it ends the span (one exit handler, not two)
      Effect.withFiberRuntime<KeysResponse, Errors.CommunicationServicesError>((fiber) => {
        const timing = fiber.getFiberRef(FiberRef.currentTracerTimingEnabled)
        const clock = Context.get(fiber.currentDefaultServices, Clock.Clock)
        return Effect.flatMap(
          Effect.makeSpan(name, {
            kind: "client",
            attributes,
            // a stack trace per call costs more than it tells: the span's name and attributes say where
            captureStackTrace: false
          }),
          (span) =>
            Effect.onExit(Effect.withParentSpan(effect(), span), (exit) =>
              Effect.sync(() => {
                if (span.status._tag === "Ended") {
                  return
                }
                const outcome = outcomeAttributes(exit)
                for (const key in outcome) {
                  span.attribute(key, outcome[key])
                }
                span.end(timing ? clock.unsafeCurrentTimeNanos() : BigInt(0), exit)
              }))
        )
      })
    // the input is validated when the effect is made, the request built each time it runs
    const regenerateKeyResponse = (
      request: RegenerateKeyInput
    ): Effect.Effect<KeysResponse, Errors.CommunicationServicesError> => {
      const valid = input.regenerate(request)
      if (Either.isLeft(valid)) {
        return Effect.fail(valid.left)
      }
      const [resource, keyType] = valid.right
      return traced(
        "CommunicationServices.regenerateKey",
        { "acs.resource_id": resource.id, "acs.key_type": keyType, "acs.api_version": apiVersion },
        () =>
          lock(resource.lockKey, call(resource, "regenerateKey", keyType))
      )
    }

    const listKeysResponse = (
      request: ResourceInput
    ): Effect.Effect<KeysResponse, Errors.CommunicationServicesError> => {
      const valid = input.resource(request)
      if (Either.isLeft(valid)) return Effect.fail(valid.left)
      const resource = valid.right
      return traced(
        "CommunicationServices.listKeys",
        { "acs.resource_id": resource.id, "acs.api_version": apiVersion },
        () => call(resource, "listKeys", undefined)
      )
    }

    const service: CommunicationServicesService = {
      regenerateKey: (request) => Effect.map(regenerateKeyResponse(request), (response) => response.keys),
      listKeys: (request) => Effect.map(listKeysResponse(request), (response) => response.keys),
      regenerateKeyResponse,
      listKeysResponse
    }
    return service
  })
