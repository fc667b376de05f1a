import * as CommunicationServiceKeys from "@effect-acs/schema/CommunicationServiceKeys"
import * as ErrorResponse from "@effect-acs/schema/ErrorResponse"
import * as Json from "@effect-acs/schema/Json"
import type * as KeyType from "@effect-acs/schema/KeyType"
import * as Parameters from "@effect-acs/schema/Parameters"
import * as RegenerateKeyParameters from "@effect-acs/schema/RegenerateKeyParameters"
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import * as NodeHttpServerRequest from "@effect/platform-node/NodeHttpServerRequest"
import * as HttpRouter from "@effect/platform/HttpRouter"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Data from "effect/Data"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Fiber from "effect/Fiber"
import * as FiberSet from "effect/FiberSet"
import type * as ParseResult from "effect/ParseResult"
import * as Predicate from "effect/Predicate"
import * as Redacted from "effect/Redacted"
import * as Ref from "effect/Ref"
import * as Schema from "effect/Schema"
import type * as Scope from "effect/Scope"
import { randomUUID } from "node:crypto"
import * as Http from "node:http"
import type * as Emulator from "../Emulator.js"
import { InvalidOptionsError, ListenError, type StartError } from "../EmulatorError.js"
import * as EmulatorFaults from "../EmulatorFaults.js"
import * as EmulatorState from "../EmulatorState.js"
import * as Body from "./body.js"
import * as defaults from "./defaults.js"
import * as Stats from "./stats.js"
import * as Store from "./store.js"
import * as Throttle from "./throttle.js"

// ---------------------------------------------------------------------------------------------------------------
// options
// ---------------------------------------------------------------------------------------------------------------

const invalid = (option: string, reason: string) => Effect.fail(new InvalidOptionsError({ option, reason }))

const redact = (token: string | Redacted.Redacted<string>) => Redacted.isRedacted(token) ? token : Redacted.make(token)

interface Resolved {
  readonly host: string
  readonly port: number
  readonly apiVersions: ReadonlySet<string>
  readonly apiVersionList: string
  readonly tokens: ReadonlyArray<Redacted.Redacted<string>>
  readonly forbiddenTokens: ReadonlyArray<Redacted.Redacted<string>>
  readonly throttle: { readonly capacity: number; readonly refillPerSecond: number } | undefined
  readonly regenerateLatency: Duration.Duration
  readonly faults: EmulatorFaults.Decider | undefined
  readonly requestLogSize: number
  readonly maxRequestBytes: number
}

const resolve = (options: Emulator.Options): Effect.Effect<Resolved, InvalidOptionsError> =>
  Effect.gen(function*() {
    const port = options.port ?? 0
    if (!Number.isInteger(port) || port < 0 || port > 65535) {
      return yield* invalid("port", `must be an integer in [0, 65535], got ${port}`)
    }
    const apiVersions = options.apiVersions ?? defaults.apiVersions
    if (apiVersions.length === 0) return yield* invalid("apiVersions", "must not be empty")
    for (const version of apiVersions) {
      if (!Schema.is(Parameters.ApiVersion)(version)) {
        return yield* invalid("apiVersions", `${JSON.stringify(version)} is not a valid api-version`)
      }
    }
    let throttle: Resolved["throttle"] = undefined
    if (options.throttle !== false) {
      const capacity = options.throttle?.capacity ?? defaults.throttle.capacity
      const refillPerSecond = options.throttle?.refillPerSecond ?? defaults.throttle.refillPerSecond
      if (!Number.isFinite(capacity) || capacity < 1) {
        return yield* invalid("throttle.capacity", `must be a number of at least 1, got ${capacity}`)
      }
      if (!Number.isFinite(refillPerSecond) || refillPerSecond <= 0) {
        return yield* invalid("throttle.refillPerSecond", `must be a positive number, got ${refillPerSecond}`)
      }
      throttle = { capacity, refillPerSecond }
    }
    const latency = options.regenerateLatency === undefined
      ? Duration.zero
      : Duration.decodeUnknown(options.regenerateLatency).pipe((o) => o._tag === "Some" ? o.value : undefined)
    if (latency === undefined || !Duration.isFinite(latency)) {
      return yield* invalid("regenerateLatency", "must be a finite duration")
    }
    const requestLogSize = options.requestLogSize ?? defaults.requestLogSize
    if (!Number.isInteger(requestLogSize) || requestLogSize < 0) {
      return yield* invalid("requestLogSize", `must be a non-negative integer, got ${requestLogSize}`)
    }
    const maxRequestBytes = options.maxRequestBytes ?? defaults.maxRequestBytes
    if (!Number.isSafeInteger(maxRequestBytes) || maxRequestBytes < 1) {
      return yield* invalid("maxRequestBytes", `must be a positive integer, got ${maxRequestBytes}`)
    }
    return {
      host: options.host ?? defaults.host,
      port,
      apiVersions: new Set(apiVersions.map((v) => v.toLowerCase())),
      apiVersionList: apiVersions.join(", "),
      tokens: (options.tokens ?? [defaults.token]).map(redact),
      forbiddenTokens: (options.forbiddenTokens ?? []).map(redact),
      throttle,
      regenerateLatency: latency,
      faults: options.faults === undefined ? undefined : yield* EmulatorFaults.makeDecider(options.faults),
      requestLogSize,
      maxRequestBytes
    }
  })

