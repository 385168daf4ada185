#!/usr/bin/env bash
# Lists the source lines of ours nearest to each remaining call into core's
# panic machinery in the C library (a helper for fixing ci/panic-free.sh failures).
set -euo pipefail
cd "$(dirname "$0")/.."
RUSTFLAGS="-C debuginfo=2" cargo build --quiet --release --manifest-path crates/ffi/capi/Cargo.toml \
    --target-dir target/capi-dbg --features panic-never
objdump -drl --no-show-raw-insn -C target/capi-dbg/release/libpanicqr.a 2>/dev/null > target/capi-dbg/dis.txt
grep -n "R_X86_64_PLT32.*core.*panicking\|R_X86_64_PLT32.*slice_index\|R_X86_64_PLT32.*slice_.*_fail" target/capi-dbg/dis.txt | cut -d: -f1 |
while read -r n; do
    sed -n "$((n > 80 ? n - 80 : 1)),${n}p" target/capi-dbg/dis.txt | grep -E "^/work.*\.rs:[0-9]+" | tail -1
    sed -n "${n}p" target/capi-dbg/dis.txt | grep -oE "panicking[^-]*|slice_[a-z_]*" | head -1
done | paste - - | sort | uniq -c
