/* Regenerates inet_ntop_glibc.txt, glibc's IPv6 text for txtSink's IP6_FORMAT 0:
 *   cc -O2 -o /tmp/gen_inet_ntop gen_inet_ntop.c && /tmp/gen_inet_ntop > inet_ntop_glibc.txt
 * Lines: "<32 hex digits of the address> <inet_ntop text>". */
#include <arpa/inet.h>
#include <stdint.h>
#include <stdio.h>

static uint64_t state = 0x9e3779b97f4a7c15ULL;
static uint64_t next(void) {
    state ^= state >> 12; state ^= state << 25; state ^= state >> 27;
    return state * 0x2545f4914f6cdd1dULL;
}

int main(void) {
    for (int t = 0; t < 4000; t++) {
        uint8_t a[16];
        for (int g = 0; g < 8; g++) { /* mostly zero groups, some ffff, some small, some random */
            const uint64_t r = next();
            uint16_t w = (r % 8 < 4) ? 0 : (r % 8 == 4) ? 0xffff : (r % 8 == 5) ? (uint16_t)(r >> 20) % 0x20 : (uint16_t)(r >> 20);
            a[2 * g] = (uint8_t)(w >> 8);
            a[2 * g + 1] = (uint8_t)w;
        }
        char text[INET6_ADDRSTRLEN];
        inet_ntop(AF_INET6, a, text, sizeof(text));
        for (int i = 0; i < 16; i++) printf("%02x", a[i]);
        printf(" %s\n", text);
    }
    return 0;
}