// ---------------------------------------------------------------------------------------------------------------
// ARM errors
// ---------------------------------------------------------------------------------------------------------------

/** An ARM error answer: a status and an ARM error body, plus headers (WWW-Authenticate, Retry-After, Allow). */
class ArmError extends Data.TaggedError("ArmError")<{
  readonly status: number
  readonly code: string
  readonly message: string
  readonly target?: string
  readonly headers?: Record<string, string>
}> {}

const encodeErrorResponse = Schema.encode(ErrorResponse.ErrorResponse)

const renderError = (error: ArmError) =>
  encodeErrorResponse(
    new ErrorResponse.ErrorResponse({
      error: new ErrorResponse.ErrorDetail({
        code: error.code,
        message: error.message,
        ...(error.target === undefined ? {} : { target: error.target })
      })
    })
  ).pipe(
    Effect.map((body) => HttpServerResponse.unsafeJson(body, { status: error.status, headers: error.headers ?? {} })),
    Effect.orDie
  )

const wwwAuthenticate = (description: string) =>
  `Bearer authorization_uri="https://login.microsoftonline.com/common", error="invalid_token", ` +
  `error_description="${description}"`

const firstMessage = (error: ParseResult.ParseError) => Store.describeParseError(error)

// ---------------------------------------------------------------------------------------------------------------
// per-request information
// ---------------------------------------------------------------------------------------------------------------

interface RequestInfo {
  readonly requestId: string
  readonly correlationRequestId: string
  readonly clientRequestId: string | undefined
  /** The request body, read (bounded) before anything else. */
  readonly body: Buffer
  operation: EmulatorFaults.Operation | undefined
  subscriptionId: string | undefined
  rateLimitRemaining: number | undefined
  fault: Emulator.RequestLogEntry["fault"]
}

class CurrentRequest
  extends Context.Tag("@effect-acs/emulator/internal/CurrentRequest")<CurrentRequest, RequestInfo>()
{}

const headerValue = (value: string | undefined) => value === undefined || value === "" ? undefined : value

const responseHeaders = (info: RequestInfo): Record<string, string> => ({
  "x-ms-request-id": info.requestId,
  "x-ms-correlation-request-id": info.correlationRequestId,
  ...(info.clientRequestId === undefined ? {} : { "x-ms-client-request-id": info.clientRequestId }),
  ...(info.rateLimitRemaining === undefined
    ? {}
    : { "x-ms-ratelimit-remaining-subscription-writes": String(info.rateLimitRemaining) })
})

const pathOf = (url: string) => {
  const index = url.indexOf("?")
  return index === -1 ? url : url.slice(0, index)
}

// ---------------------------------------------------------------------------------------------------------------
// the server
// ---------------------------------------------------------------------------------------------------------------

