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
 * retries then fails after sms.retries; no answer after the PDU marks
 * "uncertain"; the shutdown drops every subscription and command of the
 * module; a message whose PDU was not written is sent again after a
 * restart or a flush, one whose PDU was written is uncertain; the
 * prompt hook commits before the PDU goes out, without waiting for the
 * disk, and a restart of the system before it makes the send uncertain;
 * the modem's answer to a PDU written before a stop, reaching the
 * restarted daemon, makes it sent;
 * sending through storage
 * (sms.send_via_storage) and reading the stored copy back; a sent
 * part's copy deleted until the modem confirms it; a command's reply
 * taken with the command's transaction (one durable commit), and the
 * next message still recorded when the setting changed in between; a
 * phonebook number's command left on the modem for its turn keeps it.
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
#include "../../src/sms/sms_int.h"

/* The outbox row's progress (and its storage slot, -1 none). */
static void
out_progress(long long id, char *progress, size_t len, int *index)
{
	sqlite3_stmt *st = store_stmt("SELECT progress, store_index FROM sms "
	    "WHERE id = ?1", "i", id);

	assert_non_null(st);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	util_strlcpy(progress, (const char *)sqlite3_column_text(st, 0), len);
	if (index != NULL)
		*index = sqlite3_column_type(st, 1) == SQLITE_NULL ? -1 :
		    sqlite3_column_int(st, 1);
	sqlite3_finalize(st);
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
	answer(i, MODEM_ERROR, -1, "ERROR", NULL);
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

/* A command's reply is taken by the idle send side inside the command's
 * transaction: its durable "prompt" record commits with the command, no
 * commit between the command's (before its AT+CMGD) and the AT+CMGS.  A
 * transaction rolled back takes nothing: the reply is gone with it and
 * the send side is idle. */
static void
test_reply_with_its_command(void **state)
{
	char progress[32], status[32];
	int attempts, d, i;
	long long id;

	list_one(1, "+491701234567", "12345#AT+VER");
	d = last("AT+CMGD=1");
	i = last("AT+CMGS=");
	assert_true(d >= 0 && i > d);
	assert_int_equal(fq[i].commits, fq[d].commits);
	id = count("SELECT max(id) FROM sms WHERE direction = 'out'");
	out_row(id, status, sizeof status, &attempts, NULL, 0);
	out_progress(id, progress, sizeof progress, NULL);
	assert_string_equal(status, "sending");
	assert_string_equal(progress, "prompt");
	answer(i, MODEM_OK, -1, "OK", "+CMGS: 7", NULL);
	out_row(id, status, sizeof status, &attempts, NULL, 0);
	assert_string_equal(status, "sent");
	/* the command's "processed" mark refused: all of it rolled back */
	assert_int_equal(store_done(store_stmt("CREATE TRIGGER t_no BEFORE "
	    "UPDATE OF status ON sms WHEN new.status = 'processed' BEGIN "
	    "SELECT RAISE(ABORT, 'test: refused'); END", "")), 0);
	auth_gate_reset();	/* its check has a turn at once */
	list_one(2, "+491701234567", "12345#AT+VER");
	run();
	assert_int_equal(nsent("AT+CMGS="), 1);
	assert_int_equal(sms_tx_busy_now(), 0);
	assert_int_equal(count("SELECT count(*) FROM sms WHERE direction = "
	    "'out'"), 1);
	assert_int_equal(store_done(store_stmt("DROP TRIGGER t_no", "")), 0);
}

/* A reply taken with its command, then sent through storage (the
 * setting changed before it went out): the next message sent directly
 * still gets its own durable "sending"/"prompt" record before AT+CMGS,
 * so a stop after its PDU leaves it waiting for the answer, never queued
 * to be sent again. */
static void
test_claim_then_storage(void **state)
{
	char hex[PDU_HEX_MAX + 1], hdr[64], e[128], status[32], progress[32];
	const struct setting_def *d = settings_ref("sms.send_via_storage",
	    SETTING_BOOL);
	const char *lines[2];
	struct modem_response r;
	unsigned len;
	int i, attempts;
	long long id;

	deliver_pdu("+491701234567", "12345#AT+VER", hex, sizeof hex, &len);
	snprintf(hdr, sizeof hdr, "+CMGL: 1,0,,%u", len);
	ready();
	i = last("AT+CPMS?");
	answer(i, MODEM_OK, -1, "OK",
	    "+CPMS: \"SM\",1,30,\"SM\",1,30,\"SM\",1,30", NULL);
	i = last("AT+CMGL=4");
	/* the listing's answer, the loop not run after it: the reply is
	 * taken, its part not sent yet */
	memset(&r, 0, sizeof r);
	lines[0] = hdr;
	lines[1] = hex;
	r.command = fq[i].cmd;
	r.final = MODEM_OK;
	r.final_line = "OK";
	r.nlines = 2;
	r.lines = lines;
	fq[i].answered = 1;
	fq[i].done(&r, fq[i].arg);
	/* a change in the same pass of the loop */
	assert_int_equal(settings_set_text(d, "on", e, sizeof e), 0);
	run();
	i = last("AT+CMGW=");
	assert_true(i >= 0);
	assert_int_equal(prompt(i), 0);
	answer(i, MODEM_OK, -1, "OK", "+CMGW: 5", NULL);
	i = last("AT+CMSS=");
	assert_true(i >= 0);
	answer(i, MODEM_OK, -1, "OK", "+CMSS: 9", NULL);
	run();
	assert_int_equal(settings_set_text(d, "off", e, sizeof e), 0);
	assert_true(sms_send("+491701234567", "hello", 5, "auto", "test", e,
	    sizeof e) > 0);
	run();
	id = count("SELECT max(id) FROM sms WHERE direction = 'out'");
	i = last("AT+CMGS=");
	assert_true(i >= 0);
	out_row(id, status, sizeof status, &attempts, NULL, 0);
	out_progress(id, progress, sizeof progress, NULL);
	assert_string_equal(status, "sending");
	assert_string_equal(progress, "prompt");
	assert_int_equal(prompt(i), 0);		/* the PDU is written */
	assert_true(sms_store_out_recover() >= 1);
	out_row(id, status, sizeof status, &attempts, NULL, 0);
	assert_string_equal(status, "sending");	/* waits for the answer */
}

/* A phonebook number's command left on the modem for its turn keeps
 * that turn: a stranger's command read before it is read again does not
 * take it (it is saved and waits), the owner's runs first. */
static void
test_held_turn_kept(void **state)
{
	char hex1[PDU_HEX_MAX + 1], hex2[PDU_HEX_MAX + 1], h1[64], h2[64];
	enum auth_role role;
	unsigned l1, l2;
	int i, r1, r2;

	ready();
	i = last("AT+CPMS?");
	answer(i, MODEM_OK, -1, "OK",
	    "+CPMS: \"SM\",0,30,\"SM\",0,30,\"SM\",0,30", NULL);
	i = last("AT+CMGL=4");
	answer(i, MODEM_OK, -1, "OK", NULL);
	assert_int_equal(store_done(store_stmt("INSERT INTO phonebook(pos, "
	    "number) VALUES (1, '+491701234567')", "")), 0);
	/* the burst of checks used up */
	for (int k = 0; k < 10 && auth_gate_next_turn_ms() == 0; k++)
		(void)auth_gate(CHAN_SMS, "+491709999999", "nope1", &role);
	assert_true(auth_gate_next_turn_ms() > 0);
	deliver_pdu("+491701234567", "12345#AT+VER", hex1, sizeof hex1, &l1);
	deliver_pdu("+491708888888", "99999#AT+VER", hex2, sizeof hex2, &l2);
	snprintf(h1, sizeof h1, "+CMGR: 0,,%u", l1);
	snprintf(h2, sizeof h2, "+CMGR: 0,,%u", l2);
	urc("+CMTI: \"SM\",1", NULL);
	i = last("AT+CMGR=1");
	answer(i, MODEM_OK, -1, "OK", h1, hex1, NULL);
	/* left on the modem: nothing written, not deleted */
	assert_int_equal(count("SELECT count(*) FROM sms"), 0);
	assert_int_equal(nsent("AT+CMGD=1"), 0);
	urc("+CMTI: \"SM\",2", NULL);
	r2 = last("AT+CMGR=2");
	assert_true(r2 >= 0);
	/* the turn timer reads the owner's slot again (a deadline, not a
	 * fixed wait: the gate's turn comes within a second) */
	for (int k = 0; k < 2000 && last("AT+CMGR=1") == i; k++) {
		usleep(1000);
		run();
	}
	r1 = last("AT+CMGR=1");
	assert_true(r1 > r2);
	answer(r2, MODEM_OK, -1, "OK", h2, hex2, NULL);	/* answered first */
	assert_int_equal(count("SELECT count(*) FROM sms WHERE number = "
	    "'+491708888888' AND status = 'new'"), 1);
	answer(r1, MODEM_OK, -1, "OK", h1, hex1, NULL);
	assert_int_equal(count("SELECT count(*) FROM sms WHERE number = "
	    "'+491701234567' AND direction = 'in' AND status = 'processed'"),
	    1);
	run();
	i = last("AT+CMGS=");
	assert_true(i >= 0);
	assert_int_equal(count("SELECT count(*) FROM sms WHERE direction = "
	    "'out' AND number = '+491701234567'"), 1);
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
	assert_int_equal(prompt(last("AT+CMGS=")), 0);
	answer(last("AT+CMGS="), MODEM_TIMEOUT, -1, "TIMEOUT", NULL);
	out_row(id, status, sizeof status, &attempts, NULL, 0);
	assert_string_equal(status, "uncertain");
	/* never sent again */
	ready();
	assert_int_equal(nsent("AT+CMGS="), 1);
}

/* Stopped with a message whose command was queued but whose PDU was
 * never written: no callback afterwards (the late answer is dropped),
 * and at the next start it is queued again and sent, not uncertain. */
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
	assert_string_equal(status, "sending");
	assert_int_equal(attempts, 0);
	assert_int_equal(nsent("AT+CMGS="), 2);
	i = last("AT+CMGS=");
	assert_int_equal(prompt(i), 0);
	answer(i, MODEM_OK, -1, "OK", "+CMGS: 8", NULL);
	out_row(id, status, sizeof status, &attempts, NULL, 0);
	assert_string_equal(status, "sent");
}

