/** Cold start and bundle size, ours over NodeTransport.layer (the recommended Node transport). `node ours-node-transport.mjs <port>` */
import * as NodeTransport from "@effect-acs/core/NodeTransport"
import { coldCall } from "./cold.js"

coldCall("ours-node-transport", NodeTransport.layer)
