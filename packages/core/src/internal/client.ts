import { CommunicationServiceKeys, ErrorResponse, Json, Parameters } from "@effect-acs/schema"
import type { KeyType } from "@effect-acs/schema"
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as HttpBody from "@effect/platform/HttpBody"
import * as HttpClient from "@effect/platform/HttpClient"
import type * as HttpClientError from "@effect/platform/HttpClientError"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as ParseResult from "effect/ParseResult"
import * as Predicate from "effect/Predicate"
import * as Random from "effect/Random"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import { AzureCredential } from "../AzureCredential.js"
import type {
  CommunicationServicesService,
  KeysResponse,
  Options,
  RegenerateKeyInput,
  ResourceInput
} from "../CommunicationServices.js"
import * as Errors from "../Errors.js"
import * as Redaction from "../Redaction.js"
import * as RetryPolicy from "../RetryPolicy.js"
import * as Body from "./body.js"
import { claimsChallenge, remainingWrites, retryAfterMillis } from "./headers.js"
import * as input from "./input.js"
import * as KeyedLock from "./keyedLock.js"
import { SafePoint } from "./safePoint.js"
import { timeoutFail } from "./timeout.js"
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

const decodeKeys = Schema.decodeUnknownEither(CommunicationServiceKeys.CommunicationServiceKeys, { errors: "all" })
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

interface Attempt {
  readonly operation: Errors.Operation
  readonly resourceId: string
  readonly keyType: KeyType.KeyType | undefined
  readonly clientRequestId: string
  readonly attempts: number
  readonly priorOutcomeUnknown: boolean
}

/** Untrusted text from a response (header values, error fields) as it may be kept: masked, one line, bounded. */
type Untrusted = (text: string, maxLength?: number) => string

