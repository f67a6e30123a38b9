/*
 * test_io.c: the io module's pure parts and backends: the w1_slave parser
 * (good CRC, "NO", a CRC that does not match, 85000, all-zero, garbage),
 * millidegree / degree / level parsers, the thermostat and alarm
 * decisions with simulated time, the rate cap, config errors (two
 * backends, duplicate names, unknown chip, bad keys) with file and line,
 * the file backend on scratch files, and the gpio interface with a fake
 * backend (this test defines io_backend_gpio and io_gpio_probe, so the
 * libgpiod implementation is not linked): outputs start at their restored
 * state, inputs follow edges on the loop.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ftw.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include <event2/event.h>
#include <json-c/json.h>

#include "conf.h"
#include "events.h"
#include "io.h"
#include "settings.h"
#include "store.h"
#include "../../src/io/io_backend.h"
#include "../../src/io/io_gpio.h"
#include "../../src/io/io_int.h"
#include "../../src/io/io_thermo.h"

static char dir[] = "/tmp/cgtest-io-XXXXXX";
static char err[512];

/* ---- a fake gpio backend behind the one interface ---- */

static struct {
	int	level[4];		/* by line offset */
	int	written[4];
	int	opened[4];
	int	pipe[4][2];
} fake;

static int
fake_line(const struct io_item *it)
{
	const char *c = strrchr(it->c.target, ':');

	return c != NULL ? atoi(c + 1) & 3 : 0;
}

int
io_gpio_probe(const char *spec, char *e, size_t elen)
{
	if (strncmp(spec, "fake:", 5) != 0) {
		snprintf(e, elen, "unknown chip");
		return -1;
	}
	return 0;
}

static int
fake_open(struct io_item *it, int initial, char *e, size_t elen)
{
	int l = fake_line(it);

	fake.opened[l] = 1;
	it->fd = -1;
	if (it->c.kind == IO_OUTPUT)
		fake.written[l] = initial;
	else {
		assert_int_equal(pipe(fake.pipe[l]), 0);
		it->fd = fake.pipe[l][0];
	}
	return 0;
}

static int
fake_write(struct io_item *it, int on, char *e, size_t elen)
{
	fake.written[fake_line(it)] = on;
	return 0;
}

static int
fake_read(struct io_item *it, int *on, char *e, size_t elen)
{
	*on = fake.level[fake_line(it)];
	return 0;
}

static void
fake_drain(struct io_item *it)
{
	char b[16];

	(void)read(it->fd, b, sizeof b);
}

static void
fake_close(struct io_item *it)
{
	int l = fake_line(it);

	fake.opened[l] = 0;
	if (it->c.kind == IO_INPUT) {
		close(fake.pipe[l][0]);
		close(fake.pipe[l][1]);
	}
}

static const struct io_backend fake_gpio = {
	.name = "gpio", .open = fake_open, .write = fake_write,
	.read = fake_read, .drain = fake_drain, .close = fake_close,
};
const struct io_backend *const io_backend_gpio = &fake_gpio;

/* ---- helpers ---- */

static int
w1(const char *text, double *c)
{
	err[0] = '\0';
	return io_w1_parse(text, strlen(text), c, err, sizeof err);
}

static int
load(const char *text, struct conf *c)
{
	char p[256];
	FILE *f;

	snprintf(p, sizeof p, "%s/t.conf", dir);
	assert_non_null(f = fopen(p, "w"));
	fputs(text, f);
	fclose(f);
	err[0] = '\0';
	return conf_load(p, c, err, sizeof err);
}

static void
assert_err(const char *line_key, const char *why)
{
	char want[300];

	snprintf(want, sizeof want, "%s/t.conf:%s", dir, line_key);
	if (strncmp(err, want, strlen(want)) != 0 || strstr(err, why) == NULL)
		fail_msg("error \"%s\" is not \"%s...%s\"", err, want, why);
}

/* ---- tests ---- */

