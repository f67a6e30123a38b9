/*
 * fuzz_text.c: the text escaper (util_escape_text) and the µPanel
 * remote-lock parser (climset_parse) on arbitrary bytes: the escaper's
 * output is terminated, bounded and free of control characters; the
 * parser either refuses with a reason or gives a sum in range.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "climset.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char out[512];
	struct climset c;
	const char *err = NULL;
	size_t n;
	int r;

	n = util_escape_text(out, sizeof out, (const char *)data, size,
	    size > 0 && (data[0] & 1) ? UTIL_TEXT_NEWLINES : 0);
	if (n >= sizeof out || strlen(out) != n)
		abort();
	for (size_t i = 0; i < n; i++)
		if (((unsigned char)out[i] < 0x20 && out[i] != '\n') ||
		    out[i] == 0x7f)
			abort();
	r = climset_parse((const char *)data, size, 15, &c, &err);
	if ((r == -1 && err == NULL) || (r == 1 && (c.sum < 0 || c.sum > 15)))
		abort();
	return 0;
}
