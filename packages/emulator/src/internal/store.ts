import type { KeyType } from "@effect-acs/schema"
import * as Json from "@effect-acs/schema/Json"
import * as FileSystem from "@effect/platform/FileSystem"
import * as Effect from "effect/Effect"
import * as HashMap from "effect/HashMap"
import * as Option from "effect/Option"
import * as ParseResult from "effect/ParseResult"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import * as SynchronizedRef from "effect/SynchronizedRef"
import { randomUUID } from "node:crypto"
import * as NodeFs from "node:fs"
import * as NodePath from "node:path"
import { InvalidResourceError, SeedFileError, StateFileError, UnknownResourceError } from "../EmulatorError.js"
import * as EmulatorState from "../EmulatorState.js"

/** A resource as held in memory: names as first given, keys `Redacted`. */
export interface Resource {
  readonly subscriptionId: string
  readonly resourceGroupName: string
  readonly communicationServiceName: string
  readonly primaryKey: Redacted.Redacted<string>
  readonly secondaryKey: Redacted.Redacted<string>
}

/**
 * The resources, and how many resources each subscription and resource group holds (so that a lookup
 * tells which level is missing). Persistent maps: an update costs O(log n), whatever the fleet size.
 */
interface Snapshot {
  readonly resources: HashMap.HashMap<string, Resource>
  readonly subscriptions: HashMap.HashMap<string, number>
  readonly groups: HashMap.HashMap<string, number>
}

const lower = (s: string) => s.toLowerCase()

export const subscriptionKey = (subscriptionId: string): string => lower(subscriptionId)

const groupKey = (ref: { readonly subscriptionId: string; readonly resourceGroupName: string }) =>
  `${lower(ref.subscriptionId)}/${lower(ref.resourceGroupName)}`

/** The key of a resource: names cannot contain "/" (the parameter schemas reject it). */
export const resourceKey = (ref: EmulatorState.ResourceRef): string =>
  `${groupKey(ref)}/${lower(ref.communicationServiceName)}`

const count = (counts: HashMap.HashMap<string, number>, key: string, delta: number) => {
  const next = Option.getOrElse(HashMap.get(counts, key), () => 0) + delta
  return next <= 0 ? HashMap.remove(counts, key) : HashMap.set(counts, key, next)
}

const empty: Snapshot = { resources: HashMap.empty(), subscriptions: HashMap.empty(), groups: HashMap.empty() }

/** Sets a resource: a new one is counted in its subscription and resource group. */
const put = (snapshot: Snapshot, resource: Resource): Snapshot => {
  const key = resourceKey(resource)
  const isNew = !HashMap.has(snapshot.resources, key)
  return {
    resources: HashMap.set(snapshot.resources, key, resource),
    subscriptions: isNew
      ? count(snapshot.subscriptions, subscriptionKey(resource.subscriptionId), 1)
      : snapshot.subscriptions,
    groups: isNew ? count(snapshot.groups, groupKey(resource), 1) : snapshot.groups
  }
}

const remove = (snapshot: Snapshot, resource: Resource): Snapshot => ({
  resources: HashMap.remove(snapshot.resources, resourceKey(resource)),
  subscriptions: count(snapshot.subscriptions, subscriptionKey(resource.subscriptionId), -1),
  groups: count(snapshot.groups, groupKey(resource), -1)
})

/**
 * Describes a parse error without quoting any input value: the path of each issue and the message,
 * with the ", actual ..." part cut off (it would print the value, which may hold a key).
 */
export const describeParseError = (error: ParseResult.ParseError): string =>
  ParseResult.ArrayFormatter.formatErrorSync(error).map((issue) => {
    const path = issue.path.map((p) => typeof p === "number" ? `[${p}]` : `.${String(p)}`).join("").replace(/^\./, "")
    const message = issue.message.replace(/,? actual [\s\S]*$/, "")
    return path === "" ? message : `at ${path}: ${message}`
  }).join("; ")

const decodeStateFile = Schema.decodeUnknown(EmulatorState.StateFile)
const encodeStateFile = Schema.encode(EmulatorState.StateFile)
const decodeEntry = Schema.decodeUnknown(EmulatorState.ResourceEntry)

