/*
 * cmd_phonebook.c: the registry's security and status commands that the
 * SMS dialects reach: NUM (phonebook: list, store, delete), CMDPW / PWD
 * (the admin password; never readable), RES (factory reset: settings and
 * phonebook), and the verb-form STATUS (CONNECT is the cloud module's).
 */
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "cmd.h"
#include "phonebook.h"
#include "settings.h"
#include "status.h"

static int
cmd_num_list_row(const struct phonebook_entry *e, void *arg)
{
	struct cmd_reply *r = arg;

	cmd_reply_line(r, "+NUM:%d,%s,%s%s%s", e->pos, e->number,
	    auth_role_name(e->role), e->name[0] ? "," : "", e->name);
	return 0;
}

static int
cmd_num(const struct cmd_entry *ce, const struct atform *f,
    const struct cmd_ctx *ctx, struct cmd_reply *r)
{
	struct phonebook_entry e;
	const char *errstr;
	char err[256];
	long long pos;

	if (f->op != ATFORM_SET) {
		if (phonebook_foreach(cmd_num_list_row, r) == -1)
			return cmd_reply_error(r, "phonebook not readable");
		return 0;
	}
	pos = util_strtonum(f->argv[0], 1, phonebook_size(), &errstr);
	if (errstr != NULL)
		return cmd_reply_error(r, "NUM: position must be 1..%d",
		    phonebook_size());
	if (f->argc == 1 || f->argv[1][0] == '\0') {
		if (phonebook_del((int)pos, err, sizeof err) == -1)
			return cmd_reply_error(r, "NUM: %s", err);
		return 0;
	}
	memset(&e, 0, sizeof e);
	if (phonebook_get((int)pos, &e) == -1) {
		/* a new entry: a plain user who need not send a password
		 * (the seed's "accept and don't request password"); roles
		 * are raised with cellgatectl phonebook set */
		e.role = ROLE_USER;
		e.require_password = 0;
		e.call = CALL_HANGUP_REPLY;
		e.alarm_sms = 1;
	}
	e.pos = (int)pos;
	if (phonebook_normalise(f->argv[1], settings_get("auth.country_code"),
	    e.number, sizeof e.number) == -1)
		return cmd_reply_error(r, "NUM: not a phone number");
	if (phonebook_put(&e, err, sizeof err) == -1)
		return cmd_reply_error(r, "NUM: %s", err);
	return 0;
}

static int
cmd_cmdpw(const struct cmd_entry *ce, const struct atform *f,
    const struct cmd_ctx *ctx, struct cmd_reply *r)
{
	char err[256];

	if (f->op != ATFORM_SET)
		return cmd_reply_error(r, "CMDPW cannot be read");
	if (auth_password_set(ROLE_ADMIN, f->argv[0], err, sizeof err) == -1)
		return cmd_reply_error(r, "%s", err);
	return 0;
}

static int
cmd_res(const struct cmd_entry *ce, const struct atform *f,
    const struct cmd_ctx *ctx, struct cmd_reply *r)
{
	char err[256];

	if (settings_factory_reset(err, sizeof err) == -1 ||
	    phonebook_clear(err, sizeof err) == -1)
		return cmd_reply_error(r, "%s", err);
	return 0;
}

static const char *
cmd_jstr(struct json_object *o, const char *a, const char *b)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, a, &v) || v == NULL)
		return "-";
	if (b != NULL && (!json_object_object_get_ex(v, b, &v) || v == NULL))
		return "-";
	return json_object_get_string(v);
}

/* STATUS#: one short message: modem, signal, operator, uptime, bridge. */
static int
cmd_status(const struct cmd_entry *ce, const struct atform *f,
    const struct cmd_ctx *ctx, struct cmd_reply *r)
{
	struct json_object *st = status_json(), *m = NULL, *b = NULL, *d = NULL;
	long long up;

	json_object_object_get_ex(st, "modem", &m);
	json_object_object_get_ex(st, "bridge", &b);
	json_object_object_get_ex(st, "daemon", &d);
	up = json_object_get_int64(json_object_object_get(d, "uptime"));
	cmd_reply_line(r, "Modem: %s, signal %s, operator %s",
	    cmd_jstr(m, "state", NULL), cmd_jstr(m, "signal", NULL),
	    cmd_jstr(m, "operator", NULL));
	cmd_reply_line(r, "Uptime: %lldd %02lld:%02lld", up / 86400,
	    up / 3600 % 24, up / 60 % 60);
	cmd_reply_line(r, "Bridge: %s, A %s, B %s", cmd_jstr(b, "mode", NULL),
	    cmd_jstr(b, "socket_a", "state"), cmd_jstr(b, "socket_b", "state"));
	json_object_put(st);
	return 0;
}

#define QUERY	(CMD_OP(ATFORM_EXEC) | CMD_OP(ATFORM_QUERY))
#define ACTION	(CMD_OP(ATFORM_EXEC))

const struct cmd_entry cmd_phonebook_table[] = {
	{ "NUM", NULL, QUERY | CMD_OP(ATFORM_SET), 1, 2, ROLE_ADMIN,
	  GROUP_SECURITY, 0, "AT+NUM? | AT+NUM=pos,number | AT+NUM=pos",
	  "list, store or delete phonebook numbers", cmd_num },
	{ "CMDPW", "PWD", CMD_OP(ATFORM_SET) | QUERY, 1, 1, ROLE_ADMIN,
	  GROUP_SECURITY, CMD_SECRET_ARGS, "AT+CMDPW=password",
	  "set the admin password (never readable)", cmd_cmdpw },
	{ "RES", NULL, ACTION, 0, 0, ROLE_SUPERADMIN,
	  GROUP_SECURITY | GROUP_SYSTEM, 0, "RES",
	  "factory reset: settings and phonebook", cmd_res },
	{ "STATUS", NULL, QUERY, 0, 0, ROLE_USER, GROUP_NET, 0, "STATUS#",
	  "modem, signal, operator, uptime, bridge state", cmd_status },
};

const size_t cmd_phonebook_table_len = nitems(cmd_phonebook_table);
