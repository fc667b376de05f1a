import * as CommunicationServices from "@effect-acs/core/CommunicationServices"
import * as Errors from "@effect-acs/core/Errors"
import * as Redaction from "@effect-acs/core/Redaction"
import type * as KeyType from "@effect-acs/schema/KeyType"
import * as ResourceId from "@effect-acs/schema/ResourceId"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Schema from "effect/Schema"
import * as ExitCode from "../ExitCode.js"

/**
 * What a rotation command has done so far, as seen from its side of the client and of `publish`: which keys
 * it asked the service to regenerate and which it published. It answers, when the command is stopped half
 * way: which resources were left part-rotated, and which keys may be live but were not published (a
 * regeneration was sent, and neither a publication of that key followed nor did the service say for sure
 * that nothing changed).
 */
export interface Resource {
  /** The id, fit to print (canonical, or masked when it is not a valid id). */
  readonly resourceId: string
  readonly regenerated: Array<KeyType.KeyType>
  readonly published: Array<KeyType.KeyType>
  /** Keys a regeneration was sent for and that were not published since. */
  readonly pending: Set<KeyType.KeyType>
  /** Why the last publication of a key failed (masked), while it is pending. */
  readonly publishFailures: Map<KeyType.KeyType, string>
  /** Whether the rotation of the resource ended (a `Rotated` or `Failed` event). */
  finished: boolean
}

const decodeResourceId = Schema.decodeUnknownEither(ResourceId.ResourceId)

/** An id fit to print: its canonical form when it is a valid id, else masked (it may be anything). */
export const displayId = (id: string): string =>
  Either.match(decodeResourceId(id), {
    onLeft: () => Redaction.untrusted(id, { maxLength: 300 }),
    onRight: ResourceId.format
  })

const idOf = (input: CommunicationServices.ResourceInput): string =>
  "resourceId" in input ? String(input.resourceId) : ResourceId.format(input)

const keyOf = (id: string): string =>
  Either.match(decodeResourceId(id), {
    onLeft: () => id,
    onRight: (parts) => ResourceId.format(parts).toLowerCase()
  })

/** A key that may be live and was not published; `publishFailure` says why its last publication failed. */
export interface Unpublished {
  readonly resourceId: string
  readonly keyType: KeyType.KeyType
  readonly publishFailure?: string
}

export class Ledger {
  private readonly resources = new Map<string, Resource>()

  private entry(id: string): Resource {
    const key = keyOf(id)
    let resource = this.resources.get(key)
    if (resource === undefined) {
      resource = {
        resourceId: displayId(id),
        regenerated: [],
        published: [],
        pending: new Set(),
        publishFailures: new Map(),
        finished: false
      }
      this.resources.set(key, resource)
    }
    return resource
  }

  regenerating(input: CommunicationServices.ResourceInput, keyType: KeyType.KeyType) {
    const resource = this.entry(idOf(input))
    resource.finished = false
    resource.pending.add(keyType)
  }

  /** The service answered that the key was not regenerated (a failure whose outcome is known). */
  notRegenerated(input: CommunicationServices.ResourceInput, keyType: KeyType.KeyType) {
    this.entry(idOf(input)).pending.delete(keyType)
  }

  regenerated(input: CommunicationServices.ResourceInput, keyType: KeyType.KeyType) {
    const resource = this.entry(idOf(input))
    if (!resource.regenerated.includes(keyType)) resource.regenerated.push(keyType)
  }

  published(resourceId: string, keyType: KeyType.KeyType) {
    const resource = this.entry(resourceId)
    resource.pending.delete(keyType)
    resource.publishFailures.delete(keyType)
    if (!resource.published.includes(keyType)) resource.published.push(keyType)
  }

  publishFailed(resourceId: string, keyType: KeyType.KeyType, error: unknown) {
    this.entry(resourceId).publishFailures.set(keyType, ExitCode.messageOf(error))
  }

  finished(resourceId: string) {
    const resource = this.resources.get(keyOf(resourceId))
    if (resource !== undefined) resource.finished = true
  }

  /** Keys that may be live and were not published, resource by resource. */
  unpublished(): Array<Unpublished> {
    const out: Array<Unpublished> = []
    for (const resource of this.resources.values()) {
      for (const keyType of resource.pending) {
        const failure = resource.publishFailures.get(keyType)
        out.push(
          failure === undefined
            ? { resourceId: resource.resourceId, keyType }
            : { resourceId: resource.resourceId, keyType, publishFailure: failure }
        )
      }
    }
    return out
  }

  /** Resources whose rotation began to change keys and did not end. */
  unfinished(): Array<Resource> {
    return [...this.resources.values()].filter((resource) =>
      !resource.finished && resource.pending.size +
            resource.published.length + resource.regenerated.length > 0
    )
  }
}

const keyTypeOf = (value: string): KeyType.KeyType => value.toLowerCase() === "primary" ? "Primary" : "Secondary"

/**
 * The client, its regenerations recorded in the ledger. (Core runs each regenerate-and-publish where an
 * interruption cannot reach it, so a regeneration that was sent completes and is published before a stop.)
 */
export const track = (ledger: Ledger) =>
  Layer.effect(
    CommunicationServices.CommunicationServices,
    Effect.map(
      CommunicationServices.CommunicationServices,
      (client): CommunicationServices.CommunicationServicesService => {
        const recorded = <A>(
          input: CommunicationServices.RegenerateKeyInput,
          call: Effect.Effect<A, Errors.CommunicationServicesError>
        ) =>
          Effect.suspend(() => {
            const keyType = keyTypeOf(String(input.keyType))
            ledger.regenerating(input, keyType)
            return Effect.onExit(call, (exit) =>
              Effect.sync(() => {
                if (Exit.isSuccess(exit)) ledger.regenerated(input, keyType)
                else {
                  const failure = exit.cause._tag === "Fail" ? exit.cause.error : undefined
                  if (failure !== undefined && !Errors.isOutcomeUnknown(failure)) {
                    ledger.notRegenerated(input, keyType)
                  }
                }
              }))
          })
        return {
          ...client,
          regenerateKey: (input) => recorded(input, client.regenerateKey(input)),
          regenerateKeyResponse: (input) => recorded(input, client.regenerateKeyResponse(input))
        }
      }
    )
  )

/** The ledgers of the rotations running in this process, for a forced exit. */
export const active = new Set<Ledger>()
