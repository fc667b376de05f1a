import { execFileSync } from "node:child_process"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import type { TestProject } from "vitest/node"

declare module "vitest" {
  export interface ProvidedContext {
    /** The PostgreSQL URL for the tests, or why there is none. */
    readonly postgres: { readonly url: string } | { readonly error: string }
  }
}

const script = fileURLToPath(new URL("../../../scripts/postgres.sh", import.meta.url))

/**
 * Starts a PostgreSQL server with scripts/postgres.sh for the durable tests, unless ACS_DURABLE_PG_URL names one
 * already (CI may start it itself). When it cannot start, the tests that need it fail saying why.
 */
export default function setup(project: TestProject) {
  const given = process.env.ACS_DURABLE_PG_URL
  if (given !== undefined && given !== "") {
    project.provide("postgres", { url: given })
    return
  }
  const state = mkdtempSync(join(tmpdir(), "acs-durable-pg-state-"))
  const env = { ...process.env, ACS_PG_STATE: state }
  try {
    const output = execFileSync("bash", [script, "start"], { env, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] })
    const url = /ACS_DURABLE_PG_URL=(\S+)/.exec(output)?.[1]
    project.provide("postgres", url === undefined ? { error: `postgres.sh printed no URL: ${output}` } : { url })
  } catch (error) {
    const stderr = typeof error === "object" && error !== null && "stderr" in error ? String(error.stderr) : ""
    project.provide("postgres", { error: `scripts/postgres.sh start failed: ${stderr || String(error)}` })
  }
  return () => {
    try {
      execFileSync("bash", [script, "stop"], { env, stdio: "ignore" })
    } finally {
      rmSync(state, { recursive: true, force: true })
    }
  }
}
