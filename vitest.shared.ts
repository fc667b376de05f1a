import { defineProject, mergeConfig, type UserWorkspaceConfig } from "vitest/config"

/**
 * What every vitest project shares: workspace packages resolve to their TypeScript sources (the
 * `source` export condition), so tests never run stale build output.
 */
const shared: UserWorkspaceConfig = {
  resolve: { conditions: ["source", "module", "node", "import", "default"] },
  ssr: { resolve: { conditions: ["source", "module", "node", "import", "default"] } },
  // the machines are small and shared: generous timeouts, so that load cannot fail a test
  test: { include: ["test/**/*.test.ts"], testTimeout: 30_000, hookTimeout: 30_000 }
}

export const project = (config: UserWorkspaceConfig): UserWorkspaceConfig => defineProject(mergeConfig(shared, config))
