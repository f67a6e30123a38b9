/*
 * test_modem_state.c: the modem state machine driven through a pty by a
 * small scripted fake modem in this file: bring-up to READY with the
 * identity, ready hooks, registration URCs (READY <-> REGISTERING), a
 * restart sign (RDY) re-initialising, PIN entry (right: remembered "ok";
 * wrong: tried once, never again), a hang climbing the recovery ladder,
 * the port vanishing (ABSENT), and a modem left with its radio off
 * (+CFUN: 4) turned on once, its late signs of that no restart.  Every
 * wait is the event loop with a deadline.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <pty.h>
#include <cmocka.h>

#include <event2/event.h>
#include <json-c/json.h>

#include "conf.h"
#include "../../src/modem/modem_int.h"
#include "settings.h"
#include "store.h"
#include "util.h"

static struct event_base *base;
static int master = -1, slave = -1;
static struct event *ev_master;
static char linebuf[512];
static size_t linelen;
static char dir[] = "/tmp/cgtest-modem-XXXXXX";
static char link_path[300];

/* the fake modem */
static int f_hang, f_locked, f_reg = 1, f_cpin_tries;
static int f_cfun = 1, f_cfun_on;	/* functionality; AT+CFUN=1 count */
static char f_pin[8] = "1111";
static char f_last[256];		/* the last command received */
static int f_ignored;			/* ... and left unanswered */
static char f_last[256];		/* the last command received */
static int ready_calls;
static char f_cclk[64] = "+CCLK: \"80/01/06,00:00:05+00\"";
static int f_cclk_asked;

static void
f_out(const char *s)
{
	if (master != -1)
		(void)write(master, s, strlen(s));
}

static void
f_command(const char *c)
{
	char buf[256];

	util_strlcpy(f_last, c, sizeof f_last);
	f_ignored = f_hang;
	if (f_hang)
		return;
	if (strcmp(c, "AT") == 0 || strcmp(c, "\x1b" "AT") == 0 ||
	    strcmp(c, "ATE0") == 0 || strncmp(c, "AT+CMEE", 7) == 0 ||
	    strncmp(c, "AT+CREG=", 8) == 0 || strncmp(c, "AT+CGREG=", 9) == 0 ||
	    strncmp(c, "AT+CEREG=", 9) == 0 || strncmp(c, "AT+COPS=", 8) == 0 ||
	    strncmp(c, "AT+CMGF", 7) == 0 || strncmp(c, "AT+CNMI", 7) == 0 ||
	    strncmp(c, "AT+CLIP", 7) == 0)
		f_out("\r\nOK\r\n");
	else if (strcmp(c, "AT+CFUN?") == 0) {
		snprintf(buf, sizeof buf, "\r\n+CFUN: %d\r\n\r\nOK\r\n",
		    f_cfun);
		f_out(buf);
	} else if (strncmp(c, "AT+CFUN=", 8) == 0) {
		f_cfun = atoi(c + 8);
		f_cfun_on += f_cfun == 1;
		f_out("\r\nOK\r\n");
	}
	else if (strcmp(c, "AT+CGMI") == 0)
		f_out("\r\nFakeCo\r\n\r\nOK\r\n");
	else if (strcmp(c, "AT+CGMM") == 0)
		f_out("\r\nFake-1\r\n\r\nOK\r\n");
	else if (strcmp(c, "AT+CGMR") == 0)
		f_out("\r\nR1.0\r\n\r\nOK\r\n");
	else if (strcmp(c, "AT+CGSN") == 0)
		f_out("\r\n490154203237518\r\n\r\nOK\r\n");
	else if (strcmp(c, "AT+CCID") == 0)
		f_out("\r\n+CCID: 89001010000123456782\r\n\r\nOK\r\n");
	else if (strcmp(c, "AT+CIMI") == 0)
		f_out(f_locked ? "\r\n+CME ERROR: 11\r\n" :
		    "\r\n001010123456789\r\n\r\nOK\r\n");
	else if (strcmp(c, "AT+CNUM") == 0)
		f_out("\r\n+CNUM: \"\",\"+15555550100\",145\r\n\r\nOK\r\n");
	else if (strcmp(c, "AT+CPIN?") == 0)
		f_out(f_locked ? "\r\n+CPIN: SIM PIN\r\n\r\nOK\r\n" :
		    "\r\n+CPIN: READY\r\n\r\nOK\r\n");
	else if (strncmp(c, "AT+CPIN=", 8) == 0) {
		f_cpin_tries++;
		snprintf(buf, sizeof buf, "AT+CPIN=\"%s\"", f_pin);
		if (strcmp(c, buf) == 0) {
			f_locked = 0;
			f_out("\r\nOK\r\n");
		} else
			f_out("\r\n+CME ERROR: 16\r\n");
	} else if (strcmp(c, "AT+CREG?") == 0) {
		snprintf(buf, sizeof buf, "\r\n+CREG: 2,%d\r\n\r\nOK\r\n",
		    f_cfun == 1 ? f_reg : 0);
		f_out(buf);
	} else if (strcmp(c, "AT+COPS?") == 0)
		f_out("\r\n+COPS: 0,0,\"Fake Net\",7\r\n\r\nOK\r\n");
	else if (strcmp(c, "AT+CSQ") == 0)
		f_out("\r\n+CSQ: 17,99\r\n\r\nOK\r\n");
	else if (strcmp(c, "AT+CCLK?") == 0) {
		f_cclk_asked++;
		snprintf(buf, sizeof buf, "\r\n%s\r\n\r\nOK\r\n", f_cclk);
		f_out(buf);
	}
	else
		f_out("\r\nERROR\r\n");
}

