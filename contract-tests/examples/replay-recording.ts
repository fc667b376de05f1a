/**
 * Replays someone else's recording (an Azure CLI cassette, a test-proxy or PowerShell recording, a HAR) to
 * a program: the format is detected, only the Regenerate Key and List Keys interactions are kept, and the
 * client is pointed at the recording's own endpoint and api-version. `matching: "arm"` compares requests
 * as Resource Manager does (letter case of the path, JSON whitespace, the recorder's placeholders), and
 * `conformance: "fail"` fails on a recorded response the operation's schema does not allow.
 */
import { Recording, Replay } from "@effect-acs/contract-tests"
import { AzureCredential, CommunicationServices } from "@effect-acs/core"
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"

export const replayRecording = <A, E>(
  path: string,
  program: Effect.Effect<A, E, CommunicationServices.CommunicationServices>
) =>
  Effect.gen(function*() {
    const recording = yield* Recording.load(path)
    const client = CommunicationServices.layer({ endpoint: recording.endpoint, apiVersion: recording.apiVersion }).pipe(
      Layer.provide(AzureCredential.static(Redacted.make("replay"))),
      Layer.provide(FetchHttpClient.layer)
    )
    return yield* program.pipe(
      Replay.replay(Recording.keyOperations(recording), { matching: "arm", conformance: "fail" }),
      Effect.provide(client)
    )
  })
