/* Regenerates printf_glibc.txt, the glibc reference for plugin-api's float formatting:
 *   cc -O2 -o /tmp/gen_printf gen_printf.c && /tmp/gen_printf > printf_glibc.txt
 * Lines: "g <f32 bits> <%.7g of the float promoted to double>" and
 *        "f <f64 bits> <%f of the double>". */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t state = 0x243f6a8885a308d3ULL;
static uint64_t next(void) { /* xorshift64*: fixed seed, same file on every run */
    state ^= state >> 12; state ^= state << 25; state ^= state >> 27;
    return state * 0x2545f4914f6cdd1dULL;
}

static void g(float v) {
    uint32_t b; memcpy(&b, &v, 4);
    printf("g %08" PRIx32 " %.7g\n", b, (double)v);
}

static void f(double v) {
    uint64_t b; memcpy(&b, &v, 8);
    printf("f %016" PRIx64 " %f\n", b, v);
}

int main(void) {
    const float gs[] = { 0.0f, -0.0f, 1e-5f, 123456.75f, 1234567.5f, 9999999.5f, 0.1f, 2.0f,
                         1234567.8f, 1.6e-5f, 0.004f, 1e-4f, 9.9999995e-5f, 999999.94f, 1e7f };
    for (size_t i = 0; i < sizeof(gs) / sizeof(gs[0]); i++) g(gs[i]);
    g(NAN); g(-NAN); g(INFINITY); g(-INFINITY);
    for (uint32_t b = 1; b < 40; b++) { float v; memcpy(&v, &b, 4); g(v); g(-v); } /* denormals */
    for (int i = 0; i < 4000; i++) { /* any bit pattern: all exponents, NaN payloads */
        uint32_t b = (uint32_t)next(); float v; memcpy(&v, &b, 4); g(v);
    }
    for (int i = 0; i < 2000; i++) g((float)((double)(next() % 100000000) / 10.0)); /* plain values */
    for (int i = 0; i < 1000; i++) g((float)(1000000 + next() % 9000000) + 0.5f);    /* ties, 8 digits */
    for (int i = 0; i < 1000; i++) g((float)(100000 + next() % 900000) + 0.25f * (float)(next() % 4));
    for (int i = 0; i < 1000; i++) g(ldexpf((float)(next() % 16777216), -(int)(next() % 60)));

    const double fs[] = { 0.0, -0.0, 0.1, 2.0, -1e-9, 5e-7, 1.5e-6, 2.5e-6, 0.0078125, 1e20 };
    for (size_t i = 0; i < sizeof(fs) / sizeof(fs[0]); i++) f(fs[i]);
    f(NAN); f(-NAN); f(INFINITY); f(-INFINITY);
    for (int i = 0; i < 3000; i++) { /* random bits with |x| < 2^70 */
        uint64_t b = next(); b &= ~(0x7ffULL << 52); b |= (uint64_t)(next() % 1093) << 52;
        double v; memcpy(&v, &b, 8); f(v);
    }
    for (int i = 0; i < 2000; i++) f((double)(int64_t)(next() % 2000001 - 1000000) / 128.0); /* ties */
    for (int i = 0; i < 2000; i++) f((double)(next() % 1000000000000ULL) / 1e6);
    return 0;
}
