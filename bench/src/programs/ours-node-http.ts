/** Cold start and bundle size, ours over NodeHttpClient (node:http, keep-alive Agent). `node ours-node-http.mjs <port>` */
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as Layer from "effect/Layer"
import { coldCall } from "./cold.js"

coldCall(
  "ours-node-http",
  NodeHttpClient.layerWithoutAgent.pipe(Layer.provide(NodeHttpClient.makeAgentLayer({ keepAlive: true })))
)
