#!/usr/bin/env bash
# The decoder page's tests: vectors made by the real `panicqr encode`, unit
# tests under Node's test runner, and end-to-end tests in Debian's headless
# Chromium driven by playwright-core (a phone screenshot lands in
# web/test/artifacts/).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --quiet --release -p panicqr-cli
(cd web && npm ci --silent --no-audit --no-fund)
export PANICQR="${CARGO_TARGET_DIR:-$PWD/target}/release/panicqr"
node web/test/make-vectors.mjs
node --test web/test/unit.test.mjs web/test/e2e.test.mjs
