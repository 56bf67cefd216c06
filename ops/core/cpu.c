/* CPU feature detection (cpuid + xgetbv), done once. */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "core/error.h"
#include "realm/cpu.h"

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>

static uint64_t xgetbv0(void) {
    uint32_t eax, edx;
    __asm__ volatile("xgetbv" : "=a"(eax), "=d"(edx) : "c"(0));
    return ((uint64_t)edx << 32) | eax;
}

static void detect(realm_cpu_features *f) {
    unsigned a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d)) return;
    bool osxsave = (c >> 27) & 1;
    f->sse42 = (c >> 20) & 1;
    bool avx_hw = (c >> 28) & 1;
    bool fma_hw = (c >> 12) & 1;
    bool f16c_hw = (c >> 29) & 1;
    uint64_t xcr0 = osxsave ? xgetbv0() : 0;
    bool ymm_os = (xcr0 & 0x6) == 0x6;   /* XMM and YMM state */
    bool zmm_os = (xcr0 & 0xe6) == 0xe6; /* plus opmask and ZMM state */
    f->avx = avx_hw && ymm_os;
    f->fma = f->avx && fma_hw;
    f->f16c = f->avx && f16c_hw;
    if (!__get_cpuid_count(7, 0, &a, &b, &c, &d)) return;
    f->avx2 = f->avx && ((b >> 5) & 1);
    f->gfni = (c >> 8) & 1;
    if (zmm_os) {
        f->avx512f = (b >> 16) & 1;
        f->avx512dq = f->avx512f && ((b >> 17) & 1);
        f->avx512bw = f->avx512f && ((b >> 30) & 1);
        f->avx512vl = f->avx512f && ((b >> 31) & 1);
        f->avx512vnni = f->avx512f && ((c >> 11) & 1);
    }
    unsigned max_sub = a;
    if (max_sub >= 1 && __get_cpuid_count(7, 1, &a, &b, &c, &d)) {
        f->avxvnni = f->avx2 && ((a >> 4) & 1);
        f->avx512bf16 = f->avx512f && zmm_os && ((a >> 5) & 1);
    }
}
#else
static void detect(realm_cpu_features *f) { (void)f; }
#endif

static realm_cpu_features features;
static pthread_once_t once = PTHREAD_ONCE_INIT;
static void detect_once(void) { detect(&features); }

const realm_cpu_features *realm_cpu_get_features(void) {
    pthread_once(&once, detect_once);
    return &features;
}

realm_status realm_cpu_features_string(char *buf, size_t size) {
    if (!buf || size == 0)
        return realm_error(REALM_ERR_INVALID_ARG, "realm_cpu_features_string: NULL buffer or zero size");
    const realm_cpu_features *f = realm_cpu_get_features();
    const struct {
        const char *name;
        bool on;
    } list[] = {
        {"sse4.2", f->sse42},
        {"avx", f->avx},
        {"avx2", f->avx2},
        {"fma", f->fma},
        {"f16c", f->f16c},
        {"avx512f", f->avx512f},
        {"avx512bw", f->avx512bw},
        {"avx512vl", f->avx512vl},
        {"avx512dq", f->avx512dq},
        {"avx512vnni", f->avx512vnni},
        {"avx512bf16", f->avx512bf16},
        {"avxvnni", f->avxvnni},
        {"gfni", f->gfni},
    };
    buf[0] = '\0';
    size_t used = 0;
    for (size_t i = 0; i < sizeof list / sizeof list[0]; i++) {
        if (!list[i].on) continue;
        int w = snprintf(buf + used, size - used, "%s%s", used ? " " : "", list[i].name);
        if (w < 0 || (size_t)w >= size - used) break; /* truncated, still terminated */
        used += (size_t)w;
    }
    return REALM_OK;
}