/* Stopped after the prompt hook let the PDU out: uncertain at the next
 * start, never sent again. */
static void
test_shutdown_after_pdu(void **state)
{
	char err[128], status[32], progress[16];
	int attempts, i;
	long long id;

	id = sms_send("+491709999996", "written", 7, "auto", "test", err,
	    sizeof err);
	run();
	i = last("AT+CMGS=");
	assert_int_equal(prompt(i), 0);
	assert_int_equal(fq[i].stage, MODEM_STAGE_PDU);
	/* committed before the PDU was written */
	out_progress(id, progress, sizeof progress, NULL);
	assert_string_equal(progress, "sent-pdu");
	sms_shutdown();
	start();
	out_row(id, status, sizeof status, &attempts, NULL, 0);
	assert_string_equal(status, "uncertain");
	ready();
	assert_int_equal(nsent("AT+CMGS="), 1);
}

/* A recovery or a port loss flushes the queue: a send never written, or
 * written without its PDU, is sent again, no attempt counted. */
static void
test_flushed_sent_again(void **state)
{
	char err[128], status[32];
	int attempts, i;
	long long id;

	id = sms_send("+491709999995", "flushed", 7, "auto", "test", err,
	    sizeof err);
	run();
	i = last("AT+CMGS=");
	fq[i].stage = MODEM_STAGE_QUEUED;
	f_state = MODEM_RECOVERING;	/* the flush comes with a recovery */
	answer(i, MODEM_GONE, -1, "GONE", NULL);
	out_row(id, status, sizeof status, &attempts, NULL, 0);
	assert_string_equal(status, "queued");
	assert_int_equal(attempts, 0);
	/* the modem is ready again: sent at once */
	f_state = MODEM_READY;
	ready();
	assert_int_equal(nsent("AT+CMGS="), 2);
	i = last("AT+CMGS=");
	fq[i].stage = MODEM_STAGE_WRITTEN;	/* the line, no prompt yet */
	f_state = MODEM_ABSENT;		/* the port is gone */
	answer(i, MODEM_GONE, -1, "GONE", NULL);
	out_row(id, status, sizeof status, &attempts, NULL, 0);
	assert_string_equal(status, "queued");
	assert_int_equal(attempts, 0);
	f_state = MODEM_READY;
	ready();
	i = last("AT+CMGS=");
	assert_int_equal(nsent("AT+CMGS="), 3);
	assert_int_equal(prompt(i), 0);
	answer(i, MODEM_OK, -1, "OK", "+CMGS: 3", NULL);
	out_row(id, status, sizeof status, &attempts, NULL, 0);
	assert_string_equal(status, "sent");
	assert_int_equal(count("SELECT count(*) FROM sms WHERE status = "
	    "'uncertain'"), 0);
}

