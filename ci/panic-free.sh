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

# The whole C library: every entry point, linked with the panic-never handler.
cargo build --quiet --release --manifest-path crates/ffi/capi/Cargo.toml --target-dir target/capi-panic-never --features panic-never
capi="target/capi-panic-never/release/libpanicqr.a"
cat > "$work/capi.c" <<'C'
#include <stdio.h>
#include "panicqr.h"
static uint8_t data[PANICQR_DRM_DATA_SIZE], tmp[PANICQR_DRM_TMP_SIZE];
static uint8_t scratch[PANICQR_QR_SCRATCH_LEN_MAX], out[PANICQR_QR_SYMBOL_LEN_MAX];
static uint8_t ws[PANICQR_SCREEN_PARTS_WORKSPACE_LEN];
static uint8_t fb[320 * 240 * 4];
int main(int argc, char **argv) {
    (void)argv;
    const char *url = argc > 5 ? "x" : "https://e.org/#?a=x&v=1&z=";
    unsigned w = panicqr_drm_generate(url, data, (size_t)argc, sizeof data, tmp, sizeof tmp);
    size_t m = panicqr_drm_max_data_size((uint8_t)argc, (size_t)argc);
    panicqr_segment seg = {(uint32_t)argc % 5, data, (size_t)argc};
    panicqr_qr_options qo = {0, 1, 40, 0, -1, 0};
    panicqr_symbol_info si;
    int s1 = panicqr_qr_encode(&seg, 1, &qo, scratch, sizeof scratch, out, sizeof out, &si);
    panicqr_report_options ro = {(const uint8_t *)url, 5, (const uint8_t *)"x", 1, (const uint8_t *)"1", 1, 40, 1};
    panicqr_report_info ri;
    int s2 = panicqr_report_build(data, 100, &ro, ws, sizeof ws, out, sizeof out, &ri);
    panicqr_report_info pis[2];
    uint32_t pc = 0;
    int s4 = panicqr_report_parts(data, 100, &ro, 2, ws, sizeof ws, out, sizeof out, pis, 2, &pc);
    size_t pw = panicqr_parts_workspace_len((uint8_t)argc, (uint32_t)argc);
    panicqr_screen_options so = {320, 240, 1280, (uint32_t)argc % 14, (uint32_t)argc % 4, 0xFFFFFF, 0,
                                 (const uint8_t *)url, 3, (const uint8_t *)url, 4, data, 200, (const uint8_t *)url, 5,
                                 (const uint8_t *)"x", 1, (const uint8_t *)"1", 1};
    panicqr_screen_info sci;
    int s3 = panicqr_screen_draw(fb, sizeof fb, &so, ws, sizeof ws, &sci);
    printf("%u %zu %d %d %d %d %u %zu %s %zu %zu\n", w, m, s1, s2, s3, s4, pc, pw, panicqr_status_message(s2),
           panicqr_qr_symbol_len(3), panicqr_qr_scratch_len(3, 1) + panicqr_report_workspace_len(4));
    return 0;
}
C
if ! cc -O2 -I crates/ffi/include -o "$work/capi" "$work/capi.c" "$capi" -Wl,--gc-sections 2> "$work/link.log"; then
    cat "$work/link.log" >&2
    echo "panic-free: FAILED: a panic path is reachable from the C ABI (see the undefined symbol above)" >&2
    exit 1
fi
"$work/capi" > /dev/null
if nm -C "$work/capi" | grep -E 'core::panicking|panic_bounds_check|slice_index|slice_(start|end)_index_len_fail|panic_fmt' ; then
    echo "panic-free: FAILED: panic symbols present in the C ABI" >&2
    exit 1
fi
echo "panic-free: ok (every C entry point linked with an unresolvable panic handler; no panic symbols)"
