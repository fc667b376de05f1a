#!/usr/bin/env bash
# Builds the API reference of every package with @effect/docgen (which type-checks every @example)
# and gathers it under docs/api/<package>.
set -euo pipefail
cd "$(dirname "$0")/.."
for config in packages/*/docgen.json contract-tests/docgen.json; do
  [ -f "$config" ] || continue
  dir=$(dirname "$config")
  name=$(basename "$dir")
  (cd "$dir" && pnpm exec docgen)
  rm -rf "docs/api/$name"
  mkdir -p docs/api
  cp -r "$dir/docs/modules" "docs/api/$name"
done
