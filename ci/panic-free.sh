#!/usr/bin/env bash
# Proves on the optimised, linked object that the encoder has no path to a
# panic: ci/panic-check's panic handler calls an undefined symbol, so the
# link below fails if any panic survives optimisation. Then `nm` double-checks
# that no core panic machinery made it into the binary.
set -euo pipefail
cd "$(dirname "$0")/.."
target=target/panic-check
cargo build --quiet --release --manifest-path ci/panic-check/Cargo.toml --target-dir "$target"
lib="$target/release/libpanicqr_panic_check.a"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cat > "$work/main.c" <<'C'
#include <stdint.h>
#include <stdio.h>
uint32_t panicqr_check_encode(uint64_t seed);
int main(int argc, char **argv) {
    (void)argv;
    printf("%u\n", panicqr_check_encode((uint64_t)argc));
    return 0;
}
C
if ! cc -O2 -o "$work/check" "$work/main.c" "$lib" -Wl,--gc-sections 2> "$work/link.log"; then
    cat "$work/link.log" >&2
    echo "panic-free: FAILED: a panic path is reachable from the encoder (see the undefined symbol above)" >&2
    exit 1
fi
"$work/check" > /dev/null
if nm -C "$work/check" | grep -E 'core::panicking|panic_bounds_check|slice_index|slice_(start|end)_index_len_fail|panic_fmt' ; then
    echo "panic-free: FAILED: panic symbols present in the linked binary" >&2
    exit 1
fi
echo "panic-free: ok (encoder linked with an unresolvable panic handler; no panic symbols)"
