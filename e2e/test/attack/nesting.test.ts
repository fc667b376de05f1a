/**
 * Class 2 of issue 11: nothing a server sends becomes a defect. Bodies nested 100k levels deep anywhere (a 200,
 * a 4xx/5xx, `error.details`, `additionalInfo`, a field, a key field) must end as the status's typed error,
 * never a stack overflow; moderately nested ARM errors keep their details.
 */
import { CommunicationServices } from "@effect-acs/core"
import { assertNoLeak, makeSpanRecorder } from "@effect-acs/testing"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Server from "./server.js"
import {
  assertError,
  assertKeys,
  clientLayer,
  connectionString,
  describeExit,
  errorStatuses,
  failureOf,
  newKey,
  newToken,
  parts,
  transports
} from "./support.js"

const deep = 100_000
const arrays = (depth: number) => "[".repeat(depth) + "]".repeat(depth)
const objects = (depth: number, leaf = "1") => "{\"a\":".repeat(depth) + leaf + "}".repeat(depth)

describe.each(transports)("deep nesting over $name", (transport) => {
  const k1 = newKey()
  const k2 = newKey()
  const token = newToken()
  const cs1 = connectionString("acs-attack", k1)
  const secrets = [k1, k2, token]

  /** One call against a server that answers `body` with `status`; the exit, the spans and the server. */
  const exchange = (status: number, body: string, call: "regenerateKey" | "listKeys" = "regenerateKey") =>
    Effect.scoped(Effect.gen(function*() {
      const server = yield* Server.make((_, response) => Server.send(response, status, body))
      const recorder = makeSpanRecorder()
      const exit = yield* Effect.exit(
        (call === "regenerateKey"
          ? CommunicationServices.regenerateKey({ ...parts, keyType: "Primary" })
          : CommunicationServices.listKeys(parts)).pipe(
            Effect.provide(clientLayer(transport, server, token)),
            Effect.provide(recorder.layer)
          )
      )
      return { exit, recorder, requests: server.requests.length }
    }))

  const successBodies: ReadonlyArray<readonly [string, string]> = [
    ["arrays at the top level", arrays(deep)],
    ["objects at the top level", objects(deep, `"${k1}"`)],
    ["arrays in primaryKey", `{"primaryKey":${arrays(deep)},"primaryConnectionString":"${cs1}"}`],
    ["objects in primaryConnectionString", `{"primaryKey":"${k1}","primaryConnectionString":${objects(deep)}}`],
    [
      "arrays in an unknown field beside valid keys",
      `{"primaryKey":"${k1}","primaryConnectionString":"${cs1}","x":${arrays(deep)}}`
    ]
  ]

  for (const [where, body] of successBodies) {
    for (const call of ["regenerateKey", "listKeys"] as const) {
      it.live(`a 200 nested ${deep} levels deep (${where}) to ${call} is UnexpectedResponse NonConformingBody`, () =>
        Effect.gen(function*() {
          const { exit, recorder } = yield* exchange(200, body, call)
          const error = failureOf(exit, "UnexpectedResponse NonConformingBody")
          assertError(error, { _tag: "UnexpectedResponse", reason: "NonConformingBody", status: 200 })
          yield* assertNoLeak(error, secrets, recorder)
        }))
    }
  }

  it.live("a 200 with a field nested 10 levels deep beside valid keys succeeds, keys Redacted and as sent", () =>
    Effect.gen(function*() {
      const { exit, recorder } = yield* exchange(
        200,
        `{"primaryKey":"${k1}","primaryConnectionString":"${cs1}","x":${objects(10)}}`
      )
      assert.isTrue(Exit.isSuccess(exit), `expected a success, got ${describeExit(exit)}`)
      if (Exit.isSuccess(exit)) assertKeys(exit.value, { primaryKey: k1, primaryConnectionString: cs1 })
      assert.deepStrictEqual(
        recorder.texts().filter((text) => text.includes(k1)),
        [],
        "no span holds the key"
      )
    }))

  const errorBodies: ReadonlyArray<readonly [string, string]> = [
    ["the whole body", arrays(deep)],
    ["error", `{"error":${arrays(deep)}}`],
    ["error.details", `{"error":{"code":"Deep","message":"key ${k1}","details":[${arrays(deep)}]}}`],
    [
      "error.additionalInfo",
      `{"error":{"code":"Deep","message":"key ${k2}","additionalInfo":[{"type":"t","info":${objects(deep)}}]}}`
    ],
    ["error.message", `{"error":{"code":"Deep","message":${arrays(deep)},"target":"${k1}"}}`],
    ["error.target", `{"error":{"code":"Deep","message":"${cs1}","target":${objects(deep)}}}`]
  ]

  for (const [status, tag] of errorStatuses) {
    for (const [where, body] of errorBodies) {
      it.live(`a ${status} nested ${deep} levels deep in ${where} is ${tag}, its unreadable ARM fields absent`, () =>
        Effect.gen(function*() {
          const { exit, recorder } = yield* exchange(status, body)
          const error = failureOf(exit, tag)
          assertError(error, { _tag: tag, status, details: [], additionalInfo: [] })
          yield* assertNoLeak(error, secrets, recorder)
        }))
    }
  }

  /** `details` nested `depth` levels: each detail has code `L<level>` and (but the last) one child detail. */
  const nestedDetails = (depth: number, level = 1): unknown => ({
    code: `L${level}`,
    message: `level ${level}`,
    ...(level < depth ? { details: [nestedDetails(depth, level + 1)] } : {})
  })
  const nestedInfo = (depth: number): unknown => depth === 0 ? "leaf" : { a: nestedInfo(depth - 1) }

  for (const [status, tag] of [[400, "BadRequest"], [409, "Conflict"], [500, "ServiceError"]] as const) {
    it.live(`a ${status} whose details and additionalInfo nest 10 levels deep keeps them (${tag})`, () =>
      Effect.gen(function*() {
        const body = JSON.stringify({
          error: {
            code: "Nested",
            message: "nested but valid",
            details: [nestedDetails(10)],
            additionalInfo: [{ type: "Deep", info: nestedInfo(10) }]
          }
        })
        const { exit, recorder } = yield* exchange(status, body)
        const error = failureOf(exit, tag) as unknown as {
          readonly code?: string
          readonly details: ReadonlyArray<{ readonly code?: string; readonly details?: ReadonlyArray<unknown> }>
          readonly additionalInfo: ReadonlyArray<{ readonly type?: string; readonly info?: unknown }>
        }
        assertError(error, { _tag: tag, status, code: "Nested" })
        let detail = error.details[0]
        for (let level = 1; level <= 10; level++) {
          assert.strictEqual(detail?.code, `L${level}`, `the detail at level ${level} is kept`)
          detail = detail?.details?.[0] as typeof detail
        }
        assert.isUndefined(detail, "and nothing below level 10")
        assert.strictEqual(error.additionalInfo[0]?.type, "Deep")
        assert.deepStrictEqual(error.additionalInfo[0]?.info, nestedInfo(10))
        yield* assertNoLeak(error, secrets, recorder)
      }))
  }
})
