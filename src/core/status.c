/*
 * status.c: assembles the status report: the daemon's own section, then
 * each module's section (its row's status hook, modules.c).
 */
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "conf.h"
#include "daemon.h"
#include "module.h"
#include "status.h"

#include "config.h"

static struct json_object *
status_daemon(void)
{
	struct json_object *o = json_object_new_object();
	const struct conf *c = daemon_conf();

	json_object_object_add(o, "version",
	    json_object_new_string(PACKAGE_VERSION));
	json_object_object_add(o, "pid", json_object_new_int(getpid()));
	json_object_object_add(o, "started_ms",
	    json_object_new_int64(daemon_started_ms()));
	json_object_object_add(o, "uptime",
	    json_object_new_int64(time(NULL) - daemon_started()));
	if (c != NULL) {
		json_object_object_add(o, "config",
		    json_object_new_string(c->path));
		json_object_object_add(o, "database",
		    json_object_new_string(c->database));
	}
	json_object_object_add(o, "serial",
	    json_object_new_string(daemon_serial()));
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
