/*
 * test_conf.c: the config loader: a full valid file, then typos, wrong
 * types, bad values and syntax errors, each reported with file, line and
 * key, and nothing of a bad file kept.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "conf.h"

static char path[] = "/tmp/cgtest-conf-XXXXXX";
static char err[512];
static struct conf c;

static int
load(const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	err[0] = '\0';
	return conf_load(path, &c, err, sizeof err);
}

/* The error names this file, this line and this key. */
static void
assert_error(int line, const char *key)
{
	char want[600];

	snprintf(want, sizeof want, "%s:%d: %s:", path, line, key);
	if (strncmp(err, want, strlen(want)) != 0)
		fail_msg("error \"%s\" does not start with \"%s\"", err, want);
}

static void
test_valid(void **state)
{
	assert_int_equal(load(
	    "modem = { device = \"/dev/ttyUSB2\"; baud = 9600; pin = \"1234\"; };\n"
	    "data_port = { pty = \"/run/cellgate/data\"; };\n"
	    "database = \"/tmp/x.db\";\n"
	    "control = { socket = \"/tmp/x.sock\"; group = \"staff\"; "
	    "max_clients = 4; };\n"
	    "log = { level = \"debug\"; };\n"
	    "allow_default_password = true;\n"
	    "bridge = { mode = \"httpd\"; welcome = \"hi\"; "
	    "socket_a = \"UDP,10.0.0.1,99\"; };\n"
	    "command = { echo = false; };\n"
	    "auth = { remote_lock = 12; };\n"), 0);
	assert_string_equal(c.modem_device, "/dev/ttyUSB2");
	assert_int_equal(c.modem_baud, 9600);
	assert_string_equal(c.modem_pin, "1234");
	assert_string_equal(c.data_port_pty, "/run/cellgate/data");
	assert_string_equal(c.control_group, "staff");
	assert_int_equal(c.control_max_clients, 4);
	assert_int_equal(c.log_level, LOG_LVL_DEBUG);
	assert_int_equal(c.allow_default_password, 1);
	assert_int_equal(c.nvalues, 5);
	assert_string_equal(c.values[0].def->name, "bridge.mode");
	assert_string_equal(c.values[0].value, "HTTPD");
	assert_string_equal(c.values[2].value, "UDP,10.0.0.1,99");
	assert_string_equal(c.values[3].value, "off");
	conf_free(&c);
	/* defaults when the file is empty */
	assert_int_equal(load("# nothing\n"), 0);
	assert_int_equal(c.modem_baud, 115200);
	assert_string_equal(c.control_group, "cellgate");
	conf_free(&c);
}

static void
test_errors(void **state)
{
	assert_int_equal(load("modem = {\n  devcie = \"/dev/x\";\n};\n"), -1);
	assert_error(2, "modem.devcie");
	assert_non_null(strstr(err, "unknown key"));
	assert_int_equal(load("\n\nbridge = { mode = \"FAX\"; };\n"), -1);
	assert_error(3, "bridge.mode");
	assert_int_equal(load("modem = { baud = 12345; };\n"), -1);
	assert_error(1, "modem.baud");
	assert_int_equal(load("modem = { baud = \"fast\"; };\n"), -1);
	assert_error(1, "modem.baud");
	assert_int_equal(load("modem = { pin = \"12a4\"; };\n"), -1);
	assert_error(1, "modem.pin");
	assert_int_equal(load("log = { level = \"loud\"; };\n"), -1);
	assert_error(1, "log.level");
	assert_int_equal(load("database = 5;\n"), -1);
	assert_error(1, "database");
	assert_int_equal(load("data_port = { device = \"/dev/ttyS0\";\n"
	    "pty = \"/tmp/p\"; };\n"), -1);
	assert_int_equal(load("auth = { remote_lock = 99; };\n"), -1);
	assert_error(1, "auth.remote_lock");
	assert_int_equal(load("bridge = { socket_a = [1, 2]; };\n"), -1);
	assert_error(1, "bridge.socket_a");
	/* aliases are not config keys: canonical names only */
	assert_int_equal(load("WKMOD = \"NET\";\n"), -1);
	assert_error(1, "WKMOD");
	/* syntax error: file and line from libconfig */
	assert_int_equal(load("modem = {\n device = ;\n};\n"), -1);
	assert_non_null(strstr(err, path));
	assert_int_equal(conf_load("/nonexistent/cellgate.conf", &c, err,
	    sizeof err), -1);
	assert_non_null(strstr(err, "the config file is missing"));
	/* the key once, though the reason names it too */
	assert_int_equal(load("sms = { daily_limit = 99999; };\n"), -1);
	assert_null(strstr(strstr(err, "sms.daily_limit") + 1,
	    "sms.daily_limit"));
	/* libconfig's duplicate says which */
	assert_int_equal(load("log = { level = \"info\"; };\n"
	    "log = { level = \"info\"; };\n"), -1);
	assert_non_null(strstr(err, "duplicate setting name: log"));
}

/* modem.device as a USB selector: usb:VID:PID[:IF] in hex */
static void
test_usb_selector(void **state)
{
	static const char *const good[] = {
		"usb:1e0e:9001:02", "usb:1e0e:9001", "usb:2C7C:0125:03",
		"usb:12d1:1506:00",
	};
	static const char *const bad[] = {
		"usb:", "usb:1e0e", "usb:1e0e:", "usb:1e0e:900",
		"usb:1e0e:90011", "usb:1e0e:9001:", "usb:1e0e:9001:2",
		"usb:1e0e:9001:002", "usb:1e0e:9001:02:", "usb:1e0e:9001:02:01", "usb:xyz1:9001",
		"usb:1e0e-9001", "usb::9001", "usb:1e0e:9001:0x",
		"usb: 1e0e:9001",
	};
	char text[256];
	size_t i;

	for (i = 0; i < sizeof good / sizeof good[0]; i++) {
		snprintf(text, sizeof text,
		    "modem = {\n device = \"%s\";\n};\n", good[i]);
		if (load(text) != 0)
			fail_msg("%s refused: %s", good[i], err);
		assert_string_equal(c.modem_device, good[i]);
		conf_free(&c);
	}
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		snprintf(text, sizeof text,
		    "modem = {\n device = \"%s\";\n};\n", bad[i]);
		if (load(text) != -1)
			fail_msg("%s accepted", bad[i]);
		assert_error(2, "modem.device");
		assert_non_null(strstr(err, "malformed USB selector"));
	}
	/* a path is still a path, also one containing "usb" */
	assert_int_equal(load("modem = { device = "
	    "\"/dev/serial/by-id/usb-SimTech-if02-port0\"; };\n"), 0);
	conf_free(&c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_usb_selector),
	};
	int fd = mkstemp(path), rc;

	assert_true(fd >= 0);
	close(fd);
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	unlink(path);
	return rc;
}
