/*
 * test_sms_state.c: the SMS module (src/sms) and the command dispatcher
 * behind it, against a fake modem interface in this file: no pty, no
 * wall clock.  The fake implements include/modem.h: it records every
 * command the module submits and the test answers them, raises URCs and
 * readiness itself.  This file's own module rows (core + sms) keep the
 * real modem module out of the link.
 *
 * Shown: a stored message is committed before its AT+CMGD, and one that
 * cannot be committed is not deleted; a non-command message reaches the
 * sms_in_subscribe() subscriber (and not after it left); a command SMS
 * is dispatched and its reply sent (+CMGS reference kept); +CMS ERROR
 * retries then fails after sms.retries; no answer marks "uncertain"; the
 * shutdown drops every subscription and command of the module, and a
 * message in flight then is uncertain at the next start.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include <event2/event.h>
#include <sqlite3.h>

#include "auth.h"
#include "cmd.h"
#include "conf.h"
#include "ctl.h"
#include "modem.h"
#include "module.h"
#include "pdu.h"
#include "settings.h"
#include "sms.h"
#include "store.h"
#include "util.h"

#include "config.h"

/* ---- the daemon's rows for this test: no modem module ---- */

const struct module modules[] = {
	{ .name = "core", .settings = MODULE_TABLE(settings_core_table),
	  .commands = MODULE_TABLE(cmd_system_table) },
	{ .name = "sms", .settings = MODULE_TABLE(sms_settings_table),
	  .commands = MODULE_TABLE(sms_cmd_table),
	  .requests = MODULE_TABLE(sms_ctl_requests) },
};
const size_t modules_len = nitems(modules);

/* ---- the fake modem ---- */

#define F_MAX	64

static struct fcmd {
	char		 cmd[MODEM_CMD_MAX + 1];
	char		 pdu[MODEM_PDU_MAX + 1];
	const char	*owner;
	modem_done_fn	*done;
	void		*arg;
	int		 cancelled, answered;
	long long	 stored_in;	/* AT+CMGD: incoming rows committed */
} fq[F_MAX];
static int fn;
static enum modem_state f_state = MODEM_READY;
static int f_unsub_all;

static struct {
	char		 prefix[32];
	modem_urc_fn	*fn;
	void		*arg;
	const char	*owner;
} f_urcs[16];
static struct {
	void		(*fn)(void *);
	void		*arg;
	const char	*owner;
} f_readies[8];

static long long
count(const char *sql)
{
	return store_scalar(store_stmt(sql, ""), -1);
}

modem_cmd
modem_submit_h(const char *owner, const char *cmd, const char *pdu,
    int timeout_ms, modem_done_fn *done, void *arg)
{
	struct fcmd *c;

	if (fn == F_MAX || f_state != MODEM_READY)
		return 0;
	c = &fq[fn++];
	memset(c, 0, sizeof *c);
	util_strlcpy(c->cmd, cmd, sizeof c->cmd);
	util_strlcpy(c->pdu, pdu != NULL ? pdu : "", sizeof c->pdu);
	c->owner = owner;
	c->done = done;
	c->arg = arg;
	if (strncmp(cmd, "AT+CMGD=", 8) == 0)
		c->stored_in = count("SELECT count(*) FROM sms WHERE "
		    "direction = 'in'");
	return (modem_cmd)fn;
}

int
modem_submit(const char *cmd, const char *pdu, int timeout_ms,
    modem_done_fn *done, void *arg)
{
	return modem_submit_h(NULL, cmd, pdu, timeout_ms, done, arg) != 0 ?
	    0 : -1;
}

int
modem_cancel(modem_cmd id)
{
	if (id == 0 || id > (modem_cmd)fn || fq[id - 1].cancelled ||
	    fq[id - 1].answered)
		return -1;
	fq[id - 1].cancelled = 1;
	return 0;
}

int
modem_urc_subscribe_as(const char *owner, const char *prefix,
    modem_urc_fn *f, void *arg)
{
	for (size_t i = 0; i < nitems(f_urcs); i++)
		if (f_urcs[i].fn == NULL) {
			util_strlcpy(f_urcs[i].prefix, prefix,
			    sizeof f_urcs[i].prefix);
			f_urcs[i].fn = f;
			f_urcs[i].arg = arg;
			f_urcs[i].owner = owner;
			return 0;
		}
	return -1;
}

int
modem_urc_subscribe(const char *prefix, modem_urc_fn *f, void *arg)
{
	return modem_urc_subscribe_as(NULL, prefix, f, arg);
}

