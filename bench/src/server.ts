/**
 * The local ARM stand-in, run as its own process so its CPU stays apart from the clients'.
 *
 * It answers `POST .../regenerateKey?api-version=2020-08-20` with the documented sample response and
 * ARM's response headers, keeps connections alive, and counts requests per resource group (each client
 * under test uses its own resource group, so counts can be checked per client). `GET /count` returns the
 * counts; `POST /reset` clears them. Started with `node server.mjs`; reports its port over IPC (or on
 * stdout when there is no IPC channel).
 */
import { randomUUID } from "node:crypto"
import * as Http from "node:http"

const body = JSON.stringify({
  primaryKey: "1234",
  primaryConnectionString: "endpoint=http://example.com;accesskey=1234"
})
const bodyLength = Buffer.byteLength(body)
const path =
  /^\/subscriptions\/[^/]+\/resourceGroups\/([^/]+)\/providers\/Microsoft\.Communication\/communicationServices\/[^/]+\/regenerateKey\?api-version=2020-08-20$/

const counts = new Map<string, number>()
let unmatched = 0

const server = Http.createServer((request, response) => {
  const url = request.url ?? ""
  if (request.method === "GET" && url === "/count") {
    const usage = process.cpuUsage()
    const text = JSON.stringify({ counts: Object.fromEntries(counts), unmatched, cpuMicros: usage.user + usage.system })
    response.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(text) })
    response.end(text)
    return
  }
  if (request.method === "POST" && url === "/reset") {
    counts.clear()
    unmatched = 0
    response.writeHead(204)
    response.end()
    return
  }
  const match = request.method === "POST" ? path.exec(url) : null
  // the request body is read in full before answering, as a real server would
  request.on("data", () => {})
  request.on("end", () => {
    if (match === null) {
      unmatched++
      response.writeHead(404, { "content-type": "application/json; charset=utf-8" })
      response.end("{\"error\":{\"code\":\"NotFound\",\"message\":\"no such route\"}}")
      return
    }
    const group = decodeURIComponent(match[1]!)
    counts.set(group, (counts.get(group) ?? 0) + 1)
    const requestId = randomUUID()
    const headers: Http.OutgoingHttpHeaders = {
      "content-type": "application/json; charset=utf-8",
      "content-length": bodyLength,
      "cache-control": "no-cache",
      "x-ms-request-id": requestId,
      "x-ms-correlation-request-id": requestId,
      "x-ms-ratelimit-remaining-subscription-writes": "1199"
    }
    const clientRequestId = request.headers["x-ms-client-request-id"]
    if (typeof clientRequestId === "string") headers["x-ms-client-request-id"] = clientRequestId
    response.writeHead(200, headers)
    response.end(body)
  })
})
// long idle timeouts: a socket closed by the server while a client reuses it would be a spurious failure
server.keepAliveTimeout = 120_000
server.headersTimeout = 130_000
server.requestTimeout = 0

server.listen(0, "127.0.0.1", () => {
  const address = server.address()
  const port = typeof address === "object" && address !== null ? address.port : 0
  if (process.send) process.send({ port })
  else console.log(JSON.stringify({ port }))
})

process.on("disconnect", () => process.exit(0))
process.on("SIGTERM", () => process.exit(0))
