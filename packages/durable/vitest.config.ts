import { defineProject } from "vitest/config"

// not `project` of vitest.shared.ts: its `import` resolve condition reaches node's own loader, where pg's
// `require("pg-pool")` then loads pg-pool's ES module and fails; the workspace's sources still resolve through
// `source`
const conditions = ["source", "node", "default"]

export default defineProject({
  resolve: { conditions },
  ssr: { resolve: { conditions } },
  test: {
    name: "durable",
    // a PostgreSQL server for the tests that need one (scripts/postgres.sh), unless ACS_DURABLE_PG_URL is set
    globalSetup: ["test/globalSetup.ts"],
    include: ["test/**/*.test.ts"],
    // real loopback servers, child processes and a database on a small shared machine
    testTimeout: 120_000,
    hookTimeout: 120_000
  }
})