const resourcePath =
  "/subscriptions/:subscriptionId/resourceGroups/:resourceGroupName/providers/Microsoft.Communication/communicationServices/:communicationServiceName"

const noFault: EmulatorFaults.Decision = { _tag: "Pass", latency: Duration.zero, commitLatency: Duration.zero }

const utf8 = new TextDecoder("utf-8", { fatal: true })

const tooLarge = (maxBytes: number) =>
  new ArmError({
    status: 413,
    code: "RequestEntityTooLarge",
    message: `The request content is larger than the limit of ${maxBytes} bytes.`
  })

const internalError = new ArmError({
  status: 500,
  code: "InternalServerError",
  message: "The server encountered an internal error. Please retry the request."
})

/** @internal */
export const make = (options: Emulator.Options = {}): Effect.Effect<Emulator.Service, StartError, Scope.Scope> =>
  Effect.gen(function*() {
    const config = yield* resolve(options)
    const seeds = yield* Effect.forEach(options.resources ?? [], Store.decodeInput)
    const store = yield* Store.make({ seedFile: options.seedFile, stateFile: options.stateFile, resources: seeds })
    const recorder = yield* Stats.make(config.requestLogSize)
    const throttle = config.throttle === undefined
      ? undefined
      : yield* Throttle.make(config.throttle.capacity, config.throttle.refillPerSecond)
    const inFlight = yield* Ref.make(new Set<string>())
    // accepted regenerations run here, not in the request's fiber: a client that goes away does not stop them
    // (the emulator's shutdown does)
    const commits = yield* FiberSet.make<Store.Resource, ArmError>()

    const drop = (info: RequestInfo, phase: "before" | "after") =>
      Effect.gen(function*() {
        const request = yield* HttpServerRequest.HttpServerRequest
        info.fault = `drop-${phase}`
        yield* recorder.record({
          ...logEntry(info, request, yield* Clock.currentTimeMillis),
          status: "dropped"
        })
        yield* Effect.sync(() => NodeHttpServerRequest.toIncomingMessage(request).socket.destroy())
        return yield* Effect.interrupt
      })

    const fault = (decision: EmulatorFaults.Decision, phase: "before" | "after", info: RequestInfo) =>
      decision._tag === "Pass" || decision.when !== phase
        ? Effect.void
        : decision._tag === "Drop"
        ? drop(info, phase)
        : Effect.suspend(() => {
          info.fault = `error-${phase}`
          return Effect.fail(
            decision.status === 500
              ? new ArmError({
                status: 500,
                code: "InternalServerError",
                message: "The server encountered an internal error. Please retry the request."
              })
              : new ArmError({
                status: 503,
                code: "ServiceUnavailable",
                message: "The service is temporarily unavailable. Please retry the request."
              })
          )
        })

    const authenticate = (request: HttpServerRequest.HttpServerRequest) => {
      const header = request.headers["authorization"]
      if (header === undefined || header === "") {
        return Effect.fail(
          new ArmError({
            status: 401,
            code: "AuthenticationFailed",
            message: "Authentication failed. The 'Authorization' header is missing.",
            headers: {
              "www-authenticate": wwwAuthenticate(
                "The authentication failed because of missing 'Authorization' header."
              )
            }
          })
        )
      }
      const match = /^Bearer\s+(\S+)\s*$/i.exec(header)
      if (match === null) {
        return Effect.fail(
          new ArmError({
            status: 401,
            code: "AuthenticationFailed",
            message: "Authentication failed. The 'Authorization' header is provided in an invalid format.",
            headers: {
              "www-authenticate": wwwAuthenticate(
                "The authentication failed because of an invalid 'Authorization' header."
              )
            }
          })
        )
      }
      const token = match[1]!
      const known = (tokens: ReadonlyArray<Redacted.Redacted<string>>) =>
        tokens.some((t) => Redacted.value(t) === token)
      if (known(config.tokens)) return Effect.succeed({ permitted: true })
      if (known(config.forbiddenTokens)) return Effect.succeed({ permitted: false })
      return Effect.fail(
        new ArmError({
          status: 401,
          code: "InvalidAuthenticationToken",
          message: "The access token is invalid.",
          headers: { "www-authenticate": wwwAuthenticate("The access token is invalid.") }
        })
      )
    }

    const checkApiVersion = Effect.gen(function*() {
      const search = yield* HttpServerRequest.ParsedSearchParams
      const entry = Object.entries(search).find(([key]) => key.toLowerCase() === "api-version")
      const value = entry === undefined ? undefined : Array.isArray(entry[1]) ? entry[1][0] : entry[1]
      if (value === undefined || value === "") {
        return yield* new ArmError({
          status: 400,
          code: "MissingApiVersionParameter",
          message: "The api-version query parameter (?api-version=) is required for all requests."
        })
      }
      if (!Schema.is(Parameters.ApiVersion)(value) || !config.apiVersions.has(value.toLowerCase())) {
        return yield* new ArmError({
          status: 400,
          code: "InvalidApiVersionParameter",
          message: `The api-version '${
            Schema.is(Parameters.ApiVersion)(value) ? value : "(invalid)"
          }' is invalid. The supported versions are '${config.apiVersionList}'.`,
          target: "api-version"
        })
      }
    })

    const pathParameter = <A>(
      schema: Schema.Schema<A, string>,
      name: string,
      params: Readonly<Record<string, string | undefined>>
    ) =>
      Either.match(Schema.decodeUnknownEither(schema)(params[name] ?? ""), {
        onLeft: (error) =>
          Effect.fail(
            new ArmError({ status: 400, code: "InvalidParameter", message: firstMessage(error), target: name })
          ),
        onRight: Effect.succeed
      })

    const readKeyType = (info: RequestInfo) =>
      Effect.gen(function*() {
        const invalidContent = (message: string, target?: string) =>
          new ArmError({
            status: 400,
            code: "InvalidRequestContent",
            message,
            ...(target === undefined ? {} : { target })
          })
        let text: string
        try {
          text = utf8.decode(info.body)
        } catch {
          return yield* invalidContent("The request content is not valid UTF-8.")
        }
        let body: unknown = {}
        if (text.trim() !== "") {
          // depth-safe: nothing nested deeper than the limit is ever walked
          const parsed = Json.parse(text)
          if (parsed._tag === "Left") {
            return yield* invalidContent(
              parsed.left.reason === "TooDeep"
                ? `The request content was invalid and could not be deserialized: ${parsed.left.message}.`
                : "The request content was invalid and could not be deserialized."
            )
          }
          body = parsed.right
        }
        if (!Predicate.isRecord(body)) {
          return yield* invalidContent("The request content must be a JSON object: {\"keyType\": \"Primary\"}.")
        }
        const decoded = yield* Schema.decodeUnknown(RegenerateKeyParameters.RegenerateKeyParameters)(body).pipe(
          Effect.mapError((error) => invalidContent(firstMessage(error).replace(/^at keyType: /, ""), "keyType"))
        )
        if (decoded.keyType === undefined) {
          return yield* invalidContent("The keyType property is required: 'Primary' or 'Secondary'.", "keyType")
        }
        return decoded.keyType
      })

    const acquire = (key: string, name: string) =>
      Effect.flatMap(
        Ref.modify(inFlight, (set): readonly [boolean, Set<string>] =>
          set.has(key) ? [false, set] : [true, new Set(set).add(key)]),
        (acquired) =>
          acquired
            ? recorder.update((s) => ({ ...s, inFlight: s.inFlight + 1 }))
            : Effect.fail(
              new ArmError({
                status: 409,
                code: "Conflict",
                message: `A key regeneration is already in progress for communication service '${name}'. ` +
                  "The primary and secondary key cannot be regenerated at the same time."
              })
            )
      )

    const release = (key: string) =>
      Effect.zipRight(
        Ref.update(inFlight, (set) => {
          const next = new Set(set)
          next.delete(key)
          return next
        }),
        recorder.update((s) => ({ ...s, inFlight: s.inFlight - 1 }))
      )

    const lookupFailed = (ref: EmulatorState.ResourceRef) =>
      new ArmError({
        status: 404,
        code: "ResourceNotFound",
        message: `The Resource 'Microsoft.Communication/communicationServices/${ref.communicationServiceName}' ` +
          `under resource group '${ref.resourceGroupName}' was not found. ` +
          "For more details please go to https://aka.ms/ARMResourceNotFoundFix"
      })

    const saveFailed = new ArmError({
      status: 500,
      code: "InternalServerError",
      message: "The server encountered an internal error while saving the keys. Please retry the request."
    })

    const operation = (op: EmulatorFaults.Operation) =>
      Effect.gen(function*() {
        const request = yield* HttpServerRequest.HttpServerRequest
        const info = yield* CurrentRequest
        info.operation = op
        if (request.method !== "POST") {
          return yield* new ArmError({
            status: 405,
            code: "MethodNotAllowed",
            message: `The requested resource does not support http method '${request.method}'.`,
            headers: { allow: "POST" }
          })
        }
        const principal = yield* authenticate(request)
        yield* checkApiVersion
        const params = yield* HttpRouter.params
        const ref: EmulatorState.ResourceRef = {
          subscriptionId: yield* pathParameter(Parameters.SubscriptionId, "subscriptionId", params),
          resourceGroupName: yield* pathParameter(Parameters.ResourceGroupName, "resourceGroupName", params),
          communicationServiceName: yield* pathParameter(
            Parameters.CommunicationServiceName,
            "communicationServiceName",
            params
          )
        }
        if (!(yield* store.hasSubscription(ref.subscriptionId))) {
          return yield* new ArmError({
            status: 404,
            code: "SubscriptionNotFound",
            message: `The subscription '${ref.subscriptionId}' could not be found.`
          })
        }
        info.subscriptionId = ref.subscriptionId
        if (throttle !== undefined) {
          const take = yield* throttle.take(Store.subscriptionKey(ref.subscriptionId))
          info.rateLimitRemaining = take.remaining
          if (!take.allowed) {
            return yield* new ArmError({
              status: 429,
              code: "TooManyRequests",
              message: `Number of 'write' requests for subscription '${ref.subscriptionId}' exceeded. ` +
                `Please try again after '${take.retryAfterSeconds}' seconds after additional tokens are available.`,
              headers: { "retry-after": String(take.retryAfterSeconds) }
            })
          }
        }
        const scope = `/subscriptions/${ref.subscriptionId}/resourceGroups/${ref.resourceGroupName}` +
          `/providers/Microsoft.Communication/communicationServices/${ref.communicationServiceName}`
        if (!principal.permitted) {
          return yield* new ArmError({
            status: 403,
            code: "AuthorizationFailed",
            message: "The client does not have authorization to perform action " +
              `'Microsoft.Communication/communicationServices/${op}/action' over scope '${scope}' ` +
              "or the scope is invalid. If access was recently granted, please refresh your credentials."
          })
        }
        const found = yield* store.lookup(ref)
        switch (found._tag) {
          case "SubscriptionNotFound":
            return yield* new ArmError({
              status: 404,
              code: "SubscriptionNotFound",
              message: `The subscription '${ref.subscriptionId}' could not be found.`
            })
          case "ResourceGroupNotFound":
            return yield* new ArmError({
              status: 404,
              code: "ResourceGroupNotFound",
              message: `Resource group '${ref.resourceGroupName}' could not be found.`
            })
          case "ResourceNotFound":
            return yield* lookupFailed(ref)
        }
        const keyType = op === "regenerateKey" ? yield* readKeyType(info) : undefined

        const decision = config.faults !== undefined && config.faults.operations.has(op)
          ? config.faults.next()
          : noFault
        if (Duration.greaterThan(decision.latency, Duration.zero)) yield* Effect.sleep(decision.latency)

        if (keyType === undefined) {
          yield* fault(decision, "before", info)
          const resource = yield* store.get(ref).pipe(Effect.mapError(() => lookupFailed(ref)))
          yield* fault(decision, "after", info)
          return yield* respondKeys(resource, ["Primary", "Secondary"])
        }

        const key = Store.resourceKey(ref)
        const commit = Effect.gen(function*() {
          yield* fault(decision, "before", info)
          if (Duration.greaterThan(config.regenerateLatency, Duration.zero)) {
            yield* Effect.sleep(config.regenerateLatency)
          }
          if (Duration.greaterThan(decision.commitLatency, Duration.zero)) yield* Effect.sleep(decision.commitLatency)
          const updated = yield* store.regenerate(ref, keyType).pipe(
            Effect.catchTags({
              UnknownResourceError: () => Effect.fail(lookupFailed(ref)),
              StateFileError: () => Effect.fail(saveFailed)
            })
          )
          yield* recorder.update((s) => ({ ...s, regenerations: s.regenerations + 1 }))
          return updated
        })
        // once the lock is taken, the regeneration is accepted: it runs to its end in a fiber of its own (which
        // releases the lock), whatever happens to this request; the request only waits for it
        const resource = yield* Effect.uninterruptibleMask((restore) =>
          Effect.zipRight(
            acquire(key, ref.communicationServiceName),
            FiberSet.run(commits, Effect.ensuring(Effect.interruptible(commit), release(key)))
          ).pipe(Effect.flatMap((fiber) => restore(Fiber.join(fiber))))
        )
        yield* fault(decision, "after", info)
        return yield* respondKeys(resource, [keyType])
      })

    const router = HttpRouter.empty.pipe(
      HttpRouter.all(`${resourcePath}/regenerateKey`, operation("regenerateKey")),
      HttpRouter.all(`${resourcePath}/listKeys`, operation("listKeys"))
    )
    const routed = yield* HttpRouter.toHttpApp(router).pipe(
      // find-my-way matches static segments case-insensitively by default; keep long names routable, so
      // that a too long name is answered 400 by the parameter schemas rather than 404
      HttpRouter.withRouterConfig({ maxParamLength: 4096 })
    )

    const answer = (dropped: { value: boolean }) =>
      Effect.gen(function*() {
        const request = yield* HttpServerRequest.HttpServerRequest
        // a request body left unread (too large) is drained for a short while after the answer, then cut
        yield* Body.lingerAfterAnswer(request)
        const body = yield* Body.read(request, config.maxRequestBytes).pipe(Effect.either)
        // the client has gone before its body ended: nobody to answer
        if (body._tag === "Left" && body.left._tag === "Unreadable") return yield* Effect.interrupt
        const info: RequestInfo = {
          requestId: randomUUID(),
          correlationRequestId: headerValue(request.headers["x-ms-correlation-request-id"]) ?? randomUUID(),
          clientRequestId: headerValue(request.headers["x-ms-client-request-id"]),
          body: body._tag === "Right" ? body.right : Buffer.alloc(0),
          operation: undefined,
          subscriptionId: undefined,
          rateLimitRemaining: undefined,
          fault: undefined
        }
        const handled = body._tag === "Left" ? Effect.fail(tooLarge(config.maxRequestBytes)) : routed
        const [response, code] = yield* handled.pipe(
          // nothing a client sends may become a defect: should one happen all the same, it is answered as ARM does
          Effect.catchAllDefect((defect) =>
            Effect.zipRight(
              Effect.logError("emulator: unexpected defect while answering a request", Cause.die(defect)),
              Effect.fail(internalError)
            )
          ),
          Effect.map((response) => [response, undefined] as const),
          Effect.catchTags({
            ArmError: (error) => Effect.map(renderError(error), (response) => [response, error.code] as const),
            RouteNotFound: () => {
              const error = new ArmError({
                status: 404,
                code: "NotFound",
                message:
                  "The requested path does not match an operation of Microsoft.Communication/communicationServices."
              })
              return Effect.map(renderError(error), (response) => [response, error.code] as const)
            }
          }),
          Effect.provideService(CurrentRequest, info),
          Effect.onInterrupt(() =>
            Effect.sync(() => {
              dropped.value = info.fault === "drop-before" || info.fault === "drop-after"
            })
          )
        )
        const final = HttpServerResponse.setHeaders(response, responseHeaders(info))
        yield* recorder.record({
          ...logEntry(info, request, yield* Clock.currentTimeMillis),
          status: final.status,
          ...(code === undefined ? {} : { code })
        })
        return final
      })

    // a request interrupted, but not by a drop fault (which interrupts its own request once the socket is
    // destroyed): its client went away, or the emulator is stopping
    const app = Effect.suspend(() => {
      const dropped = { value: false }
      return answer(dropped).pipe(
        Effect.onInterrupt(() =>
          dropped.value ? Effect.void : recorder.update((s) => ({ ...s, aborted: s.aborted + 1 }))
        )
      )
    })

    const server = Http.createServer()
    const httpServer = yield* NodeHttpServer.make(() => server, { host: config.host, port: config.port }).pipe(
      Effect.mapError((error) =>
        new ListenError({
          host: config.host,
          port: config.port,
          reason: error.cause instanceof Error ? error.cause.message : String(error.cause)
        })
      )
    )
    // runs before the server's own close: in-flight requests must not hold the shutdown
    yield* Effect.addFinalizer(() => Effect.sync(() => server.closeAllConnections()))
    yield* httpServer.serve(app)

    const address = httpServer.address
    const host = address._tag === "TcpAddress" ? address.hostname : config.host
    const port = address._tag === "TcpAddress" ? address.port : config.port
    const url = `http://${host.includes(":") ? `[${host}]` : host}:${port}`

    const service: Emulator.Service = {
      url,
      host,
      port,
      resources: Effect.map(store.list, (resources) =>
        resources.map((r) => ({
          subscriptionId: r.subscriptionId,
          resourceGroupName: r.resourceGroupName,
          communicationServiceName: r.communicationServiceName
        }))),
      keys: (ref) => Effect.map(store.get(ref), keysOf),
      addResource: (input) => Effect.flatMap(Store.decodeInput(input), store.upsert).pipe(Effect.map(keysOf)),
      removeResource: store.remove,
      stats: recorder.stats,
      awaitStats: recorder.awaitStats,
      requestLog: recorder.log,
      resetStats: recorder.reset
    }
    return service
  }).pipe(Effect.provide(NodeFileSystem.layer))