/** The largest seed or state file read: bigger ones are refused rather than read into memory. */
export const maxFileBytes = 64 * 1024 * 1024

const chunkBytes = 64 * 1024

/**
 * Reads at most `maxBytes` bytes of a file: a regular file over the limit is refused before reading, and any
 * other (a pipe, a device) as soon as more than `maxBytes` bytes have come. Reads from the current position,
 * so pipes work too.
 */
const readBounded = (path: string, maxBytes: number) =>
  Effect.acquireUseRelease(
    Effect.tryPromise({ try: () => NodeFs.promises.open(path, "r"), catch: errorReason }),
    (handle) =>
      Effect.tryPromise({
        try: async () => {
          const info = await handle.stat()
          if (info.isFile() && info.size > maxBytes) return tooBig(maxBytes)
          const chunks: Array<Buffer> = []
          let total = 0
          for (;;) {
            const buffer = Buffer.allocUnsafe(chunkBytes)
            const { bytesRead } = await handle.read(buffer, 0, chunkBytes, null)
            if (bytesRead === 0) return Buffer.concat(chunks, total)
            total += bytesRead
            if (total > maxBytes) return tooBig(maxBytes)
            chunks.push(bytesRead === chunkBytes ? buffer : buffer.subarray(0, bytesRead))
          }
        },
        catch: errorReason
      }).pipe(Effect.flatMap((result) => typeof result === "string" ? Effect.fail(result) : Effect.succeed(result))),
    (handle) => Effect.promise(() => handle.close().catch(() => undefined))
  )

const tooBig = (maxBytes: number) => `the file is larger than ${maxBytes} bytes`

const errorReason = (error: unknown) => error instanceof Error ? error.message : "the file cannot be read"

const utf8 = new TextDecoder("utf-8", { fatal: true })

/** Reads and decodes a seed or state file; `reason` never quotes the content. */
const readFile = <E>(path: string, error: (reason: string) => E) =>
  Effect.gen(function*() {
    const bytes = yield* readBounded(path, maxFileBytes).pipe(Effect.mapError(error))
    let text: string
    try {
      text = utf8.decode(bytes)
    } catch {
      return yield* Effect.fail(error("the file is not valid UTF-8"))
    }
    // depth-safe: a deeply nested file is refused before anything walks it; the reasons never quote the text
    const json = Json.parse(text)
    if (json._tag === "Left") {
      return yield* Effect.fail(
        error(
          json.left.reason === "TooDeep"
            ? `the file is not valid JSON: ${json.left.message}`
            : "the file is not valid JSON"
        )
      )
    }
    return yield* decodeStateFile(json.right).pipe(Effect.mapError((e) => error(describeParseError(e))))
  })

const readSeedFile = (path: string) => readFile(path, (reason) => new SeedFileError({ path, reason }))

const readStateFile = (path: string) =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    // a path that cannot even be checked (a file where a directory should be) cannot be written either:
    // the first write reports it
    const exists = yield* fs.exists(path).pipe(Effect.orElseSucceed(() => false))
    return exists
      ? Option.some(yield* readFile(path, (reason) => new StateFileError({ path, operation: "read", reason })))
      : Option.none<EmulatorState.StateFile>()
  })

/** Writes the state file atomically: a temporary file in the same directory, mode 0600, then a rename. */
const writeStateFile = (path: string, resources: Iterable<Resource>) =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const fail = (reason: string) => new StateFileError({ path, operation: "write", reason })
    const file = new EmulatorState.StateFile({
      version: 1,
      resources: Array.from(resources, (r) =>
        EmulatorState.ResourceEntry.make({
          subscriptionId: r.subscriptionId as EmulatorState.ResourceEntry["subscriptionId"],
          resourceGroupName: r.resourceGroupName as EmulatorState.ResourceEntry["resourceGroupName"],
          communicationServiceName: r.communicationServiceName as EmulatorState.ResourceEntry[
            "communicationServiceName"
          ],
          primaryKey: r.primaryKey,
          secondaryKey: r.secondaryKey
        }))
    })
    const encoded = yield* encodeStateFile(file).pipe(Effect.mapError((e) => fail(describeParseError(e))))
    const temp = NodePath.join(NodePath.dirname(path), `.${NodePath.basename(path)}.${randomUUID()}.tmp`)
    yield* fs.makeDirectory(NodePath.dirname(path), { recursive: true }).pipe(
      Effect.zipRight(fs.writeFileString(temp, JSON.stringify(encoded, null, 2) + "\n", { mode: 0o600 })),
      Effect.zipRight(fs.rename(temp, path)),
      Effect.tapError(() => Effect.ignore(fs.remove(temp))),
      Effect.mapError((e) => fail(e.message))
    )
  })

