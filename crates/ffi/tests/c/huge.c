/* Every size parameter of every entry point with lengths no real buffer can
 * have: SIZE_MAX and just below it, around SIZE_MAX/2 and PTRDIFF_MAX, just
 * past PANICQR_LEN_MAX, and for each pointer the lengths that end exactly at
 * or one past the top of the address space. Each must be refused with an
 * error before any pointer is used (ASan/valgrind see any read or write),
 * outputs untouched, canaries intact. A baseline call with sane sizes must
 * succeed first, so each refusal is due to the one huge size. */
#include <stddef.h>

#include "common.h"

#define MAX_HUGE 48

/* The huge lengths to try for a buffer at `p`. */
static size_t huge_sizes(const void *p, size_t out[MAX_HUGE]) {
    size_t n = 0;
    for (size_t k = 0; k <= 16; k++) out[n++] = SIZE_MAX - k;
    out[n++] = SIZE_MAX - 4070; /* SIZE_MAX - PANICQR_DRM_DATA_SIZE + 1 */
    out[n++] = SIZE_MAX - 65535;
    out[n++] = SIZE_MAX / 2 + 2;
    out[n++] = SIZE_MAX / 2 + 1;
    out[n++] = SIZE_MAX / 2;
    out[n++] = SIZE_MAX / 2 - 1;
    out[n++] = (size_t)PTRDIFF_MAX;
    out[n++] = (size_t)PTRDIFF_MAX + 1;
    out[n++] = SIZE_MAX / 4;
    out[n++] = SIZE_MAX / 3;
    out[n++] = (size_t)PANICQR_LEN_MAX + 1;
    out[n++] = (size_t)PANICQR_LEN_MAX * 2;
    uintptr_t a = (uintptr_t)p;
    out[n++] = SIZE_MAX - (size_t)a + 1; /* ends exactly at the wrap (0) */
    out[n++] = SIZE_MAX - (size_t)a + 2; /* wraps by one byte */
    out[n++] = SIZE_MAX - (size_t)a;     /* ends at the last address */
    return n;
}

static const char URL[] = "https://kernel-team.pages.debian.net/panic_report/#?a=x86_64&v=6.1&z=";

static void drm(void) {
    uint8_t payload[300];
    for (size_t i = 0; i < sizeof payload; i++) payload[i] = (uint8_t)(i * 37 + 11);
    uint8_t *data = guarded(PANICQR_DRM_DATA_SIZE, 0);
    uint8_t *tmp = guarded(PANICQR_DRM_TMP_SIZE, 0);
    memcpy(data, payload, sizeof payload);
    CHECK(panicqr_drm_generate(URL, data, sizeof payload, PANICQR_DRM_DATA_SIZE, tmp, PANICQR_DRM_TMP_SIZE) > 0,
          "baseline");
    size_t hs[MAX_HUGE];
    for (int which = 0; which < 4; which++) {
        const void *p = which == 2 ? (const void *)tmp : (const void *)data;
        size_t n = huge_sizes(p, hs);
        for (size_t i = 0; i < n; i++) {
            size_t h = hs[i];
            memcpy(data, payload, sizeof payload);
            size_t dl = sizeof payload, ds = PANICQR_DRM_DATA_SIZE, ts = PANICQR_DRM_TMP_SIZE;
            switch (which) {
                case 0: dl = h; break;
                case 1: ds = h; break;
                case 2: ts = h; break;
                default: dl = h, ds = h; break; /* data_len <= data_size, both huge */
            }
            uint8_t w = panicqr_drm_generate(URL, data, dl, ds, tmp, ts);
            CHECK(w == 0, "param %d = %zu: width %u", which, h, w);
            CHECK(memcmp(data, payload, sizeof payload) == 0, "param %d = %zu: data written", which, h);
            /* Raw mode too. */
            CHECK(panicqr_drm_generate(NULL, data, dl, ds, tmp, ts) == 0, "raw, param %d = %zu", which, h);
        }
    }
    CHECK(canary_ok(data, PANICQR_DRM_DATA_SIZE) && canary_ok(tmp, PANICQR_DRM_TMP_SIZE), "drm canaries");
    free(data);
    free(tmp);

    /* panicqr_drm_max_data_size: a URL length near SIZE_MAX leaves no room
     * (SIZE_MAX - 2 used to wrap `url_len + 5` and return 2880). */
    CHECK(panicqr_drm_max_data_size(40, SIZE_MAX - 2) == 0, "SIZE_MAX - 2: %zu", panicqr_drm_max_data_size(40, SIZE_MAX - 2));
    for (unsigned v = 0; v <= 41; v++) {
        size_t n = huge_sizes(URL, hs);
        for (size_t i = 0; i < n; i++) {
            size_t m = panicqr_drm_max_data_size((uint8_t)v, hs[i]);
            CHECK(m == 0, "version %u, url_len %zu: %zu", v, hs[i], m);
        }
    }
    /* The edge stays exact: 2,956 data codewords at version 40-L, 5 bytes of
     * segment headers after a URL, 3 in raw mode. */
    CHECK(panicqr_drm_max_data_size(40, 2956 - 5 - 40) == 39, "edge 40");
    CHECK(panicqr_drm_max_data_size(40, 2956 - 5 - 1) == 0, "edge 1");
    CHECK(panicqr_drm_max_data_size(40, 2956 - 5) == 0, "edge 0");
    CHECK(panicqr_drm_max_data_size(40, 0) == 2953, "raw");
}

