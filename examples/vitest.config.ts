import { project } from "../vitest.shared.js"

export default project({ test: { name: "examples", testTimeout: 60_000 } })
