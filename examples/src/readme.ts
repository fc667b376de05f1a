import { DefaultAzureCredential } from "@azure/identity"
import { AzureCredential, CommunicationServices, NodeTransport, Rotation } from "@effect-acs/core"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import { writeFile } from "node:fs/promises"

const rotation = Rotation.rotate({ resourceId: process.env.ACS_RESOURCE_ID! }, {
  publish: (key) => Effect.promise(() => writeFile("acs.secret", Redacted.value(key.connectionString), { mode: 0o600 }))
})
const MainLive = CommunicationServices.layer().pipe(
  Layer.provide(AzureCredential.fromTokenCredential(new DefaultAzureCredential())),
  Layer.provide(NodeTransport.layer)
)
Effect.runPromise(Effect.provide(rotation, MainLive)).then((report) => console.log(report.regenerated))
