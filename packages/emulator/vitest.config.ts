import { project } from "../../vitest.shared.js"

// the tests talk to real loopback servers: allow for a loaded machine
export default project({ test: { name: "emulator", testTimeout: 30_000 } })
