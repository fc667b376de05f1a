import { AcsKeys, Stdio } from "@effect-acs/cli"
import type { EmulatorState } from "@effect-acs/emulator"
import { Emulator } from "@effect-acs/emulator"
import * as ResourceId from "@effect-acs/schema/ResourceId"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as Net from "node:net"

export const subscriptionId = "6d7c6b8e-5a52-4c35-9b3b-3f4b2a8d0e11"
export const otherSubscriptionId = "0f2d1c3b-8a4e-4d6f-9b1a-2c3d4e5f6a7b"

export const ref = (
  communicationServiceName: string,
  subscription = subscriptionId,
  resourceGroupName = "MyResourceGroup"
): EmulatorState.ResourceRef => ({ subscriptionId: subscription, resourceGroupName, communicationServiceName })

export const idOf = (resource: EmulatorState.ResourceRef): string => ResourceId.format(resource)

/** The shape of a generated key: 64 bytes in base64. */
export const keyPattern = /[A-Za-z0-9+/]{86}==/

/** What the CLI printed and returned. */
export interface Result {
  readonly status: number
  readonly stdout: string
  readonly stderr: string
}

/** Runs `acs-keys` in-process, output captured. */
export const cli = (
  args: ReadonlyArray<string>,
  options?: AcsKeys.RunOptions & { readonly isTTY?: boolean }
): Effect.Effect<Result> =>
  Effect.gen(function*() {
    const captured = Stdio.capture({ isTTY: options?.isTTY ?? false, columns: 100 })
    const status = yield* AcsKeys.run(args, options).pipe(Effect.provideService(Stdio.Stdio, captured.output))
    return { status, stdout: captured.stdout(), stderr: captured.stderr() }
  }).pipe(Effect.provide(AcsKeys.layer))

/** Every secret value of a resource's current keys (for "never printed" assertions). */
export const secretsOf = (emulator: Emulator.Service, resource: EmulatorState.ResourceRef) =>
  Effect.map(emulator.keys(resource), (keys) => [
    Redacted.value(keys.primaryKey),
    Redacted.value(keys.secondaryKey),
    Redacted.value(keys.primaryConnectionString),
    Redacted.value(keys.secondaryConnectionString)
  ])

/** Fails unless none of the secrets appears in the text. */
export const assertNoSecret = (text: string, secrets: ReadonlyArray<string>) => {
  for (const secret of secrets) {
    if (text.includes(secret)) throw new Error("a secret was printed")
  }
  if (keyPattern.test(text)) throw new Error("something shaped like a key was printed")
  if (/accesskey=/i.test(text)) throw new Error("a connection string was printed")
}

/** A loopback port nothing listens on (bound, then released). */
export const closedPort: Effect.Effect<number> = Effect.async<number>((resume) => {
  const server = Net.createServer()
  server.listen(0, "127.0.0.1", () => {
    const address = server.address()
    const port = typeof address === "object" && address !== null ? address.port : 0
    server.close(() => resume(Effect.succeed(port)))
  })
})

/** The emulator's default token, for tests that call it directly. */
export const token = Emulator.defaultToken
