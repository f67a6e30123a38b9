/*
 * modem_ctl.c: the modem's rows in the registries: its settings
 * (modem.signal_poll, modem.at_timeout, modem.recovery_max,
 * modem.usb_reset, modem.power_cycle_command), its AT-form commands
 * (ICCID, IMEI, CNUM of the USR set, CSQ) and the control request
 * modem.at (one raw AT command through the queue, answered later).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "at_cmdline.h"
#include "at_lexer.h"
#include "cmd.h"
#include "ctl.h"
#include "log.h"
#include "modem_int.h"
#include "spawn.h"
#include "settings.h"
#include "util.h"

#define MODEM_AT_TIMEOUT_MAX	180000

static void
modem_ctl_poll_apply(const struct setting_def *d)
{
	modem_net_poll_schedule();
}

const struct setting_def modem_settings_table[] = {
	{ .name = "modem.signal_poll", .type = SETTING_INT, .min = 0,
	  .max = 3600, .def = "60", .group = GROUP_NET, .role = ROLE_ADMIN,
	  .apply = modem_ctl_poll_apply,
	  .help = "seconds between signal polls (AT+CSQ, AT+CESQ on LTE; the "
	  "liveness check of an idle modem), 0 = off" },
	{ .name = "modem.at_timeout", .type = SETTING_INT, .min = 200,
	  .max = 120000, .def = "5000", .group = GROUP_SYSTEM,
	  .role = ROLE_ADMIN,
	  .help = "milliseconds an ordinary AT command may take" },
	{ .name = "modem.recovery_max", .type = SETTING_INT, .min = 1,
	  .max = 3600, .def = "300", .group = GROUP_SYSTEM,
	  .role = ROLE_ADMIN,
	  .help = "longest wait, in seconds, between two recovery steps" },
	{ .name = "modem.usb_reset", .type = SETTING_BOOL, .def = "off",
	  .group = GROUP_SYSTEM, .role = ROLE_SUPERADMIN,
	  .help = "recovery may reset the modem's USB device (needs root)" },
	{ .name = "modem.power_cycle_command", .type = SETTING_CUSTOM,
	  .flags = SETTING_LOCAL,
	  .min = 0, .max = 255, .def = "", .group = GROUP_SYSTEM,
	  .role = ROLE_SUPERADMIN, .parse = spawn_check_setting,
	  .help = "last recovery step: program (absolute path) and "
	  "arguments that power-cycle the modem; empty = none" },
};
const size_t modem_settings_table_len = nitems(modem_settings_table);

/* ---- AT-form commands ---- */

static int
modem_cmd_ident(const char *what, const char *tag, struct cmd_reply *r)
{
	const char *v = modem_identity(what);

	if (v == NULL)
		return cmd_reply_error(r, "%s not known (modem %s)", tag,
		    modem_state_name(mdm.state));
	cmd_reply_line(r, "+%s:%s", tag, v);
	return 0;
}

static int
modem_cmd_iccid(const struct cmd_entry *e, const struct atform *f,
    const struct cmd_ctx *ctx, struct cmd_reply *r)
{
	return modem_cmd_ident("iccid", "ICCID", r);
}

static int
modem_cmd_imei(const struct cmd_entry *e, const struct atform *f,
    const struct cmd_ctx *ctx, struct cmd_reply *r)
{
	return modem_cmd_ident("imei", "IMEI", r);
}

static int
modem_cmd_cnum(const struct cmd_entry *e, const struct atform *f,
    const struct cmd_ctx *ctx, struct cmd_reply *r)
{
	return modem_cmd_ident("number", "CNUM", r);
}

static int
modem_cmd_csq(const struct cmd_entry *e, const struct atform *f,
    const struct cmd_ctx *ctx, struct cmd_reply *r)
{
	if (mdm.state != MODEM_READY && mdm.state != MODEM_REGISTERING)
		return cmd_reply_error(r, "modem %s",
		    modem_state_name(mdm.state));
	cmd_reply_line(r, "+CSQ:%d,99", mdm.csq);
	return 0;
}

#define QUERY	(CMD_OP(ATFORM_EXEC) | CMD_OP(ATFORM_QUERY))

const struct cmd_entry modem_cmd_table[] = {
	{ "ICCID", NULL, QUERY, 0, 0, ROLE_USER, GROUP_SYSTEM, 0,
	  "AT+ICCID", "the SIM's ICCID", modem_cmd_iccid },
	{ "IMEI", NULL, QUERY, 0, 0, ROLE_USER, GROUP_SYSTEM, 0,
	  "AT+IMEI", "the modem's IMEI", modem_cmd_imei },
	{ "CNUM", NULL, QUERY, 0, 0, ROLE_USER, GROUP_SYSTEM, 0,
	  "AT+CNUM", "the SIM's own number", modem_cmd_cnum },
	{ "CSQ", NULL, QUERY, 0, 0, ROLE_USER, GROUP_NET, 0,
	  "AT+CSQ", "signal quality (0..31, 99 unknown)", modem_cmd_csq },
};
const size_t modem_cmd_table_len = nitems(modem_cmd_table);

