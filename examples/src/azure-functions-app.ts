/**
 * The Azure Functions app (Node.js programming model v4): registers the rotation of
 * `azure-functions-timer.ts` as a timer trigger, at 03:17 UTC on the 1st of every month (NCRONTAB, with
 * seconds). In a Functions project this file is one of `package.json`'s `main` files, compiled to JavaScript.
 *
 * App settings (the app's configuration, or Key Vault references to it; nothing here is a secret): ACS_RESOURCE_ID,
 * KEY_VAULT_URL, ACS_SECRET_NAME. The app's managed identity signs in: it needs the `regenerateKey` action on
 * the resource and "Key Vault Secrets Officer" on the vault.
 */
import { app } from "@azure/functions"
import type { TimerHandler } from "@azure/functions"
import { DefaultAzureCredential } from "@azure/identity"
import { SecretClient } from "@azure/keyvault-secrets"
import { AzureCredential, CommunicationServices } from "@effect-acs/core"
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import type { KeyVaultSecrets } from "./azure-functions-timer.js"
import { rotationHandler } from "./azure-functions-timer.js"

/** An app setting this function cannot run without: a missing one fails the function's loading, not a run. */
const setting = (name: string): string => {
  const value = process.env[name]
  if (value === undefined || value === "") throw new Error(`the app setting ${name} is not set`)
  return value
}

const credential = new DefaultAzureCredential()

/** The client, built once per worker and shared by every invocation. */
const runtime = ManagedRuntime.make(
  CommunicationServices.layer().pipe(
    Layer.provide(AzureCredential.fromTokenCredential(credential)),
    Layer.provide(FetchHttpClient.layer)
  )
)

const vault: KeyVaultSecrets = new SecretClient(setting("KEY_VAULT_URL"), credential)

const handler: TimerHandler = rotationHandler(runtime, {
  resourceId: setting("ACS_RESOURCE_ID"),
  vault,
  secretName: setting("ACS_SECRET_NAME")
})

// A timer trigger runs on one instance at a time (the host holds a lock per function), so runs never overlap
app.timer("rotate-acs-keys", { schedule: "0 17 3 1 * *", runOnStartup: false, useMonitor: true, handler })
