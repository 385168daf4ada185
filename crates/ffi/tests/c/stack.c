/* Peak stack of every entry point of the C library as shipped (LTO, one
 * codegen unit), measured from C: each call runs on a thread whose stack is
 * a buffer painted beforehand, and the bytes of paint left at its far end
 * say how deep the call went. The figure counts from the frame of the
 * thread's body, so it includes that frame and the small one of the
 * function making the call (arguments and results are static): an upper
 * bound on the call's own use, by a few dozen bytes.
 * Fails if any entry point needs more than the panic path's budget: an NMI
 * runs on a 4 KiB stack, and the panic path gets half of it.
 *
 * Built without sanitizers: AddressSanitizer changes frames.
 *
 * Usage: stack LOG... (each entry point runs on every log; the worst
 * figure counts). */
#define _GNU_SOURCE
#include <pthread.h>

#include "common.h"

#define BUDGET 2048u
#define STACK_SIZE (256u * 1024u)
#define PAINT 0x5Au

static const uint8_t BASE[] = "https://kernel-team.pages.debian.net/panic_report/#";
static const uint8_t ARCH[] = "x86_64";
static const uint8_t RELEASE[] = "6.19.11+kali-amd64";

typedef struct {
    const char *name;
    /* The call to measure; returns nonzero when it did its job. */
    int (*call)(const uint8_t *log, size_t log_len);
    /* 0: the budget. Otherwise an entry point not yet within it, with the
     * ceiling it must not grow past (its figure when measured + 64). None
     * now: the build, the parts and both code screens, once 2,296–2,344 B
     * here, fit since the compressor's passes and code choice run in frames
     * of their own. */
    size_t ceiling;
    size_t worst;
} entry;

typedef struct {
    entry *e;
    const uint8_t *log;
    size_t log_len;
    uintptr_t top;
    int ok;
} job;

/* Arguments and results live in static storage, not in the frames of the
 * functions making the calls: those frames are counted too. */
static panicqr_report_options ro;
static panicqr_report_info rinfo, infos[PANICQR_PARTS_MAX];
static panicqr_screen_options so;
static panicqr_screen_info sinfo;
static panicqr_segment segs[2];
static panicqr_qr_options qo;
static panicqr_symbol_info qinfo;
static uint32_t count;

static void report_options(uint8_t max_version) {
    memset(&ro, 0, sizeof ro);
    ro.base_url = BASE;
    ro.base_url_len = sizeof BASE - 1;
    ro.arch = ARCH;
    ro.arch_len = sizeof ARCH - 1;
    ro.release = RELEASE;
    ro.release_len = sizeof RELEASE - 1;
    ro.max_version = max_version;
    ro.layout = PANICQR_LAYOUT_LSB_DARK;
}

/* Buffers the calls use, allocated once in main: heap, never the measured
 * stack. */
static uint8_t *ws, *out, *fb, *data, *tmp;
static size_t ws_len, out_len, fb_len;

static int drm_generate(const uint8_t *log, size_t log_len) {
    static const char url[] = "https://kernel-team.pages.debian.net/panic_report/#?a=x86_64&v=6.1&z=";
    size_t n = panicqr_drm_max_data_size(40, sizeof url - 1);
    if (n > log_len) {
        n = log_len;
    }
    memcpy(data, log + (log_len - n), n);
    return panicqr_drm_generate(url, data, n, PANICQR_DRM_DATA_SIZE, tmp, PANICQR_DRM_TMP_SIZE) != 0;
}

static int qr_encode(const uint8_t *log, size_t log_len) {
    static const uint8_t url[] = "https://kernel-team.pages.debian.net/panic_report/#?a=x86_64&v=6.1&z=";
    size_t n = log_len < 2790 ? log_len : 2790;
    segs[0].kind = PANICQR_SEGMENT_BYTES;
    segs[0].data = url;
    segs[0].len = sizeof url - 1;
    segs[1].kind = PANICQR_SEGMENT_DECIMAL_BYTES;
    segs[1].data = log + (log_len - n);
    segs[1].len = n;
    memset(&qo, 0, sizeof qo);
    qo.min_version = 1;
    qo.max_version = 40;
    qo.mask = -1;
    qo.layout = PANICQR_LAYOUT_LSB_DARK;
    return panicqr_qr_encode(segs, 2, &qo, ws, PANICQR_QR_SCRATCH_LEN_MAX, out, out_len, &qinfo) ==
               PANICQR_STATUS_OK &&
           qinfo.version == 40;
}

