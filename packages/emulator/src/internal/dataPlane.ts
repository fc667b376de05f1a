import * as Redacted from "effect/Redacted"
import { createHash, createHmac, timingSafeEqual } from "node:crypto"

/**
 * The data plane the emulator serves when `dataPlane` is on: one harmless, read-only request per resource (list
 * phone numbers), authenticated as Communication Services does it, with an HMAC-SHA256 signature of
 * `VERB\npathAndQuery\nx-ms-date;host;x-ms-content-sha256` made with the base64-decoded access key.
 */

/** Where a resource's data plane lives, relative to the emulator's URL: its connection strings' endpoint. */
export const endpointPath = (ref: {
  readonly subscriptionId: string
  readonly resourceGroupName: string
  readonly communicationServiceName: string
}) =>
  `/acs/${encodeURIComponent(ref.subscriptionId)}/${encodeURIComponent(ref.resourceGroupName)}/${
    encodeURIComponent(ref.communicationServiceName)
  }/`

export const route = "/acs/:subscriptionId/:resourceGroupName/:communicationServiceName/phoneNumbers"

/** How far `x-ms-date` may be from the emulator's clock, either way, as on the service. */
export const maxClockSkewMillis = 15 * 60 * 1000

/** The facts of a data-plane request that the signature covers, as they came. */
export interface SignedRequest {
  readonly method: string
  readonly pathAndQuery: string
  readonly host: string | undefined
  readonly date: string | undefined
  readonly contentHash: string | undefined
  readonly authorization: string | undefined
  readonly body: Uint8Array
}

/** Why a request is not authenticated (for the request log; the answer says only `Denied`). */
export type Refusal = "MissingHeaders" | "StaleDate" | "ContentHash" | "Malformed" | "Signature"

const authorization =
  /^HMAC-SHA256 SignedHeaders=(x-ms-date|date);host;x-ms-content-sha256&Signature=([A-Za-z0-9+/=]{1,100})$/

const equal = (a: string, b: string) => {
  const left = Buffer.from(a)
  const right = Buffer.from(b)
  return left.length === right.length && timingSafeEqual(left, right)
}

/** Whether one of the live keys signed the request, at `now` (epoch milliseconds). */
export const check = (
  request: SignedRequest,
  keys: ReadonlyArray<Redacted.Redacted<string>>,
  now: number
): Refusal | undefined => {
  if (
    request.host === undefined || request.date === undefined || request.contentHash === undefined ||
    request.authorization === undefined
  ) return "MissingHeaders"
  const date = Date.parse(request.date)
  if (Number.isNaN(date) || Math.abs(now - date) > maxClockSkewMillis) return "StaleDate"
  if (!equal(createHash("sha256").update(request.body).digest("base64"), request.contentHash)) return "ContentHash"
  const match = authorization.exec(request.authorization)
  if (match === null) return "Malformed"
  const stringToSign =
    `${request.method}\n${request.pathAndQuery}\n${request.date};${request.host};${request.contentHash}`
  const signedBy = keys.some((key) =>
    equal(
      createHmac("sha256", Buffer.from(Redacted.value(key), "base64")).update(stringToSign, "utf8").digest("base64"),
      match[2]!
    )
  )
  return signedBy ? undefined : "Signature"
}