static void
test_w1(void **state)
{
	double c = 0;

	assert_int_equal(w1("72 01 4b 46 7f ff 0e 10 57 : crc=57 YES\n"
	    "72 01 4b 46 7f ff 0e 10 57 t=23125\n", &c), 0);
	assert_true(c == 23.125);
	/* negative: 0xff5e = -10.125 C */
	assert_int_equal(w1("5e ff 4b 46 7f ff 02 10 1c : crc=1c YES\n"
	    "5e ff 4b 46 7f ff 02 10 1c t=-10125\n", &c), -1);
	assert_non_null(strstr(err, "CRC does not match"));
	assert_int_equal(w1("72 01 4b 46 7f ff 0e 10 57 : crc=57 NO\n"
	    "72 01 4b 46 7f ff 0e 10 57 t=23125\n", &c), -1);
	assert_non_null(strstr(err, "NO"));
	/* kernel said YES, but the bytes do not match their CRC */
	assert_int_equal(w1("73 01 4b 46 7f ff 0e 10 57 : crc=57 YES\n"
	    "73 01 4b 46 7f ff 0e 10 57 t=23187\n", &c), -1);
	/* the power-on value, with a valid CRC (50 05 ... 1c) */
	assert_int_equal(w1("50 05 4b 46 7f ff 0c 10 1c : crc=1c YES\n"
	    "50 05 4b 46 7f ff 0c 10 1c t=85000\n", &c), -1);
	assert_non_null(strstr(err, "85000"));
	assert_int_equal(w1("00 00 00 00 00 00 00 00 00 : crc=00 YES\n"
	    "00 00 00 00 00 00 00 00 00 t=0\n", &c), -1);
	assert_non_null(strstr(err, "all-zero"));
	assert_int_equal(w1("", &c), -1);
	assert_int_equal(w1("garbage\nmore garbage\n", &c), -1);
	assert_int_equal(w1("72 01 4b 46 7f ff 0e 10 57 : crc=57 YES\n", &c),
	    -1);
	assert_int_equal(w1("72 01 4b 46 7f ff 0e 10 57 : crc=57 YES\n"
	    "72 01 4b 46 7f ff 0e 10 57 t=\n", &c), -1);
	assert_int_equal(w1("72 01 4b 46 7f ff 0e 10 57 : crc=57 YES\n"
	    "72 01 4b 46 7f ff 0e 10 57 t=23x\n", &c), -1);
	assert_int_equal(w1("72 01 4b 46 7f ff 0e 10 57 : crc=57 YES\n"
	    "72 01 4b 46 7f ff 0e 10 58 t=23125\n", &c), -1);
	assert_int_equal(w1("72 01 4b 46 7f ff 0e 10 : crc=57 YES\n"
	    "72 01 4b 46 7f ff 0e 10 t=23125\n", &c), -1);
	/* c unchanged by all the failures */
	assert_true(c == 23.125);
}

static void
test_numbers(void **state)
{
	double c;
	int l;

	assert_int_equal(io_milli_parse("21500\n", 6, 0.001, &c, err,
	    sizeof err), 0);
	assert_true(c == 21.5);
	assert_int_equal(io_milli_parse("-5250", 5, 0.001, &c, err,
	    sizeof err), 0);
	assert_true(c == -5.25);
	assert_int_equal(io_milli_parse("85000\n", 6, 0.001, &c, err,
	    sizeof err), -1);
	assert_int_equal(io_milli_parse("0\n", 2, 0.001, &c, err,
	    sizeof err), -1);
	assert_int_equal(io_milli_parse("abc\n", 4, 0.001, &c, err,
	    sizeof err), -1);
	assert_int_equal(io_milli_parse("", 0, 0.001, &c, err, sizeof err),
	    -1);
	assert_int_equal(io_milli_parse("1\n2\n", 4, 0.001, &c, err,
	    sizeof err), -1);
	assert_int_equal(io_milli_parse("999999999999999999999", 21, 0.001,
	    &c, err, sizeof err), -1);
	assert_int_equal(io_milli_parse("22.5\n", 5, 1, &c, err, sizeof err),
	    0);
	assert_true(c == 22.5);
	assert_int_equal(io_celsius_parse("  19.75 \nrest", 14, &c, err,
	    sizeof err), 0);
	assert_true(c == 19.75);
	assert_int_equal(io_celsius_parse("-3\n", 3, &c, err, sizeof err), 0);
	assert_true(c == -3);
	assert_int_equal(io_celsius_parse("nan\n", 4, &c, err, sizeof err),
	    -1);
	assert_int_equal(io_celsius_parse("1e3\n", 4, &c, err, sizeof err),
	    -1);
	assert_int_equal(io_celsius_parse("2000\n", 5, &c, err, sizeof err),
	    -1);
	assert_int_equal(io_celsius_parse("\n", 1, &c, err, sizeof err), -1);
	assert_int_equal(io_celsius_parse("-\n", 2, &c, err, sizeof err), -1);
	assert_int_equal(io_level_parse("1\n", 2, &l), 0);
	assert_int_equal(l, 1);
	assert_int_equal(io_level_parse(" 0", 2, &l), 0);
	assert_int_equal(l, 0);
	assert_int_equal(io_level_parse("2", 1, &l), -1);
	assert_int_equal(io_level_parse("10", 2, &l), -1);
	assert_int_equal(io_level_parse("", 0, &l), -1);
	{
		const char *d;
		size_t n;

		assert_int_equal(io_read_child_result("Ohello", 6, &d, &n, err,
		    sizeof err), 0);
		assert_int_equal(n, 5);
		assert_int_equal(io_read_child_result("E/x: No such file", 17,
		    &d, &n, err, sizeof err), -1);
		assert_string_equal(err, "/x: No such file");
		assert_int_equal(io_read_child_result("", 0, &d, &n, err,
		    sizeof err), -1);
		assert_int_equal(io_read_child_result("Zz", 2, &d, &n, err,
		    sizeof err), -1);
	}
}

