/*
 * settings_table.c: the core rows of the settings registry.  A module
 * keeps its settings in its own table, listed in modules.c; document each
 * in cellgate.conf(5).  Every channel sees a new row at once.
 */
#include <stdio.h>
#include <string.h>

#include "settings.h"
#include "spawn.h"
#include "util.h"

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
	{ .name = "system.reboot_command", .type = SETTING_CUSTOM,
	  .flags = SETTING_LOCAL, .parse = spawn_check_reboot, .def = "",
	  .group = GROUP_SYSTEM, .role = ROLE_SUPERADMIN,
	  .help = "how REBOOT# reboots the system: logind (through "
	  "systemd-logind's D-Bus API), or a program (absolute path) and "
	  "arguments; empty: REBOOT# restarts the daemon only" },
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
	{ .name = "auth.failure_cap", .type = SETTING_INT, .min = 1,
	  .max = 1000, .def = "30", .group = GROUP_SECURITY,
	  .role = ROLE_SUPERADMIN,
	  .help = "wrong passwords per minute, all channels together, past "
	  "which password checks are rationed (6 a minute, in turn)" },
	{ .name = "auth.remote_lock", .type = SETTING_INT, .min = 0,
	  .max = GROUP_ALL, .def = "0", .group = GROUP_SECURITY,
	  .role = ROLE_ADMIN, .flags = SETTING_NO_REMOTE,
	  .help = "sum of command groups refused from remote channels "
	  "(1 hardware, 2 network, 4 security, 8 system)" },
};

const size_t settings_core_table_len = nitems(settings_core_table);
