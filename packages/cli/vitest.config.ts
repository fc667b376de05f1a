import { project } from "../../vitest.shared.js"

export default project({
  test: {
    name: "cli",
    // a PostgreSQL server for `rotate --journal postgres://...` (scripts/postgres.sh), as the durable package's
    // tests have, unless ACS_DURABLE_PG_URL is set
    globalSetup: ["../durable/test/globalSetup.ts"]
  }
})
