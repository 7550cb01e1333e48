#!/usr/bin/env bash
# Starts the built server on a free port with a fresh database, runs Playwright against it, and
# stops it. Runs on SQLite and on PostgreSQL side by side (PostgreSQL skipped with a notice if it
# does not answer, unless TALENTLOOM_REQUIRE_POSTGRES=1); each run's output is printed when both
# have finished.
set -euo pipefail
cd "$(dirname "$0")/.."

PG_ADMIN_URL=${TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/test}

# wait_for WHAT SECONDS COMMAND…: runs COMMAND every 0.2 s until it succeeds; after SECONDS, or
# as soon as the server has exited, stops everything and prints the server's log.
wait_for() {
  local what=$1 seconds=$2
  shift 2
  local tries=$((seconds * 5))
  for _ in $(seq 1 "$tries"); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "error: the server exited while waiting for $what. Its log:" >&2
      cat "$log" >&2
      exit 1
    fi
    sleep 0.2
  done
  echo "error: gave up after ${seconds} s waiting for $what. The server's log:" >&2
  tail -n 80 "$log" >&2
  kill "$pid" 2>/dev/null || true
  exit 1
}

# run_against LABEL DATABASE_URL READY_MARK SELECTION…: READY_MARK is created once the
# server is ready (its skill names embedded and cached), so a second server can start and read them
# from the cache. The cache is the integration tests' (CARGO_TARGET_TMPDIR/vector-cache: files
# named by the model and the labels), so after `cargo test` no server embeds anything.
run_against() {
  local label=$1 database_url=$2 ready_mark=$3
  shift 3
  local data_dir port log pid status
  data_dir=$(mktemp -d)
  port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  log="$data_dir/server.log"
  printf '\n\033[1m==> browser tests on %s (port %s)\033[0m\n' "$label" "$port"
  # A small taxonomy in ESCO's format, so the matching screen suggests occupations.
  DATA_DIR="$data_dir" DATABASE_URL="$database_url" \
    "${CARGO_TARGET_DIR:-target}/debug/server" import-esco server/tests/fixtures/esco-mini >/dev/null
  # Every test signs up new accounts from this one address: lift the per-address sign-up limit.
  LISTEN_ADDR="127.0.0.1:$port" DATA_DIR="$data_dir" DATABASE_URL="$database_url" LEPTOS_SITE_ROOT=target/site \
    SIGN_UPS_PER_HOUR=10000 \
    APPLICATIONS_PER_HOUR=10000 \
    CACHE_DIR="${CARGO_TARGET_DIR:-target}/tmp/vector-cache" \
    "${CARGO_TARGET_DIR:-target}/debug/server" >"$log" 2>&1 &
  pid=$!
  # Each wait fails loudly, with the server's log, instead of running the tests against a
  # server that is not there.
  wait_for "the server to answer /readyz" 150 curl -fs "http://127.0.0.1:$port/readyz"
  # The server embeds the catalog's skill names in the background (once: CACHE_DIR keeps them);
  # the tests expect skills found by meaning, so wait for it.
  wait_for "the skill names to be embedded" 900 grep -q "skills by similarity ready" "$log"
  touch "$ready_mark"
  status=0
  # The tests read mail sent to people (reset and confirmation links) with `server outbox`.
  # Each argument is one Playwright run's selection ("--project desktop", "--project phone
  # --shard 1/2"), one after the other against this server.
  local run=0
  for selection in "$@"; do
    run=$((run + 1))
    # shellcheck disable=SC2086 # a selection is several arguments
    (cd end2end && BASE_URL="http://127.0.0.1:$port" TALENTLOOM_SERVER="$PWD/../${CARGO_TARGET_DIR:-target}/debug/server" \
      DATA_DIR="$data_dir" DATABASE_URL="$database_url" npx playwright test --workers "${E2E_WORKERS:-1}" \
      --output "test-results/$label-$run" $selection) >>"$data_dir/playwright.out" 2>&1 || status=$?
  done
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  # The server's log first, Playwright's report (which names what failed) last, where CI's tail is.
  if [ "$status" != 0 ]; then
    echo "--- server log ($label), last 80 lines ---"; tail -n 80 "$log"
    echo "--- Playwright ($label) ---"
  fi
  cat "$data_dir/playwright.out"
  [ "$status" = 0 ] || exit "$status"
  rm -rf "$data_dir"
}

runs=$(mktemp -d)
# Without the tests' cache, the first server embeds the skill names (both cores for a few
# minutes); the second starts once they are cached.
# Every test runs on both databases: at desktop width on SQLite and at 360 px on PostgreSQL
# (the layout does not depend on the database, nor what is stored on the page's width), so each
# runner has the same work and CI stays within its 30 minutes.
run_against sqlite "" "$runs/sqlite.ready" "--project desktop" \
  >"$runs/sqlite.out" 2>&1 &
sqlite_run=$!
postgres_run=""

if psql "$PG_ADMIN_URL" -qAtc 'SELECT 1' >/dev/null 2>&1; then
  db="tl_e2e_$$_$RANDOM"
  psql "$PG_ADMIN_URL" -qc "CREATE DATABASE $db" >/dev/null
  trap 'psql "$PG_ADMIN_URL" -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true' EXIT
  while [ ! -e "$runs/sqlite.ready" ] && kill -0 "$sqlite_run" 2>/dev/null; do sleep 1; done
  run_against postgres "${PG_ADMIN_URL%/*}/$db" "$runs/postgres.ready" "--project phone" \
    >"$runs/postgres.out" 2>&1 &
  postgres_run=$!
elif [ "${TALENTLOOM_REQUIRE_POSTGRES:-}" = 1 ]; then
  echo "PostgreSQL is required (TALENTLOOM_REQUIRE_POSTGRES=1) but $PG_ADMIN_URL does not answer." >&2
  wait "$sqlite_run" || true
  cat "$runs/sqlite.out"
  exit 1
else
  echo "NOTICE: PostgreSQL at $PG_ADMIN_URL does not answer; the PostgreSQL browser tests are SKIPPED."
fi

failed=0
wait "$sqlite_run" || failed=1
cat "$runs/sqlite.out"
if [ -n "$postgres_run" ]; then
  wait "$postgres_run" || failed=1
  cat "$runs/postgres.out"
fi
# What failed (or passed only on its retry), on each database, as the very last lines.
for label in sqlite postgres; do
  [ -e "$runs/$label.out" ] || continue
  sed 's/\x1b\[[0-9;]*m//g' "$runs/$label.out" | awk -v label="$label" '
    /^ +[0-9]+ (failed|flaky)$/ { show = 1; print "browser tests on " label ":" }
    /^ +[0-9]+ (passed|skipped|did not run)/ { show = 0 }
    show { print }'
done
rm -rf "$runs"
exit "$failed"
