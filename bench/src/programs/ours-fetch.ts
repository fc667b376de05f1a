/** Cold start and bundle size, ours over FetchHttpClient. `node ours-fetch.mjs <port>` */
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import { coldCall } from "./cold.js"

coldCall("ours-fetch", FetchHttpClient.layer)