const ids = (headers: HttpClientResponse.HttpClientResponse["headers"], clientRequestId: string, clean: Untrusted) => {
  const requestId = headers["x-ms-request-id"]
  const correlationRequestId = headers["x-ms-correlation-request-id"]
  return {
    requestId: requestId === undefined ? undefined : clean(requestId, 128),
    correlationRequestId: correlationRequestId === undefined ? undefined : clean(correlationRequestId, 128),
    clientRequestId
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

/** Turns a non-200 response into its tagged error, keeping only the decoded, masked ARM fields. */
const errorFromResponse = (
  response: HttpClientResponse.HttpClientResponse,
  body: Body.Body,
  attempt: Attempt,
  now: number,
  clean: Untrusted
): Errors.ResponseError => {
  const status = response.status
  const regenerate = attempt.operation === "regenerateKey"
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
    ...ids(response.headers, attempt.clientRequestId, clean),
    operation: attempt.operation,
    resourceId: attempt.resourceId,
    attempts: attempt.attempts
  }
  const known = { ...fields, outcomeUnknown: attempt.priorOutcomeUnknown }
  const unknown = { ...fields, outcomeUnknown: attempt.priorOutcomeUnknown || regenerate }
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

const isBodyError = (error: HttpClientError.HttpClientError) => error._tag === "ResponseError"

/** `FetchHttpClient` follows redirects unless told not to: this library never follows one (other transports don't). */
const noRedirects = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  Effect.flatMap(
    Effect.serviceOption(FetchHttpClient.RequestInit),
    (init) =>
      Effect.provideService(effect, FetchHttpClient.RequestInit, {
        ...Option.getOrElse(init, () => ({})),
        redirect: "manual"
      })
  )

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

const invalidOption = (field: string, reason: string) => Effect.fail(new Errors.InvalidInput({ field, reason }))

/** The options, checked before anything is built or sent. */
const resolve = (options: Options) =>
  Effect.gen(function*() {
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
    const policy = options.retry === false ? RetryPolicy.none : options.retry ?? RetryPolicy.defaultPolicy
    if (!Number.isSafeInteger(policy.maxRetries) || policy.maxRetries < 0) {
      return yield* invalidOption("retry", "expected a retry policy whose maxRetries is a whole number from 0")
    }
    return {
      url,
      apiVersion,
      timeout,
      suffix,
      scope,
      maxResponseBytes,
      policy,
      propagateTrace: options.propagateTrace === true
    }
  })

export const make = (options: Options = {}) =>
  Effect.gen(function*() {
    const { apiVersion, maxResponseBytes, policy, propagateTrace, scope, suffix, timeout, url } = yield* resolve(
      options
    )
    const credential = yield* AzureCredential
    const maxRetryAfterMillis = Duration.toMillis(policy.maxRetryAfter)
    const base = url.href.replace(/\/+$/, "")
    const query = `?api-version=${encodeURIComponent(apiVersion)}`
    const userAgent = `effect-acs/${version} (${
      typeof process === "undefined" ? "unknown" : `Node ${process.version}; ${process.platform}`
    })${suffix === "" ? "" : ` ${suffix}`}`
    const http = (yield* HttpClient.HttpClient).pipe(
      HttpClient.mapRequest(HttpClientRequest.setHeaders({
        accept: "application/json",
        // a compressed body would be inflated by some transports before the size limit sees it
        "accept-encoding": "identity",
        "user-agent": userAgent
      })),
      // the platform's own span would record every response header (server-controlled text) as attributes,
      // and would send trace headers to Resource Manager: this client records one span of its own instead
      HttpClient.withTracerDisabledWhen(() => true),
      // the exchange is tied to the attempt's scope: reading stops at the size limit, and closing the scope
      // aborts whatever the server still sends
      HttpClient.withScope
    )
    const lock = KeyedLock.make()

    const path = (resource: input.Resource, action: string) => {
      const { communicationServiceName, resourceGroupName, subscriptionId } = resource.parts
      return `${base}/subscriptions/${encodeURIComponent(subscriptionId)}/resourceGroups/${
        encodeURIComponent(resourceGroupName)
      }/providers/Microsoft.Communication/communicationServices/${
        encodeURIComponent(communicationServiceName)
      }/${action}${query}`
    }

    /** One request: token, send, read (bounded), classify. */
    const send = (
      request: HttpClientRequest.HttpClientRequest,
      attempt: Attempt,
      claims: string | undefined
    ): Effect.Effect<KeysResponse, Errors.CommunicationServicesError> =>
      Effect.gen(function*() {
        // nothing has been sent while a token is fetched: bounded like the attempt, and a safe point of a
        // rotation step unless an earlier attempt's outcome is unknown
        const fetchToken = timeoutFail(
          credential.getToken({ scope, claims }),
          timeout,
          () => new Errors.CredentialError({ reason: `no token within ${Duration.format(timeout)}` })
        )
        const token = yield* attempt.priorOutcomeUnknown
          ? fetchToken
          : Effect.flatMap(SafePoint, (stoppable) => stoppable(fetchToken))
        const bearer = Redacted.value(token.token)
        if (!tokenSafe.test(bearer)) {
          return yield* new Errors.CredentialError({
            reason: "the credential returned a token that cannot be sent in an HTTP header " +
              "(it is empty or holds a space, a control character or a non-ASCII character)"
          })
        }
        // whatever the server sends back is masked, the token this request carried included
        const known = [bearer]
        const clean: Untrusted = (text, maxLength) => Redaction.untrusted(text, { known, maxLength })
        const regenerate = attempt.operation === "regenerateKey"
        const transport = (reason: "Connect" | "Connection" | "Timeout", description: string) =>
          new Errors.TransportError({
            reason,
            description,
            clientRequestId: attempt.clientRequestId,
            operation: attempt.operation,
            resourceId: attempt.resourceId,
            attempts: attempt.attempts,
            outcomeUnknown: attempt.priorOutcomeUnknown || (regenerate && reason !== "Connect")
          })
        const outgoing = propagateTrace ? yield* withTraceparent(request) : request
        const [response, body] = yield* http.execute(
          HttpClientRequest.setHeader(outgoing, "authorization", `Bearer ${bearer}`)
        ).pipe(
          Effect.flatMap((response) =>
            Effect.map(Body.read(response, maxResponseBytes), (body) => [response, body] as const)
          ),
          (exchange) =>
            timeoutFail(
              exchange,
              timeout,
              () => transport("Timeout", `no complete response within ${Duration.format(timeout)}`)
            ),
          Effect.catchIf(
            (error): error is HttpClientError.HttpClientError => error._tag !== "TransportError",
            (error) => {
              const description = causeDescription(error.cause, (text) => clean(text, 512))
              if (isBodyError(error)) return Effect.fail(transport("Connection", description))
              const notSent = error.reason !== "Transport" || causeCodes(error.cause).some((c) => notSentCodes.has(c))
              return Effect.fail(transport(notSent ? "Connect" : "Connection", description))
            }
          ),
          noRedirects,
          Effect.scoped
        )
        yield* Effect.annotateCurrentSpan("http.response.status_code", response.status)
        if (response.status === 200) {
          const unexpected = (reason: Errors.UnexpectedResponse["reason"], description: string) =>
            new Errors.UnexpectedResponse({
              status: 200,
              reason,
              description,
              ...ids(response.headers, attempt.clientRequestId, clean),
              operation: attempt.operation,
              resourceId: attempt.resourceId,
              attempts: attempt.attempts,
              outcomeUnknown: attempt.priorOutcomeUnknown || regenerate
            })
          if (body._tag === "TooLarge") {
            return yield* unexpected("BodyTooLarge", `the 200 body is larger than ${maxResponseBytes} bytes`)
          }
          const json = Json.parse(body.text)
          if (Either.isLeft(json)) {
            return yield* json.left.reason === "TooDeep"
              ? unexpected("NonConformingBody", `the 200 body is ${json.left.message}`)
              : unexpected(
                "NotJson",
                `the 200 body is not JSON (content-type: ${clean(response.headers["content-type"] ?? "none", 128)})`
              )
          }
          const keys = decodeKeys(json.right)
          if (Either.isLeft(keys)) return yield* unexpected("NonConformingBody", describeParseError(keys.left))
          if (attempt.keyType !== undefined && !hasKey(keys.right, attempt.keyType)) {
            // the key may have been regenerated, but nobody can know which it is now
            return yield* unexpected(
              "NonConformingBody",
              `the 200 body does not hold the regenerated ${attempt.keyType} key`
            )
          }
          const ids200 = ids(response.headers, attempt.clientRequestId, clean)
          return {
            keys: keys.right,
            requestId: ids200.requestId,
            correlationRequestId: ids200.correlationRequestId,
            clientRequestId: attempt.clientRequestId,
            attempts: attempt.attempts,
            remainingWrites: remainingWrites(response.headers)
          }
        }
        const now = yield* Clock.currentTimeMillis
        if (response.status === 401 && claims === undefined) {
          const challenge = claimsChallenge(response.headers)
          if (challenge !== undefined) {
            return yield* send(request, { ...attempt, attempts: attempt.attempts + 1 }, challenge)
          }
        }
        return yield* Effect.fail(errorFromResponse(response, body, attempt, now, clean))
      })

    /** Attempts with the retry policy: Retry-After (capped) or backoff between attempts. */
    const withRetries = (
      request: HttpClientRequest.HttpClientRequest,
      operation: Errors.Operation,
      resource: input.Resource,
      keyType: KeyType.KeyType | undefined
    ) => {
      const clientRequestId = crypto.randomUUID()
      const loop = (
        retry: number,
        attempts: number,
        priorOutcomeUnknown: boolean
      ): Effect.Effect<KeysResponse, Errors.CommunicationServicesError> =>
        send(
          HttpClientRequest.setHeader(request, "x-ms-client-request-id", clientRequestId),
          { operation, resourceId: resource.id, keyType, clientRequestId, attempts, priorOutcomeUnknown },
          undefined
        ).pipe(
          Effect.catchAll((error) => {
            if (retry >= policy.maxRetries || !policy.shouldRetry(error)) return Effect.fail(error)
            const asked = "retryAfterMillis" in error ? error.retryAfterMillis : undefined
            return Effect.flatMap(Random.next, (random) => {
              const delay = asked === undefined
                ? policy.backoff(retry + 1, random)
                : Duration.millis(Math.min(asked, maxRetryAfterMillis))
              const unknown = Errors.isOutcomeUnknown(error)
              const next = loop(retry + 1, ("attempts" in error ? error.attempts : attempts) + 1, unknown)
              // a retry that fails before reaching the service (no token) must not hide that an earlier
              // attempt's outcome is unknown: the earlier error, which says so, is the one to act on
              // a wait after a failure that changed nothing (a 429, a refused connection) is a safe point
              const wait = unknown
                ? Effect.sleep(delay)
                : Effect.flatMap(SafePoint, (stoppable) => stoppable(Effect.sleep(delay)))
              return Effect.zipRight(
                wait,
                unknown ? Effect.catchTag(next, "CredentialError", () => Effect.fail(error)) : next
              )
            })
          })
        )
      return loop(0, 1, false)
    }

    const traced = (
      name: string,
      attributes: Record<string, string>,
      effect: Effect.Effect<KeysResponse, Errors.CommunicationServicesError>
    ) =>
      effect.pipe(
        Effect.tap((response) =>
          Effect.annotateCurrentSpan({
            "acs.attempts": response.attempts,
            "acs.status": 200,
            "acs.request_id": response.requestId ?? "",
            "acs.correlation_request_id": response.correlationRequestId ?? "",
            "acs.client_request_id": response.clientRequestId
          })
        ),
        Effect.tapError((error) =>
          "attempts" in error
            ? Effect.annotateCurrentSpan({
              "acs.attempts": error.attempts,
              "acs.status": "status" in error ? error.status : 0,
              "acs.error": error._tag,
              "acs.outcome_unknown": error.outcomeUnknown,
              "acs.request_id": error.requestId ?? "",
              "acs.correlation_request_id": error.correlationRequestId ?? "",
              "acs.client_request_id": error.clientRequestId ?? ""
            })
            : Effect.annotateCurrentSpan("acs.error", error._tag)
        ),
        Effect.withSpan(name, {
          kind: "client",
          attributes: { ...attributes, "acs.api_version": apiVersion },
          // a stack trace per call costs more than it tells: the span's name and attributes say where
          captureStackTrace: false
        })
      )

    const regenerateKeyResponse = (request: RegenerateKeyInput) =>
      Effect.flatMap(input.regenerate(request), ([resource, keyType]) =>
        traced(
          "CommunicationServices.regenerateKey",
          { "acs.resource_id": resource.id, "acs.key_type": keyType },
          lock(
            resource.lockKey,
            withRetries(
              HttpClientRequest.post(path(resource, "regenerateKey"), { body: bodies[keyType] }),
              "regenerateKey",
              resource,
              keyType
            )
          )
        ))

    const listKeysResponse = (request: ResourceInput) =>
      Effect.flatMap(input.resource(request), (resource) =>
        traced(
          "CommunicationServices.listKeys",
          { "acs.resource_id": resource.id },
          withRetries(HttpClientRequest.post(path(resource, "listKeys")), "listKeys", resource, undefined)
        ))

    const service: CommunicationServicesService = {
      regenerateKey: (request) => Effect.map(regenerateKeyResponse(request), (response) => response.keys),
      listKeys: (request) => Effect.map(listKeysResponse(request), (response) => response.keys),
      regenerateKeyResponse,
      listKeysResponse
    }
    return service
  })

const hasKey = (keys: CommunicationServiceKeys.CommunicationServiceKeys, keyType: KeyType.KeyType): boolean =>
  (keyType === "Primary" ? keys.primaryKey : keys.secondaryKey) !== undefined