void
modem_urc_unsubscribe(const char *prefix, modem_urc_fn *f, void *arg)
{
	for (size_t i = 0; i < nitems(f_urcs); i++)
		if (f_urcs[i].fn == f && f_urcs[i].arg == arg &&
		    strcmp(f_urcs[i].prefix, prefix) == 0)
			f_urcs[i].fn = NULL;
}

int
modem_ready_subscribe_as(const char *owner, void (*f)(void *), void *arg)
{
	for (size_t i = 0; i < nitems(f_readies); i++)
		if (f_readies[i].fn == NULL) {
			f_readies[i].fn = f;
			f_readies[i].arg = arg;
			f_readies[i].owner = owner;
			return 0;
		}
	return -1;
}

int
modem_ready_subscribe(void (*f)(void *), void *arg)
{
	return modem_ready_subscribe_as(NULL, f, arg);
}

void
modem_ready_unsubscribe(void (*f)(void *), void *arg)
{
	for (size_t i = 0; i < nitems(f_readies); i++)
		if (f_readies[i].fn == f && f_readies[i].arg == arg)
			f_readies[i].fn = NULL;
}

void
modem_unsubscribe_all(const char *owner)
{
	f_unsub_all++;
	for (size_t i = 0; i < nitems(f_urcs); i++)
		if (f_urcs[i].owner != NULL &&
		    strcmp(f_urcs[i].owner, owner) == 0)
			f_urcs[i].fn = NULL;
	for (size_t i = 0; i < nitems(f_readies); i++)
		if (f_readies[i].owner != NULL &&
		    strcmp(f_readies[i].owner, owner) == 0)
			f_readies[i].fn = NULL;
	for (int i = 0; i < fn; i++)
		if (fq[i].owner != NULL && strcmp(fq[i].owner, owner) == 0)
			fq[i].cancelled = 1;
}

enum modem_state
modem_state(void)
{
	return f_state;
}

const char *
modem_state_name(enum modem_state s)
{
	return s == MODEM_READY ? "ready" : "not ready";
}

/* ---- driving it ---- */

static struct event_base *base;
static char dir[] = "/tmp/cgtest-smsstate-XXXXXX";

static void
run(void)
{
	event_base_loop(base, EVLOOP_NONBLOCK);
}

/* The index of the last command starting with `prefix`, or -1. */
static int
last(const char *prefix)
{
	for (int i = fn - 1; i >= 0; i--)
		if (strncmp(fq[i].cmd, prefix, strlen(prefix)) == 0)
			return i;
	return -1;
}

static int
nsent(const char *prefix)
{
	int n = 0;

	for (int i = 0; i < fn; i++)
		n += strncmp(fq[i].cmd, prefix, strlen(prefix)) == 0;
	return n;
}

/* Answer command i (lines NULL-ended), unless its owner cancelled it. */
static void
answer(int i, enum modem_final f, long code, const char *final_line, ...)
{
	const char *lines[8];
	struct modem_response r;
	va_list ap;
	size_t n = 0;

	assert_true(i >= 0 && i < fn);
	assert_false(fq[i].answered);
	va_start(ap, final_line);
	while (n < nitems(lines) && (lines[n] = va_arg(ap, const char *)) !=
	    NULL)
		n++;
	va_end(ap);
	fq[i].answered = 1;
	memset(&r, 0, sizeof r);
	r.command = fq[i].cmd;
	r.final = f;
	r.code = code;
	r.final_line = final_line;
	r.nlines = n;
	r.lines = lines;
	if (!fq[i].cancelled && fq[i].done != NULL)
		fq[i].done(&r, fq[i].arg);
	run();
}

static void
ready(void)
{
	for (size_t i = 0; i < nitems(f_readies); i++)
		if (f_readies[i].fn != NULL)
			f_readies[i].fn(f_readies[i].arg);
	run();
}

static void
deliver_pdu(const char *from, const char *text, char *hex, size_t hexlen,
    unsigned *tpdu_len)
{
	struct pdu_encode_opts o;
	struct pdu_encoded e;
	const char *why;

	memset(&o, 0, sizeof o);
	assert_int_equal(pdu_encode_deliver(from, text, strlen(text), &o, &e,
	    &why), 0);
	assert_int_equal(e.nparts, 1);
	util_strlcpy(hex, e.parts[0].hex, hexlen);
	*tpdu_len = e.parts[0].tpdu_len;
}

/* A ready modem lists its storage: one message in slot `slot`. */
static void
list_one(int slot, const char *from, const char *text)
{
	char hex[PDU_HEX_MAX + 1], hdr[64];
	unsigned len;
	int i;

	deliver_pdu(from, text, hex, sizeof hex, &len);
	snprintf(hdr, sizeof hdr, "+CMGL: %d,0,,%u", slot, len);
	ready();
	i = last("AT+CPMS?");
	assert_true(i >= 0);
	answer(i, MODEM_OK, -1, "OK",
	    "+CPMS: \"SM\",1,30,\"SM\",1,30,\"SM\",1,30", NULL);
	i = last("AT+CMGL=4");
	assert_true(i >= 0);
	answer(i, MODEM_OK, -1, "OK", hdr, hex, NULL);
}

