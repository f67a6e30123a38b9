/*
 * status.c: assembles the status report.  Each section comes from the
 * module that owns it; a module not running yet reports its state as
 * such ("absent", "stopped") with the SPEC's keys present and null.
 */
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "conf.h"
#include "daemon.h"
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
	json_object_object_add(o, "uptime",
	    json_object_new_int64(time(NULL) - daemon_started()));
	json_object_object_add(o, "config", json_object_new_string(c->path));
	json_object_object_add(o, "database",
	    json_object_new_string(c->database));
	json_object_object_add(o, "serial",
	    json_object_new_string(daemon_serial()));
	return o;
}

static struct json_object *
status_modem(void)
{
	static const char *const keys[] = { "manufacturer", "model",
	    "revision", "imei", "imsi", "iccid", "operator", "registration",
	    "signal" };
	struct json_object *o = json_object_new_object();
	const struct conf *c = daemon_conf();

	json_object_object_add(o, "state", json_object_new_string("absent"));
	json_object_object_add(o, "device", c->modem_device[0] ?
	    json_object_new_string(c->modem_device) : NULL);
	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
		json_object_object_add(o, keys[i], NULL);
	return o;
}

static struct json_object *
status_sms(void)
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

static struct json_object *
status_bridge(void)
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
	json_object_object_add(o, "modem", status_modem());
	json_object_object_add(o, "sms", status_sms());
	json_object_object_add(o, "bridge", status_bridge());
	return o;
}
