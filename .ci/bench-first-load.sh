#!/usr/bin/env bash
# Builds the release server and site, starts them on a fresh SQLite database, and measures the
# first load in throttled Chromium (end2end/bench/first-load.mjs), which writes its section of
# docs/BENCHMARKS.md.
set -euo pipefail
cd "$(dirname "$0")/.."

.ci/release.sh
.ci/setup.sh e2e

data_dir=$(mktemp -d)
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
LISTEN_ADDR="127.0.0.1:$port" DATA_DIR="$data_dir" LEPTOS_SITE_ROOT=target/site \
  SIGN_UPS_PER_HOUR=1000 target/release/server >"$data_dir/server.log" 2>&1 &
pid=$!
trap 'kill "$pid" 2>/dev/null || true; rm -rf "$data_dir"' EXIT
for _ in $(seq 1 150); do
  curl -fs "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && break
  if ! kill -0 "$pid" 2>/dev/null; then cat "$data_dir/server.log" >&2; exit 1; fi
  sleep 0.2
done
(cd end2end && BASE_URL="http://127.0.0.1:$port" node bench/first-load.mjs)
