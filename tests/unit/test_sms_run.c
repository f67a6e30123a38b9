/*
 * test_sms_run.c: processing a received command SMS whose transaction
 * cannot be committed (src/sms/sms_rx_run.c), against the shared fake
 * modem (fake_modem.c) and a real store.
 *
 * Shown: a failed commit leaves nothing behind: the setting the command
 * changed is back to its old value in memory, as in the database, and
 * was announced again (apply hook and observer); no reply is queued or
 * sent.  While the message waits, neither the listings nor the
 * database's sms.text ever hold its password.  Once the fault is gone
 * the retry timer runs it once: the setting changes, one reply goes out,
 * the message is processed and its text as received is forgotten.  The
 * same for a concatenated command; a plain message keeps its text.
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
#include <json-c/json.h>
#include <sqlite3.h>

#include "auth.h"
#include "ctl.h"
#include "modem.h"
#include "pdu.h"
#include "settings.h"
#include "sms.h"
#include "store.h"
#include "util.h"

#include "config.h"
#include "daemon.h"
#include "fake_modem.h"
#include "../../src/sms/sms_int.h"

#define PW	"Zq7pw9x"	/* in no number, no reply, no default */
#define SENDER	"+491709876543"

/* What the settings observer saw, in order. */
static char seen[8][64];
static int nseen;

static void
observe(const struct setting_def *d)
{
	if (nseen < (int)nitems(seen))
		snprintf(seen[nseen++], sizeof seen[0], "%s=%s", d->name,
		    settings_value(d));
}

/* The database's value of a runtime setting ("" when it has none). */
static void
db_setting(const char *name, char *out, size_t len)
{
	sqlite3_stmt *st = store_stmt("SELECT value FROM settings WHERE "
	    "name = ?1", "t", name);

	assert_non_null(st);
	out[0] = '\0';
	if (sqlite3_step(st) == SQLITE_ROW)
		util_strlcpy(out, (const char *)sqlite3_column_text(st, 0),
		    len);
	sqlite3_finalize(st);
}

/* Does a listing's JSON text mention the password? */
static int
json_has_pw(struct json_object *o)
{
	int r;

	assert_non_null(o);
	r = strstr(json_object_to_json_string(o), PW) != NULL;
	json_object_put(o);
	return r;
}

/* The commit fails (a deferred foreign key broken when a message is
 * marked processed): every statement works, only COMMIT refuses. */
static void
fault_on(void)
{
	assert_int_equal(sqlite3_exec(store_db(),
	    "CREATE TABLE t_parent(id INTEGER PRIMARY KEY);"
	    "CREATE TABLE t_child(p INTEGER REFERENCES t_parent(id) "
	    "  DEFERRABLE INITIALLY DEFERRED);"
	    "CREATE TRIGGER t_fail AFTER UPDATE OF status ON sms "
	    "  WHEN NEW.status = 'processed' "
	    "  BEGIN INSERT INTO t_child VALUES (1); END;"
	    /* any text of the log that ever held the password, committed */
	    "CREATE TABLE t_seen(id INTEGER);"
	    "CREATE TRIGGER t_watch_in AFTER INSERT ON sms "
	    "  WHEN instr(NEW.text, '" PW "') > 0 "
	    "  BEGIN INSERT INTO t_seen VALUES (NEW.id); END;"
	    "CREATE TRIGGER t_watch_up AFTER UPDATE OF text ON sms "
	    "  WHEN instr(NEW.text, '" PW "') > 0 "
	    "  BEGIN INSERT INTO t_seen VALUES (NEW.id); END;",
	    NULL, NULL, NULL), SQLITE_OK);
}

static void
fault_off(void)
{
	assert_int_equal(sqlite3_exec(store_db(), "DROP TRIGGER t_fail",
	    NULL, NULL, NULL), SQLITE_OK);
}

/* Run the loop, waiting for timers, until message id is processed or a
 * deadline passes. */
