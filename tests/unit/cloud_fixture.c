/*
 * cloud_fixture.c: a temporary store with the settings and the cloud
 * module started on it, and the event base it runs on; removed again by
 * the teardown.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>

#include <cmocka.h>
#include <event2/event.h>

#include "cloud.h"
#include "cloud_fixture.h"
#include "settings.h"
#include "store.h"
#include "uplink.h"

struct event_base *base;
static char dir[64];

void
cloud_fixture_set(const char *name, const char *value)
{
	char e[256];

	assert_int_equal(settings_set_text(settings_find(name), value, e,
	    sizeof e), 0);
}

int
cloud_fixture_setup(void **state)
{
	char dbpath[300], e[256];

	snprintf(dir, sizeof dir, "/tmp/cg-cloud-XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(dbpath, sizeof dbpath, "%s/cellgate.db", dir);
	assert_int_equal(store_open(dbpath, e, sizeof e), 0);
	settings_init();
	cloud_fixture_set("cloud.server", "127.0.0.1:1");
	assert_non_null(base = event_base_new());
	assert_int_equal(cloud_init(base, NULL, e, sizeof e), 0);
	return 0;
}

int
cloud_fixture_teardown(void **state)
{
	char p[300];

	cloud_shutdown();
	uplink_reset();
	event_base_free(base);
	settings_shutdown();
	store_close();
	snprintf(p, sizeof p, "rm -rf %s", dir);
	(void)!system(p);
	return 0;
}
