import { CommunicationServiceKeys, ErrorResponse, Parameters } from "@effect-acs/schema"
import type { KeyType } from "@effect-acs/schema"
import * as HttpBody from "@effect/platform/HttpBody"
import * as HttpClient from "@effect/platform/HttpClient"
import type * as HttpClientError from "@effect/platform/HttpClientError"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
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
import * as RetryPolicy from "../RetryPolicy.js"
import { claimsChallenge, remainingWrites, retryAfterMillis } from "./headers.js"
import * as input from "./input.js"
import * as KeyedLock from "./keyedLock.js"
import { scrub, scrubJson } from "./scrub.js"
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

const causeDescription = (cause: unknown): string => {
  const messages: Array<string> = []
  for (let current = cause, depth = 0; current instanceof Error && depth < 5; depth++) {
    messages.push(current.message)
    current = current.cause
  }
  return scrub(messages.join(": ")) || "the request failed"
}

interface Attempt {
  readonly operation: Errors.Operation
  readonly resourceId: string
  readonly clientRequestId: string
  readonly attempts: number
  readonly priorOutcomeUnknown: boolean
}

const ids = (headers: HttpClientResponse.HttpClientResponse["headers"], clientRequestId: string) => ({
  requestId: headers["x-ms-request-id"],
  correlationRequestId: headers["x-ms-correlation-request-id"],
  clientRequestId
})

const describeParseError = (error: ParseResult.ParseError): string => {
  const paths = ParseResult.ArrayFormatter.formatErrorSync(error).map((issue) => issue.path.join(".") || "(root)")
  return `the body does not match CommunicationServiceKeys at ${[...new Set(paths)].join(", ")}`
}

/** Turns a non-200 response into its tagged error, keeping only the decoded, scrubbed ARM fields. */
const errorFromResponse = (
  response: HttpClientResponse.HttpClientResponse,
  text: string,
  attempt: Attempt,
  now: number
): Errors.ResponseError => {
  const status = response.status
  const regenerate = attempt.operation === "regenerateKey"
  let json: unknown = undefined
  try {
    json = text === "" ? undefined : JSON.parse(text)
  } catch {
    // not JSON (an HTML page from a gateway): described by status alone, never quoted
  }
  // every string of the body is scrubbed before it is decoded, nested details and additional info included
  const error = Either.getOrUndefined(decodeErrorResponse(scrubJson(json)))?.error
  const fields = {
    status,
    code: error?.code,
    armMessage: error?.message,
    target: error?.target,
    details: error?.details ?? [],
    additionalInfo: error?.additionalInfo ?? [],
    ...ids(response.headers, attempt.clientRequestId),
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
    description: `the API declares only 200 as success, got ${status}`
  })
}

const isBodyError = (error: HttpClientError.HttpClientError) => error._tag === "ResponseError"

