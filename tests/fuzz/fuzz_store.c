/*
 * fuzz_store.c: the temporary store of the harnesses that need one (see
 * fuzz_store.h).
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

static char fz_dir[128];
static void (*fz_cleanup_fn)(void);

static void
fuzz_store_remove(void)
{
	struct dirent *e;
	char p[512];
	DIR *d;

	if (fz_cleanup_fn != NULL)
		fz_cleanup_fn();
	settings_shutdown();
	store_close();
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
fuzz_store_open(const char *name, void (*cleanup)(void))
{
	const char *tmp = getenv("TMPDIR");
	char p[256], err[512];

	log_init(name, 1);
	log_set_level(LOG_LVL_ERROR);
	snprintf(fz_dir, sizeof fz_dir, "%s/cg-%s-XXXXXX",
	    tmp != NULL && tmp[0] != '\0' ? tmp : "/tmp", name);
	if (mkdtemp(fz_dir) == NULL) {
		perror(fz_dir);
		abort();
	}
	snprintf(p, sizeof p, "%s/cellgate.db", fz_dir);
	if (store_open(p, err, sizeof err) == -1) {
		fprintf(stderr, "%s: %s\n", p, err);
		abort();
	}
	store_run("PRAGMA synchronous=OFF", NULL, NULL, "fuzz");
	settings_init();
	fz_cleanup_fn = cleanup;
	atexit(fuzz_store_remove);
	return fz_dir;
}
