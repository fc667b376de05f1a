#!/usr/bin/env node
// `acs-keys` in this repository (the published package's bin is the bundle itself): the bundle when it is
// built (`pnpm --filter @effect-acs/cli build`) and newer than every source it is made of; else the
// TypeScript sources, run in-process through tsx with the "source" export condition (what
// `pnpm --filter @effect-acs/cli acs-keys` does), so that `pnpm exec acs-keys` works right after
// `pnpm install` and never runs a stale bundle.
import * as Fs from "node:fs"
import * as Module from "node:module"
import { fileURLToPath, URL } from "node:url"

const bundle = new URL("../build/bundle/acs-keys.mjs", import.meta.url)
const sources = ["../src", "../../schema/src", "../../core/src", "../../emulator/src"]

/** Whether the bundle exists and no source file changed after it was made. */
const bundleIsFresh = () => {
  if (!Fs.existsSync(bundle)) return false
  const built = Fs.statSync(bundle).mtimeMs
  return sources.every((relative) => {
    const directory = fileURLToPath(new URL(relative, import.meta.url))
    return !Fs.existsSync(directory) ||
      Fs.readdirSync(directory, { recursive: true }).every((file) =>
        Fs.statSync(`${directory}/${file}`).mtimeMs <= built
      )
  })
}

if (bundleIsFresh()) {
  await import(bundle.href)
} else {
  // workspace packages resolve to their sources, as with `node --conditions=source`
  Module.register(
    "data:text/javascript,export const resolve = (specifier, context, next) => " +
      "next(specifier, { ...context, conditions: [...new Set([...context.conditions, 'source'])] })"
  )
  const tsx = await import("tsx/esm/api")
  tsx.register()
  await import(new URL("../src/bin.ts", import.meta.url).href)
}