const keysOf = (resource: Store.Resource) =>
  EmulatorState.resourceKeys(resource.communicationServiceName, resource.primaryKey, resource.secondaryKey)

const encodeKeys = HttpServerResponse.schemaJson(CommunicationServiceKeys.CommunicationServiceKeys)

const respondKeys = (resource: Store.Resource, keyTypes: ReadonlyArray<KeyType.KeyType>) => {
  const keys = keysOf(resource)
  return encodeKeys(
    new CommunicationServiceKeys.CommunicationServiceKeys({
      ...(keyTypes.includes("Primary")
        ? { primaryKey: keys.primaryKey, primaryConnectionString: keys.primaryConnectionString }
        : {}),
      ...(keyTypes.includes("Secondary")
        ? { secondaryKey: keys.secondaryKey, secondaryConnectionString: keys.secondaryConnectionString }
        : {})
    }),
    { status: 200, contentType: "application/json; charset=utf-8" }
  ).pipe(Effect.orDie)
}

const logEntry = (
  info: RequestInfo,
  request: HttpServerRequest.HttpServerRequest,
  timestamp: number
): Omit<Emulator.RequestLogEntry, "status"> => ({
  timestamp,
  method: request.method,
  path: pathOf(request.originalUrl),
  requestId: info.requestId,
  correlationRequestId: info.correlationRequestId,
  ...(info.clientRequestId === undefined ? {} : { clientRequestId: info.clientRequestId }),
  ...(info.operation === undefined ? {} : { operation: info.operation }),
  ...(info.subscriptionId === undefined ? {} : { subscriptionId: info.subscriptionId }),
  ...(info.fault === undefined ? {} : { fault: info.fault })
})
