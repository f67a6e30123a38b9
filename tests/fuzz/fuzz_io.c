/*
 * fuzz_io.c: the io module's parsers on arbitrary bytes.  The first byte
 * picks one: the DS18B20 w1_slave parser, millidegrees, degrees C, a 0/1
 * level, the child reader's framing, the ALLMIN/ALLMAX threshold, a
 * "CHIP:LINE" spec, or an SMS short-form text run through the command
 * registry (the io rows' argument checks: OUT, SMSxxxx, INC, NOR, TSU,
 * TIN1A, ...) against a scratch store with the io module started without
 * hardware.  A parser either refuses with a reason or gives a plausible
 * value; nothing crashes.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "cmd.h"
#include "conf.h"
#include "io.h"
#include "log.h"
#include "settings.h"
#include "smscmd.h"
#include "store.h"
#include "../../src/io/io_backend.h"
#include "../../src/io/io_gpio.h"
#include "../../src/io/io_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char dir[] = "/tmp/cgfuzz-io-XXXXXX";

static void
fuzz_io_cleanup(void)
{
	static const char *const f[] = { "f.db", "f.db-wal", "f.db-shm" };
	char p[64];

	store_close();
	for (size_t i = 0; i < sizeof f / sizeof f[0]; i++) {
		snprintf(p, sizeof p, "%s/%s", dir, f[i]);
		unlink(p);
	}
	rmdir(dir);
}

static int
fuzz_io_setup(void)
{
	static int done;
	static struct conf c;
	char db[64], err[256];

	if (done)
		return 0;
	done = 1;
	log_init("fuzz_io", 1);
	log_set_level(LOG_LVL_ERROR);
	if (mkdtemp(dir) == NULL)
		abort();
	atexit(fuzz_io_cleanup);
	snprintf(db, sizeof db, "%s/f.db", dir);
	if (store_open(db, err, sizeof err) == -1)
		abort();
	settings_init();
	memset(&c, 0, sizeof c);
	if (io_init(event_base_new(), &c, err, sizeof err) == -1)
		abort();
	return 0;
}

static void
fuzz_io_command(const char *text, size_t n)
{
	static struct smscmd_msg m;
	struct cmd_ctx ctx = { CHAN_SMS, ROLE_SUPERADMIN, "fuzz" };
	struct cmd_reply r;
	const char *err;

	fuzz_io_setup();
	if (smscmd_parse(text, n, &m, &err) == -1)
		return;
	for (int i = 0; i < m.ncmds; i++) {
		const struct cmd_entry *e = cmd_find(m.cmds[i].name);

		/* only the io module's rows: others would restart, reset... */
		if (e == NULL || e < io_cmd_table ||
		    e >= io_cmd_table + io_cmd_table_len)
			continue;
		cmd_reply_init(&r);
		if (cmd_run_parsed(&m.cmds[i], &ctx, &r) != 0 &&
		    r.error[0] == '\0')
			abort();
		cmd_reply_free(&r);
	}
	/* texts stay within the seed's limit */
	if (strlen(settings_value(io_h.startup_text)) > IO_TEXT_MAX)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char buf[2048], out[64], err[256], chip[64], line[64];
	const char *s = (const char *)data + 1, *d;
	size_t n = size - 1, dl;
	double c = 0;
	int l = 0;

	if (size < 1 || size > sizeof buf)
		return 0;
	memcpy(buf, s, n);
	buf[n] = '\0';
	err[0] = '\0';
	switch (data[0] % 8) {
	case 0:
		if (io_w1_parse(s, n, &c, err, sizeof err) == 0 &&
		    (c < -55 || c > 125 || c == 85 || !isfinite(c)))
			abort();
		break;
	case 1:
		if (io_milli_parse(s, n, 0.001, &c, err, sizeof err) == 0 &&
		    (c < -55 || c > 125 || c == 85 || c == 0))
			abort();
		break;
	case 2:
		if (io_celsius_parse(s, n, &c, err, sizeof err) == 0 &&
		    (c < -100 || c > 1000 || !isfinite(c)))
			abort();
		break;
	case 3:
		if (io_level_parse(s, n, &l) == 0 && l != 0 && l != 1)
			abort();
		break;
	case 4:
		if (io_read_child_result(s, n, &d, &dl, err, sizeof err) == 0 &&
		    (d != s + 1 || dl != n - 1))
			abort();
		break;
	case 5: {
		char *argv[1] = { buf };

		if (io_parse_threshold(1, argv, out, sizeof out, err,
		    sizeof err) == 0 && out[0] != '\0' &&
		    (atoi(out) < -10 || atoi(out) > 99))
			abort();
		break;
	}
	case 6:
		if (io_gpio_split(buf, chip, sizeof chip, line,
		    sizeof line) == 0 && (chip[0] == '\0' || line[0] == '\0'))
			abort();
		break;
	default:
		fuzz_io_command(buf, strlen(buf));
		break;
	}
	return 0;
}
