#ifndef C_TROUPE_CRC32C_H
#define C_TROUPE_CRC32C_H

#include <stddef.h>
#include <stdint.h>

/// 1 when this CPU has CRC-32C instructions (x86-64 SSE 4.2, or the ARMv8 CRC32 extension)
/// and `c_troupe_crc32c_update` may be called; 0 otherwise.
int c_troupe_crc32c_hardware_available(void);

/// Advances the CRC-32C register `crc` (reflected polynomial 0x82F63B78, no pre- or
/// post-inversion: the caller keeps the register inverted) over `count` bytes at `bytes`,
/// with the CPU's CRC-32C instructions. Call only when `c_troupe_crc32c_hardware_available()`
/// returned 1.
uint32_t c_troupe_crc32c_update(uint32_t crc, const void *bytes, size_t count);

#endif