static void
f_read_cb(evutil_socket_t fd, short what, void *arg)
{
	char buf[512];
	ssize_t n = read(fd, buf, sizeof buf);

	for (ssize_t i = 0; i < n; i++) {
		if (buf[i] == '\r') {
			linebuf[linelen] = '\0';
			f_command(linebuf);
			linelen = 0;
		} else if (linelen + 1 < sizeof linebuf)
			linebuf[linelen++] = buf[i];
	}
}

static void
on_ready(void *arg)
{
	ready_calls++;
}

/*
 * Time driven by the test, one step: a command the fake will not answer
 * (it hangs, or it dropped the command) times out now, every modem timer
 * that is pending (backoff, delayed step, poll) fires now; then the loop
 * runs, taking what the fake wrote (the pty hands bytes on
 * asynchronously: a millisecond of polling for them, never a timer's
 * length).
 */
static void
advance(void)
{
	struct event *evs[] = { mdm.ev_recover, mdm.ev_step, mdm.ev_boot,
	    mdm.ev_poll };
	struct timeval tick = { 0, 1000 };

	if ((f_hang || f_ignored) && mdm.ch != NULL && atchan_busy(mdm.ch)) {
		f_ignored = 0;
		atchan_expire(mdm.ch);
	}
	for (size_t i = 0; i < sizeof evs / sizeof evs[0]; i++)
		if (evs[i] != NULL && evtimer_pending(evs[i], NULL))
			event_active(evs[i], EV_TIMEOUT, 0);
	event_base_loopexit(base, &tick);
	event_base_dispatch(base);
}

/* Advance until cond holds, at most `steps` times. */
static int
advance_until(int (*cond)(void), int steps)
{
	for (int i = 0; i < steps && !cond(); i++)
		advance();
	return cond();
}

static int
wait_until(int (*cond)(void), int ms)
{
	uint64_t end = util_now_ms() + (uint64_t)ms;
	struct timeval tick = { 0, 20000 };

	while (!cond()) {
		if (util_now_ms() > end)
			return 0;
		event_base_loopexit(base, &tick);
		event_base_dispatch(base);
	}
	return 1;
}

static int is_ready(void) { return modem_state() == MODEM_READY; }
static int is_registering(void) { return modem_state() == MODEM_REGISTERING; }
static int is_recovering(void) { return modem_state() == MODEM_RECOVERING; }
static int is_absent(void) { return modem_state() == MODEM_ABSENT; }
static int rung_radio(void) { return mdm.rung >= RUNG_RADIO; }
static int is_sim_refused(void)
{
	return modem_state() == MODEM_SIM && strstr(mdm.sim, "refused");
}

