/*
 * cmd_phonebook.c: the registry's security and status commands that the
 * SMS dialects reach: NUM (phonebook: list, store, delete), CMDPW / PWD
 * (the admin password; never readable), RES (factory reset: settings and
 * phonebook), and the verb-form STATUS (read from the modules' accessors;
 * CONNECT is the cloud module's).
 */
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "bridge.h"
#include "cmd.h"
#include "daemon.h"
#include "modem.h"
#include "phonebook.h"
#include "settings.h"
#include "uplink.h"
#include "util.h"

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
	if (phonebook_normalise(f->argv[1], phonebook_country_code(),
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

	if (settings_factory_reset(cmd_may_change, (void *)ctx, err,
	    sizeof err) == -1 ||
	    phonebook_clear(err, sizeof err) == -1)
		return cmd_reply_error(r, "%s", err);
	return 0;
}

/* STATUS#: one short message: modem, signal, operator, uptime, bridge,
 * data link, each read from its module's accessors. */
static int
cmd_phonebook_status(const struct cmd_entry *ce, const struct atform *f,
    const struct cmd_ctx *ctx, struct cmd_reply *r)
{
	const struct uplink_info *u = uplink_current();
	const char *op = modem_operator();
	long long up = (long long)(time(NULL) - daemon_started());
	int sig = modem_signal(), rsrp, rsrq10;
	char signal[64];

	if (sig >= 0)
		snprintf(signal, sizeof signal, "%d (%d%%)", sig,
		    modem_signal_quality());
	else
		util_strlcpy(signal, "-", sizeof signal);
	if (modem_lte_signal(&rsrp, &rsrq10) == 0)
		snprintf(signal + strlen(signal), sizeof signal -
		    strlen(signal), " RSRP %ddBm RSRQ %s%d.%ddB", rsrp,
		    rsrq10 < 0 ? "-" : "", abs(rsrq10) / 10, abs(rsrq10) % 10);
	cmd_reply_line(r, "Modem: %s, signal %s, operator %s",
	    modem_state_name(modem_state()), signal, op != NULL ? op : "-");
	cmd_reply_line(r, "Uptime: %lldd %02lld:%02lld", up / 86400,
	    up / 3600 % 24, up / 60 % 60);
	cmd_reply_line(r, "Bridge: %s, A %s, B %s", bridge_mode_name(),
	    bridge_socket_state(0), bridge_socket_state(1));
	cmd_reply_line(r, "Data: %s, %s", uplink_state_name(u->state),
	    u->mode);
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
	  "modem, signal, operator, uptime, bridge and data link state",
	  cmd_phonebook_status },
};

const size_t cmd_phonebook_table_len = nitems(cmd_phonebook_table);
