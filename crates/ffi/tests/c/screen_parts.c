/* The multi-code panic screen through the C API (PANICQR_SCREEN_PARTS) at
 * three sizes in three pixel formats: each framebuffer canary-guarded,
 * written as a PPM (OUT_DIR/screen-WxH.ppm) for the Rust harness to read
 * every code with zbarimg, merge the parts and compare the screen with the
 * library's. Prints what each call reported. */
#include "common.h"

static const char title[] = "KERNEL PANIC!", reason[] = "Kernel panic - not syncing: Fatal exception";
static const char base[] = "https://kernel-team.pages.debian.net/panic_report/#";

/* The pixel at `p` in `format` as 8-bit RGB. */
static void rgb(const uint8_t *p, uint32_t format, unsigned char out[3]) {
    if (format == PANICQR_PIXEL_FORMAT_RGB565) {
        unsigned v = p[0] | (unsigned)p[1] << 8;
        out[0] = (unsigned char)((v >> 11) * 255 / 31);
        out[1] = (unsigned char)(((v >> 5) & 63) * 255 / 63);
        out[2] = (unsigned char)((v & 31) * 255 / 31);
    } else if (format == PANICQR_PIXEL_FORMAT_XRGB8888) {
        out[0] = p[2], out[1] = p[1], out[2] = p[0];
    } else { /* XBGR8888 (7) */
        out[0] = p[0], out[1] = p[1], out[2] = p[2];
    }
}

static void screen(const uint8_t *log, size_t log_len, const char *dir, uint32_t w, uint32_t h, uint32_t format,
                   uint32_t bpp) {
    size_t stride = (size_t)w * bpp + 12, F = stride * h, W = PANICQR_SCREEN_PARTS_WORKSPACE_LEN;
    uint8_t *fb = guarded(F, 0x33), *ws = guarded(W, 0);
    panicqr_screen_options o = {w, h, stride, format, PANICQR_SCREEN_PARTS, 0xFFFFFF, 0x000000,
                                (const uint8_t *)title, sizeof title - 1, (const uint8_t *)reason, sizeof reason - 1,
                                log, log_len, (const uint8_t *)base, sizeof base - 1, (const uint8_t *)"x86_64", 6,
                                (const uint8_t *)"6.1", 3};
    panicqr_screen_info info;
    memset(&info, 0xEE, sizeof info);
    panicqr_status st = panicqr_screen_draw(fb, F, &o, ws, W, &info);
    CHECK(st == PANICQR_STATUS_OK, "%ux%u: %s", w, h, panicqr_status_message(st));
    CHECK(info.codes >= 2 && info.codes <= PANICQR_PARTS_MAX, "%ux%u: %u codes", w, h, info.codes);
    CHECK(info.qr_version >= 1 && info.qr_version <= 40 && info.module_px >= 2, "%ux%u: version %u at %u px", w, h,
          info.qr_version, info.module_px);
    CHECK(info.log_bytes > 0 && info.log_bytes <= log_len, "%ux%u: %zu log bytes", w, h, info.log_bytes);
    /* The stride's padding is never drawn on. */
    for (uint32_t y = 0; y < h; y++)
        for (size_t x = (size_t)w * bpp; x < stride && (size_t)y * stride + x < F; x++)
            CHECK(fb[(size_t)y * stride + x] == 0x33, "%ux%u: padding written at row %u", w, h, y);
    CHECK(canary_ok(fb, F) && canary_ok(ws, W), "%ux%u: canary", w, h);
    char path[4096];
    snprintf(path, sizeof path, "%s/screen-%ux%u.ppm", dir, w, h);
    FILE *f = fopen(path, "wb");
    if (!f) {
        perror(path);
        exit(2);
    }
    fprintf(f, "P6\n%u %u\n255\n", w, h);
    for (uint32_t y = 0; y < h; y++) {
        for (uint32_t x = 0; x < w; x++) {
            unsigned char px[3];
            rgb(fb + (size_t)y * stride + (size_t)x * bpp, format, px);
            fwrite(px, 1, 3, f);
        }
    }
    fclose(f);
    printf("%ux%u: %u codes, version %u, %u px, %zu bytes\n", w, h, info.codes, info.qr_version, info.module_px,
           info.log_bytes);
    free(fb);
    free(ws);
}

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: screen_parts LOG OUT_DIR\n");
        return 2;
    }
    size_t log_len;
    uint8_t *log = read_file(argv[1], &log_len);
    screen(log, log_len, argv[2], 1920, 1080, PANICQR_PIXEL_FORMAT_XRGB8888, 4);
    screen(log, log_len, argv[2], 1366, 768, PANICQR_PIXEL_FORMAT_RGB565, 2);
    screen(log, log_len, argv[2], 800, 600, 7, 4);
    free(log);
    return finish("screen_parts");
}