/* The prompt hook cannot commit: the PDU is not written (ESC), and the
 * message waits for a later try. */
static void
test_prompt_commit_fails(void **state)
{
	char err[128], status[32];
	int attempts, i;
	long long id;

	id = sms_send("+491709999994", "not recorded", 12, "auto", "test",
	    err, sizeof err);
	run();
	i = last("AT+CMGS=");
	assert_int_equal(store_done(store_stmt("CREATE TRIGGER t_ro BEFORE "
	    "UPDATE ON sms BEGIN SELECT RAISE(ABORT, 'test: refused'); END",
	    "")), 0);
	assert_int_equal(prompt(i), -1);
	assert_int_equal(fq[i].stage, MODEM_STAGE_WRITTEN);
	assert_int_equal(store_done(store_stmt("DROP TRIGGER t_ro", "")), 0);
	answer(i, MODEM_ERROR, -1, "ABORTED", NULL);
	out_row(id, status, sizeof status, &attempts, NULL, 0);
	assert_string_equal(status, "queued");
	assert_int_equal(attempts, 0);
	/* and it is not lost at a restart either */
	sms_shutdown();
	start();
	assert_int_equal(count("SELECT count(*) FROM sms WHERE status = "
	    "'uncertain'"), 0);
}

static void
set_storage(const char *v)
{
	char e[256];

	assert_int_equal(settings_set_text(settings_find(
	    "sms.send_via_storage"), v, e, sizeof e), 0);
}

