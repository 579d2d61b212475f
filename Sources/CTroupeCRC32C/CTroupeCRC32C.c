#include "CTroupeCRC32C.h"

#include <string.h>

#if defined(__x86_64__)

#include <cpuid.h>
#include <nmmintrin.h>

int c_troupe_crc32c_hardware_available(void) {
    unsigned int eax, ebx, ecx, edx;
    if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx)) {
        return 0;
    }
    return (ecx & bit_SSE4_2) != 0;
}

__attribute__((target("sse4.2")))
uint32_t c_troupe_crc32c_update(uint32_t crc, const void *bytes, size_t count) {
    const unsigned char *p = bytes;
    uint64_t register64 = crc;
    while (count >= 8) {
        uint64_t word;
        memcpy(&word, p, sizeof word);
        register64 = _mm_crc32_u64(register64, word);
        p += 8;
        count -= 8;
    }
    uint32_t register32 = (uint32_t)register64;
    while (count > 0) {
        register32 = _mm_crc32_u8(register32, *p);
        p += 1;
        count -= 1;
    }
    return register32;
}

#elif defined(__aarch64__)

#include <arm_acle.h>
#if defined(__linux__)
#include <asm/hwcap.h>
#include <sys/auxv.h>
#endif

int c_troupe_crc32c_hardware_available(void) {
#if defined(__APPLE__)
    return 1;  // every Apple arm64 CPU has the CRC32 extension
#elif defined(__linux__) && defined(HWCAP_CRC32)
    return (getauxval(AT_HWCAP) & HWCAP_CRC32) != 0;
#else
    return 0;
#endif
}

__attribute__((target("crc")))
uint32_t c_troupe_crc32c_update(uint32_t crc, const void *bytes, size_t count) {
    const unsigned char *p = bytes;
    while (count >= 8) {
        uint64_t word;
        memcpy(&word, p, sizeof word);
        crc = __crc32cd(crc, word);
        p += 8;
        count -= 8;
    }
    while (count > 0) {
        crc = __crc32cb(crc, *p);
        p += 1;
        count -= 1;
    }
    return crc;
}

#else

int c_troupe_crc32c_hardware_available(void) {
    return 0;
}

uint32_t c_troupe_crc32c_update(uint32_t crc, const void *bytes, size_t count) {
    (void)bytes;
    (void)count;
    return crc;  // never called: no CRC-32C instructions on this architecture
}

#endif
