/**
 * esbuild: bundles the cold-start / bundle-size programs (bundle, minify, platform node, format esm;
 * workspace packages resolved to their TypeScript sources through the `source` condition) and breaks a
 * bundle down by package from esbuild's metafile.
 */
import * as esbuild from "esbuild"
import * as Fs from "node:fs"
import * as Path from "node:path"
import * as Zlib from "node:zlib"
import { packageOf } from "./cpuprofile.js"

export interface BundleSize {
  readonly program: string
  readonly file: string
  readonly raw: number
  readonly gzip: number
  readonly packages: ReadonlyArray<{ readonly name: string; readonly bytes: number }>
  /** How many modules the bundle holds (with code in the output): what loading it evaluates. */
  readonly moduleCount: number
  /** The largest modules of the bundle, as `package/path`. */
  readonly modules: ReadonlyArray<{ readonly name: string; readonly bytes: number }>
}

const moduleName = (input: string): string => {
  const index = input.lastIndexOf("node_modules/")
  if (index >= 0) return input.slice(index + "node_modules/".length).replace(/\/dist\/(esm|commonjs)\//, "/")
  return input.replace(/^(\.\.\/)+/, "")
}

/**
 * Bundled CommonJS dependencies (undici, parts of the Azure SDK) `require` Node built-ins; an ESM bundle
 * needs a real `require` for that. The same banner goes into every bundle.
 */
const banner = "import { createRequire as __createRequire } from \"node:module\";" +
  "const require = __createRequire(import.meta.url);"

export const bundle = async (
  entry: string,
  outfile: string,
  cwd: string,
  options: { readonly minify?: boolean } = {}
): Promise<BundleSize> => {
  const result = await esbuild.build({
    absWorkingDir: cwd,
    entryPoints: [entry],
    outfile,
    bundle: true,
    minify: options.minify ?? true,
    platform: "node",
    format: "esm",
    target: "node20",
    conditions: ["source"],
    metafile: true,
    legalComments: "none",
    banner: { js: banner },
    logLevel: "error"
  })
  const content = Fs.readFileSync(Path.resolve(cwd, outfile))
  const output = Object.values(result.metafile.outputs)[0]!
  const packages = new Map<string, number>()
  const modules: Array<{ name: string; bytes: number }> = []
  let attributed = 0
  for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
    modules.push({ name: moduleName(input), bytes: bytesInOutput })
    const name = packageOf(`file://${Path.resolve(cwd, input)}`)
    packages.set(name, (packages.get(name) ?? 0) + bytesInOutput)
    attributed += bytesInOutput
  }
  packages.set("(esbuild glue, banner)", content.length - attributed)
  return {
    program: Path.basename(entry, ".ts"),
    file: outfile,
    raw: content.length,
    gzip: Zlib.gzipSync(content).length,
    packages: [...packages].map(([name, bytes]) => ({
      name: name === "@effect-acs/bench" ? "(the program itself)" : name,
      bytes
    }))
      .sort((a, b) => b.bytes - a.bytes),
    moduleCount: modules.filter((entry) => entry.bytes > 0).length,
    modules: modules.sort((a, b) => b.bytes - a.bytes).slice(0, 15)
  }
}
