/**
 * A small stateful hostile ARM for the rotation attacks: two keys per resource, `listKeys` and
 * `regenerateKey`, and per regeneration a behaviour the test chooses: answer after a delay, commit long after
 * the client gave up (answering 409 to any regeneration of the resource meanwhile, as the service does),
 * answer 200 without the requested key, fail after or before committing, or cut the connection after
 * committing. It remembers every key it ever made live, so a test can check that none is left live unpublished.
 */
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import * as crypto from "node:crypto"
import * as Server from "./server.js"
import { connectionString, resourceIdOf } from "./support.js"

export type KeyType = "Primary" | "Secondary"

export type Behaviour =
  /** wait, commit, answer 200 with the new pair (the connection's fate does not matter: the request was received) */
  | { readonly _tag: "Normal"; readonly delay: number }
  /** hold the response; commit after `commitAfter` ms whatever the client did; answer then if it still listens */
  | { readonly _tag: "LateCommit"; readonly commitAfter: number }
  /** wait, maybe commit, answer 200 without the requested key (`{}` or the other pair) */
  | { readonly _tag: "WithoutKey"; readonly delay: number; readonly commit: boolean; readonly body: "empty" | "other" }
  /** wait, commit, answer `status` */
  | { readonly _tag: "ErrorAfterCommit"; readonly delay: number; readonly status: number }
  /** wait, answer `status` without committing */
  | { readonly _tag: "ErrorBeforeCommit"; readonly delay: number; readonly status: number }
  /** wait, commit, cut the connection */
  | { readonly _tag: "DropAfterCommit"; readonly delay: number }

interface State {
  readonly id: string
  readonly name: string
  primary: string
  secondary: string
  readonly initial: { readonly Primary: string; readonly Secondary: string }
  /** every key this resource ever had, in order */
  readonly history: Array<string>
  /** a regeneration received and not yet committed (or given up) */
  inProgress: boolean
  /** regeneration requests currently being handled */
  inFlight: number
  /** regeneration requests that were not refused with 409 */
  regenerations: number
  conflicts: number
  lateCommits: number
}

export interface Arm {
  readonly server: Server.HostileServer
  readonly url: string
  /** Adds a resource with fresh keys; its parts and resource id. */
  readonly add: (name: string) => {
    readonly subscriptionId: string
    readonly resourceGroupName: string
    readonly communicationServiceName: string
    readonly resourceId: string
  }
  readonly state: (resourceId: string) => State
  /** Every key the server generated, for leak checks. */
  readonly allKeys: () => ReadonlyArray<string>
}

const sleep = (millis: number) => new Promise<void>((resolve) => setTimeout(resolve, millis))

const pathPattern =
  /^(\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.Communication\/communicationServices\/[^/?]+)\/(regenerateKey|listKeys)\?/i