static void
wait_processed(long long id)
{
	time_t deadline = time(NULL) + 20;
	char sql[128];

	snprintf(sql, sizeof sql, "SELECT count(*) FROM sms WHERE id = %lld "
	    "AND status = 'processed'", id);
	while (count(sql) == 0 && time(NULL) < deadline)
		event_base_loop(base, EVLOOP_ONCE);
}

static void
test_failed_commit_changes_nothing(void **state)
{
	const struct setting_def *d = settings_find("sms.retry_delay");
	char v[64], e[256];
	long long id;
	struct json_object *o;
	int i;

	assert_non_null(d);
	assert_int_equal(auth_password_set(ROLE_SUPERADMIN, PW, e, sizeof e),
	    0);
	assert_string_equal(settings_value(d), "30");
	settings_set_observer(observe);
	nseen = 0;
	fault_on();

	list_one(3, SENDER, PW "#AT+sms.retry_delay=99");
	id = count("SELECT max(id) FROM sms WHERE direction = 'in'");
	assert_true(id > 0);
	/* received and committed, not processed */
	assert_int_equal(count("SELECT count(*) FROM sms WHERE status = "
	    "'new'"), 1);
	/* memory and database agree: the old value, announced again */
	assert_string_equal(settings_value(d), "30");
	assert_int_equal(settings_int(d), 30);
	assert_string_equal(settings_get("sms.retry_delay"), "30");
	assert_int_equal(settings_source(d), SOURCE_DEFAULT);
	db_setting("sms.retry_delay", v, sizeof v);
	assert_string_equal(v, "");
	assert_int_equal(nseen, 2);
	assert_string_equal(seen[0], "sms.retry_delay=99");
	assert_string_equal(seen[1], "sms.retry_delay=30");
	/* no reply queued, none sent */
	assert_int_equal(count("SELECT count(*) FROM sms WHERE direction = "
	    "'out'"), 0);
	run();
	assert_int_equal(nsent("AT+CMGS="), 0);
	/* while it waits, the log shows it redacted; the text as received
	 * is kept apart, in no listing */
	assert_int_equal(count("SELECT count(*) FROM sms WHERE instr(text, '"
	    PW "') > 0"), 0);
	assert_int_equal(count("SELECT count(*) FROM sms WHERE instr("
	    "text_clear, '" PW "') > 0"), 1);
	assert_false(json_has_pw(sms_store_list(10)));
	assert_false(json_has_pw(sms_store_show(id)));
	o = sms_store_show(id);
	assert_string_equal(json_object_get_string(json_object_object_get(o,
	    "text")), "***#AT+SMS.RETRY_DELAY=99");
	json_object_put(o);

	/* the fault goes: the retry timer runs it, once */
	fault_off();
	wait_processed(id);
	assert_int_equal(count("SELECT count(*) FROM sms WHERE status = "
	    "'processed' AND direction = 'in'"), 1);
	assert_string_equal(settings_value(d), "99");
	assert_int_equal(settings_int(d), 99);
	db_setting("sms.retry_delay", v, sizeof v);
	assert_string_equal(v, "99");
	assert_int_equal(nseen, 3);
	assert_string_equal(seen[2], "sms.retry_delay=99");
	assert_int_equal(count("SELECT count(*) FROM sms WHERE direction = "
	    "'out'"), 1);
	run();
	assert_int_equal(nsent("AT+CMGS="), 1);
	i = last("AT+CMGS=");
	answer(i, MODEM_OK, -1, "OK", "+CMGS: 9", NULL);
	/* processed: redacted, the text as received forgotten */
	assert_int_equal(count("SELECT count(*) FROM sms WHERE text_clear IS "
	    "NOT NULL"), 0);
	assert_int_equal(count("SELECT count(*) FROM sms WHERE instr(text, '"
	    PW "') > 0"), 0);
	assert_false(json_has_pw(sms_store_list(10)));
	assert_false(json_has_pw(sms_store_show(id)));
	/* the log's text never held the password, at any commit */
	assert_int_equal(count("SELECT count(*) FROM t_seen"), 0);
	/* nothing runs twice: the same copy listed again is a duplicate */
	list_one(3, SENDER, PW "#AT+sms.retry_delay=99");
	run();
	assert_int_equal(nsent("AT+CMGS="), 1);
	assert_int_equal(count("SELECT count(*) FROM sms WHERE direction = "
	    "'out'"), 1);
	assert_int_equal(nseen, 3);
	settings_set_observer(NULL);
}