static void
test_thermostat(void **state)
{
	/* automatic: on at or below 19.5, off at or above 20.5 */
	assert_int_equal(io_thermo_relay('A', 1, 19.0, 20, 0.5, -1, 0), 1);
	assert_int_equal(io_thermo_relay('A', 1, 19.5, 20, 0.5, -1, 0), 1);
	assert_int_equal(io_thermo_relay('A', 1, 20.0, 20, 0.5, -1, 1), -1);
	assert_int_equal(io_thermo_relay('A', 1, 20.4, 20, 0.5, -1, 0), -1);
	assert_int_equal(io_thermo_relay('A', 1, 20.5, 20, 0.5, -1, 1), 0);
	assert_int_equal(io_thermo_relay('A', 0, 10.0, 20, 0.5, -1, 0), -1);
	/* follows the input; forced on */
	assert_int_equal(io_thermo_relay('T', 1, 10.0, 20, 0.5, 1, 0), 1);
	assert_int_equal(io_thermo_relay('T', 1, 10.0, 20, 0.5, 0, 1), 0);
	assert_int_equal(io_thermo_relay('T', 1, 10.0, 20, 0.5, -1, 1), -1);
	assert_int_equal(io_thermo_relay('M', 0, 0, 20, 0.5, 0, 0), 1);
	assert_int_equal(io_thermo_relay('X', 1, 0, 20, 0.5, 0, 0), -1);
}

static void
test_alarm_logic(void **state)
{
	struct io_thermo_limits l = { 1, 1, 1, 2, 35 };
	struct io_rate r;
	time_t t = 1000000, inh = 0;

	assert_int_equal(io_thermo_alarm(&l, 20, t, &inh, 600), THERMO_NONE);
	assert_int_equal(io_thermo_alarm(&l, 36, t, &inh, 600), THERMO_HIGH);
	assert_int_equal(inh, t + 600);
	/* inhibited for INT minutes, then again */
	assert_int_equal(io_thermo_alarm(&l, 36, t + 599, &inh, 600),
	    THERMO_NONE);
	assert_int_equal(io_thermo_alarm(&l, 1, t + 300, &inh, 600),
	    THERMO_NONE);
	assert_int_equal(io_thermo_alarm(&l, 1, t + 600, &inh, 600),
	    THERMO_LOW);
	/* exactly at a threshold is inside */
	inh = 0;
	assert_int_equal(io_thermo_alarm(&l, 35, t, &inh, 600), THERMO_NONE);
	assert_int_equal(io_thermo_alarm(&l, 2, t, &inh, 600), THERMO_NONE);
	/* one threshold alone; ALL:OFF */
	l.has_min = 0;
	assert_int_equal(io_thermo_alarm(&l, -5, t, &inh, 0), THERMO_NONE);
	l.enabled = 0;
	assert_int_equal(io_thermo_alarm(&l, 99, t, &inh, 0), THERMO_NONE);
	/* rate cap: 3 an hour */
	memset(&r, 0, sizeof r);
	assert_true(io_rate_allow(&r, 3, t));
	assert_true(io_rate_allow(&r, 3, t + 1));
	assert_true(io_rate_allow(&r, 3, t + 2));
	assert_false(io_rate_allow(&r, 3, t + 3));
	assert_false(io_rate_allow(&r, 3, t + 3599));
	assert_true(io_rate_allow(&r, 3, t + 3600));
	for (int i = 0; i < 300; i++)
		io_rate_allow(&r, 100, t + 10000 + i);
	assert_false(io_rate_allow(&r, 100, t + 10400));
}

