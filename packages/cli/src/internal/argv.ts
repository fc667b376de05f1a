/**
 * The command line read before `@effect/cli` sees it: the subcommand's az-style alias replaced by its name,
 * `--help` and `--version` answered, and an unknown command, option or argument reported first, by name, with
 * a suggestion (before any complaint about what is missing). Pure, and light to load (see `spec.ts`).
 */
import * as Spec from "./spec.js"

export type Plan =
  /** Hand these arguments (subcommand alias resolved) to `@effect/cli`. */
  | { readonly _tag: "Run"; readonly args: ReadonlyArray<string> }
  /** Print the help of this command (of `acs-keys` itself when `undefined`). */
  | { readonly _tag: "Help"; readonly command: Spec.Command | undefined }
  | { readonly _tag: "Version" }
  /** A usage error; `reason` may quote what was typed (mask it before printing). */
  | { readonly _tag: "Usage"; readonly reason: string }

export const missingCommand = "missing command: regenerate, list, rotate or emulator (see acs-keys --help)"

/** The edit distance of two short strings (Levenshtein). */
const distance = (a: string, b: string): number => {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i)
  for (let i = 1; i <= a.length; i++) {
    const current = [i]
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1))
    }
    previous = current
  }
  return previous[b.length]!
}

/** The closest candidate, if it is close enough to be what was meant (a prefix, or a typo or two). */
export const suggest = (typed: string, candidates: ReadonlyArray<string>): string | undefined => {
  let best: string | undefined
  let bestDistance = Infinity
  for (const candidate of candidates) {
    const d = candidate.startsWith(typed) && typed.length >= 3 ? 0.5 : distance(typed, candidate)
    if (d < bestDistance) {
      best = candidate
      bestDistance = d
    }
  }
  return best !== undefined && bestDistance <= Math.max(2, Math.floor(typed.length / 3)) ? best : undefined
}

const didYouMean = (suggestion: string | undefined) => suggestion === undefined ? "" : `; did you mean ${suggestion}?`

/** Every spelling of every flag, to the flag. */
const spellings = (flags: ReadonlyArray<Spec.Flag>): Map<string, Spec.Flag> => {
  const map = new Map<string, Spec.Flag>()
  for (const flag of flags) {
    for (const name of [flag.name, ...(flag.aliases ?? [])]) map.set(Spec.spelling(name), flag)
  }
  return map
}

const isOption = (token: string) => token.startsWith("-") && token.length > 1 && !/^-\d/.test(token)

/** Reads the command line (the arguments after the executable). */
export const plan = (args: ReadonlyArray<string>): Plan => {
  const globals = spellings(Spec.globalFlags)
  let command: Spec.Command | undefined
  let commandIndex = -1
  let help = false
  let version = false
  for (let i = 0; i < args.length; i++) {
    const token = args[i]!
    if (token === "--") break
    if (!isOption(token)) {
      if (command !== undefined) {
        return {
          _tag: "Usage",
          reason:
            `unexpected argument "${token}": acs-keys ${command.name} takes options only (see acs-keys ${command.name} --help)`
        }
      }
      command = Spec.commandNamed(token)
      if (command === undefined) {
        const names = Spec.commands.flatMap((c) => [c.name, ...c.aliases])
        return {
          _tag: "Usage",
          reason: `unknown command "${token}"${didYouMean(suggest(token, names))} (commands: ${
            Spec.commands.map((c) => c.name).join(", ")
          })`
        }
      }
      commandIndex = i
      continue
    }
    const known = command === undefined ? globals : new Map([...globals, ...spellings(command.flags)])
    const equals = token.indexOf("=")
    const spelled = token.startsWith("--") && equals > 0 ? token.slice(0, equals) : token
    const flag = known.get(spelled)
    if (flag === undefined) {
      const where = command === undefined ? "acs-keys" : `acs-keys ${command.name}`
      const first = command === undefined && Spec.commands.some((c) => spellings(c.flags).has(spelled))
        ? "; options go after the command (acs-keys <command> [options])"
        : didYouMean(suggest(spelled, [...known.keys()].filter((name) => name.startsWith("--"))))
      return { _tag: "Usage", reason: `unknown option ${spelled} for ${where}${first}` }
    }
    if (flag.name === "help") help = true
    if (flag.name === "version") version = true
    const value = flag.value === undefined ? undefined : spelled === token ? args[i + 1] : token.slice(equals + 1)
    if (flag.choices !== undefined && value !== undefined && !flag.choices.includes(value)) {
      return {
        _tag: "Usage",
        reason: `invalid value "${value}" for ${spelled}: expected ${flag.choices.join(", ")}${
          didYouMean(suggest(value, flag.choices))
        }`
      }
    }
    // an option's value is not an option, whatever it looks like
    if (flag.value !== undefined && spelled === token) i++
  }
  if (help) return { _tag: "Help", command }
  if (version) return { _tag: "Version" }
  if (command === undefined) {
    return args.some((token) => token.startsWith("--completions")) ?
      { _tag: "Run", args } :
      { _tag: "Usage", reason: missingCommand }
  }
  const rewritten = [...args]
  rewritten[commandIndex] = command.name
  return { _tag: "Run", args: rewritten }
}
