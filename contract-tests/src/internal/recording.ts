import * as Json from "@effect-acs/schema/Json"
import type * as FileSystem from "@effect/platform/FileSystem"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import { Attempt, Issue, MalformedRecording } from "../ContractError.js"
import type { LoadError } from "../ContractError.js"
import type * as Interaction from "../Interaction.js"
import type { DecodeOptions, Recording } from "../Recording.js"
import { apiVersionOf, operationOf } from "./arm.js"
import * as documentedExample from "./documentedExample.js"
import { decodeAs, type Format, parseYaml } from "./format.js"
import * as har from "./har.js"
import { defaultMaxBytes, defaultMaxDepth, readText } from "./load.js"
import * as powerShell from "./powerShell.js"
import * as testProxy from "./testProxy.js"
import * as vcr from "./vcr.js"

/** The formats, in the order they are tried: the stricter shapes first. */
export const formats: ReadonlyArray<Format> = [
  powerShell.format,
  testProxy.format,
  har.format,
  vcr.format,
  documentedExample.format
]

export const operation = (interaction: Interaction.Interaction) =>
  operationOf(interaction.request.method, interaction.request.url)

export const keyOperations = (recording: Recording): ReadonlyArray<Interaction.Interaction> =>
  recording.interactions.filter((interaction) => operation(interaction) !== undefined)

const refuse = (source: string, tried: ReadonlyArray<Format>, issue: (format: Format) => Issue) => {
  const attempts = tried.map((format) => new Attempt({ format: format.name, issues: [issue(format)] }))
  return new MalformedRecording({
    format: attempts[0]?.format ?? "TestProxy",
    source,
    issues: attempts[0]?.issues ?? [],
    tried: attempts
  })
}

export const fromInteractions = (
  format: Recording["format"],
  source: string,
  interactions: ReadonlyArray<Interaction.Interaction>
): Recording => {
  const first = interactions.find((interaction) => operation(interaction) !== undefined)
  return {
    format,
    source,
    interactions,
    endpoint: first === undefined ? undefined : new URL(first.request.url).origin,
    apiVersion: first === undefined ? undefined : apiVersionOf(first.request.url)
  }
}

export const decode = (text: string, options: DecodeOptions = {}): Effect.Effect<Recording, MalformedRecording> =>
  Either.gen(function*() {
    const source = options.source ?? "<input>"
    const tried = options.formats ?? formats
    const maxBytes = options.maxBytes ?? defaultMaxBytes
    const maxDepth = options.maxDepth ?? defaultMaxDepth
    const bytes = Buffer.byteLength(text)
    if (bytes > maxBytes) {
      return yield* Either.left(
        refuse(
          source,
          tried,
          () =>
            new Issue({ path: "(root)", message: `the recording is ${bytes} bytes, more than the ${maxBytes} allowed` })
        )
      )
    }
    const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text
    const json = Json.parse(body, { maxDepth })
    let document: unknown
    if (Either.isRight(json)) {
      document = json.right
    } else if (json.left.reason === "TooDeep") {
      return yield* Either.left(refuse(source, tried, () => new Issue({ path: "(root)", message: json.left.message })))
    } else {
      const yaml = tried.some((format) => format.syntax === "yaml") ? parseYaml(body, maxDepth) : undefined
      if (yaml === undefined || Either.isLeft(yaml)) {
        return yield* Either.left(refuse(source, tried, (format) =>
          format.syntax === "json" || yaml === undefined
            ? new Issue({ path: "(root)", message: "not valid JSON" })
            : yaml.left))
      }
      document = yaml.right
    }
    const attempts: Array<Attempt> = []
    for (const format of tried) {
      const decoded = decodeAs(format, document, { source, endpoint: options.endpoint })
      if (Either.isRight(decoded)) return fromInteractions(format.name, source, decoded.right)
      attempts.push(new Attempt({ format: format.name, issues: decoded.left.issues }))
    }
    return yield* Either.left(
      new MalformedRecording({
        format: attempts[0]?.format ?? "TestProxy",
        source,
        issues: attempts[0]?.issues ?? [],
        tried: attempts
      })
    )
  })

export const load = (
  path: string,
  options: Omit<DecodeOptions, "source"> = {}
): Effect.Effect<Recording, LoadError, FileSystem.FileSystem> =>
  Effect.flatMap(
    readText(path, options.maxBytes ?? defaultMaxBytes),
    (text) => decode(text, { ...options, source: path })
  )
