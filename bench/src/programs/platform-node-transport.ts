/**
 * Cold start and bundle size, the floor under our client: @effect/platform's HttpClient over NodeTransport
 * (execute, text, JSON.parse), no library. `node platform-node-transport.mjs <port>`
 */
import * as NodeTransport from "@effect-acs/core/NodeTransport"
import { platformCall } from "./platform.js"

platformCall("cold-platform-node-transport", NodeTransport.layer)
