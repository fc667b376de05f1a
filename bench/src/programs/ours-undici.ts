/** Cold start and bundle size, ours over NodeHttpClient.layerUndici. `node ours-undici.mjs <port>` */
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import { coldCall } from "./cold.js"

coldCall("ours-undici", NodeHttpClient.layerUndici)
