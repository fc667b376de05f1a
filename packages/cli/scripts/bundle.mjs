// The published `acs-keys`: src/bin.ts bundled and minified into build/bundle/acs-keys.mjs (ESM, Node 20),
// with what a command does not always need in chunks of its own, loaded on first use: the command itself
// (not needed by --help and --version), the emulator's server, @azure/identity, yaml, JMESPath.
// Workspace packages are bundled from their sources (the "source" condition). Run by `pnpm build`.
import * as esbuild from "esbuild"
import * as Fs from "node:fs"
import * as Path from "node:path"
import process from "node:process"
import { fileURLToPath } from "node:url"

const root = Path.resolve(Path.dirname(fileURLToPath(import.meta.url)), "..")
const outdir = Path.join(root, "build", "bundle")
Fs.rmSync(outdir, { recursive: true, force: true })

const result = await esbuild.build({
  absWorkingDir: root,
  entryPoints: { "acs-keys": "src/bin.ts" },
  outdir,
  outExtension: { ".js": ".mjs" },
  chunkNames: "chunks/[name]-[hash]",
  bundle: true,
  splitting: true,
  minify: true,
  platform: "node",
  format: "esm",
  target: "node20.19",
  conditions: ["source"],
  // native (better-sqlite3, a dependency: loads its compiled addon) or optional (pg's pg-native, not installed)
  external: ["better-sqlite3", "pg-native"],
  // the licences of what is bundled stay with it
  legalComments: "eof",
  // bundled CommonJS (parts of @azure/identity) `require`s Node's built-ins: an ESM bundle needs a real `require`
  banner: {
    js:
      "import { createRequire as __acsKeysRequire } from \"node:module\";const require = __acsKeysRequire(import.meta.url);"
  },
  metafile: true,
  logLevel: "warning"
})

const sizes = Object.entries(result.metafile.outputs).map(([file, output]) => [Path.relative(root, file), output.bytes])
for (const [file, bytes] of sizes) process.stdout.write(`${file}  ${(bytes / 1024).toFixed(1)} KiB\n`)
