#!/usr/bin/env bash
# Installs what building and testing Talentloom needs, skipping whatever is already there.
#   .ci/setup.sh        tools to build and run (wasm target, cargo-leptos, wasm-bindgen) and the
#                       embedding model (.ci/fetch-model.sh)
#   .ci/setup.sh e2e    also Chromium and the Playwright packages for the browser tests
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }
# Tool builds do not need the slow release settings; this saves minutes on a fresh machine.
fast_install() { CARGO_PROFILE_RELEASE_LTO=off CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 cargo install "$@"; }

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  step "adding the wasm32 target"
  rustup target add wasm32-unknown-unknown
fi

# 0.3.11 needs a newer rustc; `no_downloads` makes a missing tool an error instead of a GitHub download.
LEPTOS_VERSION=0.3.10
if ! cargo leptos --version 2>/dev/null | grep -q "$LEPTOS_VERSION"; then
  step "installing cargo-leptos $LEPTOS_VERSION"
  fast_install cargo-leptos --locked --version "$LEPTOS_VERSION" --features no_downloads
fi

# The CLI must be exactly the version of the wasm-bindgen crate in Cargo.lock.
WASM_BINDGEN_VERSION=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)
if ! wasm-bindgen --version 2>/dev/null | grep -q "$WASM_BINDGEN_VERSION"; then
  step "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION"
  fast_install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION"
fi

.ci/fetch-model.sh

if [ "${1:-}" = e2e ]; then
  if ! command -v chromium >/dev/null; then
    step "installing Debian's Chromium"
    if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
    $SUDO apt-get update -q
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q chromium
  fi
  if [ ! -d end2end/node_modules/@playwright/test ]; then
    step "installing Playwright (the test runner only; it uses Debian's Chromium)"
    (cd end2end && npm ci --no-audit --no-fund)
  fi
fi
