/*
 * panic_report: plays the kernel's role. Reads a log (a file, or standard
 * input for "-"), asks libpanicqr for the panic report QR code that keeps the
 * newest lines fitting the largest version the screen allows, and writes the
 * symbol as a PBM image, 4 pixels per module with a 4-module quiet zone.
 *
 * Build (from the repository root):
 *   cargo build --release --manifest-path crates/ffi/capi/Cargo.toml --target-dir target/capi
 *   cc -std=c11 -O2 -I crates/ffi/include examples/panic_report.c \
 *      target/capi/release/libpanicqr.a -o panic_report
 * Run:
 *   ./panic_report testdata/corpus/syzkaller-0120.log report.pbm [MAX_VERSION]
 *
 * Everything the library touches is in the static buffers below: no heap on
 * the panic path.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "panicqr.h"

static uint8_t log_buf[1 << 20];
static uint8_t workspace[PANICQR_REPORT_WORKSPACE_LEN_MAX];
static uint8_t symbol[PANICQR_QR_SYMBOL_LEN_MAX];

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: %s LOG|- OUT.pbm [MAX_VERSION]\n", argv[0]);
        return 2;
    }
    FILE *in = strcmp(argv[1], "-") == 0 ? stdin : fopen(argv[1], "rb");
    if (!in) {
        perror(argv[1]);
        return 2;
    }
    size_t log_len = fread(log_buf, 1, sizeof log_buf, in);
    if (in != stdin) fclose(in);
    int max_version = argc > 3 ? atoi(argv[3]) : 40;

    static const char base[] = "https://kernel-team.pages.debian.net/panic_report/#";
    static const char arch[] = "x86_64";
    static const char release[] = "6.19.11+kali-amd64";
    panicqr_report_options opts = {
        .base_url = (const uint8_t *)base,
        .base_url_len = sizeof base - 1,
        .arch = (const uint8_t *)arch,
        .arch_len = sizeof arch - 1,
        .release = (const uint8_t *)release,
        .release_len = sizeof release - 1,
        .max_version = (uint8_t)max_version,
        .layout = PANICQR_LAYOUT_LSB_DARK,
    };
    panicqr_report_info info;
    panicqr_status st = panicqr_report_build(log_buf, log_len, &opts, workspace, sizeof workspace, symbol,
                                             sizeof symbol, &info);
    if (st != PANICQR_STATUS_OK) {
        fprintf(stderr, "panic_report: %s\n", panicqr_status_message(st));
        return 1;
    }
    FILE *out = fopen(argv[2], "wb");
    if (!out) {
        perror(argv[2]);
        return 1;
    }
    enum { SCALE = 4, QUIET = 4 };
    unsigned w = info.symbol.width, side = (w + 2 * QUIET) * SCALE;
    fprintf(out, "P1\n%u %u\n", side, side);
    for (unsigned py = 0; py < side; py++) {
        for (unsigned px = 0; px < side; px++) {
            unsigned x = px / SCALE, y = py / SCALE;
            int dark = 0;
            if (x >= QUIET && y >= QUIET && x < w + QUIET && y < w + QUIET) {
                unsigned mx = x - QUIET, my = y - QUIET;
                dark = (symbol[my * info.symbol.row_bytes + mx / 8] >> (mx % 8)) & 1;
            }
            fputs(dark ? "1" : "0", out);
        }
        fputc('\n', out);
    }
    fclose(out);
    fprintf(stderr, "panic_report: kept %zu of %zu bytes, %zu bytes compressed, QR version %u\n", info.log_kept,
            log_len, info.compressed_len, info.symbol.version);
    return 0;
}
