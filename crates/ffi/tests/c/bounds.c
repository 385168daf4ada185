/* Every buffer parameter of every function: every size from 0 to one past the
 * required size with canaries after it; NULL for every pointer; data_len >
 * data_size; overlapping buffers where the contract forbids them. Outputs
 * must be untouched on failure. */
#include "common.h"

static const char URL[] = "https://kernel-team.pages.debian.net/panic_report/#?a=x86_64&v=6.1&z=";

static void drm_generate(void) {
    uint8_t payload[300];
    for (size_t i = 0; i < sizeof payload; i++) payload[i] = (uint8_t)(i * 37 + 11);
    /* data_size: every size 0..=required+1. */
    for (size_t size = 0; size <= PANICQR_DRM_DATA_SIZE + 1; size++) {
        uint8_t *data = guarded(size, 0x5A);
        uint8_t *tmp = guarded(PANICQR_DRM_TMP_SIZE, 0);
        size_t len = size < sizeof payload ? size : sizeof payload;
        memcpy(data, payload, len);
        uint8_t w = panicqr_drm_generate(URL, data, len, size, tmp, PANICQR_DRM_TMP_SIZE);
        if (size < PANICQR_DRM_DATA_SIZE) {
            CHECK(w == 0, "data_size %zu accepted", size);
            CHECK(memcmp(data, payload, len) == 0, "data_size %zu: data changed on failure", size);
        } else {
            CHECK(w > 0, "data_size %zu rejected", size);
        }
        CHECK(canary_ok(data, size), "data_size %zu: canary", size);
        CHECK(canary_ok(tmp, PANICQR_DRM_TMP_SIZE), "data_size %zu: tmp canary", size);
        free(data);
        free(tmp);
    }
    /* tmp_size: every size 0..=required+1. */
    for (size_t size = 0; size <= PANICQR_DRM_TMP_SIZE + 1; size++) {
        uint8_t *data = guarded(PANICQR_DRM_DATA_SIZE, 0);
        uint8_t *tmp = guarded(size, 0);
        memcpy(data, payload, sizeof payload);
        uint8_t w = panicqr_drm_generate(URL, data, sizeof payload, PANICQR_DRM_DATA_SIZE, tmp, size);
        CHECK((w == 0) == (size < PANICQR_DRM_TMP_SIZE), "tmp_size %zu: width %u", size, w);
        if (w == 0) CHECK(memcmp(data, payload, sizeof payload) == 0, "tmp_size %zu: data changed", size);
        CHECK(canary_ok(data, PANICQR_DRM_DATA_SIZE) && canary_ok(tmp, size), "tmp_size %zu: canary", size);
        free(data);
        free(tmp);
    }
    uint8_t *data = guarded(PANICQR_DRM_DATA_SIZE, 0);
    uint8_t *tmp = guarded(PANICQR_DRM_TMP_SIZE, 0);
    /* data_len > data_size, NULL data, NULL tmp. */
    CHECK(panicqr_drm_generate(URL, data, PANICQR_DRM_DATA_SIZE + 1, PANICQR_DRM_DATA_SIZE, tmp, PANICQR_DRM_TMP_SIZE) == 0,
          "data_len > data_size");
    CHECK(panicqr_drm_generate(URL, NULL, 10, PANICQR_DRM_DATA_SIZE, tmp, PANICQR_DRM_TMP_SIZE) == 0, "NULL data");
    CHECK(panicqr_drm_generate(URL, data, 10, PANICQR_DRM_DATA_SIZE, NULL, PANICQR_DRM_TMP_SIZE) == 0, "NULL tmp");
    /* Too much payload for version 40. */
    CHECK(panicqr_drm_generate(URL, data, 3000, PANICQR_DRM_DATA_SIZE, tmp, PANICQR_DRM_TMP_SIZE) == 0, "too long");
    /* The largest payload Linux's estimate allows must fit. */
    size_t max = panicqr_drm_max_data_size(40, strlen(URL));
    CHECK(panicqr_drm_generate(URL, data, max, PANICQR_DRM_DATA_SIZE, tmp, PANICQR_DRM_TMP_SIZE) == 177, "max %zu", max);
    /* Raw mode (NULL url). */
    CHECK(panicqr_drm_generate(NULL, data, 100, PANICQR_DRM_DATA_SIZE, tmp, PANICQR_DRM_TMP_SIZE) > 0, "raw mode");
    free(data);
    free(tmp);
    /* Overlaps: tmp inside data; url inside data; url inside tmp. */
    uint8_t *big = guarded(PANICQR_DRM_DATA_SIZE + PANICQR_DRM_TMP_SIZE, 0);
    CHECK(panicqr_drm_generate(URL, big, 10, PANICQR_DRM_DATA_SIZE, big + 100, PANICQR_DRM_TMP_SIZE) == 0, "data/tmp overlap");
    CHECK(panicqr_drm_generate(URL, big, 10, PANICQR_DRM_DATA_SIZE + 1, big + PANICQR_DRM_DATA_SIZE, PANICQR_DRM_TMP_SIZE) == 0,
          "data/tmp overlap by one byte");
    memcpy(big + 200, URL, sizeof URL);
    CHECK(panicqr_drm_generate((const char *)big + 200, big, 10, PANICQR_DRM_DATA_SIZE, big + PANICQR_DRM_DATA_SIZE,
                               PANICQR_DRM_TMP_SIZE) == 0,
          "url inside data");
    CHECK(canary_ok(big, PANICQR_DRM_DATA_SIZE + PANICQR_DRM_TMP_SIZE), "overlap canary");
    free(big);
    /* A URL with no NUL within the longest encodable length is refused, not scanned on. */
    char *long_url = malloc(5000);
    memset(long_url, 'a', 4999);
    long_url[4999] = 0;
    data = guarded(PANICQR_DRM_DATA_SIZE, 0);
    tmp = guarded(PANICQR_DRM_TMP_SIZE, 0);
    CHECK(panicqr_drm_generate(long_url, data, 10, PANICQR_DRM_DATA_SIZE, tmp, PANICQR_DRM_TMP_SIZE) == 0, "long url");
    free(long_url);
    free(data);
    free(tmp);
}