static void qr(void) {
    const uint8_t text[] = "Kernel panic - not syncing: Attempted to kill init!";
    uint8_t *small = guarded(16, '1');
    panicqr_segment seg = {PANICQR_SEGMENT_BYTES, text, sizeof text - 1};
    panicqr_qr_options opts = {0, 1, 40, 0, -1, PANICQR_LAYOUT_LSB_DARK};
    size_t S = PANICQR_QR_SCRATCH_LEN_MAX, O = PANICQR_QR_SYMBOL_LEN_MAX;
    uint8_t *scratch = guarded(S, 0), *out = guarded(O, 0x77);
    panicqr_symbol_info info;
    CHECK(panicqr_qr_encode(&seg, 1, &opts, scratch, S, out, O, &info) == PANICQR_STATUS_OK, "baseline");
    memset(out, 0x77, O);
    size_t hs[MAX_HUGE];
    for (int which = 0; which < 4; which++) {
        const void *p = which == 1 ? (const void *)small : which == 2 ? (const void *)scratch : (const void *)out;
        size_t n = huge_sizes(p, hs);
        for (size_t i = 0; i < n; i++) {
            size_t h = hs[i];
            size_t count = 1, s = S, o = O;
            uint32_t kind = PANICQR_SEGMENT_BYTES;
            panicqr_segment one = seg;
            switch (which) {
                case 0: count = h; break;
                case 1: one.data = small, one.len = h, kind = (uint32_t)(i % 5); break;
                case 2: s = h; break;
                default: o = h; break;
            }
            if (which == 1) one.kind = kind;
            memset(&info, 0xEE, sizeof info);
            panicqr_status st = panicqr_qr_encode(&one, count, &opts, scratch, s, out, o, &info);
            CHECK(st == PANICQR_STATUS_INVALID_ARGUMENT, "param %d = %zu: status %d", which, h, st);
            CHECK(info.version == 0xEE && out[0] == 0x77 && out[O - 1] == 0x77, "param %d = %zu: written", which, h);
        }
    }
    /* Longer than any version holds but a plausible length: too long, and
     * never read (`small` has 16 bytes; ASan/valgrind would see a read). */
    size_t long_lens[] = {PANICQR_QR_SYMBOL_LEN_MAX * 3, 100000, PANICQR_LEN_MAX};
    for (size_t i = 0; i < sizeof long_lens / sizeof long_lens[0]; i++) {
        for (uint32_t kind = 0; kind < 5; kind++) {
            panicqr_segment one = {kind, small, long_lens[i]};
            panicqr_status st = panicqr_qr_encode(&one, 1, &opts, scratch, S, out, O, &info);
            CHECK(st == PANICQR_STATUS_DATA_TOO_LONG, "kind %u, len %zu: status %d", kind, long_lens[i], st);
        }
    }
    CHECK(canary_ok(scratch, S) && canary_ok(out, O) && canary_ok(small, 16), "qr canaries");
    free(scratch);
    free(out);
    free(small);
}

