/**
 * Loads an example of the API documentation (`parameters` + `responses`) as interactions. The examples
 * name neither the operation nor the endpoint, so the loader is told.
 */
import { DocumentedExample } from "@effect-acs/contract-tests"

export const documented = DocumentedExample.load("fixtures/documented/2023-04-01/regenerateKey.json", {
  operation: "regenerateKey", // or "listKeys": fixes the path template
  endpoint: "https://management.azure.com", // the default
  status: 200 // optional: only this response (default: one interaction per documented status)
})
