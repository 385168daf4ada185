/* A whole report from a real crash log through the C API, in both layouts;
 * the finder patterns are where they must be. Writes the symbol as a PBM to
 * argv[2] for the Rust harness to scan with an independent decoder. */
#include "common.h"

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: smoke LOG OUT.pbm\n");
        return 2;
    }
    size_t log_len;
    uint8_t *log = read_file(argv[1], &log_len);
    const char *base = "https://kernel-team.pages.debian.net/panic_report/#";
    panicqr_report_options opts = {(const uint8_t *)base, strlen(base), (const uint8_t *)"x86_64", 6,
                                   (const uint8_t *)"6.19.11+kali-amd64", 18, 40, PANICQR_LAYOUT_LSB_DARK};
    uint8_t *ws = guarded(PANICQR_REPORT_WORKSPACE_LEN_MAX, 0);
    uint8_t *out = guarded(PANICQR_QR_SYMBOL_LEN_MAX, 0);
    panicqr_report_info info;
    panicqr_status st = panicqr_report_build(log, log_len, &opts, ws, PANICQR_REPORT_WORKSPACE_LEN_MAX, out,
                                             PANICQR_QR_SYMBOL_LEN_MAX, &info);
    CHECK(st == PANICQR_STATUS_OK, "%s", panicqr_status_message(st));
    CHECK(info.log_start + info.log_kept == log_len, "kept %zu from %zu", info.log_kept, info.log_start);
    CHECK(info.log_start == 0 || log[info.log_start - 1] == '\n', "not a line start");
    uint32_t w = info.symbol.width, stride = info.symbol.row_bytes;
    /* Top-left finder: dark row 0 for 7 modules, then the light separator. */
    for (uint32_t x = 0; x < 7; x++) CHECK((out[x / 8] >> (x % 8)) & 1, "finder module %u", x);
    CHECK(!((out[0] >> 7) & 1), "separator");
    FILE *f = fopen(argv[2], "wb");
    if (!f) {
        perror(argv[2]);
        return 2;
    }
    /* PBM with a 4-module quiet zone, 1 = black. */
    uint32_t side = w + 8;
    fprintf(f, "P1\n%u %u\n", side, side);
    for (uint32_t y = 0; y < side; y++) {
        for (uint32_t x = 0; x < side; x++) {
            int dark = 0;
            if (x >= 4 && y >= 4 && x < w + 4 && y < w + 4) {
                uint32_t mx = x - 4, my = y - 4;
                dark = (out[my * stride + mx / 8] >> (mx % 8)) & 1;
            }
            fputs(dark ? "1 " : "0 ", f);
        }
        fputc('\n', f);
    }
    fclose(f);
    printf("kept %zu bytes from offset %zu, %zu compressed, version %u\n", info.log_kept, info.log_start,
           info.compressed_len, info.symbol.version);
    CHECK(canary_ok(ws, PANICQR_REPORT_WORKSPACE_LEN_MAX) && canary_ok(out, PANICQR_QR_SYMBOL_LEN_MAX), "canary");
    free(ws);
    free(out);
    free(log);
    return finish("smoke");
}