static int report_build(const uint8_t *log, size_t log_len) {
    report_options(40);
    return panicqr_report_build(log, log_len, &ro, ws, ws_len, out, out_len, &rinfo) ==
               PANICQR_STATUS_OK &&
           rinfo.log_kept > 0;
}

static int report_parts(const uint8_t *log, size_t log_len) {
    report_options(25);
    count = 0;
    return panicqr_report_parts(log, log_len, &ro, PANICQR_PARTS_MAX, ws, ws_len, out, out_len,
                                infos, PANICQR_PARTS_MAX, &count) == PANICQR_STATUS_OK &&
           count > 1;
}

static int screen(uint32_t kind, uint32_t w, uint32_t h, const uint8_t *log, size_t log_len) {
    static const uint8_t title[] = "KERNEL PANIC!";
    static const uint8_t reason[] = "Kernel panic - not syncing: Fatal exception";
    memset(&so, 0, sizeof so);
    so.width = w;
    so.height = h;
    so.stride = (size_t)w * 4;
    so.pixel_format = PANICQR_PIXEL_FORMAT_XRGB8888;
    so.screen = kind;
    so.fg = 0xFFFFFF;
    so.bg = 0;
    so.title = title;
    so.title_len = sizeof title - 1;
    so.reason = reason;
    so.reason_len = sizeof reason - 1;
    so.log = log;
    so.log_len = log_len;
    so.base_url = BASE;
    so.base_url_len = sizeof BASE - 1;
    so.arch = ARCH;
    so.arch_len = sizeof ARCH - 1;
    so.release = RELEASE;
    so.release_len = sizeof RELEASE - 1;
    if (panicqr_screen_draw(fb, fb_len, &so, ws, ws_len, &sinfo) != PANICQR_STATUS_OK) {
        return 0;
    }
    /* The code screens must have drawn codes, or their deep path did not
     * run. */
    return kind == PANICQR_SCREEN_QR ? sinfo.codes == 1
           : kind == PANICQR_SCREEN_PARTS ? sinfo.codes > 1
                                          : 1;
}

static int screen_qr(const uint8_t *log, size_t log_len) {
    return screen(PANICQR_SCREEN_QR, 1024, 768, log, log_len);
}
static int screen_kmsg(const uint8_t *log, size_t log_len) {
    return screen(PANICQR_SCREEN_KMSG, 1024, 768, log, log_len);
}
static int screen_user(const uint8_t *log, size_t log_len) {
    return screen(PANICQR_SCREEN_USER, 1024, 768, log, log_len);
}
static int screen_parts(const uint8_t *log, size_t log_len) {
    return screen(PANICQR_SCREEN_PARTS, 1920, 1080, log, log_len);
}

/* The thread's body: notes where its frame is, then makes the call. Not
 * inlined into anything, so `top` is this frame's and the call is made from
 * right below it. */
__attribute__((noinline)) static void *body(void *arg) {
    job *j = arg;
    j->top = (uintptr_t)__builtin_frame_address(0);
    j->ok = j->e->call(j->log, j->log_len);
    return NULL;
}

