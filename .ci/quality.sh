#!/usr/bin/env bash
# Measures matching quality and writes docs/QUALITY.md (server quality; see
# server/src/matching/quality.rs): the labelled CV and job pairs in the repository, and the test
# split of the public skill-span set of acp19tag/skill-extraction-dataset (CC BY 4.0) when it is
# on this machine, at SKILL_SPANS_FILE or in the search tool's mirror; it is never committed.
set -euo pipefail
cd "$(dirname "$0")/.."

.ci/fetch-model.sh
RUSTFLAGS="--cfg erase_components" cargo build -p server --bin server

spans=${SKILL_SPANS_FILE:-}
mirror=${SKILL_SPANS_MIRROR:-/work/.mirror/acp19tag+skill-extraction-dataset/repo}
if [ -z "$spans" ] && [ -d "$mirror" ]; then
  spans=target/acp19tag-testset.txt
  git --git-dir="$mirror" show HEAD:raw_data/testset.txt >"$spans"
fi
args=(--pairs server/tests/fixtures/match-pairs --write docs/QUALITY.md)
if [ -n "$spans" ]; then args+=(--spans "$spans"); else echo "note: no skill-span set here; that part is skipped"; fi

MODEL_DIR=${MODEL_DIR:-models/all-MiniLM-L6-v2} CACHE_DIR=${CACHE_DIR:-target/quality-cache} \
  target/debug/server quality "${args[@]}" >/dev/null
