/* Helpers for the C tests: canary-guarded buffers and checks. */
#ifndef PANICQR_TEST_COMMON_H
#define PANICQR_TEST_COMMON_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "panicqr.h"

#define CANARY 0xA5u
#define CANARY_LEN 64u

static int failures = 0;

#define CHECK(cond, ...)                                                  \
    do {                                                                  \
        if (!(cond)) {                                                    \
            fprintf(stderr, "%s:%d: check failed: %s: ", __FILE__, __LINE__, #cond); \
            fprintf(stderr, __VA_ARGS__);                                 \
            fprintf(stderr, "\n");                                        \
            failures++;                                                   \
        }                                                                 \
    } while (0)

/* A heap buffer of `len` bytes followed by CANARY_LEN canary bytes (heap, so
 * AddressSanitizer and valgrind also see any write past the canaries). */
static inline uint8_t *guarded(size_t len, uint8_t fill) {
    uint8_t *p = malloc(len + CANARY_LEN);
    if (!p) {
        perror("malloc");
        exit(2);
    }
    memset(p, fill, len);
    memset(p + len, CANARY, CANARY_LEN);
    return p;
}

static inline int canary_ok(const uint8_t *p, size_t len) {
    for (size_t i = 0; i < CANARY_LEN; i++) {
        if (p[len + i] != CANARY) {
            return 0;
        }
    }
    return 1;
}

static inline uint8_t *read_file(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) {
        perror(path);
        exit(2);
    }
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *buf = malloc((size_t)n + 1);
    if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n) {
        perror(path);
        exit(2);
    }
    buf[n] = 0;
    fclose(f);
    *len = (size_t)n;
    return buf;
}

static inline int finish(const char *name) {
    if (failures) {
        fprintf(stderr, "%s: %d failures\n", name, failures);
        return 1;
    }
    printf("%s: ok\n", name);
    return 0;
}

#endif