static void
start(const char *pin)
{
	struct conf c;
	char err[256], name[128];

	assert_int_equal(openpty(&master, &slave, name, NULL, NULL), 0);
	/* the fake modem keeps the slave open, as the simulator does */
	snprintf(link_path, sizeof link_path, "%s/modem", dir);
	unlink(link_path);
	assert_int_equal(symlink(name, link_path), 0);
	ev_master = event_new(base, master, EV_READ | EV_PERSIST, f_read_cb,
	    NULL);
	event_add(ev_master, NULL);
	memset(&c, 0, sizeof c);
	util_strlcpy(c.modem_device, link_path, sizeof c.modem_device);
	c.modem_baud = 115200;
	util_strlcpy(c.modem_pin, pin, sizeof c.modem_pin);
	ready_calls = 0;
	modem_ready_subscribe(on_ready, NULL);
	assert_int_equal(modem_init(base, &c, err, sizeof err), 0);
}

static void
stop(void)
{
	modem_ready_unsubscribe(on_ready, NULL);
	modem_shutdown();
	if (ev_master != NULL)
		event_free(ev_master);
	ev_master = NULL;
	if (master != -1)
		close(master);
	if (slave != -1)
		close(slave);
	master = slave = -1;
}

static int
setup(void **state)
{
	char db[300], err[256];

	f_hang = f_locked = f_cpin_tries = f_cfun_on = 0;
	f_reg = f_cfun = 1;
	base = event_base_new();
	snprintf(db, sizeof db, "%s/cellgate.db", dir);
	assert_int_equal(store_open(db, err, sizeof err), 0);
	settings_init();
	return 0;
}

static int
teardown(void **state)
{
	stop();
	settings_shutdown();
	store_close();
	event_base_free(base);
	return 0;
}

static void
test_bringup(void **state)
{
	start("");
	assert_true(wait_until(is_ready, 5000));
	assert_string_equal(modem_identity("manufacturer"), "FakeCo");
	assert_string_equal(modem_identity("model"), "Fake-1");
	assert_string_equal(modem_identity("imei"), "490154203237518");
	assert_string_equal(modem_identity("iccid"), "89001010000123456782");
	assert_string_equal(modem_identity("imsi"), "001010123456789");
	assert_string_equal(modem_identity("number"), "+15555550100");
	assert_null(modem_identity("nonsense"));
	assert_int_equal(ready_calls, 1);
	assert_string_equal(mdm.quirk->name, "generic");
	assert_int_equal(f_cfun_on, 0);		/* the radio was on */

	/* registration lost and back: no second ready hook */
	f_out("\r\n+CREG: 2\r\n");
	assert_true(wait_until(is_registering, 2000));
	assert_string_equal(modem_net_registration(), "searching");
	f_out("\r\n+CREG: 5,\"00AB\",\"0000CDEF\",7\r\n");
	assert_true(wait_until(is_ready, 2000));
	assert_string_equal(modem_net_registration(), "roaming");
	assert_int_equal(ready_calls, 1);

	/* a restart sign: everything again, hooks again */
	f_out("\r\nRDY\r\n");
	assert_true(wait_until(is_registering, 3000) || is_ready());
	assert_true(wait_until(is_ready, 3000));
	assert_int_equal(ready_calls, 2);
}

static int t_at_done;
static void t_at_cb(const struct modem_response *r, void *arg) { t_at_done++; }
static int at_answered(void) { return t_at_done > 0; }

/* A modem left in flight mode registers only once the bring-up turns its
 * radio on; the modem's late word of it (+CPIN: READY, +CFUN: 1 after
 * READY) is not taken for a restart. */
static void
test_radio_left_off(void **state)
{
	f_cfun = 4;
	start("");
	assert_true(wait_until(is_ready, 5000));
	assert_int_equal(f_cfun, 1);
	assert_int_equal(f_cfun_on, 1);
	assert_int_equal(ready_calls, 1);

	f_out("\r\n+CPIN: READY\r\n\r\n+CFUN: 1\r\n");
	/* the lines come before the answer to a command sent after them */
	t_at_done = 0;
	assert_int_equal(modem_send("AT", 0, 0, t_at_cb, NULL), 0);
	assert_true(wait_until(at_answered, 2000));
	assert_false(mdm.ev_boot != NULL && evtimer_pending(mdm.ev_boot,
	    NULL));
	assert_true(is_ready());

	/* a re-init finds the radio on: not turned on again */
	modem_seq_begin("test");
	assert_true(wait_until(is_registering, 3000) || is_ready());
	assert_true(wait_until(is_ready, 3000));
	assert_int_equal(f_cfun_on, 1);
}

