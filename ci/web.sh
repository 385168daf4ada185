#!/usr/bin/env bash
# The decoder page's tests: vectors made by the real `panicqr encode`, unit
# tests under Node's test runner, and end-to-end tests in Debian's headless
# Chromium driven by playwright-core (a phone screenshot lands in
# web/test/artifacts/); and the crash intake's dashboard, served by the real
# `panicqr intake`, in the same Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --quiet --release -p panicqr-cli
(cd web && npm ci --silent --no-audit --no-fund)
export PANICQR="${CARGO_TARGET_DIR:-$PWD/target}/release/panicqr"
# Through package.json's test script, so the script `npm test` runs is the one CI runs.
(cd web && npm test --silent)
