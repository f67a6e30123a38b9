/*
 * test_store_wear.c: what keeps the store's writes small (src/core/store.c):
 * a new database has 512-byte pages; a replayable transaction commits
 * with synchronous=NORMAL and every other one, before and after it, with
 * FULL (one nested in a durable transaction stays durable); a statement
 * kept prepared is the same one at each use, reset by store_done(); and
 * the message log's queries for open messages and the daily count are
 * answered from the small indexes, not by reading the whole log (a
 * fingerprint through the second of its time stamp, migration 11 -> 12
 * keeping every row); and the integrity check at the open runs after an
 * unclean stop only.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include <sqlite3.h>

#include "store.h"

#include "../../src/sms/sms_slots.h"

static char dir[64];
static char path[96];

static int
setup(void **state)
{
	char err[256];

	snprintf(dir, sizeof dir, "/tmp/test_store_wear.XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/cg.db", dir);
	assert_int_equal(store_open(path, err, sizeof err), 0);
	return 0;
}

static int
teardown(void **state)
{
	char f[128];

	store_close();
	for (const char *const *s = (const char *const[]){ "", "-wal",
	    "-shm", NULL }; *s != NULL; s++) {
		snprintf(f, sizeof f, "%s%s", path, *s);
		unlink(f);
	}
	rmdir(dir);
	return 0;
}

static long long
pragma(const char *sql)
{
	return store_scalar(store_stmt(sql, ""), -1);
}

static void
test_page_size(void **state)
{
	assert_int_equal(pragma("PRAGMA page_size"), 512);
	assert_int_equal(pragma("PRAGMA synchronous"), 2);	/* FULL */
	assert_int_equal(pragma("PRAGMA secure_delete"), 2);	/* FAST */
}

static void
test_replayable(void **state)
{
	assert_int_equal(store_begin_replayable(), 0);
	assert_int_equal(pragma("PRAGMA synchronous"), 1);	/* NORMAL */
	assert_int_equal(store_meta_put("a", "1"), 0);
	assert_int_equal(store_commit(), 0);
	assert_int_equal(pragma("PRAGMA synchronous"), 2);
	/* rolled back: durable again too */
	assert_int_equal(store_begin_replayable(), 0);
	store_rollback();
	assert_int_equal(pragma("PRAGMA synchronous"), 2);
	/* inside a durable transaction: part of it, durable */
	assert_int_equal(store_begin(), 0);
	assert_int_equal(store_begin_replayable(), 0);
	assert_int_equal(store_txn_level(), 2);
	assert_int_equal(pragma("PRAGMA synchronous"), 2);
	assert_int_equal(store_commit(), 0);
	assert_int_equal(store_commit(), 0);
	assert_int_equal(pragma("PRAGMA synchronous"), 2);
}

static void
test_cached(void **state)
{
	static const char sql[] = "SELECT value FROM meta WHERE key = ?1";
	struct sqlite3_stmt *a, *b;
	char v[8];

	assert_int_equal(store_meta_put("k", "41"), 0);
	a = store_cached(sql, "t", "k");
	assert_non_null(a);
	assert_int_equal(store_scalar(a, -1), 41);
	b = store_cached(sql, "t", "nope");
	assert_ptr_equal(a, b);			/* prepared once */
	assert_int_equal(store_scalar(b, -1), -1);	/* rebound */
	assert_int_equal(store_meta_put("k", "42"), 0);
	assert_int_equal(store_scalar(store_cached(sql, "t", "k"), -1), 42);
	/* a kept statement that failed is reset for the next use */
	assert_int_equal(store_done(store_cached("INSERT INTO meta(key, "
	    "value) VALUES (?1, NULL)", "t", "x")), -1);
	assert_int_equal(store_done(store_cached("INSERT INTO meta(key, "
	    "value) VALUES (?1, NULL)", "t", "y")), -1);
	assert_int_equal(store_meta_get("k", v, sizeof v), 0);
	assert_string_equal(v, "42");
}

