/**
 * Replays interactions to a `listKeys` call: the client runs against msw, which answers only what the
 * interactions hold, and the replay fails if a request does not match or an interaction goes unused.
 */
import type { Interaction } from "@effect-acs/contract-tests"
import { Replay } from "@effect-acs/contract-tests"
import type { CommunicationServices } from "@effect-acs/core"
import { CommunicationServices as Client } from "@effect-acs/core"
import * as Effect from "effect/Effect"
import type * as Layer from "effect/Layer"

export const replayListKeys = (
  interactions: ReadonlyArray<Interaction.Interaction>,
  resource: CommunicationServices.ResourceInput,
  clientLive: Layer.Layer<CommunicationServices.CommunicationServices> // over FetchHttpClient or NodeHttpClient
) =>
  Client.listKeys(resource).pipe(
    Replay.replay(interactions),
    Effect.provide(clientLive)
  )