/* Through storage: AT+CMGW (slot committed), AT+CMSS, AT+CMGD. */
static void
test_via_storage(void **state)
{
	char err[128], status[32], mr[32], progress[16];
	int attempts, i, index;
	long long id;

	set_storage("on");
	id = sms_send("+491709999993", "stored", 6, "auto", "test", err,
	    sizeof err);
	run();
	assert_int_equal(nsent("AT+CMGS="), 0);
	i = last("AT+CMGW=");
	assert_true(i >= 0);
	assert_true(strlen(fq[i].pdu) > 0);
	assert_int_equal(prompt(i), 0);
	out_progress(id, progress, sizeof progress, NULL);
	assert_string_equal(progress, "write-pdu");
	answer(i, MODEM_OK, -1, "OK", "+CMGW: 4", NULL);
	out_progress(id, progress, sizeof progress, &index);
	assert_string_equal(progress, "stored");
	assert_int_equal(index, 4);
	i = last("AT+CMSS=4");
	assert_true(i >= 0);
	assert_int_equal(nsent("AT+CMGD="), 0);
	answer(i, MODEM_OK, -1, "OK", "+CMSS: 9", NULL);
	out_row(id, status, sizeof status, &attempts, mr, sizeof mr);
	assert_string_equal(status, "sent");
	assert_string_equal(mr, "9");
	assert_true(last("AT+CMGD=4") > i);
	set_storage("off");
}

/* Send `text` through storage: AT+CMGW answered with `slot`; the PDU
 * written goes to pdu (NULL: not wanted).  The message's id. */
