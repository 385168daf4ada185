#define _POSIX_C_SOURCE 200809L
/* The drm_panic-compatible entry points reproduce the Linux encoder's
 * outputs (testdata/vectors) bit for bit, called from C. */
#include <dirent.h>

#include "common.h"

static int hexval(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
}

static void check_vector(const char *path) {
    size_t len;
    char *text = (char *)read_file(path, &len);
    char url[4096] = {0};
    int has_url = 0;
    uint8_t payload[4096];
    size_t payload_len = 0;
    unsigned version = 0;
    char *rows[177];
    size_t nrows = 0;
    for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
        if (strncmp(line, "# url: ", 7) == 0) {
            if (strncmp(line + 7, "(NULL", 5) != 0) {
                snprintf(url, sizeof url, "%s", line + 7);
                has_url = 1;
            }
        } else if (strncmp(line, "# data_hex: ", 12) == 0) {
            const char *h = line + 12;
            while (hexval(h[0]) >= 0 && hexval(h[1]) >= 0) {
                payload[payload_len++] = (uint8_t)(hexval(h[0]) * 16 + hexval(h[1]));
                h += 2;
            }
        } else if (strncmp(line, "# version: ", 11) == 0) {
            version = (unsigned)atoi(line + 11);
        } else if (line[0] == '0' || line[0] == '1') {
            if (nrows < 177) rows[nrows++] = line;
        }
    }
    uint8_t *data = guarded(PANICQR_DRM_DATA_SIZE, 0);
    uint8_t *tmp = guarded(PANICQR_DRM_TMP_SIZE, 0);
    memcpy(data, payload, payload_len);
    uint8_t width = panicqr_drm_generate(has_url ? url : NULL, data, payload_len, PANICQR_DRM_DATA_SIZE, tmp,
                                         PANICQR_DRM_TMP_SIZE);
    CHECK(width == 4 * version + 17, "%s: width %u for version %u", path, width, version);
    CHECK(nrows == width, "%s: %zu rows", path, nrows);
    size_t stride = ((size_t)width + 7) / 8;
    for (size_t y = 0; y < nrows && y < width; y++) {
        for (size_t x = 0; x < width; x++) {
            int light = (data[y * stride + x / 8] >> (7 - x % 8)) & 1;
            int dark = rows[y][x] == '1';
            if (light == dark) {
                CHECK(0, "%s: module (%zu,%zu) differs", path, x, y);
                y = nrows;
                break;
            }
        }
    }
    CHECK(canary_ok(data, PANICQR_DRM_DATA_SIZE) && canary_ok(tmp, PANICQR_DRM_TMP_SIZE), "%s: canary", path);
    free(data);
    free(tmp);
    free(text);
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: kernel_compat VECTOR_DIR\n");
        return 2;
    }
    DIR *d = opendir(argv[1]);
    if (!d) {
        perror(argv[1]);
        return 2;
    }
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strncmp(e->d_name, "kernel-", 7) != 0) continue;
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", argv[1], e->d_name);
        check_vector(path);
        n++;
    }
    closedir(d);
    CHECK(n >= 3, "only %d vectors", n);
    /* Linux's estimates: 2,795 after an 84-byte URL at version 40; raw mode. */
    CHECK(panicqr_drm_max_data_size(40, 84) == 2795, "%zu", panicqr_drm_max_data_size(40, 84));
    CHECK(panicqr_drm_max_data_size(40, 0) == 2953, "%zu", panicqr_drm_max_data_size(40, 0));
    CHECK(panicqr_drm_max_data_size(1, 20) == 0, "url too long for v1");
    CHECK(panicqr_drm_max_data_size(0, 10) == 0 && panicqr_drm_max_data_size(41, 10) == 0, "bad version");
    return finish("kernel_compat");
}
