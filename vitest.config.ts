import { defineConfig } from "vitest/config"

export default defineConfig({
  test: {
    projects: [
      "packages/*/vitest.config.ts",
      "contract-tests/vitest.config.ts",
      "e2e/vitest.config.ts",
      "examples/vitest.config.ts"
    ]
  }
})