static void qr_encode(void) {
    const uint8_t text[] = "Kernel panic - not syncing: Attempted to kill init! exitcode=0x00000009";
    panicqr_segment seg = {PANICQR_SEGMENT_BYTES, text, sizeof text - 1};
    panicqr_qr_options opts = {1, 1, 40, 0, -1, PANICQR_LAYOUT_LSB_DARK};
    /* The required sizes for this input, from the version a first call picks. */
    panicqr_symbol_info first;
    {
        uint8_t *s0 = guarded(PANICQR_QR_SCRATCH_LEN_MAX, 0), *o0 = guarded(PANICQR_QR_SYMBOL_LEN_MAX, 0);
        CHECK(panicqr_qr_encode(&seg, 1, &opts, s0, PANICQR_QR_SCRATCH_LEN_MAX, o0, PANICQR_QR_SYMBOL_LEN_MAX, &first) ==
                  PANICQR_STATUS_OK,
              "first call");
        free(s0);
        free(o0);
    }
    size_t need_s = panicqr_qr_scratch_len(first.version, 1), need_o = panicqr_qr_symbol_len(first.version);
    CHECK(first.version == 5 && first.width == 37 && first.ec_level == 1, "version %u", first.version);
    for (size_t s = 0; s <= need_s + 1; s++) {
        uint8_t *scratch = guarded(s, 0);
        uint8_t *out = guarded(need_o, 0x77);
        panicqr_symbol_info info;
        memset(&info, 0xEE, sizeof info);
        panicqr_status st = panicqr_qr_encode(&seg, 1, &opts, scratch, s, out, need_o, &info);
        if (s < need_s) {
            CHECK(st == PANICQR_STATUS_BUFFER_TOO_SMALL, "scratch %zu: status %d", s, st);
            CHECK(info.version == 0xEE && out[0] == 0x77 && out[need_o - 1] == 0x77, "scratch %zu: output written on failure", s);
        } else {
            CHECK(st == PANICQR_STATUS_OK && info.version == first.version && info.width == first.width, "scratch %zu: status %d", s, st);
        }
        CHECK(canary_ok(scratch, s) && canary_ok(out, need_o), "scratch %zu: canary", s);
        free(scratch);
        free(out);
    }
    for (size_t o = 0; o <= need_o + 1; o++) {
        uint8_t *scratch = guarded(need_s, 0);
        uint8_t *out = guarded(o, 0x77);
        panicqr_symbol_info info;
        memset(&info, 0xEE, sizeof info);
        panicqr_status st = panicqr_qr_encode(&seg, 1, &opts, scratch, need_s, out, o, &info);
        CHECK((st == PANICQR_STATUS_OK) == (o >= need_o), "out %zu: status %d", o, st);
        if (st != PANICQR_STATUS_OK) {
            CHECK(st == PANICQR_STATUS_BUFFER_TOO_SMALL && info.version == 0xEE, "out %zu", o);
            for (size_t i = 0; i < o; i++) CHECK(out[i] == 0x77, "out %zu: written at %zu on failure", o, i);
        }
        CHECK(canary_ok(scratch, need_s) && canary_ok(out, o), "out %zu: canary", o);
        free(scratch);
        free(out);
    }
    uint8_t *scratch = guarded(PANICQR_QR_SCRATCH_LEN_MAX, 0);
    uint8_t *out = guarded(PANICQR_QR_SYMBOL_LEN_MAX, 0);
    panicqr_symbol_info info;
    size_t S = PANICQR_QR_SCRATCH_LEN_MAX, O = PANICQR_QR_SYMBOL_LEN_MAX;
    /* NULL for every pointer. */
    CHECK(panicqr_qr_encode(NULL, 1, &opts, scratch, S, out, O, &info) == PANICQR_STATUS_NULL_POINTER, "NULL segments");
    CHECK(panicqr_qr_encode(&seg, 1, NULL, scratch, S, out, O, &info) == PANICQR_STATUS_NULL_POINTER, "NULL options");
    CHECK(panicqr_qr_encode(&seg, 1, &opts, NULL, S, out, O, &info) == PANICQR_STATUS_NULL_POINTER, "NULL scratch");
    CHECK(panicqr_qr_encode(&seg, 1, &opts, scratch, S, NULL, O, &info) == PANICQR_STATUS_NULL_POINTER, "NULL out");
    CHECK(panicqr_qr_encode(&seg, 1, &opts, scratch, S, out, O, NULL) == PANICQR_STATUS_NULL_POINTER, "NULL info");
    panicqr_segment null_data = {PANICQR_SEGMENT_BYTES, NULL, 5};
    CHECK(panicqr_qr_encode(&null_data, 1, &opts, scratch, S, out, O, &info) == PANICQR_STATUS_NULL_POINTER, "NULL data");
    panicqr_segment empty = {PANICQR_SEGMENT_BYTES, NULL, 0};
    CHECK(panicqr_qr_encode(&empty, 1, &opts, scratch, S, out, O, &info) == PANICQR_STATUS_OK, "NULL data, len 0");
    /* Out-of-range arguments. */
    panicqr_segment segs9[9];
    for (int i = 0; i < 9; i++) segs9[i] = seg;
    CHECK(panicqr_qr_encode(segs9, 9, &opts, scratch, S, out, O, &info) == PANICQR_STATUS_INVALID_ARGUMENT, "9 segments");
    panicqr_segment badkind = {7, text, 3};
    CHECK(panicqr_qr_encode(&badkind, 1, &opts, scratch, S, out, O, &info) == PANICQR_STATUS_INVALID_ARGUMENT, "kind");
    panicqr_qr_options bad = opts;
    bad.max_version = 41;
    CHECK(panicqr_qr_encode(&seg, 1, &bad, scratch, S, out, O, &info) == PANICQR_STATUS_INVALID_ARGUMENT, "version 41");
    bad = opts;
    bad.mask = 8;
    CHECK(panicqr_qr_encode(&seg, 1, &bad, scratch, S, out, O, &info) == PANICQR_STATUS_INVALID_ARGUMENT, "mask 8");
    bad = opts;
    bad.ec_level = 4;
    CHECK(panicqr_qr_encode(&seg, 1, &bad, scratch, S, out, O, &info) == PANICQR_STATUS_INVALID_ARGUMENT, "level 4");
    panicqr_segment digits = {PANICQR_SEGMENT_NUMERIC, (const uint8_t *)"12a", 3};
    CHECK(panicqr_qr_encode(&digits, 1, &opts, scratch, S, out, O, &info) == PANICQR_STATUS_INVALID_CHARACTER, "12a");
    uint8_t *huge = guarded(3000, 'x');
    panicqr_segment big = {PANICQR_SEGMENT_BYTES, huge, 3000};
    CHECK(panicqr_qr_encode(&big, 1, &opts, scratch, S, out, O, &info) == PANICQR_STATUS_DATA_TOO_LONG, "too long");
    free(huge);
    /* Overlaps: scratch/out, segment data inside out, info inside scratch. */
    uint8_t *both = guarded(S + O, 0);
    CHECK(panicqr_qr_encode(&seg, 1, &opts, both, S, both + S - 1, O, &info) == PANICQR_STATUS_OVERLAP, "scratch/out");
    memcpy(out + 10, text, sizeof text);
    panicqr_segment inside = {PANICQR_SEGMENT_BYTES, out + 10, sizeof text - 1};
    CHECK(panicqr_qr_encode(&inside, 1, &opts, scratch, S, out, O, &info) == PANICQR_STATUS_OVERLAP, "data in out");
    CHECK(panicqr_qr_encode(&seg, 1, &opts, both, S, both + S, O, (panicqr_symbol_info *)(void *)(both + 8)) ==
              PANICQR_STATUS_OVERLAP,
          "info in scratch");
    CHECK(canary_ok(both, S + O) && canary_ok(scratch, S) && canary_ok(out, O), "overlap canaries");
    free(both);
    free(scratch);
    free(out);
}

