import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import * as NodeHttpServerRequest from "@effect/platform-node/NodeHttpServerRequest"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as FiberSet from "effect/FiberSet"
import * as Ref from "effect/Ref"
import type * as Scope from "effect/Scope"
import { randomUUID } from "node:crypto"
import * as Http from "node:http"
import type * as Emulator from "../Emulator.js"
import { ListenError, type StartError } from "../EmulatorError.js"
import * as EmulatorState from "../EmulatorState.js"
import * as ArmErrors from "./armError.js"
import * as Body from "./body.js"
import * as DataPlane from "./dataPlane.js"
import * as Options from "./options.js"
import * as Router from "./router.js"
import type { Answered, Facts, Refused } from "./router.js"
import * as Stats from "./stats.js"
import * as Store from "./store.js"
import * as Throttle from "./throttle.js"

/** What identifies a request in its answer and in the log: computed once, when it arrives. */
interface RequestIds {
  readonly requestId: string
  readonly correlationRequestId: string
  readonly clientRequestId: string | undefined
}

const headerValue = (value: string | undefined) => value === undefined || value === "" ? undefined : value

const responseHeaders = (ids: RequestIds, facts: Facts): Record<string, string> => ({
  "x-ms-request-id": ids.requestId,
  "x-ms-correlation-request-id": ids.correlationRequestId,
  ...(ids.clientRequestId === undefined ? {} : { "x-ms-client-request-id": ids.clientRequestId }),
  ...(facts.rateLimitRemaining === undefined
    ? {}
    : { "x-ms-ratelimit-remaining-subscription-writes": String(facts.rateLimitRemaining) })
})

const pathOf = (url: string) => {
  const index = url.indexOf("?")
  return index === -1 ? url : url.slice(0, index)
}

const logEntry = (
  ids: RequestIds,
  facts: Facts,
  request: HttpServerRequest.HttpServerRequest,
  timestamp: number
): Omit<Emulator.RequestLogEntry, "status"> => ({
  timestamp,
  method: request.method,
  path: pathOf(request.originalUrl),
  requestId: ids.requestId,
  correlationRequestId: ids.correlationRequestId,
  ...(ids.clientRequestId === undefined ? {} : { clientRequestId: ids.clientRequestId }),
  ...(facts.operation === undefined ? {} : { operation: facts.operation }),
  ...(facts.subscriptionId === undefined ? {} : { subscriptionId: facts.subscriptionId }),
  ...(facts.fault === undefined ? {} : { fault: facts.fault })
})

/** @internal */
export const make = (options: Emulator.Options = {}): Effect.Effect<Emulator.Service, StartError, Scope.Scope> =>
  Effect.gen(function*() {
    const config = yield* Options.resolve(options)
    const seeds = yield* Effect.forEach(options.resources ?? [], Store.decodeInput)
    const store = yield* Store.make({ seedFile: options.seedFile, stateFile: options.stateFile, resources: seeds })
    const recorder = yield* Stats.make(config.requestLogSize)
    const throttle = config.throttle === undefined
      ? undefined
      : yield* Throttle.make(config.throttle.capacity, config.throttle.refillPerSecond)

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
    const address = httpServer.address
    const host = address._tag === "TcpAddress" ? address.hostname : config.host
    const port = address._tag === "TcpAddress" ? address.port : config.port
    const url = `http://${host.includes(":") ? `[${host}]` : host}:${port}`

    // with the data plane on, connection strings point at the emulator itself, one endpoint per resource
    const keysOf = (resource: Store.Resource) =>
      EmulatorState.resourceKeys(
        resource.communicationServiceName,
        resource.primaryKey,
        resource.secondaryKey,
        config.dataPlane ? `${url}${DataPlane.endpointPath(resource)}` : undefined
      )

    const routed = yield* Router.make({
      config,
      store,
      recorder,
      throttle,
      inFlight: yield* Ref.make<ReadonlySet<string>>(new Set()),
      // accepted regenerations run here, not in the request's fiber: a client that goes away does not stop
      // them (the emulator's shutdown does)
      commits: yield* FiberSet.make<Store.Resource, Router.Refused | Router.Dropped>(),
      keysOf
    })

    const answer = (markDropped: () => void) =>
      Effect.gen(function*() {
        const request = yield* HttpServerRequest.HttpServerRequest
        // a request body left unread (too large) is drained for a short while after the answer, then cut
        yield* Body.lingerAfterAnswer(request)
        const body = yield* Body.read(request, config.maxRequestBytes).pipe(Effect.either)
        // the client has gone before its body ended: nobody to answer
        if (body._tag === "Left" && body.left._tag === "Unreadable") return yield* Effect.interrupt
        const ids: RequestIds = {
          requestId: randomUUID(),
          correlationRequestId: headerValue(request.headers["x-ms-correlation-request-id"]) ?? randomUUID(),
          clientRequestId: headerValue(request.headers["x-ms-client-request-id"])
        }
        const finish = (outcome: Either.Either<Answered, Refused>) =>
          Effect.gen(function*() {
            const { code, facts, response } = Either.isRight(outcome)
              ? { ...outcome.right, code: undefined }
              : {
                response: yield* ArmErrors.render(outcome.left.error),
                facts: outcome.left.facts,
                code: outcome.left.error.code
              }
            const final = HttpServerResponse.setHeaders(response, responseHeaders(ids, facts))
            yield* recorder.record({
              ...logEntry(ids, facts, request, yield* Clock.currentTimeMillis),
              status: final.status,
              ...(code === undefined ? {} : { code })
            })
            return final
          })
        const drop = (facts: Facts) =>
          Effect.gen(function*() {
            markDropped()
            yield* recorder.record({
              ...logEntry(ids, facts, request, yield* Clock.currentTimeMillis),
              status: "dropped"
            })
            yield* Effect.sync(() => NodeHttpServerRequest.toIncomingMessage(request).socket.destroy())
            return yield* Effect.interrupt
          })
        const refused = (error: ArmErrors.ArmError) => finish(Either.left(new Router.Refused({ error, facts: {} })))
        if (body._tag === "Left") return yield* refused(ArmErrors.tooLarge(config.maxRequestBytes))
        return yield* routed.pipe(
          Effect.provideService(Router.CurrentRequest, { body: body.right, finish, drop }),
          // nothing a client sends may become a defect: should one happen all the same, it is answered as ARM does
          Effect.catchAllDefect((defect) =>
            Effect.zipRight(
              Effect.logError("emulator: unexpected defect while answering a request", Cause.die(defect)),
              refused(ArmErrors.internalError)
            )
          ),
          Effect.catchTag("RouteNotFound", () => refused(ArmErrors.routeNotFound))
        )
      })

    // a request interrupted, but not by a drop fault (which interrupts its own request once the socket is
    // destroyed): its client went away, or the emulator is stopping
    const app = Effect.suspend(() => {
      let dropped = false
      return answer(() => {
        dropped = true
      }).pipe(
        Effect.onInterrupt(() => dropped ? Effect.void : recorder.update((s) => ({ ...s, aborted: s.aborted + 1 })))
      )
    })
    yield* httpServer.serve(app)

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