export const make = (options: {
  /** How to answer regeneration number `n` (1-based, 409s not counted) of a resource. */
  readonly behaviour: (resourceId: string, keyType: KeyType, n: number) => Behaviour
  readonly listDelay?: ((resourceId: string) => number) | undefined
  readonly seed?: number | undefined
}): Effect.Effect<Arm, never, Scope.Scope> =>
  Effect.gen(function*() {
    const resources = new Map<string, State>()
    const generated: Array<string> = []
    let counter = 0
    const nextKey = () => {
      // deterministic per seed, unique, shaped like a real key (64 bytes of base64)
      const key = crypto.createHash("sha512").update(`${options.seed ?? 0}:${counter++}`).digest("base64")
      generated.push(key)
      return key
    }
    const pair = (state: State, keyType: KeyType) =>
      keyType === "Primary"
        ? { primaryKey: state.primary, primaryConnectionString: connectionString(state.name, state.primary) }
        : { secondaryKey: state.secondary, secondaryConnectionString: connectionString(state.name, state.secondary) }
    const commit = (state: State, keyType: KeyType) => {
      const key = nextKey()
      if (keyType === "Primary") state.primary = key
      else state.secondary = key
      state.history.push(key)
    }
    const notFound = { error: { code: "ResourceNotFound", message: "no such resource" } }

    const server = yield* Server.make(async (request, response) => {
      const match = pathPattern.exec(request.url)
      if (request.method !== "POST" || match === null) return Server.send(response, 404, notFound)
      const state = resources.get(decodeURIComponent(match[1]!).toLowerCase())
      if (state === undefined) return Server.send(response, 404, notFound)
      if (match[2]!.toLowerCase() === "listkeys") {
        await sleep(options.listDelay?.(state.id) ?? 0)
        return Server.send(response, 200, { ...pair(state, "Primary"), ...pair(state, "Secondary") })
      }
      let keyType: KeyType
      try {
        const parsed = JSON.parse(request.body) as { keyType?: unknown }
        if (parsed.keyType !== "Primary" && parsed.keyType !== "Secondary") throw new Error("keyType")
        keyType = parsed.keyType
      } catch {
        return Server.send(response, 400, { error: { code: "InvalidRequestContent", message: "keyType" } })
      }
      if (state.inProgress) {
        state.conflicts++
        return Server.send(response, 409, {
          error: { code: "Conflict", message: "Another key regeneration of this resource is in progress." }
        })
      }
      const behaviour = options.behaviour(state.id, keyType, ++state.regenerations)
      state.inProgress = true
      state.inFlight++
      try {
        switch (behaviour._tag) {
          case "Normal": {
            await sleep(behaviour.delay)
            commit(state, keyType)
            state.inProgress = false
            return Server.send(response, 200, pair(state, keyType))
          }
          case "LateCommit": {
            let open = true
            response.once("close", () => (open = false))
            state.lateCommits++
            server.track(
              sleep(behaviour.commitAfter).then(() => {
                commit(state, keyType)
                state.inProgress = false
                if (open) Server.send(response, 200, pair(state, keyType))
              })
            )
            return
          }
          case "WithoutKey": {
            await sleep(behaviour.delay)
            if (behaviour.commit) commit(state, keyType)
            state.inProgress = false
            const other: KeyType = keyType === "Primary" ? "Secondary" : "Primary"
            return Server.send(response, 200, behaviour.body === "empty" ? {} : pair(state, other))
          }
          case "ErrorAfterCommit": {
            await sleep(behaviour.delay)
            commit(state, keyType)
            state.inProgress = false
            return Server.send(response, behaviour.status, { error: { code: "InternalServerError", message: "oops" } })
          }
          case "ErrorBeforeCommit": {
            await sleep(behaviour.delay)
            state.inProgress = false
            return Server.send(response, behaviour.status, { error: { code: "ServiceUnavailable", message: "later" } })
          }
          case "DropAfterCommit": {
            await sleep(behaviour.delay)
            commit(state, keyType)
            state.inProgress = false
            response.destroy()
            return
          }
        }
      } finally {
        state.inFlight--
      }
    })

    return {
      server,
      url: server.url,
      allKeys: () => generated,
      state: (resourceId) => {
        const state = resources.get(resourceId.toLowerCase())
        if (state === undefined) throw new Error(`no resource ${resourceId}`)
        return state
      },
      add: (name) => {
        const parts = {
          subscriptionId: "00000000-1111-4222-8333-444444444444",
          resourceGroupName: "rg-attack",
          communicationServiceName: name
        }
        const id = resourceIdOf(parts)
        const primary = nextKey()
        const secondary = nextKey()
        resources.set(id.toLowerCase(), {
          id,
          name,
          primary,
          secondary,
          initial: { Primary: primary, Secondary: secondary },
          history: [primary, secondary],
          inProgress: false,
          inFlight: 0,
          regenerations: 0,
          conflicts: 0,
          lateCommits: 0
        })
        return { ...parts, resourceId: id }
      }
    }
  })

/** What `publish` received, per resource (case-insensitive) and key type, in order. */
export const publications = () => {
  const given = new Map<string, Array<string>>()
  const name = (resourceId: string, keyType: KeyType) => `${resourceId.toLowerCase()}|${keyType}`
  return {
    record: (resourceId: string, keyType: KeyType, key: string) => {
      const list = given.get(name(resourceId, keyType)) ?? []
      list.push(key)
      given.set(name(resourceId, keyType), list)
    },
    of: (resourceId: string, keyType: KeyType): ReadonlyArray<string> => given.get(name(resourceId, keyType)) ?? []
  }
}

/**
 * The live keys of a resource that are neither one it started with nor one `publish` was given: what a
 * rotation must never leave behind. Empty when the guarantee holds.
 */
export const unpublishedLive = (
  arm: Arm,
  published: ReturnType<typeof publications>,
  resourceId: string
): Array<string> => {
  const state = arm.state(resourceId)
  const lost: Array<string> = []
  for (const keyType of ["Primary", "Secondary"] as const) {
    const live = keyType === "Primary" ? state.primary : state.secondary
    if (live !== state.initial[keyType] && !published.of(resourceId, keyType).includes(live)) {
      lost.push(`${state.name} ${keyType}`)
    }
  }
  return lost
}