static void
test_conf_errors(void **state)
{
	struct conf c;

	assert_int_equal(load("io = {\n"
	    "  outputs = ( { name = \"relay1\"; file = \"/tmp/r\"; },\n"
	    "    { name = \"r2\"; command = [ \"/bin/true\", \"x\" ]; } );\n"
	    "  inputs = ( { name = \"in1\"; gpio = \"fake:1\"; active_low = "
	    "true;\n    bias = \"pull-up\"; debounce_ms = 50; } );\n"
	    "  sensors = ( { name = \"t\"; w1 = \"/sys/x/w1_slave\"; },\n"
	    "    { name = \"h\"; file = \"/tmp/h\"; scale = 1.0; } );\n"
	    "  thermostat_input = \"in1\";\n"
	    "  restore = true;\n"
	    "};\n", &c), 0);
	assert_non_null(c.io);
	assert_int_equal(c.io->n, 5);
	assert_string_equal(c.io->items[1].argv[1], "x");
	assert_int_equal(c.io->items[2].bias, IO_BIAS_PULL_UP);
	assert_int_equal(c.io->items[2].debounce_ms, 50);
	assert_true(c.io->items[4].scale == 1.0);
	assert_int_equal(c.nvalues, 1);		/* io.restore, a setting */
	conf_free(&c);

	assert_int_equal(load("io = {\n outputs = (\n { name = \"a\";"
	    " file = \"/tmp/a\"; gpio = \"fake:1\"; } );\n};\n", &c), -1);
	assert_err("3: io.outputs", "only one backend");
	assert_int_equal(load("io = {\n outputs = ( { name = \"a\"; } );\n};\n",
	    &c), -1);
	assert_err("2: io.outputs", "one backend");
	assert_int_equal(load("io = {\n outputs = ( { name = \"a\"; file = "
	    "\"/tmp/a\"; } );\n inputs = (\n  { name = \"a\"; file = "
	    "\"/tmp/b\"; } );\n};\n", &c), -1);
	assert_err("4: io.inputs", "duplicate name");
	assert_int_equal(load("io = {\n outputs = (\n { name = \"a\"; gpio = "
	    "\"nochip:17\"; } );\n};\n", &c), -1);
	assert_err("3: a: gpio", "unknown chip");
	assert_int_equal(load("io = {\n inputs = ( { name = \"a\"; file = "
	    "\"/tmp/a\";\n colour = 3; } );\n};\n", &c), -1);
	assert_err("3: io.inputs.colour", "unknown key");
	assert_int_equal(load("io = {\n inputs = ( { name = \"a\"; file = "
	    "\"/tmp/a\";\n debounce_ms = 99999; } );\n};\n", &c), -1);
	assert_err("3: io.inputs.debounce_ms", "0..10000");
	assert_int_equal(load("io = {\n inputs = ( { name = \"a\"; file = "
	    "\"/tmp/a\";\n bias = \"up\"; } );\n};\n", &c), -1);
	assert_err("3: io.inputs.bias", "pull-up");
	assert_int_equal(load("io = {\n inputs = ( { name = \"a\";\n "
	    "w1 = \"/tmp/a\"; } );\n};\n", &c), -1);
	assert_err("2: io.inputs", "sensors only");
	assert_int_equal(load("io = {\n sensors = ( { name = \"a\";\n "
	    "command = [ \"sensor\" ]; } );\n};\n", &c), -1);
	assert_err("3: io.sensors.command", "absolute path");
	assert_int_equal(load("io = {\n sensors = ( { name = \"a\";\n "
	    "file = \"relative\"; } );\n};\n", &c), -1);
	assert_err("3: io.sensors.file", "absolute path");
	assert_int_equal(load("io = {\n outputs = ( { name = \"1bad\"; "
	    "file = \"/tmp/a\"; } );\n};\n", &c), -1);
	assert_err("2: io.outputs.name", "a name is");
	assert_int_equal(load("io = {\n outputs = { name = \"x\"; };\n};\n",
	    &c), -1);
	assert_err("2: io.outputs", "must be a list");
	assert_int_equal(load("io = {\n outputs = ( { name = \"x\"; file = "
	    "\"/tmp/a\"; scale = 2.0; } );\n};\n", &c), -1);
	assert_err("2: io.outputs", "scale is for file sensors");
	assert_int_equal(load("io = {\n inputs = ();\n"
	    " thermostat_input = \"nothere\";\n};\n", &c), -1);
	assert_non_null(strstr(err, "no input named"));
	assert_int_equal(load("io = {\n restore = 7;\n};\n", &c), -1);
	assert_err("2: io.restore", "");
}

