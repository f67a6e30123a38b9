/*
 * siphash.h: SipHash-2-4, a keyed hash of short inputs (64 bits out
 * under a 128-bit key).
 */
#ifndef CG_SIPHASH_H
#define CG_SIPHASH_H

#include <stddef.h>
#include <stdint.h>

#define SIPHASH_KEY_LEN	16

uint64_t siphash24(const unsigned char key[SIPHASH_KEY_LEN],
    const void *data, size_t n);

#endif
