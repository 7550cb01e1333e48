#!/usr/bin/env bash
# The whole test suite: formatting, the lints, unit and integration tests on SQLite and
# PostgreSQL (with the site's wasm and the release wasm compiled beside them), then the browser
# tests in Chromium against the real server on both databases (each phase's start time is
# printed, to see where time goes).
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
# so the server they link is the one `cargo leptos build` makes, and the browser tests use it.
export RUSTFLAGS="--cfg erase_components"
# Clippy lints the server side while it is built for the tests (`cargo clippy` is `cargo check`
# with this wrapper; a check of its own compiled every dependency a second time): clippy-driver
# compiles the workspace's crates, every target (the tests, the benches), and fails on any
# warning (`-D warnings`, passed the way `cargo clippy -- -D warnings` passes it). The site's
# wasm below is built through it too, so nothing is compiled twice.
export RUSTC_WORKSPACE_WRAPPER
RUSTC_WORKSPACE_WRAPPER="$(rustc --print sysroot)/bin/clippy-driver"
export CLIPPY_ARGS="-D__CLIPPY_HACKERY__warnings__CLIPPY_HACKERY__"
# The browser side is compiled beside the server side, at the lowest priority, so it takes only
# the cores the tests' build and then the tests leave idle (a build waits on its longest crates
# and its links on one core; the tests keep about one busy): the site's wasm (cargo-leptos
# builds it in target/front), linted by clippy while it is built, as the server side is; then
# the release wasm, what `cargo leptos build --release --split` (make release) compiles for the
# browser, with the same flags (`always-erase-components`, and the relocations the splitter
# reads; its split, wasm-bindgen and wasm-opt steps are left out), in a build directory of its
# own, so neither ever waits for the tests' build directory, nor the tests for them.
browser_side() {
  renice -n 19 "$BASHPID" >/dev/null
  step "building the site's wasm, linted (cargo leptos build --split --frontend-only, clippy)"
  env -u RUSTFLAGS cargo leptos build --split --frontend-only
  step "compiling the release wasm"
  env -u RUSTC_WORKSPACE_WRAPPER -u CLIPPY_ARGS \
    RUSTFLAGS="--cfg erase_components -Clink-args=--emit-relocs" CARGO_TARGET_DIR=target/wasm-ci \
    cargo build -p frontend --lib --target wasm32-unknown-unknown --profile wasm-release
  step "the browser side is built"
}
browser_side >"$log.wasm" 2>&1 &
wasm_pid=$!
trap 'kill "$wasm_pid" 2>/dev/null || true' EXIT

step "compiling and linting the unit and integration tests and the benches (clippy, ssr)"
cargo test -p shared -p app -p kernels -p server --all-targets --no-run

step "unit and integration tests (SQLite and PostgreSQL)"
# Four at a time: most of the tests' time is waiting (on the databases, on timers, on a server
# answering), and with two (cargo's default here) they kept less than one core busy.
tests=0
cargo test -p shared -p app -p kernels -p server -- --test-threads 4 || tests=$?
wasm=0
wait "$wasm_pid" || wasm=$?
cat "$log.wasm"
if [ "$tests" != 0 ] || [ "$wasm" != 0 ]; then
  echo "error: the tests (status $tests) or the wasm builds (status $wasm) failed; see above." >&2
  exit 1
fi

# The browser tests run the server the tests' build linked (target/debug/server, the binary the
# integration tests start as CARGO_BIN_EXE_server) with the site's wasm beside it: the same
# crates, profile and flags as `cargo leptos build --split --server-only`, whose own build
# compiled `app` and `server` once more for a difference in the dependencies' features only.

step "browser tests"
.ci/e2e.sh || fail=1
step "done"

# One closing line over everything that ran: cargo's "test result" lines and Playwright's totals.
sed 's/\x1b\[[0-9;]*m//g' "$log" | awk '
  /^test result: / { for (i = 1; i <= NF; i++) { if ($(i+1) ~ /^passed/) p += $i; if ($(i+1) ~ /^failed/) f += $i } }
  /^ +[0-9]+ passed \(/ { p += $1 }
  /^ +[0-9]+ failed$/ { f += $1 }
  END { printf "\nsuite: %d passed, %d failed\n", p, f }'
exit "${fail:-0}"
