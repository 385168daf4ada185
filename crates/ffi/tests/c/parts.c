/* A report over several codes through the C API: every part drawn into the
 * caller's buffers (canary-guarded), written as PBMs (OUT_DIR/part-N.pbm)
 * for the Rust harness to read with independent decoders and merge; then the
 * argument checks: NULLs, a short buffer, a bad count. */
#include "common.h"

static void pbm(const char *dir, uint32_t i, const uint8_t *sym, uint32_t w, uint32_t stride) {
    char path[4096];
    snprintf(path, sizeof path, "%s/part-%u.pbm", dir, i);
    FILE *f = fopen(path, "wb");
    if (!f) {
        perror(path);
        exit(2);
    }
    uint32_t side = w + 8;
    fprintf(f, "P1\n%u %u\n", side, side);
    for (uint32_t y = 0; y < side; y++) {
        for (uint32_t x = 0; x < side; x++) {
            int dark = 0;
            if (x >= 4 && y >= 4 && x < w + 4 && y < w + 4) {
                uint32_t mx = x - 4, my = y - 4;
                dark = (sym[my * stride + mx / 8] >> (mx % 8)) & 1;
            }
            fputs(dark ? "1 " : "0 ", f);
        }
        fputc('\n', f);
    }
    fclose(f);
}

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: parts LOG OUT_DIR\n");
        return 2;
    }
    size_t log_len;
    uint8_t *log = read_file(argv[1], &log_len);
    const char *base = "https://kernel-team.pages.debian.net/panic_report/#";
    enum { V = 20, N = 8 };
    panicqr_report_options opts = {(const uint8_t *)base, strlen(base), (const uint8_t *)"x86_64", 6,
                                   (const uint8_t *)"6.1", 3, V, PANICQR_LAYOUT_LSB_DARK};
    size_t ws_len = panicqr_parts_workspace_len(V, N), sym = panicqr_qr_symbol_len(V);
    CHECK(ws_len > PANICQR_REPORT_WORKSPACE_LEN_MAX / 2, "workspace length %zu", ws_len);
    uint8_t *ws = guarded(ws_len, 0);
    uint8_t *out = guarded(N * sym, 0);
    panicqr_report_info infos[N];
    uint32_t count = 0;
    panicqr_status st = panicqr_report_parts(log, log_len, &opts, N, ws, ws_len, out, N * sym, infos, N, &count);
    CHECK(st == PANICQR_STATUS_OK, "%s", panicqr_status_message(st));
    CHECK(count >= 2 && count <= N, "%u parts", count);
    /* Part 1 ends with the log; each part ends where the newer one starts. */
    CHECK(infos[0].log_start + infos[0].log_kept == log_len, "part 1 is the newest lines");
    for (uint32_t i = 1; i < count; i++)
        CHECK(infos[i].log_start + infos[i].log_kept == infos[i - 1].log_start, "part %u precedes part %u", i + 1, i);
    for (uint32_t i = 0; i < count; i++) pbm(argv[2], i + 1, out + i * sym, infos[i].symbol.width, infos[i].symbol.row_bytes);
    CHECK(canary_ok(ws, ws_len) && canary_ok(out, N * sym), "canary");
    /* Refusals: a NULL, one symbol short, a count of 0 and of 17. */
    CHECK(panicqr_report_parts(log, log_len, &opts, N, ws, ws_len, out, N * sym, infos, N, NULL) ==
              PANICQR_STATUS_NULL_POINTER, "NULL count");
    CHECK(panicqr_report_parts(log, log_len, &opts, N, ws, ws_len, out, N * sym - 1, infos, N, &count) ==
              PANICQR_STATUS_BUFFER_TOO_SMALL, "short out");
    CHECK(panicqr_report_parts(log, log_len, &opts, N, ws, ws_len - 1, out, N * sym, infos, N, &count) ==
              PANICQR_STATUS_BUFFER_TOO_SMALL, "short workspace");
    CHECK(panicqr_report_parts(log, log_len, &opts, N, ws, ws_len, out, N * sym, infos, N - 1, &count) ==
              PANICQR_STATUS_BUFFER_TOO_SMALL, "short infos");
    CHECK(panicqr_report_parts(log, log_len, &opts, 0, ws, ws_len, out, N * sym, infos, N, &count) ==
              PANICQR_STATUS_INVALID_ARGUMENT, "0 parts");
    CHECK(panicqr_report_parts(log, log_len, &opts, PANICQR_PARTS_MAX + 1, ws, ws_len, out, N * sym, infos, N,
                               &count) == PANICQR_STATUS_INVALID_ARGUMENT, "17 parts");
    CHECK(panicqr_parts_workspace_len(41, 2) == 0 && panicqr_parts_workspace_len(20, 0) == 0, "bad sizes");
    CHECK(canary_ok(ws, ws_len) && canary_ok(out, N * sym), "canary after refusals");
    printf("%u parts\n", count);
    free(ws);
    free(out);
    free(log);
    return finish("parts");
}
