/*
 * hex.h: the one hex digit helper, header-only so that every layer (the
 * AT parsers, the PDU codec, the bridge) uses it without a link
 * dependency.  Includes nothing.
 */
#ifndef CG_HEX_H
#define CG_HEX_H

/* The value of a hex digit (either case), or -1. */
static inline int
hex_val(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

#endif
