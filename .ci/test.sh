#!/usr/bin/env bash
# The whole test suite: formatting, lints, unit and integration tests on SQLite and PostgreSQL,
# then the browser tests in Chromium against the real server on both databases.
set -euo pipefail
cd "$(dirname "$0")/.."
step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }

.ci/setup.sh e2e

step "cargo fmt --check"
cargo fmt --all -- --check

step "clippy (server side, ssr)"
cargo clippy -p shared -p app -p server --all-targets -- -D warnings
step "clippy (browser side, hydrate on wasm32)"
cargo clippy -p frontend --target wasm32-unknown-unknown -- -D warnings

step "unit and integration tests (SQLite and PostgreSQL)"
cargo test -p shared -p app -p server

step "building the site (cargo leptos build)"
cargo leptos build

step "browser tests"
.ci/e2e.sh
