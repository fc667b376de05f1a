import * as ConnectionString from "@effect-acs/schema/ConnectionString"
import * as Json from "@effect-acs/schema/Json"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Predicate from "effect/Predicate"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import { createHash, createHmac } from "node:crypto"
import type { SignedHeaders, SignInput, VerifyError, VerifyOptions } from "../DataPlane.js"
import {
  DataPlaneTransportError,
  DataPlaneUnexpectedResponse,
  InvalidConnectionString,
  KeyRejected
} from "../DataPlane.js"
import * as Redaction from "../Redaction.js"
import type { PublishedKey } from "../Rotation.js"
import * as Body from "./body.js"
import { noRedirects } from "./redirects.js"

export const probe = { method: "GET", path: "phoneNumbers?top=1&api-version=2022-12-01" } as const

const defaultTimeout = Duration.seconds(30)

/** A refusal's body is a few hundred bytes: more is not read. */
const defaultMaxResponseBytes = 64 * 1024

const base64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/

const loopbackHosts = /^(localhost|127(?:\.\d{1,3}){3}|\[::1\])$/i

/** Reads a signing key: the base64 access key, decoded; `undefined` when it is not base64. */
const decodeKey = (accessKey: Redacted.Redacted<string>): Buffer | undefined => {
  const text = Redacted.value(accessKey)
  return text.length > 0 && base64.test(text) ? Buffer.from(text, "base64") : undefined
}

const signWith = (key: Buffer, input: Omit<SignInput, "accessKey">, url: URL): SignedHeaders => {
  const date = new Date(input.date).toUTCString()
  const contentHash = createHash("sha256").update(input.body ?? "").digest("base64")
  const stringToSign = `${input.method.toUpperCase()}\n${url.pathname}${url.search}\n${date};${url.host};${contentHash}`
  const signature = createHmac("sha256", key).update(stringToSign, "utf8").digest("base64")
  return {
    "x-ms-date": date,
    "x-ms-content-sha256": contentHash,
    authorization: `HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=${signature}`
  }
}

export const sign = (input: SignInput): Effect.Effect<SignedHeaders, InvalidConnectionString> =>
  Effect.suspend(() => {
    const invalid = (reason: string) =>
      Effect.fail(new InvalidConnectionString({ resourceId: "(a request)", keyType: "access", reason }))
    const key = decodeKey(input.accessKey)
    if (key === undefined) return invalid("the access key is not base64")
    if (!URL.canParse(input.url)) return invalid("the URL is not absolute")
    return Effect.sync(() => signWith(key, input, new URL(input.url)))
  })

const decodeConnectionString = Schema.decodeEither(ConnectionString.ConnectionStringFromRedacted)

/** The probe's URL from a connection string, and the key to sign it with; what is wrong with it otherwise. */
const target = (key: PublishedKey): Either.Either<{ readonly url: URL; readonly key: Buffer }, string> => {
  const parts = decodeConnectionString(key.connectionString)
  if (Either.isLeft(parts)) return Either.left("it is not a connection string (endpoint=...;accesskey=...)")
  const signingKey = decodeKey(parts.right.accessKey)
  if (signingKey === undefined) return Either.left("its access key is not base64")
  const endpoint = new URL(parts.right.endpoint)
  if (endpoint.protocol !== "https:" && !loopbackHosts.test(endpoint.hostname)) {
    return Either.left("its endpoint is plain http to a host that is not loopback (https is required)")
  }
  if (endpoint.search !== "" || endpoint.hash !== "") return Either.left("its endpoint has a query or a fragment")
  if (!endpoint.pathname.endsWith("/")) endpoint.pathname = `${endpoint.pathname}/`
  return Either.right({ url: new URL(probe.path, endpoint), key: signingKey })
}

/** The service's error code and message from a bounded body, masked: never the key, never unbounded. */
const describe = (text: string, known: ReadonlyArray<Redacted.Redacted<string>>) => {
  const parsed = Json.parse(text)
  const error = Either.isRight(parsed) && Predicate.isRecord(parsed.right) && Predicate.isRecord(parsed.right.error)
    ? parsed.right.error
    : undefined
  const field = (name: string) =>
    error !== undefined && typeof error[name] === "string"
      ? Redaction.untrusted(error[name], { known, maxLength: 300 })
      : undefined
  return {
    code: field("code"),
    message: field("message") ?? (error === undefined && text.trim() !== ""
      ? Redaction.untrusted(text, { known, maxLength: 300 })
      : undefined)
  }
}

export const verifyWith =
  (options: VerifyOptions) => (key: PublishedKey): Effect.Effect<void, VerifyError, HttpClient.HttpClient> =>
    Effect.gen(function*() {
      const known = [key.key, key.connectionString]
      const facts = { resourceId: key.resourceId, keyType: key.keyType }
      const timeout = Duration.decodeUnknown(options.timeout ?? defaultTimeout).pipe(
        Option.filter((duration) => Duration.toMillis(duration) > 0)
      )
      const maxResponseBytes = options.maxResponseBytes ?? defaultMaxResponseBytes
      if (Option.isNone(timeout) || !Number.isSafeInteger(maxResponseBytes) || maxResponseBytes < 1) {
        return yield* new InvalidConnectionString({
          ...facts,
          reason: "the options are not valid: timeout must be a positive duration, maxResponseBytes a positive integer"
        })
      }
      const resolved = target(key)
      if (Either.isLeft(resolved)) return yield* new InvalidConnectionString({ ...facts, reason: resolved.left })
      const { url } = resolved.right
      const headers = signWith(resolved.right.key, {
        method: probe.method,
        url: url.href,
        date: yield* Clock.currentTimeMillis
      }, url)
      const client = yield* HttpClient.HttpClient
      const transport = (description: string) =>
        new DataPlaneTransportError({
          ...facts,
          reason: "Transport",
          description: Redaction.untrusted(description, { known, maxLength: 300 })
        })
      const exchange = Effect.scoped(Effect.gen(function*() {
        const response = yield* client.execute(
          HttpClientRequest.get(url).pipe(HttpClientRequest.setHeaders({ ...headers }), HttpClientRequest.acceptJson)
        ).pipe(Effect.mapError((error) => transport(error.message)))
        const requestId = response.headers["x-ms-request-id"] === undefined
          ? undefined
          : Redaction.untrusted(response.headers["x-ms-request-id"], { maxLength: 100 })
        if (response.status >= 200 && response.status < 300) return
        const body = yield* Body.read(response, maxResponseBytes).pipe(
          Effect.mapError((error) => transport(error.message))
        )
        const said = body._tag === "Text" ? describe(body.text, known) : { code: undefined, message: "(too large)" }
        if (response.status === 401 || response.status === 403) {
          return yield* new KeyRejected({
            ...facts,
            status: response.status,
            ...(said.code === undefined ? {} : { code: said.code }),
            ...(said.message === undefined ? {} : { serviceMessage: said.message }),
            ...(requestId === undefined ? {} : { requestId })
          })
        }
        return yield* new DataPlaneUnexpectedResponse({
          ...facts,
          status: response.status,
          description: [said.code, said.message].filter((part) => part !== undefined).join(": "),
          ...(requestId === undefined ? {} : { requestId })
        })
      }))
      return yield* noRedirects(exchange).pipe(
        Effect.timeoutFail({
          duration: timeout.value,
          onTimeout: () =>
            new DataPlaneTransportError({
              ...facts,
              reason: "Timeout",
              description: `no answer within ${Duration.format(timeout.value)}`
            })
        })
      )
    })
