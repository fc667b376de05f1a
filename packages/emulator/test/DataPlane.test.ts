/**
 * The emulator's data plane over real loopback HTTP (node:http as the client, and the HMAC made here with
 * node:crypto, apart from the emulator's own code): a probe signed with a live key is accepted, one signed
 * with any other key, too old a date or a body that does not match its hash is refused, and connection
 * strings point at the emulator.
 */
import { Emulator } from "@effect-acs/emulator"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import { createHash, createHmac } from "node:crypto"
import * as Http from "node:http"
import { resource, respond } from "./helpers.js"

const probe = "phoneNumbers?top=1&api-version=2022-12-01"

/** Sends the probe to `endpoint`, signed with `key` at `date`; the status and body it got. */
const get = (endpoint: string, key: string, options: { date?: Date; body?: string; hashOf?: string } = {}) =>
  Effect.async<{ status: number; body: string }>((resume) => {
    const url = new URL(probe, endpoint)
    const date = (options.date ?? new Date()).toUTCString()
    const body = options.body ?? ""
    const hash = createHash("sha256").update(options.hashOf ?? body).digest("base64")
    const signature = createHmac("sha256", Buffer.from(key, "base64"))
      .update(`GET\n${url.pathname}${url.search}\n${date};${url.host};${hash}`)
      .digest("base64")
    const request = Http.request(url, {
      method: "GET",
      headers: {
        "x-ms-date": date,
        "x-ms-content-sha256": hash,
        "content-length": String(Buffer.byteLength(body)),
        authorization: `HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=${signature}`
      }
    }, (response) => {
      const chunks: Array<Buffer> = []
      response.on("data", (chunk: Buffer) => chunks.push(chunk))
      response.on(
        "end",
        () => resume(Effect.succeed({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString() }))
      )
    })
    request.on("error", (error) => resume(Effect.die(error)))
    request.end(body)
  })

const endpointOf = (connectionString: Redacted.Redacted<string>) =>
  /endpoint=([^;]+);/.exec(Redacted.value(connectionString))![1]!

describe("Emulator data plane", () => {
  it.scopedLive("accepts the probe signed with either live key; connection strings point at the emulator", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.make({ resources: [resource], dataPlane: true, throttle: false })
      const keys = yield* emulator.keys(resource)
      const endpoint = endpointOf(keys.primaryConnectionString)
      assert.strictEqual(endpoint, `${emulator.url}/acs/${resource.subscriptionId}/MyResourceGroup/my-acs/`)
      assert.strictEqual(endpointOf(keys.secondaryConnectionString), endpoint)
      for (const key of [keys.primaryKey, keys.secondaryKey]) {
        const answer = yield* get(endpoint, Redacted.value(key))
        assert.strictEqual(answer.status, 200)
        assert.deepStrictEqual(JSON.parse(answer.body), { phoneNumbers: [] })
      }
      // the ARM answers carry the same connection strings
      const listed = yield* respond(emulator, { operation: "listKeys" })
      assert.strictEqual(endpointOf(Redacted.make(String(listed.body.primaryConnectionString))), endpoint)
    }))

  it.scopedLive("refuses another key, a replaced key, a stale date and a body that is not the one hashed", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.make({ resources: [resource], dataPlane: true, throttle: false })
      const keys = yield* emulator.keys(resource)
      const endpoint = endpointOf(keys.secondaryConnectionString)
      const secondary = Redacted.value(keys.secondaryKey)
      const refused = (answer: { status: number; body: string }) => {
        assert.strictEqual(answer.status, 401, answer.body)
        assert.strictEqual(JSON.parse(answer.body).error.code, "Denied")
        assert.notInclude(answer.body, secondary)
      }
      refused(yield* get(endpoint, Buffer.from("not a key of this resource").toString("base64")))
      refused(yield* get(endpoint, secondary, { date: new Date(Date.now() - 16 * 60 * 1000) }))
      refused(yield* get(endpoint, secondary, { date: new Date(Date.now() + 16 * 60 * 1000) }))
      refused(yield* get(endpoint, secondary, { body: "{}", hashOf: "" }))
      assert.strictEqual((yield* get(endpoint, secondary, { date: new Date(Date.now() - 14 * 60 * 1000) })).status, 200)
      // once the key is regenerated, the one it replaced is refused and the new one accepted
      const regenerated = yield* respond(emulator, { operation: "regenerateKey", body: { keyType: "Secondary" } })
      assert.strictEqual(regenerated.status, 200)
      refused(yield* get(endpoint, secondary))
      assert.strictEqual((yield* get(endpoint, String(regenerated.body.secondaryKey))).status, 200)
    }))

  it.scopedLive("without dataPlane there is no data plane, and connection strings keep the service's endpoint", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.make({ resources: [resource], throttle: false })
      const keys = yield* emulator.keys(resource)
      assert.strictEqual(endpointOf(keys.primaryConnectionString), "https://my-acs.communication.azure.com/")
      const answer = yield* get(
        `${emulator.url}/acs/${resource.subscriptionId}/MyResourceGroup/my-acs/`,
        Redacted.value(keys.primaryKey)
      )
      assert.strictEqual(answer.status, 404)
    }))

  it.scopedLive("an unknown resource's data plane is 404", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.make({ resources: [resource], dataPlane: true, throttle: false })
      const answer = yield* get(`${emulator.url}/acs/${resource.subscriptionId}/MyResourceGroup/nope/`, "a2V5")
      assert.strictEqual(answer.status, 404)
    }))
})
