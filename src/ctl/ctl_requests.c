/*
 * ctl_requests.c: the control socket's requests, one row each: status,
 * settings (list, get, set, reset), `at` (one AT-form command through the
 * command registry, the same path SMS takes), monitor, events, reload,
 * passwd and
 * the phonebook (list, add, set, del).
 */
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "cmd.h"
#include "ctl.h"
#include "events.h"
#include "module.h"
#include "phonebook.h"
#include "settings.h"
#include "status.h"
#include "util.h"

/* A position argument in 1..max. */
static int
ctl_pb_pos_max(struct json_object *args, int *pos, int max, char *err,
    size_t errlen)
{
	struct json_object *v;
	const char *errstr;

	if (args == NULL || !json_object_object_get_ex(args, "pos", &v) ||
	    !json_object_is_type(v, json_type_string)) {
		snprintf(err, errlen, "missing position");
		return -1;
	}
	*pos = (int)util_strtonum(json_object_get_string(v), 1, max, &errstr);
	if (errstr != NULL) {
		snprintf(err, errlen, "position must be 1..%d", max);
		return -1;
	}
	return 0;
}

const char *
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
	if ((d = settings_find(name)) == NULL) {
		const char *near = settings_suggest(name);

		snprintf(err, errlen, "unknown setting %.64s%s%s%s", name,
		    near != NULL ? " (did you mean " : "",
		    near != NULL ? near : "", near != NULL ? "?)" : "");
	}
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
	if (d->flags & SETTING_SECRET)	/* only whether it is set */
		json_object_object_add(o, "set", json_object_new_boolean(
		    settings_value(d)[0] != '\0'));
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
ctl_events(struct ctl_conn *c, struct json_object *args,
    struct json_object **res, char *err, size_t errlen)
{
	struct json_object *v;
	int max = 50;

	if (args != NULL && json_object_object_get_ex(args, "limit", &v)) {
		if (!json_object_is_type(v, json_type_int) ||
		    json_object_get_int(v) < 1 || json_object_get_int(v) > 1000) {
			snprintf(err, errlen, "limit is 1..1000");
			return -1;
		}
		max = json_object_get_int(v);
	}
	*res = events_recent((size_t)max);
	return 0;
}

static void
ctl_reload_done(int rc, const char *err, void *arg)
{
	struct json_object *res = NULL;

	if (rc == 0) {
		res = json_object_new_object();
		json_object_object_add(res, "reloaded",
		    json_object_new_boolean(1));
	}
	ctl_pending_done(arg, res, rc == 0 ? NULL : err[0] != '\0' ? err :
	    "reload failed");
}

/* Reloading runs from the loop, as for SIGHUP; the answer follows. */
static int
ctl_reload(struct ctl_conn *c, struct json_object *args,
    struct json_object **res, char *err, size_t errlen)
{
	struct ctl_pending *p = ctl_defer(c);

	if (ctl_request_reload(ctl_reload_done, p) == -1) {
		ctl_pending_done(p, NULL, "too many reloads waiting");
		return CTL_DEFERRED;
	}
	return CTL_DEFERRED;
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

static struct json_object *
ctl_pb_json(const struct phonebook_entry *e)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "pos", json_object_new_int(e->pos));
	json_object_object_add(o, "number", json_object_new_string(e->number));
	json_object_object_add(o, "name", json_object_new_string(e->name));
	json_object_object_add(o, "role",
	    json_object_new_string(auth_role_name(e->role)));
	json_object_object_add(o, "require_password",
	    json_object_new_boolean(e->require_password));
	json_object_object_add(o, "call",
	    json_object_new_string(phonebook_call_name(e->call)));
	json_object_object_add(o, "alarm_sms",
	    json_object_new_boolean(e->alarm_sms));
	json_object_object_add(o, "alarm_call",
	    json_object_new_boolean(e->alarm_call));
	return o;
}

static int
ctl_pb_list_row(const struct phonebook_entry *e, void *arg)
{
	json_object_array_add(arg, ctl_pb_json(e));
	return 0;
}

static int
ctl_pb_list(struct ctl_conn *c, struct json_object *args,
    struct json_object **res, char *err, size_t errlen)
{
	*res = json_object_new_array();
	if (phonebook_foreach(ctl_pb_list_row, *res) == -1) {
		snprintf(err, errlen, "phonebook not readable");
		return -1;
	}
	return 0;
}

static int
ctl_pb_bool(const char *key, const char *v, int *out, char *err,
    size_t errlen)
{
	if ((*out = util_parse_bool(v)) == -1) {
		snprintf(err, errlen, "%s must be on or off", key);
		return -1;
	}
	return 0;
}