/* A restart asked for by a command whose transaction failed is
 * withdrawn; the retry asks again. */
static void
test_failed_commit_withdraws_restart(void **state)
{
	char e[256];
	long long id;

	assert_int_equal(auth_password_set(ROLE_SUPERADMIN, PW, e, sizeof e),
	    0);
	fault_on();
	list_one(4, SENDER, PW "#AT+Z");
	id = count("SELECT max(id) FROM sms WHERE direction = 'in'");
	assert_int_equal(count("SELECT count(*) FROM sms WHERE status = "
	    "'new'"), 1);
	assert_false(daemon_restart_pending());
	fault_off();
	wait_processed(id);
	assert_true(daemon_restart_pending());
}

/* A message that is not a command keeps its text (nothing to redact). */
static void
test_plain_text_kept(void **state)
{
	long long id;
	sqlite3_stmt *st;

	list_one(4, SENDER, "just saying hello");
	id = count("SELECT max(id) FROM sms WHERE direction = 'in'");
	st = store_stmt("SELECT text, text_clear FROM sms WHERE id = ?1", "i",
	    id);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_string_equal((const char *)sqlite3_column_text(st, 0),
	    "just saying hello");
	assert_int_equal(sqlite3_column_type(st, 1), SQLITE_NULL);
	sqlite3_finalize(st);
}

/* A concatenated command is shown redacted from its assembly too; the
 * text as received waits apart until it is processed. */
static void
test_concatenated_redacted(void **state)
{
	struct pdu_encode_opts o;
	struct pdu_encoded *e = malloc(sizeof *e);
	char text[400], e2[256], line[64];
	const char *why;
	long long id;

	assert_non_null(e);
	assert_int_equal(auth_password_set(ROLE_SUPERADMIN, PW, e2,
	    sizeof e2), 0);
	snprintf(text, sizeof text, PW "#AT+STMSG=%0200d", 7);
	memset(&o, 0, sizeof o);
	o.concat_ref = 77;
	assert_int_equal(pdu_encode_deliver(SENDER, text, strlen(text), &o, e,
	    &why), 0);
	assert_true(e->nparts > 1);
	fault_on();
	for (unsigned i = 0; i < e->nparts; i++) {
		snprintf(line, sizeof line, "+CMT: ,%u", e->parts[i].tpdu_len);
		urc(line, e->parts[i].hex);
	}
	id = count("SELECT max(id) FROM sms WHERE direction = 'in'");
	assert_true(id > 0);
	/* processing failed (too long a value, and the commit refused) */
	assert_int_equal(count("SELECT count(*) FROM sms WHERE status = "
	    "'new'"), 1);
	assert_int_equal(count("SELECT count(*) FROM sms WHERE instr(text, '"
	    PW "') > 0"), 0);
	assert_int_equal(count("SELECT count(*) FROM sms WHERE instr("
	    "text_clear, '" PW "') > 0"), 1);
	assert_int_equal(count("SELECT count(*) FROM sms_parts WHERE instr("
	    "text, '" PW "') > 0"), 0);
	assert_false(json_has_pw(sms_store_list(10)));
	assert_false(json_has_pw(sms_store_show(id)));
	fault_off();
	wait_processed(id);
	assert_int_equal(count("SELECT count(*) FROM sms WHERE text_clear IS "
	    "NOT NULL"), 0);
	assert_int_equal(count("SELECT count(*) FROM t_seen"), 0);
	free(e);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
		    test_failed_commit_changes_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_failed_commit_withdraws_restart, setup, teardown),
		cmocka_unit_test_setup_teardown(test_plain_text_kept, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_concatenated_redacted,
		    setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
