/**
 * The real `acs-keys` as a child process (`node --import tsx --conditions=source src/bin.ts`, the sources
 * as they are), in a process group of its own as in a terminal, so that a signal can be sent the way a
 * terminal's Ctrl-C sends it: to the whole foreground group.
 */
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import * as FileSystem from "@effect/platform/FileSystem"
import * as Effect from "effect/Effect"
import * as ChildProcess from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"

const packageDirectory = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..")

export interface CliProcess {
  readonly pid: number
  readonly stdout: () => string
  readonly stderr: () => string
  /** Resolves when the process has exited, with its status or the signal that killed it. */
  readonly exited: Promise<{ readonly code: number | null; readonly signal: NodeJS.Signals | null }>
  /** Whether it has exited (its output is complete then). */
  readonly hasExited: () => boolean
  /** Sends a signal to the process's group (as a terminal does for Ctrl-C). */
  readonly signalGroup: (signal: NodeJS.Signals) => void
  /** Sends a signal to the process alone (SIGKILL from another terminal). */
  readonly signal: (signal: NodeJS.Signals) => void
}

/** Whether a process group has a member left (`kill(-pgid, 0)`: ESRCH when none). */
export const groupAlive = (pgid: number): boolean => {
  try {
    process.kill(-pgid, 0)
    return true
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ESRCH") return false
    throw error
  }
}

/** Waits until `predicate` holds (checked every 100 ms), failing after `timeoutMillis` with `what`. */
export const waitUntil = (what: string, predicate: () => boolean, timeoutMillis = 90_000): Effect.Effect<void> =>
  Effect.async<void>((resume) => {
    const deadline = Date.now() + timeoutMillis
    const check = () => {
      if (predicate()) return resume(Effect.void)
      if (Date.now() > deadline) return resume(Effect.dieMessage(`timed out waiting for ${what}`))
      timer = setTimeout(check, 100)
    }
    let timer = setTimeout(check, 0)
    return Effect.sync(() => clearTimeout(timer))
  })

/** Runs `acs-keys args` as a child process for the scope; it is killed (its whole group) when the scope closes. */
export const spawnCli = (args: ReadonlyArray<string>) =>
  Effect.acquireRelease(
    Effect.sync((): CliProcess => {
      const child = ChildProcess.spawn(
        process.execPath,
        ["--import", "tsx", "--conditions=source", path.join(packageDirectory, "src", "bin.ts"), ...args],
        { cwd: packageDirectory, detached: true, stdio: ["ignore", "pipe", "pipe"] }
      )
      let stdout = ""
      let stderr = ""
      child.stdout.setEncoding("utf8").on("data", (text: string) => stdout += text)
      child.stderr.setEncoding("utf8").on("data", (text: string) => stderr += text)
      let hasExited = false
      const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
        child.once("close", (code, signal) => {
          hasExited = true
          resolve({ code, signal })
        })
      )
      const pid = child.pid!
      return {
        pid,
        stdout: () => stdout,
        stderr: () => stderr,
        exited,
        hasExited: () => hasExited,
        signalGroup: (signal) => process.kill(-pid, signal),
        signal: (signal) => process.kill(pid, signal)
      }
    }),
    (cli) =>
      Effect.sync(() => {
        try {
          process.kill(-cli.pid, "SIGKILL")
        } catch {
          // gone already
        }
      })
  )

/** Waits for the process to exit. */
export const exitOf = (cli: CliProcess) => Effect.promise(() => cli.exited)

/**
 * A directory for the scope, with a publish command that records, for every key it is given, what it
 * received (`<name>.<keyType>`, written once its input ended) and its process group (`<name>.<keyType>.pgid`,
 * one line per run), then runs `then` (shell code; `$name` is `<name>.<keyType>`). Process groups it
 * recorded are killed when the scope closes, whatever the test did.
 */
export const publishWorkspace = (then: string) =>
  Effect.gen(function*() {
    const files = yield* FileSystem.FileSystem
    const directory = yield* files.makeTempDirectoryScoped({ prefix: "acs-keys-signals-" })
    const script = path.join(directory, "publish.sh")
    yield* files.writeFileString(
      script,
      [
        `dir='${directory}'`,
        `name="$(basename "$ACS_RESOURCE_ID").$ACS_KEY_TYPE"`,
        `ps -o pgid= -p $$ | tr -d ' ' >> "$dir/$name.pgid"`,
        `cat > "$dir/$name.tmp"`,
        `mv "$dir/$name.tmp" "$dir/$name"`,
        then,
        ""
      ].join("\n")
    )
    const file = (name: string) => path.join(directory, name)
    const read = (name: string): string | undefined =>
      fs.existsSync(file(name)) ? fs.readFileSync(file(name), "utf8") : undefined
    const pgids = (name: string): Array<number> =>
      (read(`${name}.pgid`) ?? "").split("\n").filter((line) => line !== "").map(Number)
    yield* Effect.addFinalizer(() =>
      Effect.sync(() => {
        for (const entry of fs.readdirSync(directory)) {
          if (!entry.endsWith(".pgid")) continue
          for (const pgid of pgids(entry.slice(0, -".pgid".length))) {
            try {
              process.kill(-pgid, "SIGKILL")
            } catch {
              // gone
            }
          }
        }
      })
    )
    return { directory, command: `sh '${script}'`, file, read, pgids }
  }).pipe(Effect.provide(NodeFileSystem.layer))
