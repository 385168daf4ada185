#!/usr/bin/env bash
# Regenerates crates/ffi/include/panicqr.h with the pinned cbindgen and fails
# if the committed header differs (`--write` updates it instead).
set -euo pipefail
cd "$(dirname "$0")/.."
version=0.29.2
if [ "$(cbindgen --version 2>/dev/null)" != "cbindgen $version" ]; then
    cargo install --quiet --locked cbindgen --version "$version"
fi
out=$(mktemp)
trap 'rm -f "$out"' EXIT
cbindgen --quiet --config crates/ffi/cbindgen.toml --crate panicqr-ffi --output "$out" crates/ffi
if [ "${1:-}" = "--write" ]; then
    cp "$out" crates/ffi/include/panicqr.h
    echo "header: written"
elif ! diff -u crates/ffi/include/panicqr.h "$out"; then
    echo "header: crates/ffi/include/panicqr.h is out of date; run ci/header.sh --write" >&2
    exit 1
else
    echo "header: ok (matches cbindgen $version)"
fi
