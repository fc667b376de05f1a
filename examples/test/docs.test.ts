/**
 * Every TypeScript block of every page in docs/ is the verbatim content of a checked file: a program in
 * examples/src (type-checked, linted and run by these tests) or contract-tests/examples. When the line
 * above a block says "From <path>", the block must be that file. Pages are read when the tests run, so a
 * page added later is checked too.
 */
import { assert, describe, it } from "@effect/vitest"
import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"

const root = fileURLToPath(new URL("../../", import.meta.url))
const docs = path.join(root, "docs")
const sourceDirectories = ["examples/src", "contract-tests/examples"]

/** Lines without trailing whitespace, no blank lines at either end. */
const normalize = (text: string): string =>
  text.split(/\r?\n/).map((line) => line.trimEnd()).join("\n").replace(/^\n+/, "").replace(/\n+$/, "")

const filesUnder = (directory: string): Array<string> =>
  fs.existsSync(directory)
    ? fs.readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
      const full = path.join(directory, entry.name)
      return entry.isDirectory() ? filesUnder(full) : /\.(ts|mts|tsx)$/.test(entry.name) ? [full] : []
    })
    : []

/** The checked files, by path relative to the repository root. */
const sources = new Map(
  sourceDirectories.flatMap((directory) =>
    filesUnder(path.join(root, directory)).map((file) =>
      [path.relative(root, file).split(path.sep).join("/"), normalize(fs.readFileSync(file, "utf8"))] as const
    )
  )
)

interface Block {
  readonly page: string
  readonly line: number
  readonly code: string
  /** The file named by "From <path>" on the nearest non-blank line above the block, if any. */
  readonly from: string | undefined
}

/** The ```ts / ```typescript blocks of a page (fences indented in lists too). */
const blocksOf = (page: string): Array<Block> => {
  const lines = fs.readFileSync(path.join(docs, page), "utf8").split(/\r?\n/)
  const blocks: Array<Block> = []
  for (let i = 0; i < lines.length; i++) {
    const open = /^( *)(`{3,}|~{3,})\s*([\w+-]*)/.exec(lines[i]!)
    if (open === null) continue
    const [, indent = "", fence = "", language = ""] = open
    const body: Array<string> = []
    let j = i + 1
    for (; j < lines.length; j++) {
      const close = /^ *(`{3,}|~{3,})\s*$/.exec(lines[j]!)
      if (close !== null && close[1]![0] === fence[0] && close[1]!.length >= fence.length) break
      body.push(lines[j]!.startsWith(indent) ? lines[j]!.slice(indent.length) : lines[j]!.trimStart())
    }
    if (language === "ts" || language === "typescript") {
      let k = i - 1
      while (k >= 0 && lines[k]!.trim() === "") k--
      const from = k >= 0
        ? /\bFrom \[?`?((?:examples\/src|contract-tests\/examples)\/[\w./-]+\.ts)`?\]?/.exec(lines[k]!)
        : null
      blocks.push({ page, line: i + 1, code: normalize(body.join("\n")), from: from?.[1] })
    }
    i = j
  }
  return blocks
}

// the README's example is held to the same rule
const pages = [...fs.readdirSync(docs).filter((name) => name.endsWith(".md")).sort(), "../README.md"]

describe("docs: every TypeScript block is a checked file", () => {
  it("finds the pages and the checked files", () => {
    assert.include(pages, "index.md")
    assert.isAbove(sources.size, 0)
  })

  for (const page of pages) {
    for (const block of blocksOf(page)) {
      it(`docs/${page}:${block.line}${block.from === undefined ? "" : ` (${block.from})`}`, () => {
        if (block.from !== undefined) {
          assert.isTrue(sources.has(block.from), `docs/${page}:${block.line} names ${block.from}, which does not exist`)
          assert.strictEqual(
            block.code,
            sources.get(block.from),
            `docs/${page}:${block.line} differs from ${block.from}`
          )
          return
        }
        const match = [...sources].find(([, code]) => code === block.code)
        assert.isDefined(
          match,
          `docs/${page}:${block.line}: this block is not the content of any file under ${
            sourceDirectories.join(" or ")
          }`
        )
      })
    }
  }
})
