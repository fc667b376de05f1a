/**
 * Keeping secrets out of recordings: `sanitize` replaces them with placeholders before a recording is
 * committed, and `scanForSecrets` fails when a file still holds material that looks real.
 *
 * @since 0.1.0
 */
import * as FileSystem from "@effect/platform/FileSystem"
import * as Path from "@effect/platform/Path"
import * as Effect from "effect/Effect"
import { Finding, ReadError, SecretsFound } from "./ContractError.js"
import type { ScanError } from "./ContractError.js"
import * as Interaction from "./Interaction.js"
import { readText } from "./internal/load.js"
import * as internal from "./internal/secrets.js"

/**
 * Replaces the secrets of interactions with placeholders:
 *
 * - the values of `primaryKey` and `secondaryKey` fields, connection strings' `accesskey=` values and
 *   88-character base64 keys, anywhere, become `<key-1>`, `<key-2>`, ...: one placeholder per distinct
 *   key, so a key and the connection string built from it keep the same placeholder, and a rotation still
 *   shows which key replaced which;
 * - `Authorization` values become `Bearer <token>` (the scheme is kept), cookies `<cookie>`, JWTs `<jwt>`.
 *
 * Values that already are placeholders (`<primaryKey>`, `<key-1>`) are left alone, so sanitizing twice
 * changes nothing. Nothing else changes, so a sanitized recording replays as the original did.
 *
 * @example
 * ```ts
 * import { Interaction, Secrets } from "@effect-acs/contract-tests"
 *
 * const [sanitized] = Secrets.sanitize([Interaction.make({
 *   request: { method: "POST", url: "https://management.azure.com/x", headers: { Authorization: "Bearer abc.def" } },
 *   response: { status: 200, json: { primaryKey: "k1", primaryConnectionString: "endpoint=https://acs.example/;accesskey=k1" } }
 * })])
 * console.log(sanitized?.request.headers.authorization) // "Bearer <token>"
 * console.log(sanitized?.response.body) // { _tag: "Json", value: { primaryKey: "<key-1>", primaryConnectionString: "endpoint=https://acs.example/;accesskey=<key-1>" } }
 * ```
 *
 * @since 0.1.0
 * @category sanitizing
 */
export const sanitize = (
  interactions: ReadonlyArray<Interaction.Interaction>
): Array<Interaction.Interaction> => {
  const sanitizer = internal.makeSanitizer()
  const body = (value: Interaction.Body | undefined): { body?: Interaction.Body } =>
    value === undefined
      ? {}
      : value._tag === "Json"
      ? { body: { _tag: "Json", value: sanitizer.json(value.value) } }
      : { body: { _tag: "Text", text: sanitizer.text(value.text) } }
  return interactions.map((interaction) =>
    new Interaction.Interaction({
      request: new Interaction.Request({
        method: interaction.request.method,
        url: sanitizer.text(interaction.request.url),
        headers: sanitizer.headers(interaction.request.headers),
        ...body(interaction.request.body)
      }),
      response: new Interaction.Response({
        status: interaction.response.status,
        headers: sanitizer.headers(interaction.response.headers),
        ...body(interaction.response.body)
      }),
      ...(interaction.source === undefined ? {} : { source: interaction.source })
    })
  )
}

/**
 * Masks anything in a text that looks like a secret (`accesskey=` values, bearer tokens, JWTs,
 * 88-character base64 keys) with `<redacted>`: for logs and messages.
 *
 * @example
 * ```ts
 * import { Secrets } from "@effect-acs/contract-tests"
 *
 * Secrets.mask("endpoint=https://acs.example/;accesskey=abc") // "endpoint=https://acs.example/;accesskey=<redacted>"
 * ```
 *
 * @since 0.1.0
 * @category sanitizing
 */
export const mask: (text: string) => string = internal.maskText

/**
 * Where a text holds material that looks like a real secret: an 88-character base64 key, an `accesskey=`
 * with a value of 20 characters or more, a bearer token of 20 characters or more, or a JWT. Placeholders
 * (`<...>`) and short made-up values (the documentation's `1234`) are not findings.
 *
 * @example
 * ```ts
 * import { Secrets } from "@effect-acs/contract-tests"
 *
 * Secrets.scanText("notes.txt", "accesskey=1234\nAuthorization: Bearer <token>") // []
 * Secrets.scanText("notes.txt", `\n"authorization": "Bearer ${"x".repeat(40)}"`)[0]?.kind // "BearerToken"
 * ```
 *
 * @since 0.1.0
 * @category scanning
 */
export const scanText = (file: string, text: string): Array<Finding> =>
  internal.scan(text).map((found) => new Finding({ file, ...found }))

const skipped = new Set(["node_modules", ".git"])

/**
 * Scans files, and every file under directories (except `node_modules` and `.git`), for material that
 * looks like a real secret (see `scanText`). Succeeds with the files scanned; fails with `SecretsFound`
 * listing each file, line, column and kind (never the secret), or `ReadError`.
 *
 * @example
 * ```ts
 * import { Secrets } from "@effect-acs/contract-tests"
 * import * as NodeContext from "@effect/platform-node/NodeContext"
 * import * as Effect from "effect/Effect"
 *
 * const check = Secrets.scanForSecrets(["fixtures", "docs/contract-testing.md"]).pipe(
 *   Effect.provide(NodeContext.layer)
 * )
 * ```
 *
 * @since 0.1.0
 * @category scanning
 */
export const scanForSecrets = (
  paths: ReadonlyArray<string>
): Effect.Effect<ReadonlyArray<string>, ScanError, FileSystem.FileSystem | Path.Path> =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    const files: Array<string> = []
    const walk = (target: string): Effect.Effect<void, ReadError> =>
      Effect.gen(function*() {
        const info = yield* fs.stat(target).pipe(
          Effect.mapError((error) =>
            new ReadError({ path: target, reason: error._tag === "SystemError" ? error.reason : "unreadable" })
          )
        )
        if (info.type === "File") {
          files.push(target)
          return
        }
        if (info.type !== "Directory") return
        const names = yield* fs.readDirectory(target).pipe(
          Effect.mapError((error) =>
            new ReadError({ path: target, reason: error._tag === "SystemError" ? error.reason : "unreadable" })
          )
        )
        for (const name of names.sort()) {
          if (!skipped.has(name)) yield* walk(path.join(target, name))
        }
      })
    for (const target of paths) yield* walk(target)
    const findings: Array<Finding> = []
    for (const file of files) findings.push(...scanText(file, yield* readText(file)))
    if (findings.length > 0) return yield* new SecretsFound({ findings })
    return files
  })
