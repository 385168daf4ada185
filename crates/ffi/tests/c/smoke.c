/* A whole report from a real crash log through the C API, in both layouts;
 * the finder patterns are where they must be. Writes the symbol as a PBM to
 * argv[2] for the Rust harness to scan with an independent decoder. */
#include "common.h"

/* Draws the QR panic screen of a 640x480 RGB565 framebuffer and writes it as
 * a PPM, for the harness to scan. */
static void screen(const uint8_t *log, size_t log_len, const char *path) {
    enum { W = 640, H = 480 };
    size_t stride = W * 2;
    uint8_t *fb = guarded(stride * H, 0);
    uint8_t *ws = guarded(PANICQR_SCREEN_WORKSPACE_LEN, 0);
    static const char title[] = "KERNEL PANIC!", base[] = "https://kernel-team.pages.debian.net/panic_report/#";
    panicqr_screen_options o = {W, H, stride, PANICQR_PIXEL_FORMAT_RGB565, PANICQR_SCREEN_QR, 0xFFFFFF, 0x000000,
                                (const uint8_t *)title, sizeof title - 1, (const uint8_t *)"test", 4, log, log_len,
                                (const uint8_t *)base, sizeof base - 1, (const uint8_t *)"x86_64", 6,
                                (const uint8_t *)"6.1", 3};
    panicqr_screen_info info;
    panicqr_status st = panicqr_screen_draw(fb, stride * H, &o, ws, PANICQR_SCREEN_WORKSPACE_LEN, &info);
    CHECK(st == PANICQR_STATUS_OK && info.qr_version > 0, "screen: %s", panicqr_status_message(st));
    FILE *f = fopen(path, "wb");
    if (!f) {
        perror(path);
        exit(2);
    }
    fprintf(f, "P6\n%d %d\n255\n", W, H);
    for (size_t i = 0; i < (size_t)W * H; i++) {
        unsigned v = fb[2 * i] | (unsigned)fb[2 * i + 1] << 8;
        unsigned char rgb[3] = {(unsigned char)((v >> 11) * 255 / 31), (unsigned char)(((v >> 5) & 63) * 255 / 63),
                                (unsigned char)((v & 31) * 255 / 31)};
        fwrite(rgb, 1, 3, f);
    }
    fclose(f);
    CHECK(canary_ok(fb, stride * H) && canary_ok(ws, PANICQR_SCREEN_WORKSPACE_LEN), "screen canary");
    free(fb);
    free(ws);
}

int main(int argc, char **argv) {
    if (argc < 4) {
        fprintf(stderr, "usage: smoke LOG OUT.pbm SCREEN.ppm\n");
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
    screen(log, log_len, argv[3]);
    free(ws);
    free(out);
    free(log);
    return finish("smoke");
}
