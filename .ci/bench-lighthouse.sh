#!/usr/bin/env bash
# Lighthouse on the careers page, a job's page and a board with 200 applications, against the
# release build: builds it (`make release`), installs Lighthouse from npm into target/lighthouse
# (outside the repository and the browser tests' packages), and runs the bench that seeds the
# data and writes the "lighthouse" section of docs/BENCHMARKS.md.
set -euo pipefail
cd "$(dirname "$0")/.."

.ci/release.sh
.ci/setup.sh e2e

# 12.x: Lighthouse 13 needs Node 22, and Debian ships Node 20.
LIGHTHOUSE_VERSION=12.8.2
if ! target/lighthouse/node_modules/.bin/lighthouse --version 2>/dev/null | grep -qx "$LIGHTHOUSE_VERSION"; then
  printf '\n\033[1m==> installing Lighthouse %s into target/lighthouse\033[0m\n' "$LIGHTHOUSE_VERSION"
  mkdir -p target/lighthouse
  npm install --prefix target/lighthouse --no-audit --no-fund --no-save "lighthouse@$LIGHTHOUSE_VERSION"
fi

# The flags of the release build (make release), so the bench reuses what it compiled.
RUSTFLAGS="--cfg erase_components" cargo bench -p server --bench lighthouse
