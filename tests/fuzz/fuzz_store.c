/*
 * fuzz_store.c: the store and the directory of the harnesses that run
 * daemon code (see fuzz_store.h).
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz_store.h"
#include "log.h"
#include "settings.h"
#include "store.h"

static char fz_dir[64];
static void (*fz_cleanup_fn)(void);

void
fuzz_store_open(const char *name)
{
	char err[512];

	log_init(name, 1);
	log_set_level(LOG_LVL_ERROR);
	if (store_open(":memory:", err, sizeof err) == -1) {
		fprintf(stderr, "%s: store: %s\n", name, err);
		abort();
	}
	settings_init();
}

static void
fuzz_store_remove(void)
{
	struct dirent *e;
	char p[sizeof fz_dir + 256];
	DIR *d;

	if (fz_cleanup_fn != NULL)
		fz_cleanup_fn();
	if ((d = opendir(fz_dir)) != NULL) {
		while ((e = readdir(d)) != NULL) {
			if (strcmp(e->d_name, ".") == 0 ||
			    strcmp(e->d_name, "..") == 0)
				continue;
			snprintf(p, sizeof p, "%s/%s", fz_dir, e->d_name);
			unlink(p);
		}
		closedir(d);
	}
	rmdir(fz_dir);
}

const char *
fuzz_store_dir(const char *name, void (*cleanup)(void))
{
	snprintf(fz_dir, sizeof fz_dir, "cg-%s-XXXXXX", name);
	if (mkdtemp(fz_dir) == NULL) {
		perror(fz_dir);
		abort();
	}
	fz_cleanup_fn = cleanup;
	atexit(fuzz_store_remove);
	return fz_dir;
}
