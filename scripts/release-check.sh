#!/usr/bin/env bash
# The release as a user gets it: packs every published package (prepack builds it), lints the tarballs
# (publint --strict, attw --profile esm-only), installs them into a scratch project outside the repository
# with the install commands of docs/getting-started.md as they are written (the @effect-acs packages
# redirected to the tarballs, everything else from the registry), runs the guide's program against the
# emulator, then the packed acs-keys (--version, and list against its own emulator, -o tsv --query).
# Called by .ci/run after `pnpm test`; run it alone with `bash scripts/release-check.sh`.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
cd "$repo"
started=$SECONDS
step() { echo "release-check: $* ($((SECONDS - started)) s)"; }

work="$(mktemp -d "${TMPDIR:-/tmp}/effect-acs-release.XXXXXX")"
emulator_pid=""
cleanup() {
  if [ -n "$emulator_pid" ]; then kill "$emulator_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
tarballs="$work/tarballs"
mkdir -p "$tarballs"

packages=(@effect-acs/schema @effect-acs/core @effect-acs/emulator @effect-acs/contract-tests @effect-acs/durable @effect-acs/cli)
step "packing ${packages[*]}"
for package in "${packages[@]}"; do
  pnpm --filter "$package" pack --pack-destination "$tarballs" >/dev/null
done

for tarball in "$tarballs"/*.tgz; do
  step "linting $(basename "$tarball")"
  # no "source" condition (it points at TypeScript files) may reach a tarball
  if tar -xzOf "$tarball" package/package.json | grep -q '"source"'; then
    echo "release-check: $(basename "$tarball") still has the \"source\" export condition" >&2
    exit 1
  fi
  pnpm exec publint run --strict "$tarball" | grep -v '^\(Running\|Unpacking\|Linting\)'
  # every module of the "./*" pattern too, not only the package root
  mapfile -t modules < <(tar -tzf "$tarball" | sed -n 's|^package/build/esm/\([A-Za-z]*\)\.d\.ts$|./\1|p' | grep -v '^./\(index\|bin\)$')
  pnpm exec attw --profile esm-only --format ascii --no-color --no-emoji --include-entrypoints "${modules[@]}" -- "$tarball" |
    grep -v '^\s*$'

done

# ---------------------------------------------------------------------------------------------------------
# a consumer, as docs/getting-started.md sets one up
# ---------------------------------------------------------------------------------------------------------
consumer="$work/consumer"
mkdir -p "$consumer"
node - "$consumer" "$tarballs" <<'EOF'
const fs = require("node:fs")
const path = require("node:path")
const [consumer, tarballs] = process.argv.slice(2)
// @effect-acs/* are not on the registry yet: every reference to one (direct or transitive) is the local tarball
const overrides = {}
for (const file of fs.readdirSync(tarballs)) {
  const name = file.match(/^effect-acs-(.+)-\d+\.\d+\.\d+\.tgz$/)[1]
  overrides[`@effect-acs/${name}`] = `file:${path.join(tarballs, file)}`
}
// a consumer allows better-sqlite3's build (pnpm asks for it) for acs-keys --journal's SQLite
fs.writeFileSync(path.join(consumer, "package.json"), JSON.stringify({
  name: "consumer", private: true, type: "module", pnpm: { overrides, onlyBuiltDependencies: ["better-sqlite3"] }
}, null, 2))
EOF

guide="$repo/docs/getting-started.md"
# the install commands: the `pnpm add` lines of the guide's "Install" section
mapfile -t installs < <(awk '/^## Install/{on=1; next} /^## /{on=0} on && /^pnpm add /' "$guide")
if [ "${#installs[@]}" -eq 0 ]; then
  echo "release-check: no pnpm add command in the Install section of $guide" >&2
  exit 1
fi
for command in "${installs[@]}"; do
  step "in the consumer: $command"
  (cd "$consumer" && eval "$command" >/dev/null)
done
node -e '
const p = require(process.argv[1] + "/node_modules/effect/package.json")
if (!p.version.startsWith("3.")) { console.error(`effect ${p.version} installed: not the Effect 3 line`); process.exit(1) }
' "$consumer"

# the guide's programs, as the guide shows them (each block after "From [`examples/src/<name>.ts`]"),
# without their types (esbuild, no bundling: imports resolve in the consumer's node_modules)
node - "$guide" "$consumer" "$repo/packages/cli" <<'EOF'
const fs = require("node:fs")
const path = require("node:path")
const { createRequire } = require("node:module")
const [guide, consumer, cli] = process.argv.slice(2)
const esbuild = createRequire(path.join(cli, "package.json"))("esbuild")
const text = fs.readFileSync(guide, "utf8")
const blocks = [...text.matchAll(/From \[`examples\/src\/([\w-]+)\.ts`\][^\n]*\n\n```ts\n([\s\S]*?)\n```/g)]
if (blocks.length === 0) throw new Error("no program in the guide")
for (const [, name, source] of blocks) {
  const { code } = esbuild.transformSync(source, { loader: "ts", format: "esm", target: "node20" })
  fs.writeFileSync(path.join(consumer, `${name}.js`), code)
}
console.log(`release-check: the guide's programs: ${blocks.map(([, name]) => name).join(", ")}`)
EOF
step "running the guide's emulator program"
output="$(cd "$consumer" && node emulator-quickstart.js 2>&1)"
echo "$output"
if ! grep -q "the Secondary key received is live" <<<"$output"; then
  echo "release-check: the guide's program did not regenerate a live key through the emulator" >&2
  exit 1
fi

# ---------------------------------------------------------------------------------------------------------
# the packed acs-keys, installed as a user installs it
# ---------------------------------------------------------------------------------------------------------
step "installing the packed acs-keys"
(cd "$consumer" && pnpm add @effect-acs/cli >/dev/null)
acs_keys="$consumer/node_modules/.bin/acs-keys"
version="$("$acs_keys" --version)"
expected="$(node -p 'require("./packages/cli/package.json").version')"
if [ "$version" != "$expected" ]; then
  echo "release-check: acs-keys --version printed '$version', not $expected" >&2
  exit 1
fi
id=/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.Communication/communicationServices/acs
"$acs_keys" emulator --resource "$id" --json >"$work/emulator.json" 2>"$work/emulator.err" &
emulator_pid=$!
for _ in $(seq 1 100); do
  if grep -q '"url"' "$work/emulator.json" 2>/dev/null; then break; fi
  sleep 0.1
done
url="$(node -p 'JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).url' "$work/emulator.json")"
line="$("$acs_keys" list-key --ids "$id" --endpoint "$url" --query primaryConnectionString -o tsv)"
if [ "$line" != "<redacted>" ]; then
  echo "release-check: acs-keys list-key --query primaryConnectionString -o tsv printed '$line'" >&2
  exit 1
fi
shown="$("$acs_keys" list-key --ids "$id" --endpoint "$url" --query primaryConnectionString -o tsv --show-secrets)"
case "$shown" in
  endpoint=*";accesskey="*) ;;
  *) echo "release-check: --show-secrets did not print a connection string" >&2; exit 1 ;;
esac
step "a journaled fleet run with the packed acs-keys (SQLite), run twice"
printf '%s\n' "$id" >"$work/ids.txt"
journaled=("$acs_keys" rotate --from-file "$work/ids.txt" --journal "$work/rotation.db" --endpoint "$url"
  --publish-command "cat >/dev/null")
first="$("${journaled[@]}" 2>"$work/journal.err")" || { cat "$work/journal.err" >&2; exit 1; }
again="$("${journaled[@]}" 2>>"$work/journal.err")" || { cat "$work/journal.err" >&2; exit 1; }
if ! grep -q "rotated 1 of 1 resource" <<<"$first" || ! grep -q "is finished" <<<"$again"; then
  echo "release-check: acs-keys rotate --journal printed '$first' then '$again'" >&2
  exit 1
fi
status="$("$acs_keys" status --journal "$work/rotation.db" --from-file "$work/ids.txt")"
if ! grep -q "run default: 1 done" <<<"$status"; then
  echo "release-check: acs-keys status printed '$status'" >&2
  exit 1
fi
step "done: ${#packages[@]} packages packed, linted, installed and run"