static void report_build(void) {
    const char *log =
        "[   12.345678] BUG: kernel NULL pointer dereference, address: 0000000000000000\n"
        "[   12.345690] #PF: supervisor read access in kernel mode\n"
        "[   12.345701] Oops: 0000 [#1] PREEMPT SMP NOPTI\n"
        "[   12.345712] RIP: 0010:ext4_find_extent+0x9b/0x950\n";
    size_t log_len = strlen(log);
    const char *base = "https://example.org/#";
    panicqr_report_options opts = {(const uint8_t *)base, strlen(base), (const uint8_t *)"x86_64", 6,
                                   (const uint8_t *)"6.1.0+deb", 9, 15, PANICQR_LAYOUT_KERNEL};
    size_t need_w = panicqr_report_workspace_len(15), need_o = panicqr_qr_symbol_len(15);
    CHECK(need_w > 0 && need_w <= PANICQR_REPORT_WORKSPACE_LEN_MAX, "%zu", need_w);
    for (size_t w = 0; w <= need_w + 1; w++) {
        uint8_t *ws = guarded(w, 0);
        uint8_t *out = guarded(need_o, 0x77);
        panicqr_report_info info;
        memset(&info, 0xEE, sizeof info);
        panicqr_status st = panicqr_report_build((const uint8_t *)log, log_len, &opts, ws, w, out, need_o, &info);
        CHECK((st == PANICQR_STATUS_OK) == (w >= need_w), "workspace %zu: %d", w, st);
        if (st != PANICQR_STATUS_OK) CHECK(out[0] == 0x77 && info.log_kept == (size_t)0xEEEEEEEEEEEEEEEEull, "w %zu", w);
        else CHECK(info.log_kept == log_len && info.log_start == 0 && info.symbol.width > 0, "w %zu", w);
        CHECK(canary_ok(ws, w) && canary_ok(out, need_o), "workspace %zu: canary", w);
        free(ws);
        free(out);
    }
    for (size_t o = 0; o <= need_o + 1; o++) {
        uint8_t *ws = guarded(need_w, 0);
        uint8_t *out = guarded(o, 0x77);
        panicqr_report_info info;
        panicqr_status st = panicqr_report_build((const uint8_t *)log, log_len, &opts, ws, need_w, out, o, &info);
        CHECK((st == PANICQR_STATUS_OK) == (o >= need_o), "out %zu: %d", o, st);
        CHECK(canary_ok(ws, need_w) && canary_ok(out, o), "out %zu: canary", o);
        free(ws);
        free(out);
    }
    uint8_t *ws = guarded(need_w, 0);
    uint8_t *out = guarded(need_o, 0);
    panicqr_report_info info;
    const uint8_t *L = (const uint8_t *)log;
    CHECK(panicqr_report_build(NULL, log_len, &opts, ws, need_w, out, need_o, &info) == PANICQR_STATUS_NULL_POINTER, "log");
    CHECK(panicqr_report_build(L, log_len, NULL, ws, need_w, out, need_o, &info) == PANICQR_STATUS_NULL_POINTER, "opts");
    CHECK(panicqr_report_build(L, log_len, &opts, NULL, need_w, out, need_o, &info) == PANICQR_STATUS_NULL_POINTER, "ws");
    CHECK(panicqr_report_build(L, log_len, &opts, ws, need_w, NULL, need_o, &info) == PANICQR_STATUS_NULL_POINTER, "out");
    CHECK(panicqr_report_build(L, log_len, &opts, ws, need_w, out, need_o, NULL) == PANICQR_STATUS_NULL_POINTER, "info");
    panicqr_report_options o2 = opts;
    o2.arch = NULL;
    CHECK(panicqr_report_build(L, log_len, &o2, ws, need_w, out, need_o, &info) == PANICQR_STATUS_NULL_POINTER, "arch");
    o2 = opts;
    o2.max_version = 0;
    CHECK(panicqr_report_build(L, log_len, &o2, ws, need_w, out, need_o, &info) == PANICQR_STATUS_INVALID_ARGUMENT, "v0");
    o2 = opts;
    o2.max_version = 1;
    CHECK(panicqr_report_build(L, log_len, &o2, ws, need_w, out, need_o, &info) == PANICQR_STATUS_DATA_TOO_LONG, "v1");
    /* The log inside the workspace; the base URL inside out. */
    memcpy(ws + 100, log, log_len);
    CHECK(panicqr_report_build(ws + 100, log_len, &opts, ws, need_w, out, need_o, &info) == PANICQR_STATUS_OVERLAP, "log/ws");
    memcpy(out, base, strlen(base));
    o2 = opts;
    o2.base_url = out;
    CHECK(panicqr_report_build(L, log_len, &o2, ws, need_w, out, need_o, &info) == PANICQR_STATUS_OVERLAP, "base/out");
    CHECK(canary_ok(ws, need_w) && canary_ok(out, need_o), "canaries");
    free(ws);
    free(out);
}

