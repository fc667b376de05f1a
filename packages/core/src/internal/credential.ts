import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as SynchronizedRef from "effect/SynchronizedRef"
import type { AccessToken, AzureCredentialService, TokenCredential, TokenRequest } from "../AzureCredential.js"
import { CredentialError } from "../Errors.js"
import * as Redaction from "../Redaction.js"

/** @internal */
export const refreshMargin: Duration.Duration = Duration.minutes(2)
const refreshMarginMillis = Duration.toMillis(refreshMargin)

/**
 * The token a credential built by `make` would serve at once for a request without claims, if it holds a
 * fresh one (`undefined` otherwise): what `getToken` would succeed with without waiting, read synchronously.
 */
export const cached: unique symbol = Symbol.for("@effect-acs/core/AzureCredential/cached")

/** The synchronous read of a credential built by `make`, for others `undefined`. */
export const cachedOf = (
  service: AzureCredentialService
): ((scope: string, now: number) => AccessToken | undefined) | undefined =>
  cached in service
    ? (service as unknown as { readonly [cached]: (scope: string, now: number) => AccessToken | undefined })[cached]
    : undefined

/** @internal */
export const make = (
  fetch: (request: TokenRequest) => Effect.Effect<AccessToken, CredentialError>
): Effect.Effect<AzureCredentialService> =>
  Effect.sync(() => {
    // one cell per scope; a SynchronizedRef serialises refreshes, so concurrent callers that find the token
    // stale wait for the one refresh in flight and then read its result
    const cells = new Map<string, SynchronizedRef.SynchronizedRef<AccessToken | undefined>>()
    // the last token each cell was given, readable without an Effect (by the client's fast path)
    const latest = new Map<string, AccessToken>()
    const fetched = (request: TokenRequest) =>
      Effect.map(fetch(request), (token) => {
        latest.set(request.scope, token)
        return [token, token] as const
      })
    const cell = (scope: string) => {
      let ref = cells.get(scope)
      if (ref === undefined) {
        ref = SynchronizedRef.unsafeMake<AccessToken | undefined>(undefined)
        cells.set(scope, ref)
      }
      return ref
    }
    const fresh = (token: AccessToken | undefined, now: number): token is AccessToken =>
      token !== undefined && token.expiresAt - refreshMarginMillis > now
    const getToken = (request: TokenRequest): Effect.Effect<AccessToken, CredentialError> => {
      const ref = cell(request.scope)
      if (request.claims !== undefined) {
        return SynchronizedRef.modifyEffect(ref, () => fetched(request))
      }
      return Effect.flatMap(Clock.currentTimeMillis, (now) => {
        const cached = ref.pipe(SynchronizedRef.get)
        return Effect.flatMap(cached, (token) =>
          fresh(token, now) ?
            Effect.succeed(token) :
            SynchronizedRef.modifyEffect(ref, (current) =>
              Effect.flatMap(Clock.currentTimeMillis, (later) =>
                fresh(current, later)
                  ? Effect.succeed([current, current] as const)
                  : fetched(request))))
      })
    }
    const service: AzureCredentialService = { getToken }
    return Object.assign(service, {
      [cached]: (scope: string, now: number) => {
        const token = latest.get(scope)
        return fresh(token, now) ? token : undefined
      }
    })
  })

/** @internal */
export const fetchFromTokenCredential = (credential: TokenCredential) => (request: TokenRequest) =>
  Effect.tryPromise({
    try: (signal) =>
      credential.getToken(
        [request.scope],
        request.claims === undefined ? { abortSignal: signal } : { abortSignal: signal, claims: request.claims }
      ),
    catch: (cause) =>
      new CredentialError({
        reason: Redaction.untrusted(cause instanceof Error ? cause.message : String(cause)),
        cause: cause instanceof Error ? new Error(Redaction.untrusted(cause.message)) : undefined
      })
  }).pipe(
    Effect.flatMap((token) =>
      token === null
        ? Effect.fail(new CredentialError({ reason: "the credential returned no token" }))
        : Effect.succeed<AccessToken>({ token: Redacted.make(token.token), expiresAt: token.expiresOnTimestamp })
    )
  )
