/*
 * status.c: assembles the status report: the daemon's own section, then
 * each module's.  A module this build does not run yet is reported by the
 * *_absent sections here, with the SPEC's keys present and its state
 * saying so ("absent", "stopped").
 */
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "conf.h"
#include "daemon.h"
#include "module.h"
#include "settings.h"
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
status_modem_absent(void)
{
	static const char *const keys[] = { "manufacturer", "model",
	    "revision", "imei", "imsi", "iccid", "operator", "registration",
	    "signal" };
	struct json_object *o = json_object_new_object();
	const struct conf *c = daemon_conf();

	json_object_object_add(o, "state", json_object_new_string("absent"));
	json_object_object_add(o, "device", c != NULL && c->modem_device[0] ?
	    json_object_new_string(c->modem_device) : NULL);
	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
		json_object_object_add(o, keys[i], NULL);
	return o;
}

struct json_object *
status_sms_absent(void)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "unread", json_object_new_int(0));
	json_object_object_add(o, "outbox", json_object_new_int(0));
	return o;
}

static struct json_object *
status_socket(void)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "state", json_object_new_string("stopped"));
	return o;
}

struct json_object *
status_bridge_absent(void)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "mode",
	    json_object_new_string(settings_get("bridge.mode")));
	json_object_object_add(o, "socket_a", status_socket());
	json_object_object_add(o, "socket_b", status_socket());
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
