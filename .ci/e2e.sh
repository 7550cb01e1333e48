#!/usr/bin/env bash
# Starts the built server on a free port with a fresh database, runs Playwright against it, and
# stops it. Runs once on SQLite and once on PostgreSQL (skipped with a notice if PostgreSQL does
# not answer, unless TALENTLOOM_REQUIRE_POSTGRES=1).
set -euo pipefail
cd "$(dirname "$0")/.."

PG_ADMIN_URL=${TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/test}

run_against() {
  local label=$1 database_url=$2
  local data_dir port log pid status
  data_dir=$(mktemp -d)
  port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  log="$data_dir/server.log"
  printf '\n\033[1m==> browser tests on %s (port %s)\033[0m\n' "$label" "$port"
  # A small taxonomy in ESCO's format, so the matching screen suggests occupations.
  DATA_DIR="$data_dir" DATABASE_URL="$database_url" \
    "${CARGO_TARGET_DIR:-target}/debug/server" import-esco server/tests/fixtures/esco-mini >/dev/null
  LISTEN_ADDR="127.0.0.1:$port" DATA_DIR="$data_dir" DATABASE_URL="$database_url" LEPTOS_SITE_ROOT=target/site \
    CACHE_DIR="${CARGO_TARGET_DIR:-target}/e2e-vector-cache" \
    "${CARGO_TARGET_DIR:-target}/debug/server" >"$log" 2>&1 &
  pid=$!
  for _ in $(seq 1 100); do
    curl -fs "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && break
    sleep 0.2
  done
  # The server embeds the catalog's skill names in the background (once: CACHE_DIR keeps them);
  # the tests expect skills found by meaning, so wait for it.
  for _ in $(seq 1 900); do
    grep -q "skills by similarity ready" "$log" && break
    sleep 0.2
  done
  status=0
  (cd end2end && BASE_URL="http://127.0.0.1:$port" npx playwright test) || status=$?
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  if [ "$status" != 0 ]; then
    echo "--- server log ($label) ---"; tail -n 80 "$log"
    exit "$status"
  fi
  rm -rf "$data_dir"
}

run_against sqlite ""

if psql "$PG_ADMIN_URL" -qAtc 'SELECT 1' >/dev/null 2>&1; then
  db="tl_e2e_$$_$RANDOM"
  psql "$PG_ADMIN_URL" -qc "CREATE DATABASE $db" >/dev/null
  trap 'psql "$PG_ADMIN_URL" -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true' EXIT
  run_against postgres "${PG_ADMIN_URL%/*}/$db"
elif [ "${TALENTLOOM_REQUIRE_POSTGRES:-}" = 1 ]; then
  echo "PostgreSQL is required (TALENTLOOM_REQUIRE_POSTGRES=1) but $PG_ADMIN_URL does not answer." >&2
  exit 1
else
  echo "NOTICE: PostgreSQL at $PG_ADMIN_URL does not answer; the PostgreSQL browser tests are SKIPPED."
fi
