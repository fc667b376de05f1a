import type { CommunicationServices } from "@effect-acs/core"
import * as Predicate from "effect/Predicate"
import { FleetFileError } from "../CliError.js"

type Entry = CommunicationServices.ResourceInput

const isWhitespace = (c: string) => c === " " || c === "\t" || c === "\n" || c === "\r" || c === "\uFEFF"

/**
 * An incremental parser of a fleet file: text (one resource id a line; blank lines and `#` comments are
 * skipped) or a JSON array (detected by a first non-blank character `[`) of resource ids or
 * `{subscriptionId, resourceGroupName, communicationServiceName}` objects. It holds one line or one array
 * element at a time, whatever the size of the file. Throws `FleetFileError`.
 */
export class FleetParser {
  private mode: "unknown" | "text" | "json" = "unknown"
  // text
  private pending = ""
  private line = 0
  // json
  private state: "open" | "value" | "after" = "open"
  private buffer = ""
  /** The brackets open inside the current element. */
  private open: Array<string> = []
  private inString = false
  private escaped = false
  private element = 0
  private afterComma = false

  constructor(readonly path: string) {}

  push(chunk: string): Array<Entry> {
    const out: Array<Entry> = []
    let text = chunk
    if (this.mode === "unknown") {
      let i = 0
      while (i < text.length && isWhitespace(text[i]!)) i++
      if (i === text.length) {
        this.pending += text
        return out
      }
      this.mode = text[i] === "[" ? "json" : "text"
      text = this.pending + text
      this.pending = ""
    }
    if (this.mode === "text") this.text(text, out)
    else this.json(text, out)
    return out
  }

  end(): Array<Entry> {
    const out: Array<Entry> = []
    if (this.mode === "text") {
      if (this.pending !== "") this.textLine(this.pending, out)
      this.pending = ""
    } else if (this.mode === "json" && this.state !== "after") {
      throw this.fail("the JSON array is not closed (expected `]`)")
    }
    return out
  }

  private fail(reason: string, where?: { readonly line?: number; readonly element?: number }) {
    return new FleetFileError({ path: this.path, reason, ...where })
  }

  private text(text: string, out: Array<Entry>) {
    const lines = (this.pending + text).split("\n")
    this.pending = lines.pop()!
    for (const line of lines) this.textLine(line, out)
  }

  private textLine(raw: string, out: Array<Entry>) {
    this.line++
    const line = raw.replace(/^\uFEFF/, "").trim()
    if (line === "" || line.startsWith("#")) return
    if (/\s/.test(line)) {
      throw this.fail("expected one resource id a line (found whitespace inside the line)", { line: this.line })
    }
    out.push({ resourceId: line })
  }

  private json(text: string, out: Array<Entry>) {
    for (let i = 0; i < text.length; i++) {
      const c = text[i]!
      if (this.state === "open") {
        if (isWhitespace(c)) continue
        if (c !== "[") throw this.fail("expected a JSON array")
        this.state = "value"
        continue
      }
      if (this.state === "after") {
        if (isWhitespace(c)) continue
        throw this.fail("unexpected content after the JSON array")
      }
      // inside the array
      if (this.inString) {
        this.buffer += c
        if (this.escaped) this.escaped = false
        else if (c === "\\") this.escaped = true
        else if (c === "\"") this.inString = false
        continue
      }
      if (this.open.length === 0 && (c === "," || c === "]")) {
        const value = this.buffer.trim()
        this.buffer = ""
        if (value === "") {
          if (c === "]" && !this.afterComma) {
            this.state = "after"
            continue
          }
          throw this.fail(`unexpected \`${c}\`: expected a resource`, { element: this.element + 1 })
        }
        out.push(this.entry(value))
        this.afterComma = c === ","
        if (c === "]") this.state = "after"
        continue
      }
      if (this.buffer === "" && isWhitespace(c)) continue
      this.buffer += c
      if (c === "\"") this.inString = true
      else if (c === "{") this.open.push("}")
      else if (c === "[") this.open.push("]")
      else if ((c === "}" || c === "]") && this.open.pop() !== c) {
        throw this.fail("not valid JSON", { element: this.element + 1 })
      }
    }
  }

  private entry(text: string): Entry {
    const element = ++this.element
    let value: unknown
    try {
      value = JSON.parse(text)
    } catch {
      throw this.fail("not valid JSON", { element })
    }
    if (Predicate.isString(value)) return { resourceId: value }
    if (Predicate.isRecord(value)) {
      if (Predicate.isString(value.resourceId)) return { resourceId: value.resourceId }
      const { communicationServiceName, resourceGroupName, subscriptionId } = value
      if (
        Predicate.isString(subscriptionId) && Predicate.isString(resourceGroupName) &&
        Predicate.isString(communicationServiceName)
      ) {
        return { subscriptionId, resourceGroupName, communicationServiceName }
      }
    }
    throw this.fail(
      "expected a resource id (a string) or {subscriptionId, resourceGroupName, communicationServiceName}",
      { element }
    )
  }
}
