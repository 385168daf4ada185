#!/usr/bin/env bash
# Fast pre-commit checks: formatting and lints (what .ci/run checks first).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo fmt --all
(cd fuzz && cargo fmt)
cargo clippy --quiet --workspace --all-targets --all-features -- -D warnings
echo "check: ok"
