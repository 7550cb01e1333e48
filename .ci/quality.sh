#!/usr/bin/env bash
# Measures matching quality on the labelled CV and job pairs and writes docs/QUALITY.md
# (server quality; see server/src/matching/quality.rs).
set -euo pipefail
cd "$(dirname "$0")/.."

.ci/fetch-model.sh
RUSTFLAGS="--cfg erase_components" cargo build -p server --bin server
MODEL_DIR=${MODEL_DIR:-models/all-MiniLM-L6-v2} CACHE_DIR=${CACHE_DIR:-target/quality-cache} \
  target/debug/server quality --pairs server/tests/fixtures/match-pairs --write docs/QUALITY.md >/dev/null