static long long
write_stored(const char *to, const char *text, int slot, char *pdu,
    size_t pdulen)
{
	char err[128], line[32];
	long long id;
	int i;

	id = sms_send(to, text, strlen(text), "auto", "test", err,
	    sizeof err);
	assert_true(id > 0);
	run();
	i = last("AT+CMGW=");
	assert_true(i >= 0);
	assert_int_equal(prompt(i), 0);
	if (pdu != NULL)
		util_strlcpy(pdu, fq[i].pdu, pdulen);
	snprintf(line, sizeof line, "+CMGW: %d", slot);
	answer(i, MODEM_OK, -1, "OK", line, NULL);
	return id;
}

/* The stored copy of a message sent through storage, read back after a
 * restart: stat is the PDU from AT+CMGW, or NULL for an empty slot. */
static long long
storage_restart(int stat, int same, char *status, size_t slen)
{
	char hdr[64], pdu[MODEM_PDU_MAX + 1];
	int attempts, i;
	long long id;

	set_storage("on");
	id = write_stored("+491709999992", "read back", 6, pdu, sizeof pdu);
	i = last("AT+CMSS=6");
	assert_true(i >= 0);
	fq[i].stage = MODEM_STAGE_WRITTEN;
	/* the daemon stops before the answer */
	sms_shutdown();
	start();
	assert_int_equal(nsent("AT+CMSS="), 1);
	i = last("AT+CMGR=6");
	assert_true(i >= 0);
	if (!same)
		pdu[strlen(pdu) - 1] = pdu[strlen(pdu) - 1] == '0' ? '1' : '0';
	snprintf(hdr, sizeof hdr, "+CMGR: %d,,%zu", stat,
	    strlen(pdu) / 2 - 1);
	if (stat < 0)
		answer(i, MODEM_CMS_ERROR, 321, "+CMS ERROR: 321", NULL);
	else
		answer(i, MODEM_OK, -1, "OK", hdr, pdu, NULL);
	out_row(id, status, slen, &attempts, NULL, 0);
	set_storage("off");
	return id;
}

static void
test_storage_sto_sent(void **state)
{
	char status[32];

	storage_restart(3, 1, status, sizeof status);
	assert_string_equal(status, "sent");
	assert_int_equal(nsent("AT+CMSS="), 1);
	assert_true(last("AT+CMGD=6") > last("AT+CMGR=6"));
}

static void
test_storage_sto_unsent(void **state)
{
	char status[32];
	long long id;
	int attempts;

	id = storage_restart(2, 1, status, sizeof status);
	assert_string_equal(status, "sending");
	assert_int_equal(nsent("AT+CMSS=6"), 2);
	answer(last("AT+CMSS=6"), MODEM_OK, -1, "OK", "+CMSS: 11", NULL);
	out_row(id, status, sizeof status, &attempts, NULL, 0);
	assert_string_equal(status, "sent");
}

static void
test_storage_copy_gone(void **state)
{
	char status[32];

	storage_restart(-1, 1, status, sizeof status);
	assert_string_equal(status, "uncertain");
	assert_int_equal(nsent("AT+CMSS="), 1);
}

static void
test_storage_other_message(void **state)
{
	char status[32];

	storage_restart(2, 0, status, sizeof status);
	assert_string_equal(status, "uncertain");
	assert_int_equal(nsent("AT+CMSS="), 1);
}

/* An AT+CMGW answer lost after its PDU: the copy never goes out by
 * itself, so the message is never uncertain: the copy is looked for
 * among the unsent ones (AT+CMGL=2) and sent from there, or the message
 * is written again. */
