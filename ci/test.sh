#!/usr/bin/env bash
# The whole test suite — the README's test command. Installs what it needs on
# a fresh Debian machine with Rust (zbar-tools for the independent QR decoder,
# cargo-fuzz for the fuzz targets), then: the link-time panic proof, every
# crate's tests, and each fuzz target for FUZZ_SECONDS (default 10).
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v zbarimg >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ]; then
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq && apt-get install -y -qq zbar-tools >/dev/null
    else
        echo "ci/test.sh: zbarimg missing: run 'sudo apt-get install -y zbar-tools' first" >&2
        exit 1
    fi
fi
if ! cargo fuzz --version >/dev/null 2>&1; then
    cargo install --quiet --locked cargo-fuzz
fi
bash ci/panic-free.sh
bash ci/fuzz.sh
cargo test --release --workspace --all-features
