import * as Effect from "effect/Effect"
import * as FiberRef from "effect/FiberRef"
import { http, HttpResponse } from "msw"
import { setupServer } from "msw/node"
import { syncBuiltinESMExports } from "node:module"
import { type NonConformingResponse, RequestMismatch, UnexpectedRequest, UnusedInteractions } from "../ContractError.js"
import type { ReplayError } from "../ContractError.js"
import * as Interaction from "../Interaction.js"
import type { Options, ReceivedRequest, ReplayService } from "../Replay.js"
import { check } from "./conformance.js"
import { compare, type Live, render } from "./match.js"
import { credentialsOf, masker, maskHeaders, maskText } from "./secrets.js"

/** Tells NodeTransport (`@effect-acs/core`) to send through node:http, where msw sees it, while replaying. */
const intercepting = (on: boolean) => {
  ;(globalThis as { [key: symbol]: unknown })[Symbol.for("@effect-acs/core/NodeTransport/intercepted")] = on
}

/** msw patches process-wide globals: one replay at a time per process. */
const lock = Effect.unsafeMakeSemaphore(1)

/** Whether the current fiber runs inside a replay: a replay started there would wait for itself. */
export const inside = FiberRef.unsafeMake(false)

/** Headers of a recorded response that describe its original encoding, not the body replayed. */
const droppedResponseHeaders = new Set([
  "content-length",
  "content-encoding",
  "transfer-encoding",
  "connection",
  "keep-alive"
])

const nullBodyStatuses = new Set([204, 205, 304])

const respond = (interaction: Interaction.Interaction, clientRequestId: string | undefined): Response => {
  const headers = new Headers()
  for (const [name, value] of Object.entries(interaction.response.headers)) {
    if (!droppedResponseHeaders.has(name) && !name.startsWith(":")) headers.set(name, value)
  }
  if (clientRequestId === undefined) headers.delete("x-ms-client-request-id")
  else headers.set("x-ms-client-request-id", clientRequestId)
  const body = interaction.response.body
  const status = interaction.response.status
  let payload: string | null = null
  if (body !== undefined && !nullBodyStatuses.has(status)) {
    if (body._tag === "Json") {
      payload = JSON.stringify(body.value)
      if (!headers.has("content-type")) headers.set("content-type", "application/json")
    } else {
      payload = body.text
    }
  }
  return new HttpResponse(payload, { status, headers })
}

type Unanswered =
  | {
    readonly _tag: "Mismatch"
    readonly request: string
    readonly sequence: number
    readonly closest: number
    readonly expected: string
    readonly diff: string
  }
  | { readonly _tag: "Unexpected"; readonly request: string; readonly sequence: number }

export const make = (
  interactions: ReadonlyArray<Interaction.Interaction>,
  options: Options = {}
) =>
  Effect.gen(function*() {
    if (yield* FiberRef.get(inside)) {
      return yield* Effect.dieMessage("Replay: replays do not nest (msw patches process-wide globals)")
    }
    yield* Effect.acquireRelease(lock.take(1), () => lock.release(1))
    yield* Effect.locallyScoped(inside, true)
    const received: Array<ReceivedRequest> = []
    const unanswered: Array<Unanswered> = []
    const nonConforming: Array<NonConformingResponse> = []
    const matching = options.matching ?? "strict"
    let cursor = 0

    const handle = async (request: Request): Promise<Response> => {
      const text = await request.clone().text()
      const headers: Record<string, string> = {}
      request.headers.forEach((value, name) => {
        headers[name.toLowerCase()] = value
      })
      // the credential this request carried is masked wherever it appears, in whatever form
      const mask = masker(credentialsOf(headers["authorization"]))
      const live: Live = { method: request.method, url: new URL(request.url), headers, text, mask }
      const sequence = received.length + 1
      const described = `${request.method} ${mask(request.url)}`
      const entry = {
        sequence,
        method: request.method,
        url: mask(request.url),
        headers: maskHeaders(headers, mask),
        body: mask(text)
      }
      const next = interactions[cursor]
      if (next === undefined) {
        received.push({ ...entry, interaction: undefined })
        unanswered.push({ _tag: "Unexpected", request: described, sequence })
        return HttpResponse.error()
      }
      const differences = compare(next.request, live, matching)
      if (differences.length === 0) {
        received.push({ ...entry, interaction: cursor })
        const problem = check(next, cursor)
        if (problem !== undefined) nonConforming.push(problem)
        cursor++
        return respond(next, headers["x-ms-client-request-id"])
      }
      // the closest unused interaction: fewest differing aspects, the earliest on a tie
      let closest = cursor
      let closestDifferences = differences
      for (let index = cursor + 1; index < interactions.length; index++) {
        const candidate = compare(interactions[index]!.request, live, matching)
        if (candidate.length < closestDifferences.length) {
          closest = index
          closestDifferences = candidate
        }
      }
      const note = closestDifferences.length === 0
        ? `it matches interaction #${closest} (${
          mask(Interaction.describe(interactions[closest]!))
        }), but interactions are answered in order and #${cursor} comes first; compared with #${cursor}:`
        : undefined
      if (note !== undefined) {
        closest = cursor
        closestDifferences = differences
      }
      received.push({ ...entry, interaction: undefined })
      unanswered.push({
        _tag: "Mismatch",
        request: described,
        sequence,
        closest,
        expected: mask(Interaction.describe(interactions[closest]!)),
        diff: render(closestDifferences, live, note)
      })
      return HttpResponse.error()
    }

    yield* Effect.acquireRelease(
      Effect.sync(() => {
        const server = setupServer(http.all("*", ({ request }) => handle(request)))
        server.listen({ onUnhandledRequest: "error" })
        // NodeHttpClient calls `request` through an ESM import of node:http(s): sync the ESM bindings with
        // the functions msw just patched, so those requests are intercepted too
        if (options.nodeHttp !== false) {
          syncBuiltinESMExports()
          // NodeTransport speaks HTTP over its own sockets unless told that node:http is intercepted
          intercepting(true)
        }
        return server
      }),
      (server) =>
        Effect.sync(() => {
          server.close()
          if (options.nodeHttp !== false) {
            syncBuiltinESMExports()
            intercepting(false)
          }
        })
    )

    const verify: Effect.Effect<void, ReplayError> = Effect.suspend((): Effect.Effect<void, ReplayError> => {
      const first = unanswered[0]
      if (first !== undefined) {
        return first._tag === "Mismatch"
          ? Effect.fail(
            new RequestMismatch({
              request: first.request,
              sequence: first.sequence,
              closest: first.closest,
              expected: first.expected,
              diff: first.diff,
              unhandled: unanswered.length
            })
          )
          : Effect.fail(
            new UnexpectedRequest({
              request: first.request,
              sequence: first.sequence,
              total: interactions.length,
              unhandled: unanswered.length
            })
          )
      }
      if (options.conformance === "fail" && nonConforming[0] !== undefined) return Effect.fail(nonConforming[0])
      if (cursor < interactions.length) {
        return Effect.fail(
          new UnusedInteractions({
            unused: interactions.slice(cursor).map((interaction, i) =>
              `#${cursor + i} ${maskText(Interaction.describe(interaction))}`
            ),
            answered: cursor,
            total: interactions.length
          })
        )
      }
      return Effect.void
    })

    const service: ReplayService = {
      interactions,
      received: Effect.sync(() => received.slice()),
      answered: Effect.sync(() => cursor),
      nonConforming: Effect.sync(() => nonConforming.slice()),
      verify
    }
    return service
  })
