import { endpoints } from "@effect-acs/core/CommunicationServices"
import type * as FileSystem from "@effect/platform/FileSystem"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as ParseResult from "effect/ParseResult"
import type * as Schema from "effect/Schema"
import { parse as parseYamlText, YAMLError } from "yaml"
import type { Issue, LoadError, RecordingFormat } from "../ContractError.js"
import { Issue as IssueClass, MalformedRecording } from "../ContractError.js"
import type * as Interaction from "../Interaction.js"
import { defaultMaxBytes, defaultMaxDepth, depthOf, issues, parseJson, readText } from "./load.js"

/** What a format's decoder is told besides the document. */
export interface DecodeContext {
  /** Where the document came from, for `source` and error messages. */
  readonly source: string
  /** The origin of requests a format records without one (relative URIs); `https://management.azure.com` by default. */
  readonly endpoint: string
}

/** A recording format: how a parsed document becomes interactions, and (for some) back. */
export interface Format {
  readonly name: RecordingFormat
  /** The syntax its files are written in: `yaml` also reads JSON. */
  readonly syntax: "json" | "yaml"
  readonly decode: (
    document: unknown,
    context: DecodeContext
  ) => Either.Either<ReadonlyArray<Interaction.Interaction>, ReadonlyArray<Issue>>
  readonly encode: ((interactions: ReadonlyArray<Interaction.Interaction>) => unknown) | undefined
}

/** The public cloud's Resource Manager: where requests recorded without an origin went, unless told otherwise. */
export const defaultEndpoint: string = endpoints.AzurePublic

/** A decoder from a schema (every issue reported, other fields ignored) and a function of its value. */
export const fromSchema = <A, I>(
  schema: Schema.Schema<A, I>,
  toInteractions: (
    value: A,
    context: DecodeContext
  ) =>
    | ReadonlyArray<Interaction.Interaction>
    | Either.Either<ReadonlyArray<Interaction.Interaction>, ReadonlyArray<Issue>>
) => {
  const decode = ParseResult.decodeUnknownEither(schema, { errors: "all", onExcessProperty: "ignore" })
  return (document: unknown, context: DecodeContext) =>
    Either.flatMap(
      Either.mapLeft(decode(document), (issue) => issues(new ParseResult.ParseError({ issue }))),
      (value) => {
        const result = toInteractions(value, context)
        return Either.isEither(result) ? result : Either.right(result)
      }
    )
}

/** The options every format-specific decoder takes. */
export interface DecodeOptions {
  readonly source?: string | undefined
  readonly include?: ((interaction: Interaction.Interaction) => boolean) | undefined
  readonly endpoint?: string | undefined
}

/** Decodes a parsed document with one format; issues become a `MalformedRecording`. */
export const decodeAs = (
  format: Format,
  document: unknown,
  options: DecodeOptions = {}
): Either.Either<ReadonlyArray<Interaction.Interaction>, MalformedRecording> => {
  const source = options.source ?? "<input>"
  return Either.match(
    format.decode(document, { source, endpoint: (options.endpoint ?? defaultEndpoint).replace(/\/+$/, "") }),
    {
      onLeft: (found) => Either.left(new MalformedRecording({ format: format.name, source, issues: found })),
      onRight: (interactions) =>
        Either.right(options.include === undefined ? interactions : interactions.filter(options.include))
    }
  )
}

/**
 * Parses YAML depth-safely: the parser's own limits (aliases, a stack overflow it reports as an error)
 * and then the nesting of the value. The error names the line, never the text.
 */
export const parseYaml = (
  text: string,
  maxDepth: number = defaultMaxDepth
): Either.Either<unknown, Issue> => {
  let value: unknown
  try {
    value = parseYamlText(text, { maxAliasCount: 100, uniqueKeys: false })
  } catch (error) {
    const line = error instanceof YAMLError ? error.linePos?.[0]?.line : undefined
    return Either.left(
      new IssueClass({
        path: "(root)",
        message: `not valid YAML${line === undefined ? "" : ` (line ${line})`}`
      })
    )
  }
  return depthOf(value, maxDepth) > maxDepth
    ? Either.left(new IssueClass({ path: "(root)", message: `the YAML is nested deeper than ${maxDepth} levels` }))
    : Either.right(value)
}

/** Parses a text in a format's syntax. */
export const parseAs = (
  format: Format,
  text: string,
  source: string,
  maxDepth: number = defaultMaxDepth
): Either.Either<unknown, MalformedRecording> =>
  format.syntax === "json"
    ? parseJson(text, format.name, source, maxDepth)
    : Either.mapLeft(parseYaml(text, maxDepth), (issue) =>
      new MalformedRecording({ format: format.name, source, issues: [issue] }))

/** Reads a file (at most `defaultMaxBytes`) and decodes it with one format. */
export const loadAs = (
  format: Format,
  path: string,
  options: Omit<DecodeOptions, "source"> = {}
): Effect.Effect<ReadonlyArray<Interaction.Interaction>, LoadError, FileSystem.FileSystem> =>
  Effect.flatMap(
    readText(path, defaultMaxBytes),
    (text) =>
      Either.flatMap(
        parseAs(format, text, path),
        (document) => decodeAs(format, document, { ...options, source: path })
      )
  )

/** A format's `decode` and `load`, as `Har` and `TestProxy` export them. */
export const codec = (format: Format) => ({
  decode: (
    input: unknown,
    options: DecodeOptions = {}
  ): Effect.Effect<ReadonlyArray<Interaction.Interaction>, MalformedRecording> => decodeAs(format, input, options),
  load: (path: string, options: Omit<DecodeOptions, "source"> = {}) => loadAs(format, path, options)
})