static void
test_storage_write_lost(void **state)
{
	char err[128], status[32], hdr[64], pdu[MODEM_PDU_MAX + 1];
	int attempts, i;
	long long id;

	set_storage("on");
	id = sms_send("+491709999991", "lost write", 10, "auto", "test", err,
	    sizeof err);
	run();
	i = last("AT+CMGW=");
	assert_int_equal(prompt(i), 0);
	util_strlcpy(pdu, fq[i].pdu, sizeof pdu);
	f_state = MODEM_ABSENT;
	answer(i, MODEM_GONE, -1, "GONE", NULL);
	out_row(id, status, sizeof status, &attempts, NULL, 0);
	assert_string_equal(status, "queued");
	assert_int_equal(attempts, 0);
	f_state = MODEM_READY;
	ready();
	assert_int_equal(nsent("AT+CMGW="), 1);
	i = last("AT+CMGL=2");
	assert_true(i >= 0);
	snprintf(hdr, sizeof hdr, "+CMGL: 7,2,,%zu", strlen(pdu) / 2 - 1);
	answer(i, MODEM_OK, -1, "OK", "+CMGL: 3,2,,5", "0011000B91", hdr, pdu,
	    NULL);
	i = last("AT+CMSS=7");
	assert_true(i >= 0);
	answer(i, MODEM_OK, -1, "OK", "+CMSS: 12", NULL);
	out_row(id, status, sizeof status, &attempts, NULL, 0);
	assert_string_equal(status, "sent");
	assert_true(last("AT+CMGD=7") > i);

	/* a restart with the slot not known, and no copy found: written
	 * again */
	id = sms_send("+491709999990", "lost again", 10, "auto", "test", err,
	    sizeof err);
	run();
	i = last("AT+CMGW=");
	assert_int_equal(prompt(i), 0);
	sms_shutdown();
	start();
	i = last("AT+CMGL=2");
	assert_true(i >= 0);
	answer(i, MODEM_OK, -1, "OK", NULL);
	out_row(id, status, sizeof status, &attempts, NULL, 0);
	assert_string_equal(status, "sending");
	assert_int_equal(nsent("AT+CMGW="), 3);
	assert_int_equal(count("SELECT count(*) FROM sms WHERE status = "
	    "'uncertain'"), 0);
	set_storage("off");
}

#define COPIES	"SELECT count(*) FROM sms_tx_copies"

/* A sent part's stored copy is deleted until the modem confirms it: a
 * failed delete is tried again after the next ready, the slot read back
 * first (one read at a time); a slot that holds something else by then
 * (the delete had been done before a stop) is only forgotten. */
static void
test_storage_copy_deleted(void **state)
{
	char status[32], hdr[64], pdu[MODEM_PDU_MAX + 1];
	char other[PDU_HEX_MAX + 1];
	unsigned len;
	int attempts;
	long long id;

	set_storage("on");
	id = write_stored("+491709999989", "copy kept", 4, pdu, sizeof pdu);
	answer(last("AT+CMSS=4"), MODEM_OK, -1, "OK", "+CMSS: 7", NULL);
	out_row(id, status, sizeof status, &attempts, NULL, 0);
	assert_string_equal(status, "sent");
	assert_int_equal(count(COPIES), 1);
	answer(last("AT+CMGD=4"), MODEM_ERROR, -1, "ERROR", NULL);
	assert_int_equal(count(COPIES), 1);
	ready();
	ready();
	assert_int_equal(nsent("AT+CMGR=4"), 1);
	snprintf(hdr, sizeof hdr, "+CMGR: 3,,%zu", strlen(pdu) / 2 - 1);
	answer(last("AT+CMGR=4"), MODEM_OK, -1, "OK", hdr, pdu, NULL);
	assert_int_equal(nsent("AT+CMGD=4"), 2);
	answer(last("AT+CMGD=4"), MODEM_OK, -1, "OK", NULL);
	assert_int_equal(count(COPIES), 0);
	ready();
	assert_int_equal(nsent("AT+CMGR=4"), 1);

	/* stopped with the delete queued; by the next ready the slot holds
	 * a message received */
	(void)write_stored("+491709999988", "copy gone", 5, NULL, 0);
	answer(last("AT+CMSS=5"), MODEM_OK, -1, "OK", "+CMSS: 8", NULL);
	assert_true(last("AT+CMGD=5") >= 0);
	sms_shutdown();
	start();
	assert_int_equal(count(COPIES), 1);
	ready();
	deliver_pdu("+491701234567", "arrived meanwhile", other, sizeof other,
	    &len);
	snprintf(hdr, sizeof hdr, "+CMGR: 0,,%u", len);
	answer(last("AT+CMGR=5"), MODEM_OK, -1, "OK", hdr, other, NULL);
	assert_int_equal(nsent("AT+CMGD=5"), 1);
	assert_int_equal(count(COPIES), 0);
	set_storage("off");
}