static void
test_file_backend(void **state)
{
	struct io_item it;
	char p[256], buf[16];
	FILE *f;
	int on;

	memset(&it, 0, sizeof it);
	it.c.kind = IO_OUTPUT;
	it.c.active_low = 1;
	snprintf(it.c.target, sizeof it.c.target, "%s/relay", dir);
	assert_int_equal(io_backend_file.open(&it, 1, err, sizeof err), 0);
	assert_non_null(f = fopen(it.c.target, "r"));
	assert_non_null(fgets(buf, sizeof buf, f));
	fclose(f);
	assert_string_equal(buf, "0\n");	/* active-low: on is 0 */
	assert_int_equal(io_backend_file.read(&it, &on, err, sizeof err), 0);
	assert_int_equal(on, 1);
	/* the same value again does not rewrite the file */
	snprintf(p, sizeof p, "%s/relay", dir);
	assert_int_equal(chmod(p, 0444), 0);
	if (geteuid() != 0)
		assert_int_equal(io_backend_file.write(&it, 1, err,
		    sizeof err), 0);
	assert_int_equal(chmod(p, 0644), 0);
	assert_int_equal(io_backend_file.write(&it, 0, err, sizeof err), 0);
	assert_int_equal(io_backend_file.read(&it, &on, err, sizeof err), 0);
	assert_int_equal(on, 0);
	io_backend_file.close(&it);
	/* an output in a missing directory: an error, not a crash */
	snprintf(it.c.target, sizeof it.c.target, "%s/nodir/relay", dir);
	assert_int_equal(io_backend_file.write(&it, 1, err, sizeof err), -1);
	assert_non_null(strstr(err, "nodir"));
	/* an input with garbage */
	memset(&it, 0, sizeof it);
	it.c.kind = IO_INPUT;
	snprintf(it.c.target, sizeof it.c.target, "%s/in", dir);
	assert_non_null(f = fopen(it.c.target, "w"));
	fputs("maybe\n", f);
	fclose(f);
	assert_int_equal(io_backend_file.open(&it, 0, err, sizeof err), 0);
	assert_true(it.fd >= 0);
	assert_int_equal(io_backend_file.read(&it, &on, err, sizeof err), -1);
	io_backend_file.close(&it);
	/* sensor parse: millidegrees, scale, the child's error */
	memset(&it, 0, sizeof it);
	it.c.kind = IO_SENSOR;
	it.c.scale = 0.001;
	{
		double c;

		assert_int_equal(io_backend_file.sensor_parse(&it, "O42000\n",
		    7, &c, err, sizeof err), 0);
		assert_true(c == 42.0);
		assert_int_equal(io_backend_file.sensor_parse(&it,
		    "E/x: No such file or directory", 30, &c, err,
		    sizeof err), -1);
		assert_non_null(strstr(err, "No such file"));
	}
}

static int io_events;

static void
count_io(struct json_object *ev, void *arg)
{
	struct json_object *v;

	if (json_object_object_get_ex(ev, "event", &v) &&
	    strcmp(json_object_get_string(v), "io") == 0)
		io_events++;
}

