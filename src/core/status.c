/*
 * status.c: assembles the status report: the daemon's own section (from
 * the facts the daemon hands over at start), then each module's section
 * (its row's status hook, modules.c).
 */
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "module.h"
#include "status.h"
#include "util.h"

#include "config.h"

static const struct status_daemon *status_facts;

void
status_init(const struct status_daemon *facts)
{
	status_facts = facts;
}

static struct json_object *
status_daemon(void)
{
	struct json_object *o = json_object_new_object();
	const struct status_daemon *f = status_facts;
	char when[UTIL_RFC3339_LEN];

	json_object_object_add(o, "version",
	    json_object_new_string(PACKAGE_VERSION));
	json_object_object_add(o, "pid", json_object_new_int(getpid()));
	if (f == NULL)
		return o;
	json_object_object_add(o, "started", json_object_new_string(
	    util_rfc3339(when, sizeof when, f->started_ms / 1000,
	    (int)(f->started_ms % 1000))));
	json_object_object_add(o, "uptime",
	    json_object_new_int64(time(NULL) - f->started));
	json_object_object_add(o, "config", json_object_new_string(f->config));
	json_object_object_add(o, "database",
	    json_object_new_string(f->database));
	json_object_object_add(o, "serial", json_object_new_string(f->serial));
	return o;
}

struct json_object *
status_json(void)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "daemon", status_daemon());
	for (size_t i = 0; i < modules_len; i++)
		if (modules[i].status != NULL)
			json_object_object_add(o, modules[i].name,
			    modules[i].status());
	return o;
}