export const make = (options: Options = {}) =>
  Effect.gen(function*() {
    const url = yield* endpoint(options.endpoint ?? endpoints.AzurePublic, options.allowInsecureLoopback ?? false)
    const apiVersion = yield* input.apiVersion(options.apiVersion ?? Parameters.defaultApiVersion)
    const credential = yield* AzureCredential
    const policy = options.retry === false ? RetryPolicy.none : options.retry ?? RetryPolicy.defaultPolicy
    const maxRetryAfterMillis = Duration.toMillis(policy.maxRetryAfter)
    const timeout = Duration.decode(options.timeout ?? "30 seconds")
    const scope = options.scope ?? `${url.origin}/.default`
    const base = url.href.replace(/\/+$/, "")
    const query = `?api-version=${encodeURIComponent(apiVersion)}`
    const userAgent = `effect-acs/${version} (${
      typeof process === "undefined" ? "unknown" : `Node ${process.version}; ${process.platform}`
    })${options.userAgentSuffix ? ` ${options.userAgentSuffix}` : ""}`
    const http = (yield* HttpClient.HttpClient).pipe(
      HttpClient.mapRequest(HttpClientRequest.setHeaders({ accept: "application/json", "user-agent": userAgent }))
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

    /** One request: token, send, read, classify. */
    const send = (
      request: HttpClientRequest.HttpClientRequest,
      attempt: Attempt,
      claims: string | undefined
    ): Effect.Effect<KeysResponse, Errors.CommunicationServicesError> =>
      Effect.gen(function*() {
        const token = yield* credential.getToken({ scope, claims })
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
        const [response, text] = yield* http.execute(
          HttpClientRequest.setHeader(request, "authorization", `Bearer ${Redacted.value(token.token)}`)
        ).pipe(
          Effect.flatMap((response) => Effect.map(response.text, (text) => [response, text] as const)),
          (exchange) =>
            timeoutFail(
              exchange,
              timeout,
              () => transport("Timeout", `no complete response within ${Duration.format(timeout)}`)
            ),
          Effect.catchIf(
            (error): error is HttpClientError.HttpClientError => error._tag !== "TransportError",
            (error) => {
              if (isBodyError(error)) return Effect.fail(transport("Connection", causeDescription(error.cause)))
              const notSent = error.reason !== "Transport" || causeCodes(error.cause).some((c) => notSentCodes.has(c))
              return Effect.fail(transport(notSent ? "Connect" : "Connection", causeDescription(error.cause)))
            }
          )
        )
        yield* Effect.annotateCurrentSpan("http.response.status_code", response.status)
        if (response.status === 200) {
          const unexpected = (reason: "NotJson" | "NonConformingBody", description: string) =>
            new Errors.UnexpectedResponse({
              status: 200,
              reason,
              description,
              ...ids(response.headers, attempt.clientRequestId),
              operation: attempt.operation,
              resourceId: attempt.resourceId,
              attempts: attempt.attempts,
              outcomeUnknown: attempt.priorOutcomeUnknown || regenerate
            })
          let json: unknown
          try {
            json = JSON.parse(text)
          } catch {
            return yield* unexpected(
              "NotJson",
              `the 200 body is not JSON (content-type: ${response.headers["content-type"] ?? "none"})`
            )
          }
          const keys = decodeKeys(json)
          if (Either.isLeft(keys)) return yield* unexpected("NonConformingBody", describeParseError(keys.left))
          return {
            keys: keys.right,
            requestId: response.headers["x-ms-request-id"],
            correlationRequestId: response.headers["x-ms-correlation-request-id"],
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
        return yield* Effect.fail(errorFromResponse(response, text, attempt, now))
      })

    /** Attempts with the retry policy: Retry-After (capped) or backoff between attempts. */
    const withRetries = (
      request: HttpClientRequest.HttpClientRequest,
      operation: Errors.Operation,
      resource: input.Resource
    ) => {
      const clientRequestId = crypto.randomUUID()
      const loop = (
        retry: number,
        attempts: number,
        priorOutcomeUnknown: boolean
      ): Effect.Effect<KeysResponse, Errors.CommunicationServicesError> =>
        send(
          HttpClientRequest.setHeader(request, "x-ms-client-request-id", clientRequestId),
          { operation, resourceId: resource.id, clientRequestId, attempts, priorOutcomeUnknown },
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
              return Effect.zipRight(
                Effect.sleep(delay),
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
              resource
            )
          )
        ))

    const listKeysResponse = (request: ResourceInput) =>
      Effect.flatMap(input.resource(request), (resource) =>
        traced(
          "CommunicationServices.listKeys",
          { "acs.resource_id": resource.id },
          withRetries(HttpClientRequest.post(path(resource, "listKeys")), "listKeys", resource)
        ))

    const service: CommunicationServicesService = {
      regenerateKey: (request) => Effect.map(regenerateKeyResponse(request), (response) => response.keys),
      listKeys: (request) => Effect.map(listKeysResponse(request), (response) => response.keys),
      regenerateKeyResponse,
      listKeysResponse
    }
    return service
  })
