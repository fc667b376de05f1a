/**
 * Response conformance, as oav and Prism check traffic against a spec: every recorded response of a
 * Regenerate Key or List Keys is checked against the operation's schemas from `@effect-acs/schema`
 * (`CommunicationServiceKeys` for a 200, the ARM `ErrorResponse` for a 4xx or 5xx; no other status is
 * one the operation answers with). A recording that does not conform would test the client against
 * answers the service never gives. Other interactions (set-up, polling) are not checked. Fields the
 * schemas do not know are allowed, as later api-versions may add some.
 *
 * `Replay` checks every response it replays (see its `conformance` option); these functions check a
 * recording before that.
 *
 * @since 0.2.0
 */
import * as Effect from "effect/Effect"
import type { NonConformingResponse } from "./ContractError.js"
import type * as Interaction from "./Interaction.js"
import * as internal from "./internal/conformance.js"

/**
 * Every non-conforming recorded response, in order (empty when all conform).
 *
 * @example
 * ```ts
 * import { Conformance, Interaction } from "@effect-acs/contract-tests"
 *
 * const [problem] = Conformance.check([Interaction.make({
 *   request: {
 *     method: "POST",
 *     url: "https://management.azure.com/subscriptions/s/resourceGroups/rg/providers/Microsoft.Communication/communicationServices/acs/listKeys?api-version=2020-08-20"
 *   },
 *   response: { status: 200, json: { primaryKey: 1234 } }
 * })])
 * problem?.issues[0]?.path // "primaryKey"
 * ```
 *
 * @since 0.2.0
 * @category checking
 */
export const check: (interactions: ReadonlyArray<Interaction.Interaction>) => ReadonlyArray<NonConformingResponse> =
  internal.checkAll

/**
 * Fails with the first non-conforming recorded response.
 *
 * @example
 * ```ts
 * import { Conformance, Recording } from "@effect-acs/contract-tests"
 * import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
 * import * as Effect from "effect/Effect"
 *
 * const checked = Recording.load("recordings/rotation.json").pipe(
 *   Effect.tap((recording) => Conformance.verify(recording.interactions)),
 *   Effect.provide(NodeFileSystem.layer)
 * )
 * ```
 *
 * @since 0.2.0
 * @category checking
 */
export const verify = (
  interactions: ReadonlyArray<Interaction.Interaction>
): Effect.Effect<void, NonConformingResponse> =>
  Effect.suspend(() => {
    const [first] = internal.checkAll(interactions)
    return first === undefined ? Effect.void : Effect.fail(first)
  })