/* Runs one call on a freshly painted stack; returns its peak in bytes. */
static size_t measure(entry *e, const uint8_t *log, size_t log_len, uint8_t *stack) {
    memset(stack, PAINT, STACK_SIZE);
    job j = {e, log, log_len, 0, 0};
    pthread_attr_t attr;
    pthread_t t;
    if (pthread_attr_init(&attr) || pthread_attr_setstack(&attr, stack, STACK_SIZE) ||
        pthread_create(&t, &attr, body, &j) || pthread_join(t, NULL)) {
        fprintf(stderr, "stack: creating the measuring thread failed\n");
        exit(2);
    }
    pthread_attr_destroy(&attr);
    CHECK(j.ok, "%s failed (%zu bytes of log)", e->name, log_len);
    size_t low = 0;
    while (low < STACK_SIZE && stack[low] == PAINT) {
        low++;
    }
    uintptr_t deepest = (uintptr_t)stack + low;
    CHECK(j.top > deepest && j.top <= (uintptr_t)stack + STACK_SIZE,
          "%s: frame at %#lx outside the painted stack", e->name, (unsigned long)j.top);
    return j.top > deepest ? (size_t)(j.top - deepest) : STACK_SIZE;
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: stack LOG...\n");
        return 2;
    }
    ws_len = PANICQR_SCREEN_PARTS_WORKSPACE_LEN;
    if (panicqr_parts_workspace_len(40, PANICQR_PARTS_MAX) > ws_len) {
        ws_len = panicqr_parts_workspace_len(40, PANICQR_PARTS_MAX);
    }
    out_len = (size_t)PANICQR_PARTS_MAX * PANICQR_QR_SYMBOL_LEN_MAX;
    fb_len = (size_t)1920 * 1080 * 4;
    ws = guarded(ws_len, 0);
    out = guarded(out_len, 0);
    fb = guarded(fb_len, 0);
    data = guarded(PANICQR_DRM_DATA_SIZE, 0);
    tmp = guarded(PANICQR_DRM_TMP_SIZE, 0);
    uint8_t *stack = NULL;
    if (posix_memalign((void **)&stack, 4096, STACK_SIZE)) {
        perror("posix_memalign");
        return 2;
    }

    entry entries[] = {
        {"panicqr_drm_generate (V40 URL + z=)", drm_generate, 0, 0},
        {"panicqr_qr_encode (V40, auto mask)", qr_encode, 0, 0},
        {"panicqr_report_build (V40)", report_build, 0, 0},
        {"panicqr_report_parts (16 x V25)", report_parts, 0, 0},
        {"panicqr_screen_draw QR (1024x768)", screen_qr, 0, 0},
        {"panicqr_screen_draw KMSG (1024x768)", screen_kmsg, 0, 0},
        {"panicqr_screen_draw USER (1024x768)", screen_user, 0, 0},
        {"panicqr_screen_draw PARTS (1920x1080)", screen_parts, 0, 0},
    };
    size_t n = sizeof entries / sizeof entries[0];
    size_t runs = 0;
    for (int a = 1; a < argc; a++) {
        size_t log_len;
        uint8_t *log = read_file(argv[a], &log_len);
        for (size_t i = 0; i < n; i++) {
            /* Once on this thread first: the first call of a libc function
             * from the library goes through the dynamic linker's lazy
             * binding, whose register saving takes more stack than any
             * kernel would see. */
            CHECK(entries[i].call(log, log_len), "%s failed (warm-up)", entries[i].name);
            size_t bytes = measure(&entries[i], log, log_len, stack);
            if (bytes > entries[i].worst) {
                entries[i].worst = bytes;
            }
            runs++;
        }
        free(log);
    }
    CHECK(runs == n * (size_t)(argc - 1), "%zu runs", runs);
    for (size_t i = 0; i < n; i++) {
        printf("%-40s %5zu bytes\n", entries[i].name, entries[i].worst);
        /* Under 256 bytes the painting did not see the call. */
        CHECK(entries[i].worst > 256, "%s: %zu bytes is not a plausible measurement",
              entries[i].name, entries[i].worst);
        size_t limit = entries[i].ceiling ? entries[i].ceiling : BUDGET;
        CHECK(entries[i].worst <= limit, "%s: %zu bytes of stack, over %zu", entries[i].name,
              entries[i].worst, limit);
        CHECK(!entries[i].ceiling || entries[i].worst > BUDGET,
              "%s: %zu bytes now fits the budget: drop its ceiling", entries[i].name,
              entries[i].worst);
    }
    CHECK(canary_ok(ws, ws_len) && canary_ok(out, out_len) && canary_ok(fb, fb_len) &&
              canary_ok(data, PANICQR_DRM_DATA_SIZE) && canary_ok(tmp, PANICQR_DRM_TMP_SIZE),
          "a buffer's canary was overwritten");
    free(ws);
    free(out);
    free(fb);
    free(data);
    free(tmp);
    free(stack);
    return finish("stack");
}
