/*
 * siphash.c: SipHash-2-4 (Aumasson and Bernstein, "SipHash: a fast
 * short-input PRF", 2012), as in its reference implementation.  It
 * recognises a secret in memory without keeping it (auth_password.c).
 * OpenSSL's HMAC would do as well, but its first use loads OpenSSL's
 * provider tables: some 2 MB more resident in a daemon that otherwise
 * never starts TLS.
 */
#include <string.h>

#include "siphash.h"

static uint64_t
sip_le64(const unsigned char *p)
{
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

static uint64_t
sip_rotl(uint64_t x, int b)
{
	return x << b | x >> (64 - b);
}

static void
sip_rounds(uint64_t v[4], int n)
{
	while (n-- > 0) {
		v[0] += v[1];
		v[1] = sip_rotl(v[1], 13) ^ v[0];
		v[0] = sip_rotl(v[0], 32);
		v[2] += v[3];
		v[3] = sip_rotl(v[3], 16) ^ v[2];
		v[0] += v[3];
		v[3] = sip_rotl(v[3], 21) ^ v[0];
		v[2] += v[1];
		v[1] = sip_rotl(v[1], 17) ^ v[2];
		v[2] = sip_rotl(v[2], 32);
	}
}

static void
sip_block(uint64_t v[4], uint64_t m)
{
	v[3] ^= m;
	sip_rounds(v, 2);
	v[0] ^= m;
}

uint64_t
siphash24(const unsigned char key[SIPHASH_KEY_LEN], const void *data,
    size_t n)
{
	const unsigned char *p = data;
	uint64_t k0 = sip_le64(key), k1 = sip_le64(key + 8);
	uint64_t v[4] = { k0 ^ 0x736f6d6570736575ULL,
	    k1 ^ 0x646f72616e646f6dULL, k0 ^ 0x6c7967656e657261ULL,
	    k1 ^ 0x7465646279746573ULL };
	unsigned char last[8] = { 0 };
	size_t i;

	for (i = 0; i + 8 <= n; i += 8)
		sip_block(v, sip_le64(p + i));
	/* the tail, padded with zeros, the length's low byte last */
	if (n > i)
		memcpy(last, p + i, n - i);
	last[7] = (unsigned char)n;
	sip_block(v, sip_le64(last));
	v[2] ^= 0xff;
	sip_rounds(v, 4);
	return v[0] ^ v[1] ^ v[2] ^ v[3];
}
