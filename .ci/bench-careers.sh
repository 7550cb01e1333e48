#!/usr/bin/env bash
# The careers page benchmark (docs/BENCHMARKS.md, "Careers page"): installs wrk (Debian) and the
# Django peer of ../shared/peers/django in a scratch copy as its README says, starts the peer with
# 2 Gunicorn workers, builds the site (the release server renders it) and runs
# `cargo bench -p server --bench careers`, which starts the release server and loads both.
set -euo pipefail
cd "$(dirname "$0")/.."

.ci/setup.sh
.ci/fetch-model.sh
command -v wrk >/dev/null || sudo -n apt-get install -y -q wrk 2>/dev/null || apt-get install -y -q wrk

peer_src=${PEER_DIR:-../shared/peers/django}
peer=$(mktemp -d)
cp -r "$peer_src"/. "$peer"
python3 -m venv "$peer/.venv"
"$peer/.venv/bin/pip" install -q django gunicorn
(cd "$peer" && .venv/bin/python peer.py seed 50)
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
(cd "$peer" && exec .venv/bin/gunicorn -w 2 -b "127.0.0.1:$port" peer:application) >"$peer/gunicorn.log" 2>&1 &
gunicorn=$!
trap 'kill $gunicorn 2>/dev/null || true; rm -rf "$peer"' EXIT
for _ in $(seq 1 50); do curl -fs "http://127.0.0.1:$port/careers/acme" >/dev/null && break; sleep 0.2; done

# The site's files (the page links them; the benchmark loads the page only).
[ -d target/site/pkg ] || cargo leptos build --split
PEER_URL="http://127.0.0.1:$port/careers/acme" cargo bench -p server --bench careers
