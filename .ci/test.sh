#!/usr/bin/env bash
# The whole test suite: formatting, unit and integration tests on SQLite and PostgreSQL, then the
# browser tests in Chromium against the real server on both databases, with the lints and the
# release wasm compiled beside them (each phase's start time is printed, to see where time goes).
set -euo pipefail
cd "$(dirname "$0")/.."
step() { printf '\n\033[1m==> %s\033[0m  (%s)\n' "$1" "$(date +%T)"; }

# Keep a copy of the output to print one honest total at the end.
log=$(mktemp)
exec > >(tee "$log") 2>&1

.ci/setup.sh e2e

step "cargo fmt --check"
cargo fmt --all -- --check

# cargo-leptos builds debug binaries with `--cfg erase_components`; the tests use the same flags,
# so the server that `cargo leptos build` links below is the one the tests already compiled.
step "compiling the unit and integration tests"
RUSTFLAGS="--cfg erase_components" cargo test -p shared -p app -p server --no-run

# The tests keep about one core busy, so the site's wasm is compiled beside them (cargo-leptos
# builds it in target/front, so it never waits for the tests' build directory), and then the
# release wasm: what `cargo leptos build --release --split` (make release) compiles for the
# browser, with the same flags (`always-erase-components`, and the relocations the splitter
# reads; its split, wasm-bindgen and wasm-opt steps are left out), in its own build directory.
# The browser tests need only the site's wasm; the release wasm is waited for at the end.
site_wasm() {
  step "building the site's wasm (cargo leptos build --split --frontend-only)"
  cargo leptos build --split --frontend-only
}
release_wasm() {
  step "compiling the release wasm"
  RUSTFLAGS="--cfg erase_components -Clink-args=--emit-relocs" \
    cargo build -p frontend --lib --target wasm32-unknown-unknown --profile wasm-release
}
wasm_status="$log.wasm-status"
( status=0; site_wasm || status=$?; echo "$status" >"$wasm_status"
  [ "$status" = 0 ] && release_wasm >"$log.release" 2>&1 ) >"$log.wasm" 2>&1 &
release_pid=$!

step "unit and integration tests (SQLite and PostgreSQL)"
tests=0
RUSTFLAGS="--cfg erase_components" cargo test -p shared -p app -p server || tests=$?
while [ ! -e "$wasm_status" ]; do sleep 1; done
wasm=$(cat "$wasm_status")
cat "$log.wasm"
if [ "$tests" != 0 ] || [ "$wasm" != 0 ]; then
  echo "error: the tests (status $tests) or the site's wasm build (status $wasm) failed; see above." >&2
  kill "$release_pid" 2>/dev/null || true
  exit 1
fi

step "building the site's server (cargo leptos build --split --server-only, sharing the tests' build)"
cargo leptos build --split --server-only

# The browser tests leave about one core idle (the servers and Chromium mostly wait on each
# other), so the lints are compiled beside them (and the release wasm, if it is not done yet).
# Clippy runs without component erasure: the views type-check even where nothing erases them.
# Each cargo here has its own build directory (target/debug's check files, wasm32's debug and
# wasm-release), none of them the servers'.
lints() {
  step "clippy (server side, ssr)"
  cargo clippy -p shared -p app -p server --all-targets -- -D warnings
  step "clippy (browser side, hydrate on wasm32)"
  cargo clippy -p frontend --target wasm32-unknown-unknown -- -D warnings
}
lints >"$log.lints" 2>&1 &
lints_pid=$!

step "browser tests (beside them: clippy, and the release wasm until it is done)"
browser=0
.ci/e2e.sh || browser=$?
lints=0
wait "$lints_pid" || lints=$?
cat "$log.lints"
release=0
wait "$release_pid" || release=$?
cat "$log.release" 2>/dev/null || true
if [ "$browser" != 0 ] || [ "$lints" != 0 ] || [ "$release" != 0 ]; then
  echo "error: the browser tests (status $browser), clippy (status $lints) or the release wasm (status $release) failed; see above." >&2
  fail=1
fi

# One closing line over everything that ran: cargo's "test result" lines and Playwright's totals.
sed 's/\x1b\[[0-9;]*m//g' "$log" | awk '
  /^test result: / { for (i = 1; i <= NF; i++) { if ($(i+1) ~ /^passed/) p += $i; if ($(i+1) ~ /^failed/) f += $i } }
  /^ +[0-9]+ passed \(/ { p += $1 }
  /^ +[0-9]+ failed$/ { f += $1 }
  END { printf "\nsuite: %d passed, %d failed\n", p, f }'
exit "${fail:-0}"