int
ctl_phonebook_fields(struct json_object *args, struct phonebook_entry *e,
    char *err, size_t errlen)
{
	json_object_object_foreach(args, k, v) {
		const char *s;

		if (strcmp(k, "pos") == 0)
			continue;
		if (!json_object_is_type(v, json_type_string)) {
			snprintf(err, errlen, "%.32s must be a string", k);
			return -1;
		}
		s = json_object_get_string(v);
		if (strcmp(k, "number") == 0) {
			if (phonebook_normalise(s,
			    phonebook_country_code(), e->number,
			    sizeof e->number) == -1) {
				snprintf(err, errlen, "not a phone number (use "
				    "+CC... or set auth.country_code)");
				return -1;
			}
		} else if (strcmp(k, "name") == 0) {
			size_t n = strlen(s);

			if (n > PHONEBOOK_NAME_MAX) {
				snprintf(err, errlen, "name too long (max %d)",
				    PHONEBOOK_NAME_MAX);
				return -1;
			}
			for (size_t i = 0; i < n; i++)
				if ((unsigned char)s[i] < 0x20) {
					snprintf(err, errlen, "control "
					    "character in name");
					return -1;
				}
			util_strlcpy(e->name, s, sizeof e->name);
		} else if (strcmp(k, "role") == 0) {
			if (auth_role_parse(s, &e->role) == -1 ||
			    e->role == ROLE_NONE) {
				snprintf(err, errlen, "role must be user, "
				    "admin or superadmin");
				return -1;
			}
		} else if (strcmp(k, "password") == 0) {
			if (strcmp(s, "required") == 0)
				e->require_password = 1;
			else if (strcmp(s, "not-required") == 0)
				e->require_password = 0;
			else {
				snprintf(err, errlen, "password must be "
				    "required or not-required");
				return -1;
			}
		} else if (strcmp(k, "call") == 0) {
			if (phonebook_call_parse(s, &e->call) == -1) {
				snprintf(err, errlen, "call must be ignore, hangup, "
				    "hangup-reply or temperature");
				return -1;
			}
		} else if (strcmp(k, "alarm_sms") == 0) {
			if (ctl_pb_bool(k, s, &e->alarm_sms, err, errlen) == -1)
				return -1;
		} else if (strcmp(k, "alarm_call") == 0) {
			if (ctl_pb_bool(k, s, &e->alarm_call, err, errlen) == -1)
				return -1;
		} else {
			snprintf(err, errlen, "unknown field %.32s (number, "
			    "name, role, password, call, alarm_sms, "
			    "alarm_call)", k);
			return -1;
		}
	}
	return 0;
}

static int
ctl_pb_pos(struct json_object *args, int *pos, char *err, size_t errlen)
{
	return ctl_pb_pos_max(args, pos, phonebook_size(), err, errlen);
}

static int
ctl_pb_store(struct ctl_conn *c, struct json_object *args,
    struct json_object **res, char *err, size_t errlen, int add)
{
	struct phonebook_entry e;
	int pos;

	if (args == NULL) {
		snprintf(err, errlen, "missing arguments");
		return -1;
	}
	if (add && !json_object_object_get_ex(args, "pos", NULL)) {
		/* the first free position */
		for (pos = 1; pos <= phonebook_size(); pos++)
			if (phonebook_get(pos, &e) == -1)
				break;
		if (pos > phonebook_size()) {
			snprintf(err, errlen, "the phonebook is full");
			return -1;
		}
	} else if (ctl_pb_pos(args, &pos, err, errlen) == -1)
		return -1;
	if (phonebook_get(pos, &e) == 0) {
		if (add) {
			snprintf(err, errlen, "position %d is taken (use set, "
			    "or del first)", pos);
			return -1;
		}
	} else {
		if (!add) {
			snprintf(err, errlen, "position %d is empty", pos);
			return -1;
		}
		memset(&e, 0, sizeof e);
		e.role = ROLE_USER;
		e.require_password = 1;
		e.call = CALL_HANGUP;
		e.alarm_sms = 1;
		if (!json_object_object_get_ex(args, "number", NULL)) {
			snprintf(err, errlen, "missing number");
			return -1;
		}
	}
	e.pos = pos;
	if (ctl_phonebook_fields(args, &e, err, errlen) == -1 ||
	    phonebook_put(&e, err, errlen) == -1)
		return -1;
	*res = ctl_pb_json(&e);
	return 0;
}

static int
ctl_pb_add(struct ctl_conn *c, struct json_object *args,
    struct json_object **res, char *err, size_t errlen)
{
	return ctl_pb_store(c, args, res, err, errlen, 1);
}

static int
ctl_pb_set(struct ctl_conn *c, struct json_object *args,
    struct json_object **res, char *err, size_t errlen)
{
	return ctl_pb_store(c, args, res, err, errlen, 0);
}

static int
ctl_pb_del(struct ctl_conn *c, struct json_object *args,
    struct json_object **res, char *err, size_t errlen)
{
	struct phonebook_entry e;
	int pos;

	/* any stored position, also past a reduced auth.phonebook_size */
	if (ctl_pb_pos_max(args, &pos, 100, err, errlen) == -1)
		return -1;
	if (phonebook_get(pos, &e) == -1) {
		snprintf(err, errlen, "position %d is empty", pos);
		return -1;
	}
	if (phonebook_del(pos, err, errlen) == -1)
		return -1;
	*res = ctl_pb_json(&e);
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
	{ "events", ROLE_USER, ctl_events },
	{ "reload", ROLE_SUPERADMIN, ctl_reload },
	{ "passwd", ROLE_SUPERADMIN, ctl_passwd },
	{ "phonebook.list", ROLE_ADMIN, ctl_pb_list },
	{ "phonebook.add", ROLE_SUPERADMIN, ctl_pb_add },
	{ "phonebook.set", ROLE_SUPERADMIN, ctl_pb_set },
	{ "phonebook.del", ROLE_SUPERADMIN, ctl_pb_del },
};

const size_t ctl_core_requests_len = nitems(ctl_core_requests);

const struct ctl_request *
ctl_request_find(const char *name)
{
	for (size_t t = 0; t < modules_len; t++) {
		const struct module *m = &modules[t];

		for (size_t i = 0; m->requests != NULL &&
		    i < *m->requests_len; i++)
			if (strcmp(m->requests[i].name, name) == 0)
				return &m->requests[i];
	}
	return NULL;
}
