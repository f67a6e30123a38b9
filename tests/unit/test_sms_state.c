/*
 * test_sms_state.c: the SMS module (src/sms) and the command dispatcher
 * behind it, against a fake modem interface in this file: no pty, no
 * wall clock.  The fake implements include/modem.h: it records every
 * command the module submits and the test answers them, raises URCs and
 * readiness itself.  This file's own module rows (core + sms) keep the
 * real modem module out of the link.
 *
 * The fake modem and the per-test store are in fake_modem.c.
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
#include "fake_modem.h"

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
	assert_int_equal(f_subscriptions(), 0);
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
