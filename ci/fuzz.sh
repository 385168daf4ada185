#!/usr/bin/env bash
# Builds every fuzz target and runs each for a short time (FUZZ_SECONDS,
# default 10). Needs cargo-fuzz; RUSTC_BOOTSTRAP lets it use the sanitizer
# flags on the stable toolchain.
set -euo pipefail
cd "$(dirname "$0")/../fuzz"
export RUSTC_BOOTSTRAP=1
secs=${FUZZ_SECONDS:-10}
for t in $(cargo fuzz list); do
    mkdir -p "corpus/$t"
    # The crash analysis starts from real logs (their last 8 KiB, what
    # -max_len lets through) rather than from nothing.
    if [ "$t" = signature_analyse ] && [ -z "$(ls -A "corpus/$t")" ]; then
        for f in ../testdata/corpus/*.log; do
            tail -c 8192 "$f" >"corpus/$t/$(basename "$f")"
        done
    fi
    cargo fuzz run --release "$t" "corpus/$t" -- -max_total_time="$secs" -max_len=8192 2>&1 | tail -n 2
    echo "fuzz: $t ok (${secs}s)"
done
