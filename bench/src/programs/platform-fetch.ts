/**
 * Bundle size only: @effect/platform's HttpClient over its smallest transport, FetchHttpClient (Node's own
 * fetch), making one call (execute, text, JSON.parse), no library: the platform's own floor.
 * `node platform-fetch.mjs <port>`
 */
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import { platformCall } from "./platform.js"

platformCall("cold-platform-fetch", FetchHttpClient.layer)