/* A part refused for good: its copy's slot is read back before the
 * delete (the refusal may mean the slot is empty, and a message received
 * may be in it by now). */
static void
test_storage_failed_copy(void **state)
{
	char status[32], hdr[64], pdu[MODEM_PDU_MAX + 1];
	int attempts, i, unsent;
	long long id;

	set_storage("on");
	for (unsent = 1; unsent >= 0; unsent--) {
		fn = 0;
		id = write_stored("+491709999987", "refused", 3, pdu,
		    sizeof pdu);
		snprintf(hdr, sizeof hdr, "+CMGR: 2,,%zu", strlen(pdu) / 2 - 1);
		answer(last("AT+CMSS=3"), MODEM_CMS_ERROR, 500,
		    "+CMS ERROR: 500", NULL);
		assert_int_equal(store_done(store_stmt("UPDATE sms SET "
		    "next_try = 0 WHERE id = ?1", "i", id)), 0);
		ready();
		answer(last("AT+CMGR=3"), MODEM_OK, -1, "OK", hdr, pdu, NULL);
		answer(last("AT+CMSS=3"), MODEM_CMS_ERROR, 500,
		    "+CMS ERROR: 500", NULL);
		out_row(id, status, sizeof status, &attempts, NULL, 0);
		assert_string_equal(status, "failed");
		assert_int_equal(count(COPIES), 1);
		assert_int_equal(nsent("AT+CMGD=3"), 0);
		i = last("AT+CMGR=3");
		assert_int_equal(nsent("AT+CMGR=3"), 2);
		if (unsent) {
			answer(i, MODEM_OK, -1, "OK", hdr, pdu, NULL);
			assert_int_equal(nsent("AT+CMGD=3"), 1);
			answer(last("AT+CMGD=3"), MODEM_OK, -1, "OK", NULL);
		} else {
			answer(i, MODEM_CMS_ERROR, 321, "+CMS ERROR: 321",
			    NULL);
			assert_int_equal(nsent("AT+CMGD=3"), 0);
		}
		assert_int_equal(count(COPIES), 0);
	}
	set_storage("off");
}

/* The statements run while tracing (sqlite3_trace_v2), in order. */
static char traced[4096];

static int
trace_cb(unsigned what, void *arg, void *p, void *x)
{
	size_t n = strlen(traced);

	snprintf(traced + n, sizeof traced - n, "%s\n", (const char *)x);
	return 0;
}

/* At the prompt the PDU follows its record with no wait for the disk
 * between them (the record is committed with synchronous NORMAL: no
 * fsync): a kill can no longer land in an fsync there and leave a
 * message uncertain that never went out.  Before the AT+CMGS its
 * "prompt" record is committed the usual way. */
static void
test_prompt_record_nowait(void **state)
{
	char err[128], progress[16], *upd, *low, *back;
	long long id;
	int i;

	id = sms_send("+491709999990", "no wait", 7, "auto", "test", err,
	    sizeof err);
	run();
	i = last("AT+CMGS=");
	assert_true(i >= 0);
	out_progress(id, progress, sizeof progress, NULL);
	assert_string_equal(progress, "prompt");
	traced[0] = '\0';
	sqlite3_trace_v2(store_db(), SQLITE_TRACE_STMT, trace_cb, NULL);
	assert_int_equal(prompt(i), 0);
	sqlite3_trace_v2(store_db(), 0, NULL, NULL);
	/* a replayable commit (store_begin_replayable), the status kept */
	low = strstr(traced, "PRAGMA synchronous=NORMAL");
	upd = strstr(traced, "UPDATE sms SET attempts");
	back = strstr(traced, "PRAGMA synchronous=FULL");
	assert_non_null(low);
	assert_non_null(upd);
	assert_non_null(back);
	assert_true(low < upd && upd < back);
	assert_int_equal(store_scalar(store_stmt("PRAGMA synchronous", ""),
	    -1), 2);
	out_progress(id, progress, sizeof progress, NULL);
	assert_string_equal(progress, "sent-pdu");
}