/* The plan of sql names index `index`. */
static int
uses(const char *sql, const char *index)
{
	struct sqlite3_stmt *st;
	char q[512];
	int found = 0;

	snprintf(q, sizeof q, "EXPLAIN QUERY PLAN %s", sql);
	assert_int_equal(sqlite3_prepare_v2(store_db(), q, -1, &st, NULL),
	    SQLITE_OK);
	while (sqlite3_step(st) == SQLITE_ROW)
		if (strstr((const char *)sqlite3_column_text(st, 3), index))
			found = 1;
	sqlite3_finalize(st);
	return found;
}

static void
test_indexes(void **state)
{
	assert_true(uses("SELECT id FROM sms WHERE direction = 'out' AND "
	    "status = 'queued' AND next_try <= 5 ORDER BY id LIMIT 1",
	    "sms_open"));
	assert_true(uses("SELECT id FROM sms WHERE direction = 'in' AND "
	    "status = 'new' ORDER BY id LIMIT 1", "sms_open"));
	assert_true(uses("SELECT count(*) FROM sms WHERE time >= 5 AND "
	    "direction = 'out' AND status != 'failed'", "sms_time"));
	assert_true(uses("SELECT count(*) FROM sms WHERE " SMS_FP_KEY("scts")
	    " = " SMS_FP_KEY("'2026-12-07T05:48:06+01:00'") " AND "
	    "fingerprint = 'x'", "sms_fp"));
	assert_true(uses("SELECT count(*) FROM sms WHERE " SMS_FP_KEY("scts")
	    " = " SMS_FP_KEY("NULL") " AND fingerprint = 'x'", "sms_fp"));
	/* a processed message is not in the index of open ones */
	assert_int_equal(store_done(store_stmt("INSERT INTO sms(direction, "
	    "number, status, time, updated) VALUES ('in', '1', 'processed', "
	    "1, 1), ('out', '1', 'queued', 1, 1)", "")), 0);
	assert_int_equal(store_scalar(store_stmt("SELECT count(*) FROM sms "
	    "INDEXED BY sms_open WHERE status = 'queued'", ""), -1), 1);
	assert_int_equal(store_scalar(store_stmt("SELECT count(*) FROM sms "
	    "INDEXED BY sms_open WHERE (status = 'new' OR status = 'queued' "
	    "OR status = 'sending' OR status = 'uncertain' OR status = "
	    "'failed')", ""), -1), 1);
}

/* A log from before migration 11 -> 12 (the fingerprint UNIQUE, its
 * index of long keys): copied whole into the table without it, found
 * through the time stamp's second, one row per fingerprint still. */
