/**
 * The main job until the emulator demo lands: decode the documented sample response of Regenerate Key
 * through the wire schemas and print it, secrets redacted.
 */
import { CommunicationServiceKeys, ConnectionString, RegenerateKeyParameters } from "@effect-acs/schema"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"

const documentedRequest = { keyType: "Primary" }
const documentedResponse = {
  primaryKey: "1234",
  primaryConnectionString: "endpoint=http://example.com;accesskey=1234"
}

const program = Effect.gen(function*() {
  const request = yield* Schema.decodeUnknown(RegenerateKeyParameters.RegenerateKeyParameters)(documentedRequest)
  yield* Console.log(
    "request body (as sent):",
    JSON.stringify(Schema.encodeSync(RegenerateKeyParameters.RegenerateKeyParameters)(request))
  )
  const keys = yield* Schema.decodeUnknown(CommunicationServiceKeys.CommunicationServiceKeys)(documentedResponse)
  yield* Console.log("response (decoded):", keys)
  const connection = yield* Schema.decode(ConnectionString.ConnectionStringFromRedacted)(keys.primaryConnectionString!)
  yield* Console.log("primary connection string endpoint:", connection.endpoint, "access key:", connection.accessKey)
})

Effect.runPromise(program).catch((error) => {
  console.error(String(error))
  process.exitCode = 1
})
