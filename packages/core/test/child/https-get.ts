/**
 * Run in a child process by NodeTransport.test.ts, started with `NODE_EXTRA_CA_CERTS` naming the test's
 * certificate (a process reads it only when it starts): GETs the URL given `count` times, one after the
 * other, over one NodeTransport, and prints one JSON line: each response's status and body, or the error.
 *
 *   node --conditions=source --import tsx https-get.ts <url> <count>
 */
import { NodeTransport } from "@effect-acs/core"
import * as Effect from "effect/Effect"

const [url = "", count = "1"] = process.argv.slice(2)

const program = Effect.gen(function*() {
  const http = yield* NodeTransport.make()
  const responses: Array<{ readonly status: number; readonly body: string }> = []
  for (let i = 0; i < Number(count); i++) {
    const response = yield* http.get(`${url}/${i}`)
    responses.push({ status: response.status, body: yield* response.text })
  }
  return responses
})

Effect.runPromise(Effect.scoped(program)).then(
  (responses) => process.stdout.write(`${JSON.stringify({ responses })}\n`),
  (error: unknown) => process.stdout.write(`${JSON.stringify({ error: String(error) })}\n`)
)
