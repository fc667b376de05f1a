/**
 * Keeping secrets out of recordings: `sanitize` replaces them with placeholders before a recording is
 * committed, and `scanForSecrets` fails when a file still holds material that looks real. Both find
 * secrets with `@effect-acs/core/Redaction`, the one secret-masking module the client and the CLI use too;
 * both leave placeholders, ours and other tools', as they are.
 *
 * @since 0.1.0
 */
import * as FileSystem from "@effect/platform/FileSystem"
import * as Path from "@effect/platform/Path"
import * as Effect from "effect/Effect"
import { Finding, ReadError, SecretsFound } from "./ContractError.js"
import type { ScanError } from "./ContractError.js"
import type * as Interaction from "./Interaction.js"
import { readText } from "./internal/load.js"
import * as internal from "./internal/secrets.js"

/**
 * Replaces the secrets of interactions with placeholders, finding them with `@effect-acs/core`'s
 * `Redaction` (the one secret-masking module of effect-acs):
 *
 * - the values of `primaryKey` and `secondaryKey` fields, connection strings' `accesskey=` values, other
 *   secret parameters' values (`sig=`, `client_secret=`) and random base64 key material anywhere (in any
 *   encoding: padded or not, base64url, percent-encoded, JSON-escaped) become `<key-1>`, `<key-2>`, ...:
 *   one placeholder per distinct key, so a key keeps its placeholder inside its connection string (and in
 *   any other encoding), two keys never share one, and a rotation still shows which key replaced which;
 * - `Authorization` values become `Bearer <token>` (the scheme is kept), other credentials `<token>`,
 *   cookies `<cookie>`, other secret-named headers (`x-ms-token`, `...-key`) `<redacted>`, JWTs `<jwt>`.
 *
 * Placeholders already there, ours (`<key-1>`, whose numbers new keys skip) or other tools' (`Sanitized`,
 * `REDACTED`, `**`, 86 `x` and `==`, the zero UUID), are left as they are, so sanitizing twice changes
 * nothing. Nothing else changes (a URL's path is read one segment at a time), so a sanitized recording
 * replays as the original did.
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
  for (const interaction of interactions) sanitizer.reserveAll(interaction)
  return interactions.map(sanitizer.interaction)
}

/**
 * Masks every secret of a text with `<redacted>`: `Redaction.mask` of `@effect-acs/core` (keys in any
 * encoding, `accesskey=` and other secret parameters, bearer and other credentials, JWTs), for logs and
 * messages. Placeholders stay as they are.
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
export const mask = (text: string): string => internal.maskText(text)

/**
 * Where a text holds material that looks like a real secret. The candidates are `Redaction`'s matches
 * (keys in any encoding, secret parameters, credentials, JWTs; placeholders such as `<key-1>`, `Sanitized`,
 * `**` or 86 `x` and `==` are none); a candidate is a finding when its value carries random key material
 * (Redaction's shape-and-entropy key detection, part by part, base64 that encodes text excepted). So the
 * documentation's `accesskey=1234`, a password that is a word or an unsigned example JWT is not a
 * finding, and a real key is, however it is encoded. The column is where the secret starts.
 *
 * @example
 * ```ts
 * import { Secrets } from "@effect-acs/contract-tests"
 * import { randomBytes } from "node:crypto"
 *
 * Secrets.scanText("notes.txt", "accesskey=1234\nAuthorization: Bearer <token>\nx-ms-key: Sanitized") // []
 * const key = randomBytes(64).toString("base64")
 * Secrets.scanText("notes.txt", `\nendpoint=https://acs.example/;accesskey=${encodeURIComponent(key)}`)[0]?.kind // "AccessKey"
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