static void
test_pin_right(void **state)
{
	char mark[16];

	f_locked = 1;
	start("1111");
	assert_true(wait_until(is_ready, 5000));
	assert_int_equal(f_cpin_tries, 1);
	assert_int_equal(store_meta_get("pin_tried:89001010000123456782", mark,
	    sizeof mark), 0);
	assert_string_equal(mark, "ok");
}

static void
test_pin_wrong_once(void **state)
{
	char mark[16];

	f_locked = 1;
	start("2222");
	assert_true(wait_until(is_sim_refused, 5000));
	assert_int_equal(f_cpin_tries, 1);
	assert_int_equal(store_meta_get("pin_tried:89001010000123456782", mark,
	    sizeof mark), 0);
	assert_string_equal(mark, "failed");
	/* a re-init (restart sign) asks the SIM again but does not retry */
	modem_seq_begin("test");
	assert_true(wait_until(is_sim_refused, 5000));
	assert_int_equal(f_cpin_tries, 1);
}

static void
test_hang_and_unplug(void **state)
{
	start("");
	assert_true(wait_until(is_ready, 5000));
	f_hang = 1;
	modem_recover_fail("test hang");
	assert_true(is_recovering());
	assert_int_equal(mdm.recoveries, 1);
	/* climbs: retry -> re-init -> radio ..., each command timeout and
	 * each backoff driven by the test, none waited for */
	assert_true(advance_until(rung_radio, 500));
	assert_true(is_recovering());
	f_hang = 0;
	assert_true(advance_until(is_ready, 2000));
	assert_int_equal(mdm.rung, RUNG_NONE);
	/* the port vanishes */
	event_free(ev_master);
	ev_master = NULL;
	close(master);
	master = -1;
	assert_true(wait_until(is_absent, 2000));
}

/* A module's handle and its "unsubscribe all": after it, none of its
 * callbacks runs, neither for its commands (queued or in flight) nor for
 * URCs or readiness, while other subscribers still hear theirs. */
static int t_done_calls, t_urc_calls, u_urc_calls, t_ready_calls;

static void t_done(const struct modem_response *r, void *arg) { t_done_calls++; }
static void t_urc(const char *l, const char *p, void *a) { t_urc_calls++; }
static void u_urc(const char *l, const char *p, void *a) { u_urc_calls++; }
static void t_ready(void *arg) { t_ready_calls++; }
static int u_heard(void) { return u_urc_calls > 0; }
static int idle(void) { return !atchan_busy(mdm.ch); }
static int cgmi_sent(void) { return strcmp(f_last, "AT+CGMI") == 0; }

static void
test_owner(void **state)
{
	modem_cmd a, b, c;

	start("");
	assert_true(wait_until(is_ready, 5000));
	assert_true(wait_until(idle, 2000));
	t_done_calls = t_urc_calls = u_urc_calls = t_ready_calls = 0;
	/* modem_cancel: a queued command is never sent */
	f_hang = 1;
	a = modem_submit_h("t", "AT+CGMI", NULL, 2000, t_done, NULL);
	b = modem_submit_h("t", "AT+CGMM", NULL, 2000, t_done, NULL);
	c = modem_submit_h("t", "AT+CSQ", NULL, 2000, t_done, NULL);
	assert_true(a != 0 && b != 0 && c != 0 && a != b);
	assert_int_equal(modem_cancel(c), 0);
	assert_int_equal(modem_cancel(c), -1);
	assert_int_equal(modem_urc_subscribe_as("t", "+FOO:", t_urc, NULL), 0);
	assert_int_equal(modem_urc_subscribe_as("u", "+FOO:", u_urc, NULL), 0);
	assert_int_equal(modem_ready_subscribe_as("t", t_ready, NULL), 0);
	assert_true(wait_until(cgmi_sent, 2000));	/* a is in flight */
	modem_unsubscribe_all("t");
	assert_int_equal(modem_cancel(a), -1);
	f_hang = 0;
	f_command("AT+CGMI");			/* a's answer, late */
	f_out("\r\n+FOO: 1\r\n");
	assert_true(wait_until(u_heard, 2000));
	assert_true(wait_until(idle, 3000));
	modem_run_ready_hooks();
	mdm.ready_done = 0;
	modem_run_ready_hooks();
	assert_int_equal(t_done_calls, 0);
	assert_int_equal(t_urc_calls, 0);
	assert_int_equal(t_ready_calls, 0);
	assert_int_equal(u_urc_calls, 1);
	modem_unsubscribe_all("u");
	/* a plain modem_submit still answers */
	assert_int_equal(modem_submit("AT+CGMR", NULL, 2000, t_done, NULL), 0);
	assert_true(wait_until(idle, 3000));
	assert_int_equal(t_done_calls, 1);
	/* and nothing of "t" is completed at shutdown either */
	f_hang = 1;
	assert_true(modem_submit_h("t", "AT+CGMI", NULL, 2000, t_done,
	    NULL) != 0);
	modem_unsubscribe_all("t");
	stop();
	assert_int_equal(t_done_calls, 1);
}

