import { project } from "../vitest.shared.js"

// real loopback servers: allow for a loaded machine
export default project({ test: { name: "e2e", testTimeout: 60_000 } })