static panicqr_screen_options screen_opts(uint32_t w, uint32_t h, size_t stride, uint32_t screen) {
    static const char title[] = "KERNEL PANIC!", reason[] = "Kernel panic - not syncing: test";
    static const char log[] = "[    1.000000] BUG: test\n[    1.000001] RIP: 0010:test+0x1/0x2\n";
    static const char base[] = "https://example.org/#";
    panicqr_screen_options o = {w, h, stride, PANICQR_PIXEL_FORMAT_XRGB8888, screen, 0xFFFFFF, 0x000000,
                                (const uint8_t *)title, sizeof title - 1, (const uint8_t *)reason, sizeof reason - 1,
                                (const uint8_t *)log, sizeof log - 1, (const uint8_t *)base, sizeof base - 1,
                                (const uint8_t *)"x86_64", 6, (const uint8_t *)"6.1", 3};
    return o;
}

/* The parts screen (320x240: one code): the workspace around
 * PANICQR_SCREEN_PARTS_WORKSPACE_LEN, a framebuffer one byte short, NULLs
 * and overlaps; a refusal writes nothing. */
static void screen_parts(void) {
    uint32_t w = 320, h = 240;
    size_t stride = 320 * 4, F = stride * h, W = PANICQR_SCREEN_PARTS_WORKSPACE_LEN;
    panicqr_screen_options o = screen_opts(w, h, stride, PANICQR_SCREEN_PARTS);
    uint8_t *fb = guarded(F, 0x33);
    size_t sizes[] = {0, 1, PANICQR_SCREEN_WORKSPACE_LEN, W - 1, W, W + 1};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        size_t n = sizes[i];
        uint8_t *ws = guarded(n, 0x5A);
        panicqr_screen_info info;
        memset(&info, 0xEE, sizeof info);
        memset(fb, 0x33, F);
        panicqr_status st = panicqr_screen_draw(fb, F, &o, ws, n, &info);
        CHECK((st == PANICQR_STATUS_OK) == (n >= W), "parts workspace %zu: %d", n, st);
        if (st == PANICQR_STATUS_OK) {
            CHECK(info.codes == 1 && info.qr_version >= 1 && info.log_bytes == o.log_len, "parts workspace %zu: %u codes",
                  n, info.codes);
        } else {
            CHECK(st == PANICQR_STATUS_BUFFER_TOO_SMALL && info.qr_version == 0xEE, "parts workspace %zu", n);
            for (size_t j = 0; j < F; j++) CHECK(fb[j] == 0x33, "parts workspace %zu: fb written at %zu", n, j);
            for (size_t j = 0; j < n; j++) CHECK(ws[j] == 0x5A, "parts workspace %zu: written at %zu", n, j);
        }
        CHECK(canary_ok(ws, n) && canary_ok(fb, F), "parts workspace %zu: canary", n);
        free(ws);
    }
    uint8_t *ws = guarded(W, 0x5A);
    panicqr_screen_info info;
    memset(&info, 0xEE, sizeof info);
    memset(fb, 0x33, F);
    CHECK(panicqr_screen_draw(fb, F - 1, &o, ws, W, &info) == PANICQR_STATUS_BUFFER_TOO_SMALL, "parts fb short");
    CHECK(info.qr_version == 0xEE && fb[0] == 0x33 && ws[0] == 0x5A, "parts fb short: written");
    CHECK(panicqr_screen_draw(NULL, F, &o, ws, W, &info) == PANICQR_STATUS_NULL_POINTER, "parts NULL fb");
    CHECK(panicqr_screen_draw(fb, F, &o, NULL, W, &info) == PANICQR_STATUS_NULL_POINTER, "parts NULL workspace");
    CHECK(panicqr_screen_draw(fb, F, &o, ws, W, NULL) == PANICQR_STATUS_NULL_POINTER, "parts NULL info");
    panicqr_screen_options bad = o;
    bad.reason = NULL;
    CHECK(panicqr_screen_draw(fb, F, &bad, ws, W, &info) == PANICQR_STATUS_NULL_POINTER, "parts NULL reason");
    bad = o;
    bad.stride = 319 * 4;
    CHECK(panicqr_screen_draw(fb, F, &bad, ws, W, &info) == PANICQR_STATUS_INVALID_ARGUMENT, "parts stride");
    CHECK(panicqr_screen_draw(fb, F, &o, fb + 16, W, &info) == PANICQR_STATUS_OVERLAP, "parts ws in fb");
    CHECK(panicqr_screen_draw(fb, F, &o, ws, W, (panicqr_screen_info *)(ws + 64)) == PANICQR_STATUS_OVERLAP,
          "parts info in ws");
    bad = o;
    bad.base_url = fb + 8;
    CHECK(panicqr_screen_draw(fb, F, &bad, ws, W, &info) == PANICQR_STATUS_OVERLAP, "parts base URL in fb");
    CHECK(info.qr_version == 0xEE && fb[0] == 0x33 && ws[0] == 0x5A, "parts refusals: written");
    CHECK(canary_ok(fb, F) && canary_ok(ws, W), "parts canaries");
    free(ws);
    free(fb);
}

