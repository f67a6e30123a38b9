/*
 * at_exact.h: helpers of the AT parser tests: a line in a heap buffer of
 * exactly its length (no NUL after it: a parser reading past its line is
 * caught by the sanitizers), and the poison pattern that shows an output
 * left untouched by a failed parse.  Include after <cmocka.h>.
 */
#ifndef AT_EXACT_H
#define AT_EXACT_H

#include <stdlib.h>
#include <string.h>

#define POISON(x)	memset(&(x), 0xa5, sizeof (x))
#define UNTOUCHED(x)	assert_true(untouched(&(x), sizeof (x)))
#define X(s)		exact(s), strlen(s)

static int
untouched(const void *p, size_t n)
{
	const unsigned char	*c = p;
	size_t			 i;

	for (i = 0; i < n; i++)
		if (c[i] != 0xa5)
			return 0;
	return 1;
}

/* The line in a heap buffer of exactly its length; freed by the next
 * call. */
static const char *
exact(const char *s)
{
	static char	*buf;

	free(buf);
	buf = malloc(strlen(s) + 1);
	assert_non_null(buf);
	memcpy(buf, s, strlen(s));
	return buf;
}

#endif