/** Turns a resource input (from the options or `addResource`) into a validated entry. */
export const decodeInput = (input: EmulatorState.ResourceInput) => {
  const plain = (key: string | Redacted.Redacted<string> | undefined) =>
    key === undefined ? {} : { value: Redacted.isRedacted(key) ? Redacted.value(key) : key }
  const primary = plain(input.primaryKey)
  const secondary = plain(input.secondaryKey)
  return decodeEntry({
    subscriptionId: input.subscriptionId,
    resourceGroupName: input.resourceGroupName,
    communicationServiceName: input.communicationServiceName,
    ...("value" in primary ? { primaryKey: primary.value } : {}),
    ...("value" in secondary ? { secondaryKey: secondary.value } : {})
  }).pipe(Effect.mapError((e) => new InvalidResourceError({ reason: describeParseError(e) })))
}

const fromEntry = (entry: EmulatorState.ResourceEntry, existing: Option.Option<Resource>) =>
  Effect.gen(function*() {
    const primaryKey = entry.primaryKey ?? (existing._tag === "Some" ? existing.value.primaryKey : undefined) ??
      (yield* EmulatorState.generateKey)
    const secondaryKey = entry.secondaryKey ?? (existing._tag === "Some" ? existing.value.secondaryKey : undefined) ??
      (yield* EmulatorState.generateKey)
    return {
      subscriptionId: entry.subscriptionId,
      resourceGroupName: entry.resourceGroupName,
      communicationServiceName: entry.communicationServiceName,
      primaryKey,
      secondaryKey
    } satisfies Resource
  })

/** The outcome of looking a resource up, at the level ARM answers it. */
export type Lookup =
  | { readonly _tag: "SubscriptionNotFound" }
  | { readonly _tag: "ResourceGroupNotFound" }
  | { readonly _tag: "ResourceNotFound" }
  | { readonly _tag: "Found"; readonly resource: Resource }

export interface Store {
  readonly list: Effect.Effect<ReadonlyArray<Resource>>
  readonly hasSubscription: (subscriptionId: string) => Effect.Effect<boolean>
  readonly lookup: (ref: EmulatorState.ResourceRef) => Effect.Effect<Lookup>
  readonly get: (ref: EmulatorState.ResourceRef) => Effect.Effect<Resource, UnknownResourceError>
  readonly upsert: (entry: EmulatorState.ResourceEntry) => Effect.Effect<Resource, StateFileError>
  readonly remove: (ref: EmulatorState.ResourceRef) => Effect.Effect<void, UnknownResourceError | StateFileError>
  readonly regenerate: (
    ref: EmulatorState.ResourceRef,
    keyType: KeyType.KeyType
  ) => Effect.Effect<Resource, UnknownResourceError | StateFileError>
}

const unknown = (ref: EmulatorState.ResourceRef) =>
  new UnknownResourceError({
    subscriptionId: ref.subscriptionId,
    resourceGroupName: ref.resourceGroupName,
    communicationServiceName: ref.communicationServiceName
  })

/**
 * Builds the initial resources and the store. Seeds (the seed file, then the options, later ones winning)
 * name the resources; a state file, when it exists, wins for the keys and keeps resources added at run
 * time. The state file is written at once, so it exists from the start.
 */
