/*
 * datalink_settings.c: the data link's rows of the settings registry
 * (data.mode, data.apn, data.user, data.password, data.auth) and of the
 * command registry: APN (AT+APN=code or AT+APN=code,user,password,auth,
 * usr-gprs232 seed §4.2.1.24; the reply to a query is +APN:code, the
 * password is never shown) and DATA (hold the uplink up: an on-demand
 * session, e.g. for maintenance, or the test of the auto mode's fallback).
 */
#include <stdio.h>
#include <string.h>

#include "datalink_int.h"
#include "settings.h"
#include "uplink.h"
#include "util.h"

static const char *const datalink_modes[] = {
	"os", "modem", "ppp", "auto", NULL
};
static const char *const datalink_auths[] = { "NONE", "PAP", "CHAP", NULL };

static int
datalink_parse_apn_setting(int argc, char **argv, char *out, size_t outlen,
    char *err, size_t errlen)
{
	const char *v = argc > 0 ? argv[0] : "";

	if (argc > 1 || !datalink_apn_ok(v)) {
		snprintf(err, errlen, "an APN is up to 63 letters, digits, "
		    "'-' and '.' between labels (or empty)");
		return -1;
	}
	util_strlcpy(out, v, outlen);
	return 0;
}

static int
datalink_parse_cred_setting(int argc, char **argv, char *out, size_t outlen,
    char *err, size_t errlen)
{
	const char *v = argc > 0 ? argv[0] : "";

	if (argc > 1 || !datalink_cred_ok(v)) {
		snprintf(err, errlen, "up to 63 printable characters without "
		    "quotes or backslashes");
		return -1;
	}
	util_strlcpy(out, v, outlen);
	return 0;
}

const struct setting_def datalink_settings_table[] = {
	{ .name = "data.mode", .type = SETTING_ENUM,
	  .choices = datalink_modes, .def = "os", .group = GROUP_NET,
	  .role = ROLE_ADMIN, .apply = datalink_apply,
	  .help = "the internet uplink: os (the OS provides it; observed "
	  "only), modem (the modem's own data call), ppp (pppd on "
	  "data.ppp_port), auto (the OS's route first, the modem as "
	  "fallback)" },
	{ .name = "data.apn", .type = SETTING_CUSTOM,
	  .parse = datalink_parse_apn_setting, .def = "", .group = GROUP_NET,
	  .role = ROLE_ADMIN, .apply = datalink_apply,
	  .help = "access point name of the data call (AT+APN)" },
	{ .name = "data.user", .type = SETTING_CUSTOM,
	  .parse = datalink_parse_cred_setting, .def = "", .group = GROUP_NET,
	  .role = ROLE_ADMIN, .apply = datalink_apply,
	  .help = "user name for the APN, if the network wants one" },
	{ .name = "data.password", .type = SETTING_CUSTOM,
	  .parse = datalink_parse_cred_setting, .def = "", .group = GROUP_NET,
	  .role = ROLE_ADMIN, .flags = SETTING_SECRET,
	  .apply = datalink_apply,
	  .help = "password for the APN (write-only, never shown)" },
	{ .name = "data.auth", .type = SETTING_ENUM,
	  .choices = datalink_auths, .def = "NONE", .group = GROUP_NET,
	  .role = ROLE_ADMIN, .apply = datalink_apply,
	  .help = "authentication for the APN: NONE, PAP or CHAP" },
};

const size_t datalink_settings_table_len = nitems(datalink_settings_table);

static int
datalink_cmd_apn(const struct cmd_entry *ce, const struct atform *f,
    const struct cmd_ctx *ctx, struct cmd_reply *r)
{
	struct datalink_apn a;
	const char *names[] = { "data.apn", "data.user", "data.password",
	    "data.auth" };
	const char *values[4];
	char err[256], canon[SETTING_VALUE_MAX + 1];
	int rc = 0;

	if (f->op != ATFORM_SET) {
		cmd_reply_line(r, "+APN:%s", settings_value(dl.s_apn));
		return 0;
	}
	if (datalink_apn_parse(f->argc, f->argv, &a, err, sizeof err) == -1)
		return cmd_reply_error(r, "%s", err);
	values[0] = a.apn;
	values[1] = a.user;
	values[2] = a.password;
	values[3] = a.auth;
	/* every value checked before any is changed */
	for (size_t i = 0; i < nitems(names); i++)
		if (settings_check_text(settings_find(names[i]), values[i],
		    canon, sizeof canon, err, sizeof err) == -1)
			return cmd_reply_error(r, "APN: %s", err);
	dl.batch = 1;
	for (size_t i = 0; i < nitems(names) && rc == 0; i++) {
		const struct setting_def *d = settings_find(names[i]);

		if (strcmp(settings_value(d), values[i]) != 0)
			rc = settings_set_text(d, values[i], err, sizeof err);
	}
	dl.batch = 0;
	datalink_apply(dl.s_apn);
	explicit_bzero(&a, sizeof a);
	return rc == 0 ? 0 : cmd_reply_error(r, "APN: %s", err);
}

static int
datalink_cmd_data(const struct cmd_entry *ce, const struct atform *f,
    const struct cmd_ctx *ctx, struct cmd_reply *r)
{
	const struct uplink_info *u = uplink_current();

	if (f->op == ATFORM_SET) {
		if (util_strcaseeq(f->argv[0], "on"))
			uplink_want("data", 1);
		else if (util_strcaseeq(f->argv[0], "off"))
			uplink_want("data", 0);
		else
			return cmd_reply_error(r, "DATA: on or off");
		return 0;
	}
	cmd_reply_line(r, "+DATA:%s,%s,%s,%s,%s", u->mode,
	    uplink_state_name(u->state), u->reason, u->interface, u->address);
	return 0;
}

#define QUERY	(CMD_OP(ATFORM_EXEC) | CMD_OP(ATFORM_QUERY))

const struct cmd_entry datalink_cmd_table[] = {
	{ "APN", NULL, QUERY | CMD_OP(ATFORM_SET) | CMD_OP(ATFORM_TEST), 1, 4,
	  ROLE_ADMIN, GROUP_NET, CMD_SECRET_TAIL,
	  "AT+APN=code | AT+APN=code,user,password,auth",
	  "the data call's APN, and its user, password and auth (NONE, PAP, "
	  "CHAP); the query shows the code only", datalink_cmd_apn },
	{ "DATA", NULL, QUERY | CMD_OP(ATFORM_SET), 1, 1, ROLE_ADMIN,
	  GROUP_NET, 0, "AT+DATA? | AT+DATA=on|off",
	  "the uplink's mode, state, reason, interface and address; on: "
	  "hold it up (auto mode dials the modem if no other uplink works), "
	  "off: release it", datalink_cmd_data },
};

const size_t datalink_cmd_table_len = nitems(datalink_cmd_table);
