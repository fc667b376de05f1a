import * as effectEslint from "@effect/eslint-plugin"
import eslint from "@eslint/js"
import * as tseslint from "typescript-eslint"

export default tseslint.config(
  {
    ignores: [
      "**/build/**",
      "**/node_modules/**",
      "**/coverage/**",
      "docs/api/**",
      "packages/*/docs/**",
      "contract-tests/docs/**",
      "**/*.md"
    ]
  },
  eslint.configs.recommended,
  tseslint.configs.strict,
  effectEslint.configs.dprint,
  {
    languageOptions: {
      parser: tseslint.parser,
      ecmaVersion: 2022,
      sourceType: "module"
    },
    rules: {
      "no-fallthrough": "off",
      "no-irregular-whitespace": "off",
      "object-shorthand": "error",
      "prefer-destructuring": "off",
      "sort-imports": "off",
      "no-unused-vars": "off",
      "prefer-rest-params": "off",
      "prefer-spread": "off",
      "@typescript-eslint/array-type": ["warn", { default: "generic", readonly: "generic" }],
      "@typescript-eslint/no-non-null-assertion": "off",
      "@typescript-eslint/no-explicit-any": "off",
      "@typescript-eslint/no-empty-object-type": "off",
      "@typescript-eslint/consistent-type-imports": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/no-namespace": "off",
      "@typescript-eslint/no-invalid-void-type": "off",
      "@typescript-eslint/unified-signatures": "off",
      "@typescript-eslint/no-extraneous-class": "off",
      "@effect/dprint": ["error", {
        config: {
          indentWidth: 2,
          lineWidth: 120,
          semiColons: "asi",
          quoteStyle: "alwaysDouble",
          trailingCommas: "never",
          operatorPosition: "maintain",
          "arrowFunction.useParentheses": "force"
        }
      }]
    }
  },
  {
    // library code imports module subpaths, never a barrel (start-up time and bundle size)
    files: ["packages/*/src/**/*.ts", "contract-tests/src/**/*.ts"],
    rules: {
      "@effect/no-import-from-barrel-package": ["error", {
        packageNames: ["effect", "@effect/platform", "@effect/platform-node", "@effect/cli"]
      }],
      "no-restricted-imports": ["error", {
        paths: [
          { name: "effect", message: "Import from a module subpath (effect/Effect, effect/Schema, ...)." },
          { name: "@effect/platform", message: "Import from a module subpath (@effect/platform/HttpClient, ...)." }
        ]
      }]
    }
  }
)
