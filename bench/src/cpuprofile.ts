/** Summarises a V8 `.cpuprofile`: self time per package and the top self-time functions. */

export interface CpuProfile {
  readonly nodes: ReadonlyArray<{
    readonly id: number
    readonly callFrame: {
      readonly functionName: string
      readonly url: string
      readonly lineNumber: number
      readonly columnNumber: number
    }
    readonly children?: ReadonlyArray<number>
  }>
  readonly startTime: number
  readonly endTime: number
  readonly samples: ReadonlyArray<number>
  readonly timeDeltas: ReadonlyArray<number>
}

export interface ProfileSummary {
  readonly totalMs: number
  readonly byPackage: ReadonlyArray<{ readonly name: string; readonly ms: number; readonly share: number }>
  readonly topFunctions: ReadonlyArray<
    { readonly name: string; readonly where: string; readonly pkg: string; readonly ms: number; readonly share: number }
  >
}

/** The package a script URL belongs to: the last `node_modules/<name>` in its path, or a workspace package. */
export const packageOf = (url: string): string => {
  if (url === "") return "(native / VM)"
  if (url.startsWith("node:")) return "node (built-in)"
  const path = decodeURIComponent(url.replace(/^file:\/\//, ""))
  const index = path.lastIndexOf("/node_modules/")
  if (index >= 0) {
    const rest = path.slice(index + "/node_modules/".length).split("/")
    return rest[0]!.startsWith("@") ? `${rest[0]}/${rest[1]}` : rest[0]!
  }
  const workspace = /\/(packages\/([^/]+)|bench|contract-tests)\//.exec(path)
  if (workspace !== null) {
    return workspace[2] !== undefined ? `@effect-acs/${workspace[2]}` : `@effect-acs/${workspace[1]}`
  }
  return path
}

const shortWhere = (url: string, line: number): string => {
  if (url === "") return ""
  const path = url.replace(/^file:\/\//, "")
  const index = path.lastIndexOf("/node_modules/")
  const short = index >= 0
    ? path.slice(index + "/node_modules/".length)
    : path.replace(/^.*\/(packages\/|bench\/)/, "$1")
  return `${short}:${line + 1}`
}

export const summarize = (profile: CpuProfile, top = 25): ProfileSummary => {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]))
  const self = new Map<number, number>()
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i]!
    self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0))
  }
  let total = 0
  const packages = new Map<string, number>()
  const functions = new Map<string, { name: string; where: string; pkg: string; micros: number }>()
  for (const [id, micros] of self) {
    const node = byId.get(id)
    if (node === undefined) continue
    const { columnNumber, functionName, lineNumber, url } = node.callFrame
    if (functionName === "(idle)") continue
    total += micros
    const pkg = packageOf(url)
    packages.set(pkg, (packages.get(pkg) ?? 0) + micros)
    const key = `${functionName}@${url}:${lineNumber}:${columnNumber}`
    const entry = functions.get(key) ??
      { name: functionName || "(anonymous)", where: shortWhere(url, lineNumber), pkg, micros: 0 }
    entry.micros += micros
    functions.set(key, entry)
  }
  return {
    totalMs: total / 1000,
    byPackage: [...packages].sort((a, b) => b[1] - a[1]).map(([name, micros]) => ({
      name,
      ms: micros / 1000,
      share: micros / total
    })),
    topFunctions: [...functions.values()].sort((a, b) => b.micros - a.micros).slice(0, top).map((entry) => ({
      name: entry.name,
      where: entry.where,
      pkg: entry.pkg,
      ms: entry.micros / 1000,
      share: entry.micros / total
    }))
  }
}
