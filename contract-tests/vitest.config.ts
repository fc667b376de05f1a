import { project } from "../vitest.shared.js"

// msw patches process-wide globals (fetch, node:http, node:https): the files of this project run one after
// another in a single forked process (tests within a file run sequentially by default), so that no two
// replays ever intercept the same process at once.
export default project({
  test: {
    name: "contract-tests",
    pool: "forks",
    poolOptions: { forks: { singleFork: true } }
  }
})
