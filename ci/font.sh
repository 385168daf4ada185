#!/usr/bin/env bash
# Regenerates crates/screen/src/font_data.rs from crates/screen/font/glyphs.txt
# (font/gen.py, then rustfmt, which aligns the comments as `cargo fmt` does)
# and fails if the committed file differs (`--write` updates it instead).
set -euo pipefail
cd "$(dirname "$0")/.."
committed=crates/screen/src/font_data.rs
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
out="$dir/font_data.rs"
python3 crates/screen/font/gen.py "$out" >/dev/null
rustfmt --edition 2021 "$out"
if [ "${1:-}" = "--write" ]; then
    cp "$out" "$committed"
    echo "font: written"
elif ! diff -u "$committed" "$out"; then
    echo "font: $committed is out of date with crates/screen/font/glyphs.txt; run ci/font.sh --write" >&2
    exit 1
else
    echo "font: ok (matches font/gen.py)"
fi