static void report(void) {
    const char *log = "[   12.345678] BUG: kernel NULL pointer dereference, address: 0000000000000000\n"
                      "[   12.345712] RIP: 0010:ext4_find_extent+0x9b/0x950\n";
    const char *base = "https://example.org/#";
    uint8_t *small = guarded(16, 'a');
    panicqr_report_options opts = {(const uint8_t *)base, strlen(base), (const uint8_t *)"x86_64", 6,
                                   (const uint8_t *)"6.1.0+deb", 9, 10, PANICQR_LAYOUT_KERNEL};
    size_t W = panicqr_report_workspace_len(10), O = panicqr_qr_symbol_len(10);
    uint8_t *ws = guarded(W, 0), *out = guarded(O, 0x77);
    panicqr_report_info info;
    CHECK(panicqr_report_build((const uint8_t *)log, strlen(log), &opts, ws, W, out, O, &info) == PANICQR_STATUS_OK,
          "baseline");
    memset(out, 0x77, O);
    size_t hs[MAX_HUGE];
    for (int which = 0; which < 6; which++) {
        const void *p = which == 4 ? (const void *)ws : which == 5 ? (const void *)out : (const void *)small;
        size_t n = huge_sizes(p, hs);
        for (size_t i = 0; i < n; i++) {
            size_t h = hs[i];
            panicqr_report_options o = opts;
            const uint8_t *l = (const uint8_t *)log;
            size_t ll = strlen(log), w = W, ol = O;
            switch (which) {
                case 0: l = small, ll = h; break;
                case 1: o.base_url = small, o.base_url_len = h; break;
                case 2: o.arch = small, o.arch_len = h; break;
                case 3: o.release = small, o.release_len = h; break;
                case 4: w = h; break;
                default: ol = h; break;
            }
            memset(&info, 0xEE, sizeof info);
            panicqr_status st = panicqr_report_build(l, ll, &o, ws, w, out, ol, &info);
            CHECK(st == PANICQR_STATUS_INVALID_ARGUMENT, "param %d = %zu: status %d", which, h, st);
            CHECK(info.symbol.version == 0xEE && out[0] == 0x77 && out[O - 1] == 0x77, "param %d = %zu: written", which, h);
        }
    }
    /* URL parts longer than the longest prefix: too long, never read. */
    size_t long_lens[] = {PANICQR_URL_PREFIX_MAX + 1, 100000, PANICQR_LEN_MAX};
    for (size_t i = 0; i < sizeof long_lens / sizeof long_lens[0]; i++) {
        for (int part = 0; part < 3; part++) {
            panicqr_report_options o = opts;
            if (part == 0) o.base_url = small, o.base_url_len = long_lens[i];
            if (part == 1) o.arch = small, o.arch_len = long_lens[i];
            if (part == 2) o.release = small, o.release_len = long_lens[i];
            panicqr_status st = panicqr_report_build((const uint8_t *)log, strlen(log), &o, ws, W, out, O, &info);
            CHECK(st == PANICQR_STATUS_DATA_TOO_LONG, "part %d, len %zu: status %d", part, long_lens[i], st);
        }
    }
    CHECK(canary_ok(ws, W) && canary_ok(out, O) && canary_ok(small, 16), "report canaries");
    free(ws);
    free(out);
    free(small);
}

/* panicqr_report_parts: every size parameter near SIZE_MAX, and a count of
 * entries whose byte size overflows. */
static void parts(void) {
    const char *log = "[   12.345678] BUG: kernel NULL pointer dereference, address: 0000000000000000\n"
                      "[   12.345712] RIP: 0010:ext4_find_extent+0x9b/0x950\n";
    const char *base = "https://example.org/#";
    enum { N = 3 };
    uint8_t *small = guarded(16, 'a');
    panicqr_report_options opts = {(const uint8_t *)base, strlen(base), (const uint8_t *)"x86_64", 6,
                                   (const uint8_t *)"6.1.0+deb", 9, 10, PANICQR_LAYOUT_KERNEL};
    size_t W = panicqr_parts_workspace_len(10, N), O = N * panicqr_qr_symbol_len(10);
    uint8_t *ws = guarded(W, 0), *out = guarded(O, 0x77);
    panicqr_report_info infos[N];
    uint32_t count = 0xEEEEEEEE;
    CHECK(panicqr_report_parts((const uint8_t *)log, strlen(log), &opts, N, ws, W, out, O, infos, N, &count) ==
              PANICQR_STATUS_OK && count == 1, "baseline: %u parts", count);
    memset(out, 0x77, O);
    size_t hs[MAX_HUGE];
    for (int which = 0; which < 7; which++) {
        const void *p = which == 4 ? (const void *)ws : which == 5 ? (const void *)out : which == 6 ? (const void *)infos : (const void *)small;
        size_t n = huge_sizes(p, hs);
        for (size_t i = 0; i < n; i++) {
            size_t h = hs[i];
            panicqr_report_options o = opts;
            const uint8_t *l = (const uint8_t *)log;
            size_t ll = strlen(log), w = W, ol = O, il = N;
            switch (which) {
                case 0: l = small, ll = h; break;
                case 1: o.base_url = small, o.base_url_len = h; break;
                case 2: o.arch = small, o.arch_len = h; break;
                case 3: o.release = small, o.release_len = h; break;
                case 4: w = h; break;
                case 5: ol = h; break;
                default: il = h; break;
            }
            count = 0xEEEEEEEE;
            panicqr_status st = panicqr_report_parts(l, ll, &o, N, ws, w, out, ol, infos, il, &count);
            CHECK(st == PANICQR_STATUS_INVALID_ARGUMENT, "param %d = %zu: status %d", which, h, st);
            CHECK(count == 0xEEEEEEEE && out[0] == 0x77 && out[O - 1] == 0x77, "param %d = %zu: written", which, h);
        }
    }
    CHECK(canary_ok(ws, W) && canary_ok(out, O) && canary_ok(small, 16), "parts canaries");
    free(ws);
    free(out);
    free(small);
}

