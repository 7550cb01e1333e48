#!/usr/bin/env bash
# The whole test suite: formatting, lints, unit and integration tests on SQLite and PostgreSQL,
# the release wasm, then the browser tests in Chromium against the real server on both databases.
set -euo pipefail
cd "$(dirname "$0")/.."
step() { printf '\n\033[1m==> %s\033[0m  (%s)\n' "$1" "$(date +%T)"; }

# Keep a copy of the output to print one honest total at the end.
log=$(mktemp)
exec > >(tee "$log") 2>&1

.ci/setup.sh e2e

step "cargo fmt --check"
cargo fmt --all -- --check

# Lints without component erasure: the views type-check even where nothing erases them.
step "clippy (server side, ssr)"
cargo clippy -p shared -p app -p server --all-targets -- -D warnings
step "clippy (browser side, hydrate on wasm32)"
cargo clippy -p frontend --target wasm32-unknown-unknown -- -D warnings

# cargo-leptos builds debug binaries with `--cfg erase_components`; the tests use the same flags,
# so the server that `cargo leptos build` links below is the one the tests already compiled.
step "compiling the unit and integration tests"
RUSTFLAGS="--cfg erase_components" cargo test -p shared -p app -p server --no-run

# The tests keep about one core busy, so the browser's code is compiled beside them: the site's
# wasm (cargo-leptos builds it in target/front) and then what `cargo leptos build --release
# --split` (make release) compiles for the browser, with the same flags (`always-erase-components`,
# and the relocations the splitter reads; its split, wasm-bindgen and wasm-opt steps are left
# out). Neither waits for the tests' build directory. Its output is printed after the tests'.
wasm_log=$(mktemp)
(
  set -e
  step "building the site's wasm (cargo leptos build --split --frontend-only)"
  cargo leptos build --split --frontend-only
  step "compiling the release wasm"
  RUSTFLAGS="--cfg erase_components -Clink-args=--emit-relocs" \
    cargo build -p frontend --lib --target wasm32-unknown-unknown --profile wasm-release
) >"$wasm_log" 2>&1 &
wasm_build=$!

step "unit and integration tests (SQLite and PostgreSQL)"
tests=0
RUSTFLAGS="--cfg erase_components" cargo test -p shared -p app -p server || tests=$?
wasm=0
wait "$wasm_build" || wasm=$?
cat "$wasm_log"
if [ "$tests" != 0 ] || [ "$wasm" != 0 ]; then
  echo "error: the tests (status $tests) or the wasm builds (status $wasm) failed; see above." >&2
  exit 1
fi

step "building the site's server (cargo leptos build --split --server-only, sharing the tests' build)"
cargo leptos build --split --server-only

step "browser tests"
.ci/e2e.sh

# One closing line over everything that ran: cargo's "test result" lines and Playwright's totals.
sed 's/\x1b\[[0-9;]*m//g' "$log" | awk '
  /^test result: / { for (i = 1; i <= NF; i++) { if ($(i+1) ~ /^passed/) p += $i; if ($(i+1) ~ /^failed/) f += $i } }
  /^ +[0-9]+ passed \(/ { p += $1 }
  /^ +[0-9]+ failed$/ { f += $1 }
  END { printf "\nsuite: %d passed, %d failed\n", p, f }'
