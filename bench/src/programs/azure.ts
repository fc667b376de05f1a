/**
 * Cold start, the Azure SDK: import `@azure/arm-communication`, make one Regenerate Key call against the
 * local server with a static `TokenCredential` (an https base URL rewritten to the local http server after
 * the bearer-token policy, as in the benchmark), print when modules were loaded and when the response
 * arrived (milliseconds since the process started, and process CPU milliseconds at both points). `node azure.mjs <port>`
 */
import { CommunicationServiceManagementClient } from "@azure/arm-communication"
import type { PipelineRequest, SendRequest } from "@azure/core-rest-pipeline"
import { loaded } from "./timing.js"

const start = loaded()
const port = process.argv[2] ?? "8080"
const httpsBase = `https://127.0.0.1:${port}`
const httpBase = `http://127.0.0.1:${port}`

const client = new CommunicationServiceManagementClient(
  { getToken: async () => ({ token: "fake-bench-token", expiresOnTimestamp: Date.now() + 3_600_000 }) },
  "00000000-0000-0000-0000-000000000000",
  { endpoint: httpsBase, $host: httpsBase, apiVersion: "2020-08-20", retryOptions: { maxRetries: 0 } }
)
client.pipeline.addPolicy({
  name: "benchLoopbackRewrite",
  sendRequest: (request: PipelineRequest, next: SendRequest) => {
    request.url = httpBase + request.url.slice(httpsBase.length)
    request.allowInsecureConnection = true
    return next(request)
  }
}, { afterPolicies: ["bearerTokenAuthenticationPolicy"] })

client.communicationServices.regenerateKey("cold-azure-sdk", "acs-0", { keyType: "Primary" }).then((keys) =>
  start.firstResponse(typeof keys.primaryKey === "string")
)
