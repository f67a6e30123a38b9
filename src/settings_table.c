/*
 * settings_table.c: the core rows of the settings registry.  A module
 * keeps its settings in its own table, listed in modules.c; document each
 * in cellgate.conf(5).  Every channel sees a new row at once.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "settings.h"
#include "util.h"

static const char *const settings_workmodes[] = {
	"NET", "HTTPD", "SMS", "CMD", NULL
};

/* A host name or address: letters, digits, '.', '-', ':' (IPv6), '_'. */
static int
settings_host_ok(const char *h)
{
	size_t n = strlen(h);

	if (n == 0 || n > 253)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)h[i]) && strchr(".-:_", h[i]) == NULL)
			return 0;
	return 1;
}

/* SOCKA/SOCKB: protocol,host,port (seed §4.2.2: AT+SOCKA="TCP","host",port). */
static int
settings_parse_socket(int argc, char **argv, char *out, size_t outlen,
    char *err, size_t errlen)
{
	const char *proto, *errstr;
	long long port;

	if (argc != 3) {
		snprintf(err, errlen, "expected protocol,host,port");
		return -1;
	}
	if (util_strcaseeq(argv[0], "TCP"))
		proto = "TCP";
	else if (util_strcaseeq(argv[0], "UDP"))
		proto = "UDP";
	else {
		snprintf(err, errlen, "protocol must be TCP or UDP");
		return -1;
	}
	if (!settings_host_ok(argv[1])) {
		snprintf(err, errlen, "invalid host name");
		return -1;
	}
	port = util_strtonum(argv[2], 1, 65535, &errstr);
	if (errstr != NULL) {
		snprintf(err, errlen, "port %s (allowed 1..65535)", errstr);
		return -1;
	}
	if ((size_t)snprintf(out, outlen, "%s,%s,%lld", proto, argv[1], port) >=
	    outlen) {
		snprintf(err, errlen, "value too long");
		return -1;
	}
	return 0;
}

/* A country calling code: 1 to 3 digits, or empty. */
static int
settings_parse_country(int argc, char **argv, char *out, size_t outlen,
    char *err, size_t errlen)
{
	const char *v = argc == 1 ? argv[0] : "";
	size_t n = strlen(v);

	if (argc > 1 || n > 3 || strspn(v, "0123456789") != n ||
	    (n > 0 && v[0] == '0')) {
		snprintf(err, errlen, "a country code is 1 to 3 digits "
		    "without + (e.g. 49), or empty");
		return -1;
	}
	util_strlcpy(out, v, outlen);
	return 0;
}

const struct setting_def settings_core_table[] = {
	{ .name = "command.echo", .alias = "E", .type = SETTING_BOOL,
	  .def = "on", .group = GROUP_NET, .role = ROLE_ADMIN,
	  .help = "echo of commands typed in the data port's command mode" },
	{ .name = "bridge.mode", .alias = "WKMOD", .type = SETTING_ENUM,
	  .choices = settings_workmodes, .def = "NET", .group = GROUP_NET,
	  .role = ROLE_ADMIN, .help = "work mode of the data port" },
	{ .name = "bridge.welcome", .alias = "STMSG", .type = SETTING_STRING,
	  .min = 0, .max = 64, .def = "cellgate", .group = GROUP_NET,
	  .role = ROLE_ADMIN,
	  .help = "welcome message written to the data port at start" },
	{ .name = "bridge.socket_a", .alias = "SOCKA", .type = SETTING_CUSTOM,
	  .parse = settings_parse_socket, .def = "TCP,localhost,2317",
	  .group = GROUP_NET, .role = ROLE_ADMIN,
	  .help = "TCP|UDP,host,port of socket A" },
	{ .name = "bridge.socket_b", .alias = "SOCKB", .type = SETTING_CUSTOM,
	  .parse = settings_parse_socket, .def = "TCP,localhost,2318",
	  .group = GROUP_NET, .role = ROLE_ADMIN,
	  .help = "TCP|UDP,host,port of socket B" },
	{ .name = "auth.country_code", .type = SETTING_CUSTOM,
	  .parse = settings_parse_country, .def = "", .group = GROUP_SECURITY,
	  .role = ROLE_SUPERADMIN,
	  .help = "country calling code (digits, no +) for national numbers "
	  "in the phonebook and from SMS senders; empty: international only" },
	{ .name = "auth.phonebook_size", .type = SETTING_INT, .min = 1,
	  .max = 100, .def = "8", .group = GROUP_SECURITY,
	  .role = ROLE_SUPERADMIN, .help = "number of phonebook positions" },
	{ .name = "auth.lockout_failures", .type = SETTING_INT, .min = 1,
	  .max = 100, .def = "5", .group = GROUP_SECURITY,
	  .role = ROLE_SUPERADMIN,
	  .help = "wrong passwords from one number that lock it out" },
	{ .name = "auth.lockout_window", .type = SETTING_INT, .min = 10,
	  .max = 86400, .def = "600", .group = GROUP_SECURITY,
	  .role = ROLE_SUPERADMIN,
	  .help = "seconds within which the wrong passwords are counted" },
	{ .name = "auth.lockout_time", .type = SETTING_INT, .min = 10,
	  .max = 604800, .def = "3600", .group = GROUP_SECURITY,
	  .role = ROLE_SUPERADMIN,
	  .help = "seconds a locked-out number is ignored" },
	{ .name = "auth.remote_lock", .type = SETTING_INT, .min = 0,
	  .max = GROUP_ALL, .def = "0", .group = GROUP_SECURITY,
	  .role = ROLE_SUPERADMIN,
	  .help = "sum of command groups refused from remote channels "
	  "(1 hardware, 2 network, 4 security, 8 system)" },
};

const size_t settings_core_table_len = nitems(settings_core_table);