static void screen(void) {
    static const char title[] = "KERNEL PANIC!", reason[] = "Kernel panic - not syncing: test";
    static const char log[] = "[    1.000000] BUG: test\n";
    static const char base[] = "https://example.org/#";
    uint32_t w = 320, h = 240;
    size_t stride = 320 * 4, F = stride * h, W = PANICQR_SCREEN_PARTS_WORKSPACE_LEN;
    uint8_t *fb = guarded(F, 0x33), *ws = guarded(W, 0), *small = guarded(16, 'a');
    panicqr_screen_options base_opts = {w, h, stride, PANICQR_PIXEL_FORMAT_XRGB8888, PANICQR_SCREEN_QR, 0xFFFFFF, 0,
                                        (const uint8_t *)title, sizeof title - 1, (const uint8_t *)reason,
                                        sizeof reason - 1, (const uint8_t *)log, sizeof log - 1,
                                        (const uint8_t *)base, sizeof base - 1, (const uint8_t *)"x86_64", 6,
                                        (const uint8_t *)"6.1", 3};
    panicqr_screen_info info;
    for (uint32_t kind = 0; kind <= PANICQR_SCREEN_PARTS; kind++) {
        panicqr_screen_options o = base_opts;
        o.screen = kind;
        CHECK(panicqr_screen_draw(fb, F, &o, ws, W, &info) == PANICQR_STATUS_OK, "baseline %u", kind);
    }
    memset(fb, 0x33, F);
    size_t hs[MAX_HUGE];
    for (uint32_t kind = 0; kind <= PANICQR_SCREEN_PARTS; kind++) {
        for (int which = 0; which < 9; which++) {
            const void *p = which == 0 ? (const void *)fb : which == 2 ? (const void *)ws : (const void *)small;
            size_t n = huge_sizes(p, hs);
            for (size_t i = 0; i < n; i++) {
                size_t v = hs[i];
                panicqr_screen_options o = base_opts;
                o.screen = kind;
                size_t fl = F, wl = W;
                switch (which) {
                    case 0: fl = v; break;
                    case 1: o.stride = v; break;
                    case 2: wl = v; break;
                    case 3: o.title = small, o.title_len = v; break;
                    case 4: o.reason = small, o.reason_len = v; break;
                    case 5: o.log = small, o.log_len = v; break;
                    case 6: o.base_url = small, o.base_url_len = v; break;
                    case 7: o.arch = small, o.arch_len = v; break;
                    default: o.release = small, o.release_len = v; break;
                }
                memset(&info, 0xEE, sizeof info);
                panicqr_status st = panicqr_screen_draw(fb, fl, &o, ws, wl, &info);
                CHECK(st == PANICQR_STATUS_INVALID_ARGUMENT, "screen %u, param %d = %zu: status %d", kind, which, v, st);
                CHECK(info.qr_version == 0xEE && fb[0] == 0x33 && fb[F - 1] == 0x33, "screen %u, param %d = %zu: written",
                      kind, which, v);
            }
        }
        /* Width and height at their largest: refused, nothing drawn. */
        uint32_t dims[][2] = {{UINT32_MAX, 240}, {320, UINT32_MAX}, {UINT32_MAX, UINT32_MAX}, {UINT32_MAX / 4, 2}};
        for (size_t d = 0; d < sizeof dims / sizeof dims[0]; d++) {
            panicqr_screen_options o = base_opts;
            o.screen = kind, o.width = dims[d][0], o.height = dims[d][1];
            panicqr_status st = panicqr_screen_draw(fb, F, &o, ws, W, &info);
            CHECK(st == PANICQR_STATUS_INVALID_ARGUMENT || st == PANICQR_STATUS_BUFFER_TOO_SMALL,
                  "screen %u, %ux%u: status %d", kind, o.width, o.height, st);
            CHECK(fb[0] == 0x33 && fb[F - 1] == 0x33, "screen %u, %ux%u: written", kind, o.width, o.height);
        }
    }
    CHECK(canary_ok(fb, F) && canary_ok(ws, W) && canary_ok(small, 16), "screen canaries");
    free(fb);
    free(ws);
    free(small);
}

int main(void) {
    drm();
    qr();
    report();
    parts();
    screen();
    return finish("huge");
}
