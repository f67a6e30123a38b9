/*
 * fuzz_atform.c: the AT-form command parser on arbitrary text: it must
 * either refuse with a reason or give a name of letters/digits/dots and
 * arguments free of control characters.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "atform.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct atform f;
	const char *err = NULL;

	if (atform_parse((const char *)data, size, &f, &err) == -1) {
		if (err == NULL)
			abort();
		return 0;
	}
	if (f.name[0] == '\0' || strlen(f.name) > ATFORM_NAME_MAX ||
	    f.op >= ATFORM_OP_MAX || f.argc > ATFORM_MAX_ARGS)
		abort();
	for (int i = 0; i < f.argc; i++)
		for (const char *p = f.argv[i]; *p != '\0'; p++)
			if ((unsigned char)*p < 0x20)
				abort();
	return 0;
}