static void
test_gpio_fake(void **state)
{
	struct event_base *base = event_base_new();
	struct conf c;
	struct io_item *in, *out;

	assert_int_equal(load("io = {\n"
	    "  outputs = ( { name = \"relay1\"; gpio = \"fake:0\"; "
	    "active_low = true; } );\n"
	    "  inputs = ( { name = \"th\"; gpio = \"fake:1\"; } );\n"
	    "  thermostat_input = \"th\";\n};\n", &c), 0);
	/* the stored state is restored with RIP1 */
	assert_int_equal(store_meta_put("io.out.relay1", "1"), 0);
	assert_int_equal(settings_set_text(settings_find("io.restore"), "on",
	    err, sizeof err), 0);
	fake.level[1] = 0;
	events_add_sink(count_io, NULL);
	assert_int_equal(io_init(base, &c, err, sizeof err), 0);
	assert_int_equal(fake.opened[0], 1);
	assert_int_equal(fake.written[0], 1);
	out = io_find("relay1");
	in = io_find("th");
	assert_non_null(out);
	assert_non_null(in);
	assert_int_equal(out->value, 1);
	assert_int_equal(in->value, 0);
	/* an edge on the request's fd: the input follows, relay 1 too
	 * (FUN:T is the default mode) */
	io_events = 0;
	fake.level[1] = 1;
	assert_int_equal(write(fake.pipe[1][1], "e", 1), 1);
	fake.written[0] = 0;
	event_base_loop(base, EVLOOP_ONCE | EVLOOP_NONBLOCK);
	assert_int_equal(in->value, 1);
	assert_true(io_events >= 1);
	/* relay already on: nothing written */
	assert_int_equal(fake.written[0], 0);
	fake.level[1] = 0;
	assert_int_equal(write(fake.pipe[1][1], "e", 1), 1);
	event_base_loop(base, EVLOOP_ONCE | EVLOOP_NONBLOCK);
	assert_int_equal(in->value, 0);
	assert_int_equal(out->value, 0);
	assert_int_equal(io_output_set(out, 1, "test", err, sizeof err), 0);
	assert_int_equal(fake.written[0], 1);
	io_shutdown();
	assert_int_equal(fake.opened[0], 0);
	assert_int_equal(fake.opened[1], 0);
	events_remove_sink(count_io, NULL);
	conf_free(&c);
	event_base_free(base);
}

static void
test_gpio_split(void **state)
{
	char chip[64], line[32];

	assert_int_equal(io_gpio_split("gpiochip0:17", chip, sizeof chip,
	    line, sizeof line), 0);
	assert_string_equal(chip, "gpiochip0");
	assert_string_equal(line, "17");
	assert_int_equal(io_gpio_split("/dev/gpiochip4:GPIO17", chip,
	    sizeof chip, line, sizeof line), 0);
	assert_string_equal(chip, "/dev/gpiochip4");
	assert_string_equal(line, "GPIO17");
	assert_int_equal(io_gpio_split("pinctrl-rp1:GPIO27", chip,
	    sizeof chip, line, sizeof line), 0);
	assert_int_equal(io_gpio_split("nocolon", chip, sizeof chip, line,
	    sizeof line), -1);
	assert_int_equal(io_gpio_split(":17", chip, sizeof chip, line,
	    sizeof line), -1);
	assert_int_equal(io_gpio_split("chip:", chip, sizeof chip, line,
	    sizeof line), -1);
}

static int
rm_entry(const char *p, const struct stat *st, int flag, struct FTW *f)
{
	return remove(p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_w1),
		cmocka_unit_test(test_numbers),
		cmocka_unit_test(test_thermostat),
		cmocka_unit_test(test_alarm_logic),
		cmocka_unit_test(test_conf_errors),
		cmocka_unit_test(test_file_backend),
		cmocka_unit_test(test_gpio_split),
		cmocka_unit_test(test_gpio_fake),
	};
	char db[256];
	int rc;

	if (mkdtemp(dir) == NULL)
		return 1;
	snprintf(db, sizeof db, "%s/io.db", dir);
	if (store_open(db, err, sizeof err) == -1)
		return 1;
	settings_init();
	if (settings_load_store() == -1)
		return 1;
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	settings_shutdown();
	store_close();
	nftw(dir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
	return rc;
}
