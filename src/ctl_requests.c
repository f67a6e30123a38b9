/*
 * ctl_requests.c: the control socket's requests, one row each: status,
 * settings (list, get, set, reset), `at` (one AT-form command through the
 * command registry, the same path SMS takes), monitor, reload and passwd.
 */
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "cmd.h"
#include "ctl.h"
#include "daemon.h"
#include "settings.h"
#include "status.h"
#include "util.h"

static const char *
ctl_arg_string(struct json_object *args, const char *key, char *err,
    size_t errlen)
{
	struct json_object *v;

	if (args == NULL || !json_object_object_get_ex(args, key, &v) ||
	    !json_object_is_type(v, json_type_string)) {
		snprintf(err, errlen, "missing string argument \"%s\"", key);
		return NULL;
	}
	return json_object_get_string(v);
}

static const struct setting_def *
ctl_arg_setting(struct json_object *args, char *err, size_t errlen)
{
	const struct setting_def *d;
	const char *name = ctl_arg_string(args, "name", err, errlen);

	if (name == NULL)
		return NULL;
	if ((d = settings_find(name)) == NULL)
		snprintf(err, errlen, "unknown setting %.64s", name);
	return d;
}

static struct json_object *
ctl_setting_json(const struct setting_def *d)
{
	struct json_object *o = json_object_new_object();
	char range[256];

	settings_describe_range(d, range, sizeof range);
	json_object_object_add(o, "name", json_object_new_string(d->name));
	json_object_object_add(o, "alias", d->alias != NULL ?
	    json_object_new_string(d->alias) : NULL);
	json_object_object_add(o, "value", (d->flags & SETTING_SECRET) ?
	    NULL : json_object_new_string(settings_value(d)));
	json_object_object_add(o, "source", json_object_new_string(
	    settings_source_name(settings_source(d))));
	json_object_object_add(o, "type",
	    json_object_new_string(settings_type_name(d)));
	json_object_object_add(o, "range", json_object_new_string(range));
	json_object_object_add(o, "default", json_object_new_string(d->def));
	json_object_object_add(o, "group", json_object_new_int((int)d->group));
	json_object_object_add(o, "role",
	    json_object_new_string(auth_role_name(d->role)));
	json_object_object_add(o, "help", json_object_new_string(d->help));
	return o;
}

static int
ctl_status(struct ctl_conn *c, struct json_object *args,
    struct json_object **res, char *err, size_t errlen)
{
	*res = status_json();
	return 0;
}

static int
ctl_settings_list(struct ctl_conn *c, struct json_object *args,
    struct json_object **res, char *err, size_t errlen)
{
	*res = json_object_new_array();
	for (size_t i = 0; i < settings_count(); i++)
		json_object_array_add(*res, ctl_setting_json(settings_at(i)));
	return 0;
}

static int
ctl_settings_get(struct ctl_conn *c, struct json_object *args,
    struct json_object **res, char *err, size_t errlen)
{
	const struct setting_def *d = ctl_arg_setting(args, err, errlen);

	if (d == NULL)
		return -1;
	*res = ctl_setting_json(d);
	return 0;
}

static int
ctl_settings_set(struct ctl_conn *c, struct json_object *args,
    struct json_object **res, char *err, size_t errlen)
{
	const struct setting_def *d = ctl_arg_setting(args, err, errlen);
	const char *value;

	if (d == NULL)
		return -1;
	if ((value = ctl_arg_string(args, "value", err, errlen)) == NULL)
		return -1;
	if (ctl_conn_role(c) < d->role) {
		snprintf(err, errlen, "%s needs the %s role", d->name,
		    auth_role_name(d->role));
		return -1;
	}
	if (settings_set_text(d, value, err, errlen) == -1)
		return -1;
	*res = ctl_setting_json(d);
	return 0;
}

static int
ctl_settings_reset(struct ctl_conn *c, struct json_object *args,
    struct json_object **res, char *err, size_t errlen)
{
	const struct setting_def *d = ctl_arg_setting(args, err, errlen);

