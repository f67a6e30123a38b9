/*
 * fuzz_conf.c: the config loader on arbitrary file contents: it must load
 * or refuse with "file:line: key: reason", never crash or leak; what it
 * loads is handed to the settings registry as at start.  The
 * contents are in an anonymous memory file (memfd), read through its
 * /proc/self/fd path: nothing is written to any directory.
 */
#include <sys/mman.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "settings.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char path[64];
	static int fd = -1;
	struct conf c;
	char err[512];

	if (fd == -1) {
		settings_init();
		if ((fd = memfd_create("fuzz-conf", MFD_CLOEXEC)) == -1)
			abort();
		snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	}
	if (ftruncate(fd, 0) == -1 ||
	    pwrite(fd, data, size, 0) != (ssize_t)size)
		abort();
	if (conf_load(path, &c, err, sizeof err) == 0) {
		for (size_t i = 0; i < c.nvalues; i++)
			if (c.values[i].def == NULL)
				abort();
		conf_apply_settings(&c);	/* as at start and reload */
		conf_free(&c);
	} else if (err[0] == '\0')
		abort();
	return 0;
}
