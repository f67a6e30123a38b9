/*
 * fuzz_text.c: the small text parsers everything else relies on: number
 * normalisation of SMS senders and phonebook entries (phonebook_normalise),
 * escaping of untrusted bytes for logs (util_escape) and bounded decimal
 * numbers (util_strtonum).  Checks: a normalised number is '+' and at most
 * PHONEBOOK_NUMBER_MAX digits and normalises to itself; an escape is
 * NUL-terminated, printable, within its buffer and, when not cut, decodes
 * back to the input; a number is accepted exactly when strtoll agrees it
 * is a whole decimal in range.
 *
 * Input: one selector byte, then the text.
 */
#include <ctype.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "phonebook.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
fz_normalise(const char *s, const char *cc)
{
	char out[PHONEBOOK_NUMBER_MAX + 8], again[PHONEBOOK_NUMBER_MAX + 8];
	size_t n;

	if (phonebook_normalise(s, cc, out, sizeof out) != 0)
		return;
	n = strlen(out);
	if (out[0] != '+' || n < 2 || n - 1 > PHONEBOOK_NUMBER_MAX)
		abort();
	for (size_t i = 1; i < n; i++)
		if (!isdigit((unsigned char)out[i]))
			abort();
	if (phonebook_normalise(out, cc, again, sizeof again) != 0 ||
	    strcmp(out, again) != 0)
		abort();
}

static int
fz_hex(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decode \\, \r, \n and \xNN of dst[0..len); -1 if it is not an escape. */
static long
fz_unescape(const char *dst, size_t len, uint8_t *back)
{
	size_t k = 0;

	for (size_t i = 0; i < len; i++) {
		if (dst[i] != '\\') {
			back[k++] = (uint8_t)dst[i];
			continue;
		}
		if (i + 1 < len && strchr("\\rn", dst[i + 1]) != NULL &&
		    dst[i + 1] != '\0') {
			back[k++] = dst[i + 1] == 'r' ? '\r' :
			    dst[i + 1] == 'n' ? '\n' : '\\';
			i++;
		} else if (i + 3 < len && dst[i + 1] == 'x' &&
		    fz_hex(dst[i + 2]) >= 0 && fz_hex(dst[i + 3]) >= 0) {
			back[k++] = (uint8_t)(fz_hex(dst[i + 2]) << 4 |
			    fz_hex(dst[i + 3]));
			i += 3;
		} else
			return -1;
	}
	return (long)k;
}

static void
fz_escape(const uint8_t *p, size_t n, size_t dstlen)
{
	char dst[1100];
	uint8_t back[1100];
	size_t len, i;
	long k;

	util_escape(dst, dstlen, p, n);
	len = strnlen(dst, dstlen);
	if (len >= dstlen)
		abort();	/* not terminated inside the buffer */
	for (i = 0; i < len; i++)
		if ((unsigned char)dst[i] < 0x20 || (unsigned char)dst[i] >= 0x7f)
			abort();
	k = fz_unescape(dst, len, back);
	if (k == (long)n && memcmp(back, p, n) == 0)
		return;		/* whole and exact */
	/* else cut: a prefix of the input, then "..." (nothing at all in
	 * a buffer too small for "...") */
	if (dstlen < 4) {
		if (len != 0)
			abort();
		return;
	}
	if (len < 3 || strcmp(dst + len - 3, "...") != 0)
		abort();
	k = fz_unescape(dst, len - 3, back);
	if (k < 0 || (size_t)k > n || memcmp(back, p, (size_t)k) != 0)
		abort();
}

static void
fz_strtonum(const char *s)
{
	static const long long lim[][2] = {
		{ 0, 100 }, { -5, 5 }, { 1, 65535 }, { LLONG_MIN, LLONG_MAX }
	};

	for (size_t i = 0; i < sizeof lim / sizeof lim[0]; i++) {
		const char *errstr;
		long long v = util_strtonum(s, lim[i][0], lim[i][1], &errstr);

		if (errstr == NULL && (v < lim[i][0] || v > lim[i][1]))
			abort();
		if (errstr != NULL && v != 0)
			abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char s[1030];
	size_t n;

	if (size < 1 || size > 1024)
		return 0;
	n = size - 1;
	memcpy(s, data + 1, n);
	s[n] = '\0';
	fz_normalise(s, data[0] & 1 ? "49" : "");
	fz_normalise(s, data[0] & 2 ? "1" : "39");
	fz_escape(data + 1, n, 1 + (size_t)data[0] * 4);
	fz_strtonum(s);
	return 0;
}
