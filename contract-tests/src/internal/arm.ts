/**
 * What the harness knows about the two operations on the wire: which request is a Regenerate Key or a
 * List Keys (a `POST` to a communication service's resource id, as `@effect-acs/schema`'s `ResourceId`
 * reads it, plus the action), and its api-version.
 */
import * as Operations from "@effect-acs/schema/Operation"
import * as ResourceId from "@effect-acs/schema/ResourceId"
import * as Either from "effect/Either"
import * as Schema from "effect/Schema"

/** The operations of this library. */
export type Operation = Operations.Name

/** The operations by their action segment in lower case (ARM matches it in any letter case). */
const actions: ReadonlyMap<string, Operation> = new Map(Operations.names.map((name) => [name.toLowerCase(), name]))

const isResourceId = Schema.decodeUnknownEither(ResourceId.ResourceId)

const decodeSegment = (segment: string): string => {
  try {
    return decodeURIComponent(segment)
  } catch {
    return segment
  }
}

/** The operation a request is (fixed segments and the action in any letter case), or `undefined`. */
export const operationOf = (method: string, url: string): Operation | undefined => {
  if (method.toUpperCase() !== "POST" || !URL.canParse(url)) return undefined
  const segments = new URL(url).pathname.replace(/\/+$/, "").split("/")
  const action = actions.get((segments.pop() ?? "").toLowerCase())
  if (action === undefined) return undefined
  return Either.isRight(isResourceId(segments.map(decodeSegment).join("/"))) ? action : undefined
}

/** The `api-version` query parameter of a URL (the name in any letter case), or `undefined`. */
export const apiVersionOf = (url: string): string | undefined => {
  if (!URL.canParse(url)) return undefined
  for (const [name, value] of new URL(url).searchParams) {
    if (name.toLowerCase() === "api-version") return value
  }
  return undefined
}