static char in_number[64], in_text[256];
static int in_calls;

static int
on_sms_in(const char *number, const uint8_t *data, size_t len, void *arg)
{
	in_calls++;
	util_strlcpy(in_number, number, sizeof in_number);
	snprintf(in_text, sizeof in_text, "%.*s", (int)len, (const char *)data);
	return arg != NULL;
}

static void
out_row(long long id, char *status, size_t slen, int *attempts, char *mr,
    size_t mrlen)
{
	sqlite3_stmt *st = store_stmt("SELECT status, attempts, mr FROM sms "
	    "WHERE id = ?1", "i", id);

	assert_non_null(st);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	util_strlcpy(status, (const char *)sqlite3_column_text(st, 0), slen);
	*attempts = sqlite3_column_int(st, 1);
	if (mr != NULL)
		util_strlcpy(mr, (const char *)sqlite3_column_text(st, 2),
		    mrlen);
	sqlite3_finalize(st);
}

static void
start(void)
{
	char err[256];
	struct conf c;

	memset(&c, 0, sizeof c);
	assert_int_equal(sms_init(base, &c, err, sizeof err), 0);
	run();
}

static int
setup(void **state)
{
	char db[300], e[256];
	struct conf c;

	assert_non_null(mkdtemp(dir));
	snprintf(db, sizeof db, "%s/cellgate.db", dir);
	base = event_base_new();
	assert_int_equal(store_open(db, e, sizeof e), 0);
	settings_init();
	memset(&c, 0, sizeof c);
	assert_int_equal(auth_password_init(&c, e, sizeof e), 0);
	assert_int_equal(auth_password_set(ROLE_ADMIN, "12345", e, sizeof e),
	    0);
	assert_int_equal(settings_set_text(settings_find("sms.retries"), "1",
	    e, sizeof e), 0);
	fn = 0;
	start();
	return 0;
}

static int
teardown(void **state)
{
	char p[300];

	sms_shutdown();
	settings_shutdown();
	store_close();
	event_base_free(base);
	snprintf(p, sizeof p, "rm -rf %s", dir);
	(void)!system(p);
	memcpy(dir + strlen(dir) - 6, "XXXXXX", 6);
	return 0;
}

/* ---- the tests ---- */

static void
test_commit_before_delete(void **state)
{
	int i;

	/* the store refuses: the message stays on the modem */
	assert_int_equal(store_done(store_stmt("CREATE TRIGGER t_full BEFORE "
	    "INSERT ON sms BEGIN SELECT RAISE(ABORT, 'test: refused'); END",
	    "")), 0);
	list_one(5, "+491701234567", "first try");
	assert_int_equal(nsent("AT+CMGD"), 0);
	assert_int_equal(count("SELECT count(*) FROM sms"), 0);
	/* the next initialisation lists it again; now it is committed, and
	 * only then deleted */
	assert_int_equal(store_done(store_stmt("DROP TRIGGER t_full", "")), 0);
	list_one(5, "+491701234567", "first try");
	i = last("AT+CMGD=5");
	assert_true(i >= 0);
	assert_int_equal(fq[i].stored_in, 1);
	/* listed once more (the delete failed): a duplicate, run once */
	list_one(5, "+491701234567", "first try");
	assert_int_equal(count("SELECT count(*) FROM sms WHERE direction = "
	    "'in'"), 1);
	assert_int_equal(nsent("AT+CMGD=5"), 2);
}

static void
test_sms_in_subscriber(void **state)
{
	int taker;

	assert_int_equal(sms_in_subscribe(on_sms_in, &taker), 0);
	in_calls = 0;
	list_one(2, "+491701234567", "hello there");
	assert_int_equal(in_calls, 1);
	assert_string_equal(in_number, "+491701234567");
	assert_string_equal(in_text, "hello there");
	sms_in_unsubscribe(on_sms_in, &taker);
	list_one(3, "+491701234567", "hello again");
	assert_int_equal(in_calls, 1);
	/* a command is never offered to the subscribers */
	assert_int_equal(sms_in_subscribe(on_sms_in, &taker), 0);
	list_one(4, "+491701234567", "12345#AT+VER");
	assert_int_equal(in_calls, 1);
	sms_in_unsubscribe(on_sms_in, &taker);
}

