/**
 * What every cold-start program prints (one JSON line): when its modules were loaded and when the first response
 * arrived, in milliseconds since the process started, with the process CPU milliseconds at both points. No
 * imports, so that it adds nothing to any program's bundle.
 */

/** The local server's Regenerate Key URL for a cold-start program's own resource group. */
export const regenerateKeyUrl = (port: string, group: string) =>
  `http://127.0.0.1:${port}/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/${group}` +
  "/providers/Microsoft.Communication/communicationServices/acs-0/regenerateKey?api-version=2020-08-20"

/** When the modules were loaded (call it first thing); `firstResponse` prints both points as one JSON line. */
export const loaded = () => {
  const loadedMs = performance.now()
  const loadedCpu = process.cpuUsage()
  return {
    firstResponse: (ok: boolean) => {
      const firstResponseMs = performance.now()
      const cpu = process.cpuUsage()
      console.log(JSON.stringify({
        loadedMs,
        firstResponseMs,
        loadedCpuMs: (loadedCpu.user + loadedCpu.system) / 1000,
        firstResponseCpuMs: (cpu.user + cpu.system) / 1000,
        ok
      }))
    }
  }
}