/* Stopped between its AT+CMGS and the prompt ("prompt" recorded, the
 * PDU's record not made): sent again after a restart of the daemon, but
 * uncertain after a restart of the system (a power loss may have lost
 * the record made without waiting for the disk). */
static void
test_stopped_before_prompt(void **state)
{
	char err[128], status[32], progress[16];
	int attempts;
	long long id;

	id = sms_send("+491709999989", "before the prompt", 17, "auto",
	    "test", err, sizeof err);
	run();
	assert_int_equal(nsent("AT+CMGS="), 1);
	sms_shutdown();
	start();
	out_row(id, status, sizeof status, &attempts, NULL, 0);
	out_progress(id, progress, sizeof progress, NULL);
	assert_true(strcmp(status, "queued") == 0 ||
	    strcmp(status, "sending") == 0);
	assert_string_equal(progress, strcmp(status, "queued") == 0 ?
	    "none" : "prompt");
	assert_int_equal(attempts, 0);
	ready();
	assert_int_equal(nsent("AT+CMGS="), 2);
	/* now the system restarts while it waits for its prompt */
	sms_shutdown();
	assert_int_equal(store_meta_put("sms_boot_id", "another boot"), 0);
	start();
	out_row(id, status, sizeof status, &attempts, NULL, 0);
	assert_string_equal(status, "uncertain");
	ready();
	assert_int_equal(nsent("AT+CMGS="), 2);
}

/* Stopped after the PDU was written: the modem's answer that reaches
 * the restarted daemon before the modem is ready again makes the
 * message sent (a modem answers once its network did, often seconds
 * later); without one it is uncertain once the modem is ready. */
static void
test_answer_after_restart(void **state)
{
	char err[128], status[32], mr[16];
	int attempts, i;
	long long id;

	id = sms_send("+491709999988", "answered late", 13, "auto", "test",
	    err, sizeof err);
	run();
	i = last("AT+CMGS=");
	assert_int_equal(prompt(i), 0);
	sms_shutdown();
	f_state = MODEM_PROBING;		/* restarted, bringing it up */
	start();
	out_row(id, status, sizeof status, &attempts, NULL, 0);
	assert_string_equal(status, "sending");
	urc("+CMGS: 42", NULL);
	out_row(id, status, sizeof status, &attempts, mr, sizeof mr);
	assert_string_equal(status, "sent");
	assert_string_equal(mr, "42");
	f_state = MODEM_READY;
	ready();
	assert_int_equal(nsent("AT+CMGS="), 1);
	/* no answer this time */
	id = sms_send("+491709999987", "never answered", 14, "auto", "test",
	    err, sizeof err);
	run();
	i = last("AT+CMGS=");
	assert_int_equal(prompt(i), 0);
	sms_shutdown();
	f_state = MODEM_PROBING;
	start();
	f_state = MODEM_READY;
	ready();
	out_row(id, status, sizeof status, &attempts, NULL, 0);
	assert_string_equal(status, "uncertain");
	urc("+CMGS: 43", NULL);		/* too late: not taken */
	out_row(id, status, sizeof status, &attempts, NULL, 0);
	assert_string_equal(status, "uncertain");
	assert_int_equal(nsent("AT+CMGS="), 2);
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
		cmocka_unit_test_setup_teardown(test_reply_with_its_command,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_claim_then_storage,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_held_turn_kept,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_retries_then_failed,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_answer_uncertain,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_shutdown_in_flight,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_shutdown_after_pdu,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_flushed_sent_again,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_prompt_commit_fails,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_via_storage,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_storage_sto_sent,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_storage_sto_unsent,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_storage_copy_gone,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_storage_other_message,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_storage_copy_deleted,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_storage_failed_copy,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_storage_write_lost,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_prompt_record_nowait,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_stopped_before_prompt,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_answer_after_restart,
		    setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
