/*
 * gsm7.h: the SMS alphabets of 3GPP TS 23.038, as pure functions on
 * bounded buffers: the GSM 7-bit default alphabet with its extension table
 * and the Turkish/Spanish/Portuguese national shift tables, septet packing
 * with fill bits, UCS-2 (with surrogate pairs) and the UTF-8 reading and
 * writing both need.  Used by the PDU codec (pdu.h); no allocation.
 */
#ifndef CG_GSM7_H
#define CG_GSM7_H

#include <stddef.h>
#include <stdint.h>

/* National language identifiers (23.038 6.2.1.2.4). */
enum gsm7_lang {
	GSM7_LANG_DEFAULT = 0,
	GSM7_LANG_TURKISH = 1,
	GSM7_LANG_SPANISH = 2,	/* single shift table only */
	GSM7_LANG_PORTUGUESE = 3,
	GSM7_LANG_MAX
};

#define GSM7_ESC	0x1b

/* Longest UTF-8 a single septet can expand to (e.g. U+221E). */
#define GSM7_UTF8_MAX	3

/*
 * Pack n septets (values 0..127) starting `fill` bits (0..6) into out.
 * Returns the number of octets written, or -1 if out is too small.
 * Fill bits and the unused high bits of the last octet are zero.
 */
int gsm7_pack(const uint8_t *septets, size_t n, unsigned fill, uint8_t *out,
    size_t outsz);

/*
 * Unpack n septets from in (inlen octets), skipping `bitoff` bits first.
 * Returns 0, or -1 when the septets would lie past inlen.
 */
int gsm7_unpack(const uint8_t *in, size_t inlen, size_t bitoff, size_t n,
    uint8_t *septets);

/*
 * Decode septets to NUL-terminated UTF-8 with the given locking and single
 * shift tables (unsupported languages fall back to the default tables).
 * An escape followed by a code the single shift table lacks decodes as the
 * locking-shift character of that code (23.038 6.2.1.1); a trailing escape
 * or escape-escape decodes as a space.  Returns the length written, or -1
 * if out is too small (160 septets need at most 160 * GSM7_UTF8_MAX + 1).
 */
int gsm7_decode(const uint8_t *septets, size_t n, enum gsm7_lang lock,
    enum gsm7_lang single, char *out, size_t outsz);

/*
 * Encode one code point in the default alphabet or its extension table:
 * returns the number of septets (1, or 2 for an escape sequence) written
 * to sep[0..1], or 0 if the character is not representable.
 */
int gsm7_encode_char(uint32_t cp, uint8_t sep[2]);

/* Read one UTF-8 character at s[*pos] (strict: no overlongs, surrogates or
 * values past U+10FFFF); advances *pos.  Returns 0, or -1 if invalid. */
int ucs2_utf8_next(const char *s, size_t len, size_t *pos, uint32_t *cp);

/* Append a code point as UTF-8 to out[*pos], leaving room for a NUL.
 * Returns 0, or -1 if it does not fit (nothing is written then). */
int ucs2_utf8_put(uint32_t cp, char *out, size_t outsz, size_t *pos);

/*
 * Decode big-endian UCS-2/UTF-16 octets (len must be even) to
 * NUL-terminated UTF-8; surrogate pairs are combined, lone surrogates and
 * U+0000 become U+FFFD.  Returns the length written, or -1 if out is too
 * small (70 units need at most 70 * 3 + 1).
 */
int ucs2_decode(const uint8_t *in, size_t len, char *out, size_t outsz);

#endif
