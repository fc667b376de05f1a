import { Conformance, Interaction, Recording, Replay } from "@effect-acs/contract-tests"
import { CommunicationServices } from "@effect-acs/core"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { armUrl, clientLayer, sampleResource, transports } from "./support.js"

const listKeys = (response: Interaction.Input["response"]) =>
  Interaction.make({ request: { method: "POST", url: armUrl(sampleResource, "listKeys") }, response, source: "t.json" })

describe("Conformance", () => {
  it("checks key operations' responses against the schemas, with the path of each issue", () => {
    const problems = Conformance.check([
      // set-up traffic is not checked
      Interaction.make({
        request: { method: "PUT", url: "https://management.azure.com/x" },
        response: { status: 201 }
      }),
      listKeys({ status: 200, json: { primaryKey: "Sanitized", secondaryKey: "Sanitized" } }),
      listKeys({ status: 200, json: { primaryKey: 1234, secondaryConnectionString: ["no"] } }),
      listKeys({ status: 404, json: { error: { code: 404, message: "Not found" } } }),
      listKeys({ status: 502, text: "<html>Bad Gateway</html>" }),
      listKeys({ status: 201, json: {} }),
      listKeys({ status: 200 })
    ])
    assert.deepStrictEqual(problems.map((p) => [p.interaction, p.schema, p.issues.map((i) => i.path)]), [
      [2, "CommunicationServiceKeys", ["primaryKey", "secondaryConnectionString"]],
      [3, "ErrorResponse", ["error.code"]],
      [4, "ErrorResponse", ["(root)"]],
      [5, "status", ["(status)"]],
      [6, "CommunicationServiceKeys", ["(root)"]]
    ])
    assert.strictEqual(problems[0]!.operation, "listKeys")
    assert.include(problems[0]!.message, "does not conform to CommunicationServiceKeys: at primaryKey:")
    assert.include(problems[3]!.message, "listKeys answers 200 or an error status, not 201")
    assert.include(problems[0]!.expected, "(t.json)")
  })

  it.effect("verify fails with the first non-conforming response", () =>
    Effect.gen(function*() {
      yield* Conformance.verify([listKeys({ status: 200, json: {} })])
      const error = yield* Effect.flip(Conformance.verify([listKeys({ status: 200, json: { primaryKey: false } })]))
      assert.strictEqual(error._tag, "NonConformingResponse")
    }))

  for (const transport of transports.slice(0, 1)) {
    it.effect(`Replay: "report" lists a non-conforming replayed response, "fail" fails verify (${transport.name})`, () =>
      Effect.gen(function*() {
        const recording = Recording.fromInteractions("TestProxy", "t.json", [
          listKeys({ status: 200, json: { primaryKey: ["not", "a", "key"] } })
        ])
        const client = clientLayer(transport.layer, { retry: false })
        const reported = yield* Effect.gen(function*() {
          yield* Effect.either(CommunicationServices.listKeys(sampleResource))
          return yield* Effect.flatMap(Replay.Replay, (replay) => replay.nonConforming)
        }).pipe(Replay.replay(recording.interactions), Effect.provide(client))
        assert.deepStrictEqual(reported.map((p) => p.issues[0]!.path), ["primaryKey"])
        const failed = yield* Effect.either(CommunicationServices.listKeys(sampleResource)).pipe(
          Replay.replay(recording.interactions, { conformance: "fail" }),
          Effect.provide(client),
          Effect.flip
        )
        assert.strictEqual(failed._tag, "NonConformingResponse")
        if (failed._tag === "NonConformingResponse") {
          assert.strictEqual(failed.interaction, 0)
          assert.strictEqual(failed.schema, "CommunicationServiceKeys")
        }
      }))
  }
})