static void
test_fp_migration(void **state)
{
	char err[256];
	sqlite3 *db;

	store_close();
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db,
	    "DROP TABLE sms;"
	    "CREATE TABLE sms (id INTEGER PRIMARY KEY, direction TEXT NOT "
	    "NULL CHECK (direction IN ('in', 'out')), number TEXT NOT NULL, "
	    "text TEXT, data_hex TEXT, coding TEXT NOT NULL DEFAULT 'auto', "
	    "kind TEXT NOT NULL DEFAULT 'text', status TEXT NOT NULL, time "
	    "INTEGER NOT NULL, updated INTEGER NOT NULL, scts TEXT, "
	    "fingerprint TEXT UNIQUE, attempts INTEGER NOT NULL DEFAULT 0, "
	    "next_try INTEGER NOT NULL DEFAULT 0, parts INTEGER NOT NULL "
	    "DEFAULT 1, parts_sent INTEGER NOT NULL DEFAULT 0, mr TEXT NOT "
	    "NULL DEFAULT '', error TEXT, delivery TEXT, origin TEXT);"
	    "ALTER TABLE sms ADD COLUMN text_clear TEXT;"
	    "ALTER TABLE sms ADD COLUMN progress TEXT NOT NULL DEFAULT 'none';"
	    "ALTER TABLE sms ADD COLUMN store_index INTEGER;"
	    "CREATE INDEX sms_open ON sms(direction) WHERE status = 'new' OR "
	    "status = 'queued' OR status = 'sending' OR status = 'uncertain' "
	    "OR status = 'failed';"
	    "CREATE INDEX sms_time ON sms(time);"
	    "INSERT INTO sms(id, direction, number, text, status, time, "
	    "updated, scts, fingerprint, mr, progress) VALUES "
	    "(7, 'in', '+4917001', 'STATUS,PWD=***#', 'processed', 10, 11, "
	    "'2026-12-07T05:48:06+01:00', '+4917001|2026-12-07T05:48:06+01:00"
	    "|0|0|0|STATUS,PWD=***#', '', 'none'),"
	    "(8, 'out', '+4917001', 'Modem ready', 'sent', 12, 13, NULL, NULL, "
	    "'42', 'none'),"
	    "(9, 'in', '', NULL, 'ignored', 14, 14, NULL, 'raw|00', '', "
	    "'none');"
	    "PRAGMA user_version = 11;", NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_close(db), SQLITE_OK);
	assert_int_equal(store_open(path, err, sizeof err), 0);
	assert_int_equal(pragma("PRAGMA user_version"), 12);
	assert_int_equal(pragma("SELECT count(*) FROM sqlite_schema WHERE "
	    "name = 'sqlite_autoindex_sms_1'"), 0);
	assert_int_equal(pragma("SELECT count(*) FROM sms"), 3);
	assert_int_equal(pragma("SELECT count(*) FROM sms WHERE id = 8 AND "
	    "mr = '42' AND status = 'sent' AND updated = 13"), 1);
	assert_int_equal(pragma("SELECT count(*) FROM sms INDEXED BY sms_fp "
	    "WHERE " SMS_FP_KEY("scts") " = " SMS_FP_KEY(
	    "'2026-12-07T05:48:06+01:00'") " AND fingerprint = '+4917001|"
	    "2026-12-07T05:48:06+01:00|0|0|0|STATUS,PWD=***#'"), 1);
	assert_int_equal(pragma("SELECT count(*) FROM sms INDEXED BY sms_fp "
	    "WHERE " SMS_FP_KEY("scts") " = " SMS_FP_KEY("NULL") " AND "
	    "fingerprint = 'raw|00'"), 1);
	/* the other indexes are back */
	test_indexes(state);
}

/* The file is checked at the open after an unclean stop (its
 * write-ahead log left behind) only: a clean stop removed the log, and a
 * check that reads every page would slow every start down. */
static void
test_check_unclean(void **state)
{
	char err[256], wal[128];
	long long root, psize;
	unsigned char junk[512];
	FILE *f;

	assert_int_equal(store_begin(), 0);
	for (int i = 0; i < 200; i++)
		assert_int_equal(store_done(store_stmt("INSERT INTO sms("
		    "direction, number, text, status, time, updated) VALUES "
		    "('in', '+4917000', 'x', 'processed', ?1, ?1)", "d", i)), 0);
	assert_int_equal(store_commit(), 0);
	root = pragma("SELECT rootpage FROM sqlite_schema WHERE name = "
	    "'sms_time'");
	psize = pragma("PRAGMA page_size");
	assert_true(root > 1 && psize == (long long)sizeof junk);
	store_close();
	snprintf(wal, sizeof wal, "%s-wal", path);
	assert_int_equal(access(wal, F_OK), -1);	/* a clean stop */
	/* the index's root page turned to garbage */
	memset(junk, 0x5a, sizeof junk);
	junk[0] = 0x0a;		/* an index leaf */
	assert_non_null(f = fopen(path, "r+b"));
	assert_int_equal(fseek(f, (root - 1) * psize, SEEK_SET), 0);
	assert_int_equal(fwrite(junk, 1, sizeof junk, f), sizeof junk);
	assert_int_equal(fclose(f), 0);
	/* after a clean stop: not checked */
	assert_int_equal(store_open(path, err, sizeof err), 0);
	store_close();
	/* after a kill (the log still there): checked, refused */
	assert_non_null(f = fopen(wal, "wb"));
	assert_int_equal(fclose(f), 0);
	assert_int_equal(store_open(path, err, sizeof err), -1);
	assert_non_null(strstr(err, "integrity check failed"));
	/* and at every start after it, until the file is mended */
	assert_int_equal(access(wal, F_OK), 0);
	assert_int_equal(store_open(path, err, sizeof err), -1);
	assert_non_null(strstr(err, "integrity check failed"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_page_size, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_replayable, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_cached, setup, teardown),
		cmocka_unit_test_setup_teardown(test_indexes, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_check_unclean, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_fp_migration, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
