/**
 * The help of `acs-keys` and of each command, from `spec.ts`: every usage line starts with `acs-keys`, every
 * option has its description and its default, and headings are bold only when `color` is set (a terminal
 * without `NO_COLOR`). Light to load: `--help` needs nothing else.
 */
import type * as Argv from "./argv.js"
import * as Spec from "./spec.js"
import { version } from "./version.js"

/** Words of `text` as lines of at most `width` columns, each after `indent`. */
const wrap = (text: string, indent: string, width: number): string => {
  const lines: Array<string> = []
  let line = ""
  for (const word of text.split(/\s+/).filter((w) => w !== "")) {
    if (line !== "" && indent.length + line.length + 1 + word.length > width) {
      lines.push(line)
      line = word
    } else {
      line = line === "" ? word : `${line} ${word}`
    }
  }
  if (line !== "") lines.push(line)
  return lines.map((l) => `${indent}${l}\n`).join("")
}

const flagTitle = (flag: Spec.Flag) =>
  [
    ...(flag.aliases ?? []).filter((a) => a.length === 1),
    flag.name,
    ...(flag.aliases ?? []).filter((a) => a.length > 1)
  ]
    .map(Spec.spelling).join(", ") +
  (flag.value === undefined ? "" : ` ${flag.value}`) +
  (flag.repeated === true ? " ..." : "")

const flagsText = (flags: ReadonlyArray<Spec.Flag>, width: number, bold: (s: string) => string) =>
  flags.map((flag) =>
    `  ${bold(flagTitle(flag))}\n` + wrap(flag.description, "      ", width) +
    wrap(`default: ${flag.default}`, "      ", width)
  ).join("")

export interface HelpOptions {
  readonly color: boolean
  readonly columns: number
}

/** The help of `command` (of `acs-keys` itself when `undefined`). */
export const render = (command: Spec.Command | undefined, options: HelpOptions): string => {
  const width = Math.max(60, Math.min(options.columns, 120))
  const bold = (text: string) => options.color ? `\x1b[1m${text}\x1b[0m` : text
  const section = (title: string, body: string) => `${bold(title)}\n${body}\n`
  if (command === undefined) {
    const nameWidth = Math.max(...Spec.commands.map((c) => c.name.length))
    return `acs-keys ${version}\n\n` +
      wrap(
        "Regenerate, list and rotate the access keys of Azure Communication Services resources, or run the local " +
          "emulator.",
        "",
        width
      ) + "\n" +
      section("USAGE", "  acs-keys <command> [options]\n  acs-keys --help | --version\n") +
      section(
        "COMMANDS",
        Spec.commands.map((c) => {
          const hanging = " ".repeat(nameWidth + 4)
          const summary = `${c.description.split(/(?<=\.) /)[0]}${
            c.aliases.length === 0 ? "" : ` Alias: acs-keys ${c.aliases.join(", acs-keys ")}.`
          }`
          // the name, then the summary wrapped under itself
          return `  ${bold(c.name.padEnd(nameWidth))}  ${wrap(summary, hanging, width).slice(hanging.length)}`
        }).join("")
      ) +
      section("GLOBAL OPTIONS", flagsText(Spec.globalFlags, width, bold)) +
      "Run acs-keys <command> --help for the options of a command.\n"
  }
  const names = [command.name, ...command.aliases]
  return `acs-keys ${command.name} (acs-keys ${version})\n\n` +
    section("USAGE", names.map((name) => `  acs-keys ${name} ${command.usage}\n`).join("")) +
    section("DESCRIPTION", wrap(command.description, "  ", width)) +
    section("OPTIONS", flagsText(command.flags, width, bold)) +
    section("GLOBAL OPTIONS", flagsText(Spec.globalFlags, width, bold)) +
    section("EXAMPLES", command.examples.map((example) => `  ${example}\n`).join("")).trimEnd() + "\n"
}

/** What `--help` or `--version` prints. */
export const answer = (plan: Argv.Plan & { readonly _tag: "Help" | "Version" }, options: HelpOptions): string =>
  plan._tag === "Version" ? `${version}\n` : render(plan.command, options)