export const make = (options: {
  readonly seedFile: string | undefined
  readonly stateFile: string | undefined
  readonly resources: ReadonlyArray<EmulatorState.ResourceEntry>
}) =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const seeds: Array<EmulatorState.ResourceEntry> = []
    if (options.seedFile !== undefined) seeds.push(...(yield* readSeedFile(options.seedFile)).resources)
    seeds.push(...options.resources)
    const state = options.stateFile === undefined
      ? Option.none<EmulatorState.StateFile>()
      : yield* readStateFile(options.stateFile)

    let initial = empty
    for (const entry of seeds) {
      initial = put(initial, yield* fromEntry(entry, HashMap.get(initial.resources, resourceKey(entry))))
    }
    if (state._tag === "Some") {
      for (const entry of state.value.resources) {
        const seeded = HashMap.get(initial.resources, resourceKey(entry))
        const resource = yield* fromEntry(entry, seeded)
        // names keep the spelling of the seed when there is one
        initial = put(initial, seeded._tag === "Some" ? { ...seeded.value, ...keysOf(resource) } : resource)
      }
    }

    const persist = (snapshot: Snapshot) =>
      options.stateFile === undefined
        ? Effect.void
        : writeStateFile(options.stateFile, HashMap.values(snapshot.resources)).pipe(
          Effect.provideService(FileSystem.FileSystem, fs)
        )
    yield* persist(initial)

    const ref = yield* SynchronizedRef.make(initial)

    /** Changes the state and persists it, or leaves it unchanged when persisting fails. */
    const update = <A, E>(f: (snapshot: Snapshot) => Effect.Effect<readonly [A, Snapshot], E>) =>
      SynchronizedRef.modifyEffect(ref, (current) =>
        Effect.flatMap(f(current), ([a, next]) => Effect.as(persist(next), [a, next] as const))).pipe(
          Effect.uninterruptible
        )

    const find = (snapshot: Snapshot, ref_: EmulatorState.ResourceRef) =>
      HashMap.get(snapshot.resources, resourceKey(ref_))

    const store: Store = {
      list: Effect.map(SynchronizedRef.get(ref), (s) =>
        Array.from(HashMap.values(s.resources))),
      hasSubscription: (subscriptionId) =>
        Effect.map(SynchronizedRef.get(ref), (s) => HashMap.has(s.subscriptions, subscriptionKey(subscriptionId))),
      lookup: (ref_) =>
        Effect.map(SynchronizedRef.get(ref), (s): Lookup => {
          if (!HashMap.has(s.subscriptions, subscriptionKey(ref_.subscriptionId))) {
            return { _tag: "SubscriptionNotFound" }
          }
          if (!HashMap.has(s.groups, groupKey(ref_))) return { _tag: "ResourceGroupNotFound" }
          const resource = find(s, ref_)
          return resource._tag === "None" ? { _tag: "ResourceNotFound" } : { _tag: "Found", resource: resource.value }
        }),
      get: (ref_) =>
        Effect.flatMap(SynchronizedRef.get(ref), (s) =>
          Option.match(find(s, ref_), {
            onNone: () => Effect.fail(unknown(ref_)),
            onSome: Effect.succeed
          })),
      upsert: (entry) =>
        update((s) => {
          const existing = find(s, entry)
          return Effect.map(fromEntry(entry, existing), (resource) => {
            const stored = existing._tag === "Some" ? { ...existing.value, ...keysOf(resource) } : resource
            return [stored, put(s, stored)] as const
          })
        }),
      remove: (ref_) =>
        update((s) =>
          Option.match(find(s, ref_), {
            onNone: () => Effect.fail(unknown(ref_)),
            onSome: (resource) => Effect.succeed([undefined, remove(s, resource)] as const)
          })
        ),
      regenerate: (ref_, keyType) =>
        update((s) =>
          Option.match(find(s, ref_), {
            onNone: () => Effect.fail(unknown(ref_)),
            onSome: (existing) =>
              Effect.map(EmulatorState.generateKey, (key) => {
                const updated: Resource = keyType === "Primary"
                  ? { ...existing, primaryKey: key }
                  : { ...existing, secondaryKey: key }
                return [updated, put(s, updated)] as const
              })
          })
        )
    }
    return store
  })

const keysOf = (resource: Resource) => ({ primaryKey: resource.primaryKey, secondaryKey: resource.secondaryKey })
