#!/usr/bin/env bash
# `make release`: the optimised server (target/release/server) and site (target/site), as
# README's "Deploying" describes. Installs what is missing first, like the other commands:
# cargo-leptos runs wasm-opt on every release build and would otherwise download Binaryen from
# GitHub; Debian's old binaryen package builds wasm that fails in the browser. So wasm-opt is
# built from the Rust crate registry once and kept in ~/.cargo/bin.
set -euo pipefail
cd "$(dirname "$0")/.."

.ci/setup.sh

WASM_OPT_VERSION=0.116.1
if ! wasm-opt --version 2>/dev/null | grep -q "version 116"; then
  printf '\n\033[1m==> installing wasm-opt (Binaryen 116) from the crate registry; this takes a while once\033[0m\n'
  CARGO_PROFILE_RELEASE_LTO=off CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 \
    cargo install wasm-opt --locked --version "$WASM_OPT_VERSION"
fi

# --precompress: brotli and gzip copies of the assets, which the server sends as they are.
# --split: each page's code is a wasm chunk of its own, loaded with the page (app/src/pages.rs).
cargo leptos build --release --split --precompress
printf '\nBuilt target/release/server and target/site; see README.md, "Deploying".\n'
