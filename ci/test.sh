#!/usr/bin/env bash
# The whole test suite (the README's test command). Needs zbarimg
# (Debian: apt-get install zbar-tools); tests fail, not skip, without it.
set -euo pipefail
cd "$(dirname "$0")/.."
bash ci/panic-free.sh
cargo test --release --workspace
