/*
 * fuzz_conf.c: the config loader on arbitrary file contents: it must load
 * or refuse with "file:line: key: reason", never crash or leak.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char path[64];
	struct conf c;
	char err[512];
	FILE *f;

	if (path[0] == '\0')
		snprintf(path, sizeof path, "/tmp/fuzz-conf-%d.conf", (int)getpid());
	if ((f = fopen(path, "wb")) == NULL)
		return 0;
	fwrite(data, 1, size, f);
	fclose(f);
	if (conf_load(path, &c, err, sizeof err) == 0) {
		for (size_t i = 0; i < c.nvalues; i++)
			if (c.values[i].def == NULL)
				abort();
		conf_free(&c);
	} else if (err[0] == '\0')
		abort();
	unlink(path);
	return 0;
}