/* ---- control request modem.at ---- */

static void
modem_ctl_at_done(const struct modem_response *r, void *arg)
{
	struct ctl_pending *p = arg;
	struct json_object *res;
	struct buf b;
	char esc[4 * AT_LINE_MAX + 8];

	if (r->final == MODEM_TIMEOUT) {
		ctl_pending_done(p, NULL, "the modem did not answer in time");
		return;
	}
	if (r->final == MODEM_GONE) {
		ctl_pending_done(p, NULL, "the modem went away before "
		    "answering");
		return;
	}
	buf_init(&b, 256 * 1024);
	for (size_t i = 0; i < r->nlines; i++) {
		util_escape(esc, sizeof esc, r->lines[i], strlen(r->lines[i]));
		buf_printf(&b, "%s\n", esc);
	}
	util_escape(esc, sizeof esc, r->final_line, strlen(r->final_line));
	buf_puts(&b, esc);
	res = json_object_new_object();
	json_object_object_add(res, "response",
	    json_object_new_string(buf_str(&b)));
	json_object_object_add(res, "final",
	    json_object_new_string(modem_final_name(r->final)));
	json_object_object_add(res, "code", r->code >= 0 ?
	    json_object_new_int64(r->code) : NULL);
	buf_free(&b);
	ctl_pending_done(p, res, NULL);
}

static int
modem_ctl_at(struct ctl_conn *c, struct json_object *args,
    struct json_object **res, char *err, size_t errlen)
{
	/* commands that open a "> " prompt, anywhere in a chained line */
	static const char *const prompting[] = { "+CMGS", "+CMGW", "+CMGC",
	    NULL };
	struct at_cmdline cl;
	const char *why;
	struct json_object *v;
	struct ctl_pending *p;
	const char *cmd;
	char logcmd[80];
	int timeout = 0, i;

	if (args == NULL || !json_object_object_get_ex(args, "command", &v) ||
	    !json_object_is_type(v, json_type_string)) {
		snprintf(err, errlen, "missing string argument \"command\"");
		return -1;
	}
	cmd = json_object_get_string(v);
	if (strlen(cmd) != (size_t)json_object_get_string_len(v)) {
		snprintf(err, errlen, "NUL byte in the command refused");
		return -1;
	}
	if (modem_cmd_check(cmd, err, errlen) == -1)
		return -1;
	/* judged by command name, as the modem reads the line */
	if (at_cmdline_parse(cmd, strlen(cmd), &cl, &why) == -1) {
		snprintf(err, errlen, "%s", why);
		return -1;
	}
	if ((i = at_cmdline_find(&cl, prompting)) != -1) {
		snprintf(err, errlen, "AT%s needs a PDU after a prompt: use "
		    "the SMS commands", cl.cmds[i].name);
		return -1;
	}
	if (json_object_object_get_ex(args, "timeout", &v)) {
		if (!json_object_is_type(v, json_type_int) ||
		    json_object_get_int(v) < 100 ||
		    json_object_get_int(v) > MODEM_AT_TIMEOUT_MAX) {
			snprintf(err, errlen, "timeout: 100..%d ms",
			    MODEM_AT_TIMEOUT_MAX);
			return -1;
		}
		timeout = json_object_get_int(v);
	}
	if (mdm.port == NULL) {
		snprintf(err, errlen, "the modem is %s (%s)",
		    modem_state_name(mdm.state), mdm.reason);
		return -1;
	}
	if (modem_cmd_is_secret(cmd))
		snprintf(logcmd, sizeof logcmd, "%.*s=***",
		    (int)strcspn(cmd, "="), cmd);
	else
		util_escape(logcmd, sizeof logcmd, cmd, strlen(cmd));
	log_info("modem: %s runs %s", ctl_conn_origin(c), logcmd);
	p = ctl_defer(c);
	if (modem_submit(cmd, NULL, timeout, modem_ctl_at_done, p) == -1)
		ctl_pending_done(p, NULL, "the modem's command queue is full");
	return CTL_DEFERRED;
}

const struct ctl_request modem_ctl_requests[] = {
	{ "modem.at", ROLE_SUPERADMIN, modem_ctl_at },
};
const size_t modem_ctl_requests_len = nitems(modem_ctl_requests);