	if (d == NULL)
		return -1;
	if (ctl_conn_role(c) < d->role) {
		snprintf(err, errlen, "%s needs the %s role", d->name,
		    auth_role_name(d->role));
		return -1;
	}
	if (settings_reset(d, err, errlen) == -1)
		return -1;
	*res = ctl_setting_json(d);
	return 0;
}

static int
ctl_at(struct ctl_conn *c, struct json_object *args,
    struct json_object **res, char *err, size_t errlen)
{
	struct cmd_ctx ctx = { CHAN_LOCAL, ctl_conn_role(c),
	    ctl_conn_origin(c) };
	struct cmd_reply r;
	struct buf out;
	const char *text = ctl_arg_string(args, "command", err, errlen);

	if (text == NULL)
		return -1;
	cmd_reply_init(&r);
	cmd_run(text, strlen(text), &ctx, &r);
	buf_init(&out, CMD_REPLY_MAX + 512);
	cmd_reply_format(&r, CMD_STYLE_TEXT, &out);
	*res = json_object_new_object();
	json_object_object_add(*res, "ok", json_object_new_boolean(r.ok));
	json_object_object_add(*res, "reply",
	    json_object_new_string(buf_str(&out)));
	buf_free(&out);
	cmd_reply_free(&r);
	return 0;
}

static int
ctl_monitor(struct ctl_conn *c, struct json_object *args,
    struct json_object **res, char *err, size_t errlen)
{
	ctl_conn_monitor(c, 1);
	*res = json_object_new_object();
	json_object_object_add(*res, "monitoring",
	    json_object_new_boolean(1));
	return 0;
}

static int
ctl_reload(struct ctl_conn *c, struct json_object *args,
    struct json_object **res, char *err, size_t errlen)
{
	if (daemon_reload(err, errlen) == -1)
		return -1;
	*res = json_object_new_object();
	json_object_object_add(*res, "reloaded", json_object_new_boolean(1));
	return 0;
}

static int
ctl_passwd(struct ctl_conn *c, struct json_object *args,
    struct json_object **res, char *err, size_t errlen)
{
	const char *role = ctl_arg_string(args, "role", err, errlen);
	const char *pw = ctl_arg_string(args, "password", err, errlen);
	enum auth_role r;

	if (role == NULL || pw == NULL)
		return -1;
	if (auth_role_parse(role, &r) == -1 ||
	    (r != ROLE_ADMIN && r != ROLE_SUPERADMIN)) {
		snprintf(err, errlen, "role must be superadmin or admin");
		return -1;
	}
	if (auth_password_set(r, pw, err, errlen) == -1)
		return -1;
	*res = json_object_new_object();
	json_object_object_add(*res, "role",
	    json_object_new_string(auth_role_name(r)));
	return 0;
}

const struct ctl_request ctl_core_requests[] = {
	{ "status", ROLE_USER, ctl_status },
	{ "settings.list", ROLE_USER, ctl_settings_list },
	{ "settings.get", ROLE_USER, ctl_settings_get },
	{ "settings.set", ROLE_ADMIN, ctl_settings_set },
	{ "settings.reset", ROLE_ADMIN, ctl_settings_reset },
	{ "at", ROLE_USER, ctl_at },
	{ "monitor", ROLE_USER, ctl_monitor },
	{ "reload", ROLE_SUPERADMIN, ctl_reload },
	{ "passwd", ROLE_SUPERADMIN, ctl_passwd },
};

const size_t ctl_core_requests_len = nitems(ctl_core_requests);

const struct ctl_request *
ctl_request_find(const char *name)
{
	for (size_t t = 0; t < ctl_tables_len; t++)
		for (size_t i = 0; i < *ctl_tables[t].len; i++)
			if (strcmp(ctl_tables[t].rows[i].name, name) == 0)
				return &ctl_tables[t].rows[i];
	return NULL;
}
