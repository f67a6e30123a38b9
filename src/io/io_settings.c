/*
 * io_settings.c: the io module's rows of the settings registry (SPEC
 * section 7 names) and their value checks.  Every row's apply hook tells
 * the running module (io_setting_changed), which re-evaluates relay 1 or
 * re-arms the sensor timer.  The seed's short commands (INC, ALLMIN, ...)
 * are rows of io_cmds.c that set these.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io.h"
#include "io_int.h"
#include "util.h"

static const char *const io_modes[] = { "T", "A", "M", NULL };

/* ALLMIN / ALLMAX: empty (unset) or -10..+99, canonical "+02" / "-05". */
int
io_parse_threshold(int argc, char **argv, char *out, size_t outlen,
    char *err, size_t errlen)
{
	const char *v = argc > 0 ? argv[0] : "", *errstr;
	long long t;
	size_t n = strlen(v);

	if (argc > 1) {
		snprintf(err, errlen, "one value expected");
		return -1;
	}
	if (n == 0) {
		out[0] = '\0';
		return 0;
	}
	if (n > 3 || strspn(v + (*v == '+' || *v == '-'), "0123456789") !=
	    n - (*v == '+' || *v == '-') || n == (size_t)(*v == '+' ||
	    *v == '-')) {
		snprintf(err, errlen, "a temperature is -10..+99 (e.g. +02)");
		return -1;
	}
	t = util_strtonum(v, -10, 99, &errstr);
	if (errstr != NULL) {
		snprintf(err, errlen, "a temperature is -10..+99 (e.g. +02)");
		return -1;
	}
	snprintf(out, outlen, "%+03lld", t);
	return 0;
}

/* thermo.hysteresis: 0.0..10.0 degrees, one decimal. */
static int
io_parse_hysteresis(int argc, char **argv, char *out, size_t outlen,
    char *err, size_t errlen)
{
	const char *v = argc == 1 ? argv[0] : "";
	char *end;
	double h;

	if (argc != 1 || *v == '\0' || strspn(v, "0123456789.") != strlen(v) ||
	    strlen(v) > 4 || (h = strtod(v, &end), *end != '\0') || h < 0 ||
	    h > 10) {
		snprintf(err, errlen, "hysteresis is 0.0..10.0 degrees");
		return -1;
	}
	snprintf(out, outlen, "%.1f", h);
	return 0;
}

static void
io_apply(const struct setting_def *d)
{
	io_setting_changed(d);
}

#define TEXT(n, dflt, h) \
	{ .name = n, .type = SETTING_STRING, .min = 1, .max = IO_TEXT_MAX, \
	  .def = dflt, .group = GROUP_HW, .role = ROLE_ADMIN, \
	  .apply = io_apply, .help = h }

const struct setting_def io_settings_table[] = {
	{ .name = "io.restore", .type = SETTING_BOOL, .def = "off",
	  .group = GROUP_HW, .role = ROLE_ADMIN, .apply = io_apply,
	  .help = "restore the outputs' last state at start (RIP1); off: "
	  "outputs start off" },
	{ .name = "io.input_inhibit", .type = SETTING_INT, .min = 0,
	  .max = 59, .def = "5", .group = GROUP_HW, .role = ROLE_ADMIN,
	  .apply = io_apply, .help = "minutes an input is ignored after its "
	  "alarm (INC)" },
	{ .name = "io.startup_sms", .type = SETTING_BOOL, .def = "off",
	  .group = GROUP_HW, .role = ROLE_ADMIN, .apply = io_apply,
	  .help = "send io.startup_text to the alarm_sms positions at start "
	  "(AVV1)" },
	TEXT("io.startup_text", "SYSTEM STARTUP", "the startup SMS (TSU)"),
	TEXT("io.input_text.1", "ALARM INPUT 1", "alarm text of input 1 "
	    "(TIN1A)"),
	TEXT("io.input_text.2", "ALARM INPUT 2", "alarm text of input 2 "
	    "(TIN2A)"),
	TEXT("io.input_text.3", "ALARM INPUT 3", "alarm text of input 3 "
	    "(TIN3A)"),
	TEXT("io.input_text.4", "ALARM INPUT 4", "alarm text of input 4 "
	    "(TIN4A)"),
	{ .name = "thermo.alarm", .type = SETTING_BOOL, .def = "on",
	  .group = GROUP_HW, .role = ROLE_ADMIN, .apply = io_apply,
	  .help = "thermal alarm on/off (ALL); it needs a threshold" },
	{ .name = "thermo.alarm_min", .type = SETTING_CUSTOM,
	  .parse = io_parse_threshold, .def = "", .group = GROUP_HW,
	  .role = ROLE_ADMIN, .apply = io_apply,
	  .help = "low thermal alarm threshold, -10..+99 C or empty "
	  "(ALLMIN)" },
	{ .name = "thermo.alarm_max", .type = SETTING_CUSTOM,
	  .parse = io_parse_threshold, .def = "", .group = GROUP_HW,
	  .role = ROLE_ADMIN, .apply = io_apply,
	  .help = "high thermal alarm threshold, -10..+99 C or empty "
	  "(ALLMAX)" },
	{ .name = "thermo.alarm_inhibit", .type = SETTING_INT, .min = 0,
	  .max = 59, .def = "5", .group = GROUP_HW, .role = ROLE_ADMIN,
	  .apply = io_apply, .help = "minutes without a thermal alarm after "
	  "one (INT)" },
	{ .name = "thermo.setpoint", .type = SETTING_INT, .min = -10,
	  .max = 99, .def = "20", .group = GROUP_HW, .role = ROLE_USER,
	  .apply = io_apply, .help = "automatic mode's temperature, C "
	  "(NOR)" },
	{ .name = "thermo.hysteresis", .type = SETTING_CUSTOM,
	  .parse = io_parse_hysteresis, .def = "0.5", .group = GROUP_HW,
	  .role = ROLE_ADMIN, .apply = io_apply, .help = "automatic mode: "
	  "relay 1 on at setpoint-h, off at setpoint+h (0.0..10.0)" },
	{ .name = "thermo.mode", .type = SETTING_ENUM, .choices = io_modes,
	  .def = "T", .group = GROUP_HW, .role = ROLE_USER,
	  .apply = io_apply, .help = "relay 1: T follows thermostat_input, "
	  "A automatic, M forced on (FUN)" },
	TEXT("thermo.text_high", "HIGH TEMPERATURE ALARM",
	    "text of the high thermal alarm (THI)"),
	TEXT("thermo.text_low", "LOW TEMPERATURE ALARM",
	    "text of the low thermal alarm (TLO)"),
	{ .name = "thermo.interval", .type = SETTING_INT, .min = 1,
	  .max = 3600, .def = "60", .group = GROUP_HW, .role = ROLE_ADMIN,
	  .apply = io_apply, .help = "seconds between sensor reads" },
	{ .name = "alarm.ring_time", .type = SETTING_INT, .min = 1,
	  .max = 120, .def = "20", .group = GROUP_HW, .role = ROLE_ADMIN,
	  .help = "seconds an alarm call rings before it is hung up" },
	{ .name = "alarm.max_per_hour", .type = SETTING_INT, .min = 1,
	  .max = 100, .def = "6", .group = GROUP_HW, .role = ROLE_ADMIN,
	  .help = "rate cap: alarms of one input or sensor per hour" },
};
const size_t io_settings_table_len = nitems(io_settings_table);
