/**
 * The fleet file of `acs-keys rotate --from-file`: which resources to rotate, streamed (a file of any size
 * is read with constant memory).
 *
 * Two formats, told apart by the first non-blank character:
 *
 * - **text**: one ARM resource id a line; blank lines and lines starting with `#` are skipped.
 * - **JSON** (starts with `[`): an array whose elements are resource ids (strings), `{"resourceId": "..."}`
 *   objects, or `{"subscriptionId", "resourceGroupName", "communicationServiceName"}` objects.
 *
 * A malformed file (bad JSON, an element of another shape, whitespace inside a text line) fails the
 * stream with `FleetFileError`, which says where. A well-formed entry whose values are not valid (a
 * resource id of the wrong shape, a resource group name with a forbidden character) is not a file error:
 * its rotation fails with `InvalidInput`, as it would from the API.
 *
 * @since 0.1.0
 */
import type { CommunicationServices } from "@effect-acs/core"
import * as FileSystem from "@effect/platform/FileSystem"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import { FleetFileError } from "./CliError.js"
import * as ExitCode from "./ExitCode.js"
import { FleetParser } from "./internal/fleetParser.js"

const attempt = <A>(path: string, f: () => A): Effect.Effect<A, FleetFileError> =>
  Effect.try({
    try: f,
    catch: (error) =>
      error instanceof FleetFileError ? error : new FleetFileError({ path, reason: ExitCode.messageOf(error) })
  })

/**
 * Parses a fleet file given as a stream of text chunks (`path` only names it in errors).
 *
 * @example
 * ```ts
 * import { FleetFile } from "@effect-acs/cli"
 * import * as Effect from "effect/Effect"
 * import * as Stream from "effect/Stream"
 *
 * const ids = Stream.make(
 *   "# production\n/subscriptions/s/resourceGroups/rg/providers/Microsoft.Communication/communicationServices/a\n"
 * )
 * const resources = Effect.runSync(Stream.runCollect(FleetFile.decode(ids, "ids.txt")))
 * ```
 *
 * @since 0.1.0
 * @category decoding
 */
export const decode = <E, R>(
  chunks: Stream.Stream<string, E, R>,
  path: string
): Stream.Stream<CommunicationServices.ResourceInput, E | FleetFileError, R> =>
  Stream.suspend(() => {
    const parser = new FleetParser(path)
    return chunks.pipe(
      Stream.mapConcatEffect((chunk) => attempt(path, () => parser.push(chunk))),
      Stream.concat(Stream.fromIterableEffect(attempt(path, () => parser.end())))
    )
  })

/**
 * Streams the resources of a fleet file from the file system. A file that cannot be read fails with
 * `FleetFileError`.
 *
 * @example
 * ```ts
 * import { FleetFile } from "@effect-acs/cli"
 * import * as Stream from "effect/Stream"
 *
 * const count = Stream.runCount(FleetFile.stream("ids.txt"))
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const stream = (
  path: string
): Stream.Stream<CommunicationServices.ResourceInput, FleetFileError, FileSystem.FileSystem> =>
  Stream.unwrap(Effect.map(FileSystem.FileSystem, (fs) =>
    decode(
      fs.stream(path).pipe(
        Stream.decodeText(),
        Stream.mapError((error) =>
          new FleetFileError({
            path,
            reason: error._tag === "SystemError" && error.reason === "NotFound"
              ? "no such file"
              : `cannot be read (${error.message})`
          })
        )
      ),
      path
    )))
