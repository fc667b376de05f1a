#!/usr/bin/env bash
# A throwaway PostgreSQL server for the durable package's tests (and CI).
#
#   scripts/postgres.sh start   initdb into a fresh temporary directory, start on a free loopback port, print
#                               ACS_DURABLE_PG_URL=postgres://... (also written to $ACS_PG_STATE/url)
#   scripts/postgres.sh stop    stop that server and remove its directory
#
# It needs PostgreSQL's server binaries (Debian/Ubuntu: `apt-get install -y postgresql`); PG_BIN overrides where
# they are (default: `pg_config --bindir`, then the newest /usr/lib/postgresql/*/bin). initdb refuses to run as
# root: as root the server runs as the `postgres` user (created by the package). The state (data directory, log,
# URL) lives in $ACS_PG_STATE, default build/postgres in the repository, so each worktree has its own.
set -euo pipefail
cd "$(dirname "$0")/.."
state="${ACS_PG_STATE:-$PWD/build/postgres}"

find_bin() {
  if [ -n "${PG_BIN:-}" ]; then echo "$PG_BIN"; return; fi
  local dir
  for dir in "$(pg_config --bindir 2>/dev/null || true)" $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    if [ -n "$dir" ] && [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ]; then echo "$dir"; return; fi
  done
  echo "postgres.sh: PostgreSQL's server binaries (initdb, pg_ctl) were not found: install postgresql or set PG_BIN" >&2
  exit 1
}

# runs a command as the server's owner: this user, or `postgres` when this user is root
as_owner() {
  if [ "$(id -u)" = 0 ]; then
    su postgres -s /bin/sh -c "$(printf '%q ' "$@")"
  else
    "$@"
  fi
}

free_port() {
  node -e 'const s = require("node:net").createServer(); s.listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close() })'
}

start() {
  local bin dir port url
  bin=$(find_bin)
  if [ -f "$state/dir" ]; then
    echo "postgres.sh: a server is already started from $state (run stop first)" >&2
    exit 1
  fi
  mkdir -p "$state"
  # the data directory is outside the repository: the postgres user may not be able to reach into it
  dir=$(mktemp -d "${TMPDIR:-/tmp}/effect-acs-pg.XXXXXX")
  echo "$dir" >"$state/dir"
  if [ "$(id -u)" = 0 ]; then chown postgres "$dir"; fi
  chmod 700 "$dir"
  as_owner "$bin/initdb" -D "$dir/data" -U acs --auth=trust -E UTF8 --no-sync >"$state/initdb.log" 2>&1 || {
    cat "$state/initdb.log" >&2
    exit 1
  }
  port=$(free_port)
  as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
    -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=100" start >/dev/null || {
    cat "$dir/server.log" >&2
    exit 1
  }
  echo "$bin" >"$state/bin"
  url="postgres://acs@127.0.0.1:$port/postgres"
  echo "$url" >"$state/url"
  echo "ACS_DURABLE_PG_URL=$url"
}

stop() {
  if [ ! -f "$state/dir" ]; then
    echo "postgres.sh: no server started from $state" >&2
    return 0
  fi
  local dir bin
  dir=$(cat "$state/dir")
  bin=$(cat "$state/bin" 2>/dev/null || find_bin)
  if [ -d "$dir/data" ]; then as_owner "$bin/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true; fi
  rm -rf "$dir" "$state"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  *)
    echo "usage: scripts/postgres.sh start|stop" >&2
    exit 2
    ;;
esac
