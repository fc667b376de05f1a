/** The defaults of the emulator's options, shared by the public module and the server. */
import * as Operation from "@effect-acs/schema/Operation"

export const token = "emulator-token"

export const host = "127.0.0.1"

/** The api-versions of this operation's shape (the schema's list), then the previews the emulator also serves. */
export const apiVersions: ReadonlyArray<string> = [
  ...Operation.apiVersions,
  "2019-10-10-preview",
  "2020-08-20-preview",
  "2021-10-01-preview",
  "2022-07-01-preview",
  "2023-03-01-preview",
  "2023-04-01-preview",
  "2023-06-01-preview",
  "2024-09-01-preview",
  "2025-05-01-preview"
]

/** Resource Manager's write budget (the schema's `Operation.writeBudget`). */
export const throttle: { readonly capacity: number; readonly refillPerSecond: number } = {
  capacity: Operation.writeBudget.capacity,
  refillPerSecond: Operation.writeBudget.perSecond
}

export const requestLogSize = 1000

/** 64 KiB: a Regenerate Key body is about 20 bytes. */
export const maxRequestBytes = 64 * 1024
