/** The defaults of the emulator's options, shared by the public module and the server. */
export const token = "emulator-token"

export const host = "127.0.0.1"

export const apiVersions: ReadonlyArray<string> = [
  "2020-08-20",
  "2023-03-31",
  "2023-04-01",
  "2025-05-01",
  "2025-09-01",
  "2026-03-18",
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

export const throttle = { capacity: 200, refillPerSecond: 10 } as const

export const requestLogSize = 1000

/** 64 KiB: a Regenerate Key body is about 20 bytes. */
export const maxRequestBytes = 64 * 1024