static void screen_draw(void) {
    /* Framebuffer length: every size around what 64x48 XRGB8888 needs (kmsg screen). */
    uint32_t w = 64, h = 48;
    size_t stride = 64 * 4 + 8, need = stride * (h - 1) + 64 * 4;
    panicqr_screen_options o = screen_opts(w, h, stride, PANICQR_SCREEN_KMSG);
    uint8_t ws_small[8];
    for (size_t n = 0; n <= need + 1; n++) {
        uint8_t *fb = guarded(n, 0x33);
        panicqr_screen_info info;
        memset(&info, 0xEE, sizeof info);
        panicqr_status st = panicqr_screen_draw(fb, n, &o, ws_small, sizeof ws_small, &info);
        CHECK((st == PANICQR_STATUS_OK) == (n >= need), "fb %zu: %d", n, st);
        if (st != PANICQR_STATUS_OK) {
            CHECK(st == PANICQR_STATUS_BUFFER_TOO_SMALL && info.qr_version == 0xEE, "fb %zu: %d", n, st);
            for (size_t i = 0; i < n; i++) CHECK(fb[i] == 0x33, "fb %zu written at %zu on failure", n, i);
        }
        CHECK(canary_ok(fb, n), "fb %zu: canary", n);
        free(fb);
    }
    /* Workspace: every size around PANICQR_SCREEN_WORKSPACE_LEN (QR screen, 320x240). */
    w = 320, h = 240, stride = 320 * 4;
    o = screen_opts(w, h, stride, PANICQR_SCREEN_QR);
    uint8_t *fb = guarded(stride * h, 0);
    for (size_t n = 0; n <= PANICQR_SCREEN_WORKSPACE_LEN + 1; n++) {
        uint8_t *ws = guarded(n, 0);
        panicqr_screen_info info;
        panicqr_status st = panicqr_screen_draw(fb, stride * h, &o, ws, n, &info);
        CHECK((st == PANICQR_STATUS_OK) == (n >= PANICQR_SCREEN_WORKSPACE_LEN), "workspace %zu: %d", n, st);
        if (st == PANICQR_STATUS_OK) CHECK(info.qr_version >= 1 && info.log_bytes > 0, "workspace %zu: no QR", n);
        CHECK(canary_ok(ws, n) && canary_ok(fb, stride * h), "workspace %zu: canary", n);
        free(ws);
    }
    uint8_t *ws = guarded(PANICQR_SCREEN_WORKSPACE_LEN, 0);
    panicqr_screen_info info;
    size_t F = stride * h, W = PANICQR_SCREEN_WORKSPACE_LEN;
    CHECK(panicqr_screen_draw(NULL, F, &o, ws, W, &info) == PANICQR_STATUS_NULL_POINTER, "NULL fb");
    CHECK(panicqr_screen_draw(fb, F, NULL, ws, W, &info) == PANICQR_STATUS_NULL_POINTER, "NULL options");
    CHECK(panicqr_screen_draw(fb, F, &o, NULL, W, &info) == PANICQR_STATUS_NULL_POINTER, "NULL workspace");
    CHECK(panicqr_screen_draw(fb, F, &o, ws, W, NULL) == PANICQR_STATUS_NULL_POINTER, "NULL info");
    panicqr_screen_options bad = o;
    bad.log = NULL;
    CHECK(panicqr_screen_draw(fb, F, &bad, ws, W, &info) == PANICQR_STATUS_NULL_POINTER, "NULL log");
    bad = o;
    bad.pixel_format = PANICQR_PIXEL_FORMAT_COUNT;
    CHECK(panicqr_screen_draw(fb, F, &bad, ws, W, &info) == PANICQR_STATUS_INVALID_ARGUMENT, "format");
    bad = o;
    bad.screen = PANICQR_SCREEN_PARTS + 1;
    CHECK(panicqr_screen_draw(fb, F, &bad, ws, W, &info) == PANICQR_STATUS_INVALID_ARGUMENT, "screen");
    bad = o;
    bad.stride = 319 * 4;
    CHECK(panicqr_screen_draw(fb, F, &bad, ws, W, &info) == PANICQR_STATUS_INVALID_ARGUMENT, "stride");
    bad = o;
    bad.width = 0;
    CHECK(panicqr_screen_draw(fb, F, &bad, ws, W, &info) == PANICQR_STATUS_INVALID_ARGUMENT, "width 0");
    /* Overlaps: workspace inside the framebuffer; the log inside the workspace. */
    CHECK(panicqr_screen_draw(fb, F, &o, fb + 16, W, &info) == PANICQR_STATUS_OVERLAP, "ws in fb");
    memcpy(ws + 8, "log", 3);
    bad = o;
    bad.log = ws + 8;
    bad.log_len = 3;
    CHECK(panicqr_screen_draw(fb, F, &bad, ws, W, &info) == PANICQR_STATUS_OVERLAP, "log in ws");
    CHECK(canary_ok(fb, F) && canary_ok(ws, W), "canaries");
    free(ws);
    free(fb);
    screen_parts();
}

static void messages(void) {
    for (int s = -2; s < 10; s++) {
        const char *m = panicqr_status_message(s);
        CHECK(m != NULL && strlen(m) > 0, "status %d", s);
    }
    CHECK(strcmp(panicqr_status_message(PANICQR_STATUS_OK), "success") == 0, "ok message");
}

int main(void) {
    drm_generate();
    qr_encode();
    report_build();
    screen_draw();
    messages();
    return finish("bounds");
}