static int cclk_asked(void) { return f_cclk_asked > 0; }
static int cclk_asked_twice(void) { return f_cclk_asked > 1; }

/* The status's modem field name as a string, or NULL. */
static char *
status_str(const char *name)
{
	struct json_object *o = modem_status(), *v;
	char *s = NULL;

	if (json_object_object_get_ex(o, name, &v) && v != NULL)
		s = strdup(json_object_get_string(v));
	json_object_put(o);
	return s;
}

/* The network's time: the modem's unset clock (80/01/06) is not taken;
 * a zone report (+CTZV) is, and the clock read again gives the time; a
 * malformed zone line changes nothing.  A registration URC in the
 * solicited shape (as some modems send after AT+CREG=2) counts. */
static void
test_network_time(void **state)
{
	char *t, *z;
	time_t now = time(NULL) + 2 * 3600;
	struct tm tm;

	f_cclk_asked = 0;
	start("");
	assert_true(wait_until(is_ready, 5000));
	assert_true(wait_until(cclk_asked, 2000));
	wait_until(is_registering, 100);	/* the answer is read */
	assert_null(status_str("network_time"));
	assert_null(status_str("network_zone"));

	gmtime_r(&now, &tm);
	snprintf(f_cclk, sizeof f_cclk, "+CCLK: \"%02d/%02d/%02d,%02d:%02d:%02d"
	    "+08\"", tm.tm_year % 100, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
	    tm.tm_min, tm.tm_sec);
	f_out("\r\n+CTZV: +08\r\n");
	assert_true(wait_until(cclk_asked_twice, 2000));
	wait_until(is_ready, 50);
	z = status_str("network_zone");
	t = status_str("network_time");
	assert_non_null(z);
	assert_non_null(t);
	assert_string_equal(z, "+02:00");
	assert_int_equal(strlen(t), 25);
	assert_string_equal(t + 19, "+02:00");
	free(z);
	free(t);

	f_out("\r\n+CTZV: +99x\r\n");
	wait_until(is_ready, 50);
	z = status_str("network_zone");
	assert_string_equal(z, "+02:00");
	free(z);

	f_out("\r\n+CREG: 2,5,\"0502\",\"0404736D\"\r\n");
	assert_true(wait_until(is_ready, 100));
	wait_until(is_registering, 50);
	assert_string_equal(modem_net_registration(), "roaming");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_bringup, setup, teardown),
		cmocka_unit_test_setup_teardown(test_radio_left_off, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_pin_right, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pin_wrong_once, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_hang_and_unplug, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_owner, setup, teardown),
		cmocka_unit_test_setup_teardown(test_network_time, setup,
		    teardown),
	};
	char path[300];
	int rc;

	if (mkdtemp(dir) == NULL)
		return 1;
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	snprintf(path, sizeof path, "%s/modem", dir);
	unlink(path);
	snprintf(path, sizeof path, "%s/cellgate.db", dir);
	unlink(path);
	snprintf(path, sizeof path, "%s/cellgate.db-wal", dir);
	unlink(path);
	snprintf(path, sizeof path, "%s/cellgate.db-shm", dir);
	unlink(path);
	rmdir(dir);
	return rc;
}
