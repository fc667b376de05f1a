/**
 * Bundle size only (never run): the minimal real-world Azure SDK program, `@azure/arm-communication` with
 * `@azure/identity`'s `DefaultAzureCredential`, making one Regenerate Key call.
 */
import { CommunicationServiceManagementClient } from "@azure/arm-communication"
import { DefaultAzureCredential } from "@azure/identity"

const client = new CommunicationServiceManagementClient(
  new DefaultAzureCredential(),
  process.env["AZURE_SUBSCRIPTION_ID"] ?? "00000000-0000-0000-0000-000000000000"
)

client.communicationServices.regenerateKey("my-resource-group", "my-acs", { keyType: "Primary" }).then((keys) => {
  console.log(keys.primaryKey !== undefined)
})
