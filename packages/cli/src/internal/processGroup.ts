import * as ChildProcess from "node:child_process"

/**
 * A shell command in a process group of its own, tied to the life of this process.
 *
 * On Unix the command is started by a small `/bin/sh` wrapper, spawned detached (a new session, so a new
 * process group whose id is the wrapper's pid, and no controlling terminal: a Ctrl-C in the terminal does
 * not reach it). The wrapper first starts a watchdog in the same group that reads file descriptor 3, the
 * read end of a pipe (a socket pair) whose other end only this process holds; it never writes to it. When
 * this process is gone, however it died (even by SIGKILL), the kernel closes its end, the watchdog reads
 * end of file and kills its whole process group. Then the wrapper runs the command through `/bin/sh -c`,
 * with descriptor 3 closed, and exits with its status.
 *
 * When the wrapper exits, the group is killed (what the command left running in the background goes
 * with it), and our end of the pipe is closed. `kill` kills the group at any time (a timeout, an
 * interruption, a forced exit).
 */
const wrapper = "( read -r _ <&3; kill -9 0 ) </dev/null >/dev/null 2>&1 &\n/bin/sh -c \"$1\" 3<&-\n"

export interface Started {
  readonly child: ChildProcess.ChildProcess
  /** Kills the whole group (once its wrapper is gone, only what is left of it). Never throws. */
  readonly kill: (signal?: NodeJS.Signals) => void
}

/** The groups running now (their ids), for a forced exit. */
const running = new Map<number, Started>()

const isWindows = process.platform === "win32"

/** Starts `command` in a process group of its own (see above); the caller listens to the child's events. */
export const spawn = (command: string, env: NodeJS.ProcessEnv): Started => {
  const child = isWindows
    ? ChildProcess.spawn(command, { shell: true, env, stdio: ["pipe", "pipe", "pipe"], windowsHide: true })
    : ChildProcess.spawn("/bin/sh", ["-c", wrapper, "acs-keys-publish", command], {
      detached: true,
      env,
      stdio: ["pipe", "pipe", "pipe", "pipe"]
    })
  // a command that does not read its input, and the watchdog's end of the lifeline, may close first
  child.stdin?.on("error", () => {})
  const lifelineStream = child.stdio[3]
  if (lifelineStream !== undefined && lifelineStream !== null) lifelineStream.on("error", () => {})
  const pid = child.pid
  const kill = (signal: NodeJS.Signals = "SIGKILL") => {
    if (pid === undefined) return
    try {
      if (isWindows) child.kill(signal)
      else process.kill(-pid, signal)
    } catch {
      // ESRCH: the group is gone already
    }
  }
  const started: Started = { child, kill }
  if (pid !== undefined) {
    running.set(pid, started)
    child.once("exit", () => {
      // the command is done: what it left running goes with its group; our end of the lifeline closes
      kill("SIGKILL")
      running.delete(pid)
      if (lifelineStream !== undefined && lifelineStream !== null && "destroy" in lifelineStream) {
        lifelineStream.destroy()
      }
    })
  }
  return started
}

/** Kills every running group (a forced exit); returns how many there were. */
export const killAll = (): number => {
  const groups = [...running.values()]
  for (const group of groups) group.kill("SIGKILL")
  return groups.length
}