/* A command SMS through the dispatcher; its reply goes out. */
static void
test_dispatch_and_send(void **state)
{
	char status[32], mr[32], text[256];
	int i, attempts;
	long long id;
	sqlite3_stmt *st;

	list_one(1, "+491701234567", "12345#AT+VER");
	i = last("AT+CMGS=");
	assert_true(i >= 0);
	assert_true(strlen(fq[i].pdu) > 0);
	assert_string_equal(fq[i].owner, "sms");
	id = count("SELECT max(id) FROM sms WHERE direction = 'out'");
	out_row(id, status, sizeof status, &attempts, NULL, 0);
	assert_string_equal(status, "sending");
	st = store_stmt("SELECT number, text FROM sms WHERE id = ?1", "i", id);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_string_equal((const char *)sqlite3_column_text(st, 0),
	    "+491701234567");
	util_strlcpy(text, (const char *)sqlite3_column_text(st, 1),
	    sizeof text);
	sqlite3_finalize(st);
	assert_non_null(strstr(text, PACKAGE_VERSION));
	answer(i, MODEM_OK, -1, "OK", "+CMGS: 42", NULL);
	out_row(id, status, sizeof status, &attempts, mr, sizeof mr);
	assert_string_equal(status, "sent");
	assert_string_equal(mr, "42");
	/* a wrong password: no reply at all */
	list_one(6, "+491701234567", "54321#AT+VER");
	assert_int_equal(nsent("AT+CMGS="), 1);
}

static void
test_retries_then_failed(void **state)
{
	char err[128], status[32];
	int i, attempts;
	long long id;

	id = sms_send("+491709999999", "retry me", 8, "auto", "test", err,
	    sizeof err);
	assert_true(id > 0);
	run();
	i = last("AT+CMGS=");
	assert_true(i >= 0);
	answer(i, MODEM_CMS_ERROR, 500, "+CMS ERROR: 500", NULL);
	out_row(id, status, sizeof status, &attempts, NULL, 0);
	assert_string_equal(status, "queued");
	assert_int_equal(attempts, 1);
	assert_true(count("SELECT next_try FROM sms WHERE direction = 'out'") >
	    (long long)time(NULL) - 1);
	/* not due yet: nothing is sent on a kick */
	ready();
	assert_int_equal(nsent("AT+CMGS="), 1);
	/* the test moves the clock: due now */
	assert_int_equal(store_done(store_stmt("UPDATE sms SET next_try = 0 "
	    "WHERE id = ?1", "i", id)), 0);
	ready();
	assert_int_equal(nsent("AT+CMGS="), 2);
	answer(last("AT+CMGS="), MODEM_CMS_ERROR, 500, "+CMS ERROR: 500",
	    NULL);
	out_row(id, status, sizeof status, &attempts, NULL, 0);
	assert_string_equal(status, "failed");
	assert_int_equal(attempts, 2);
}

static void
test_no_answer_uncertain(void **state)
{
	char err[128], status[32];
	int attempts;
	long long id;

	id = sms_send("+491709999998", "maybe", 5, "auto", "test", err,
	    sizeof err);
	run();
	answer(last("AT+CMGS="), MODEM_TIMEOUT, -1, "TIMEOUT", NULL);
	out_row(id, status, sizeof status, &attempts, NULL, 0);
	assert_string_equal(status, "uncertain");
	/* never sent again */
	ready();
	assert_int_equal(nsent("AT+CMGS="), 1);
}

/* Stopped with a message in flight: no callback afterwards (the late
 * answer is dropped), and at the next start the message is uncertain. */
static void
test_shutdown_in_flight(void **state)
{
	char err[128], status[32];
	int attempts, i, before = f_unsub_all;
	long long id;

	id = sms_send("+491709999997", "in flight", 9, "auto", "test", err,
	    sizeof err);
	run();
	i = last("AT+CMGS=");
	assert_true(i >= 0);
	sms_shutdown();
	assert_int_equal(f_unsub_all, before + 1);
	assert_true(fq[i].cancelled);
	for (size_t k = 0; k < nitems(f_readies); k++)
		assert_null(f_readies[k].fn);
	for (size_t k = 0; k < nitems(f_urcs); k++)
		assert_null(f_urcs[k].fn);
	answer(i, MODEM_OK, -1, "OK", "+CMGS: 7", NULL);
	out_row(id, status, sizeof status, &attempts, NULL, 0);
	assert_string_equal(status, "sending");
	start();
	out_row(id, status, sizeof status, &attempts, NULL, 0);
	assert_string_equal(status, "uncertain");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_commit_before_delete,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_sms_in_subscriber, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_dispatch_and_send, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_retries_then_failed,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_answer_uncertain,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_shutdown_in_flight,
		    setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
