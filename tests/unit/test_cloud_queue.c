/*
 * test_cloud_queue.c: the uplink queue's memory follows the store.  An
 * event goes into cloud_events inside whatever transaction raised it (an
 * SMS being processed, a setting being changed); when that transaction is
 * rolled back, or its commit fails, the row is gone, and the queue's count
 * and its dropped event must say so too (cloud_status's "queued" and
 * "dropped" equal the table).  The broker is never reached here.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <event2/event.h>
#include <json-c/json.h>
#include <sqlite3.h>

#include "cloud.h"
#include "cloud_fixture.h"
#include "events.h"
#include "settings.h"
#include "store.h"

static long long
scalar(const char *sql)
{
	sqlite3_stmt *st;
	long long v = -1;

	assert_int_equal(sqlite3_prepare_v2(store_db(), sql, -1, &st, NULL),
	    SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

static long long
status_field(const char *key)
{
	struct json_object *o = cloud_status(), *v;
	long long n;

	assert_non_null(o);
	assert_true(json_object_object_get_ex(o, key, &v));
	n = json_object_get_int64(v);
	json_object_put(o);
	return n;
}

/* The queue's count is the table's. */
static void
assert_count(long long want)
{
	assert_int_equal(scalar("SELECT count(*) FROM cloud_events"), want);
	assert_int_equal(status_field("queued"), want);
}

static void
io_event(int value)
{
	struct json_object *f = json_object_new_object();

	json_object_object_add(f, "name", json_object_new_string("in1"));
	json_object_object_add(f, "value", json_object_new_int(value));
	events_publish("io", f);
}

static void
test_outer_rollback(void **state)
{
	io_event(1);
	assert_count(1);
	assert_int_equal(store_begin(), 0);
	io_event(0);
	io_event(1);
	assert_int_equal(status_field("queued"), 3);
	store_rollback();
	assert_count(1);
	/* committed with the transaction around it: kept */
	assert_int_equal(store_begin(), 0);
	io_event(0);
	assert_int_equal(store_commit(), 0);
	assert_count(2);
}

static void
test_failed_commit(void **state)
{
	/* only COMMIT refuses: a deferred foreign key broken by the insert */
	assert_int_equal(sqlite3_exec(store_db(),
	    "CREATE TABLE t_parent(id INTEGER PRIMARY KEY);"
	    "CREATE TABLE t_child(p INTEGER REFERENCES t_parent(id) "
	    "  DEFERRABLE INITIALLY DEFERRED);"
	    "CREATE TRIGGER t_fail AFTER INSERT ON cloud_events "
	    "  BEGIN INSERT INTO t_child VALUES (1); END;",
	    NULL, NULL, NULL), SQLITE_OK);
	io_event(1);		/* its own transaction */
	assert_count(0);
	assert_int_equal(store_begin(), 0);
	io_event(0);		/* a savepoint in the caller's */
	assert_int_equal(store_commit(), -1);
	assert_count(0);
	assert_int_equal(sqlite3_exec(store_db(), "DROP TRIGGER t_fail",
	    NULL, NULL, NULL), SQLITE_OK);
	io_event(1);
	assert_count(1);
}

static void
test_dropped_rolled_back(void **state)
{
	cloud_fixture_set("cloud.queue_max", "10");	/* the least it takes */
	for (int i = 0; i < 10; i++)
		io_event(i % 2);
	assert_count(10);
	assert_int_equal(status_field("dropped"), 0);
	assert_int_equal(store_begin(), 0);
	io_event(0);		/* over the cap: the oldest go, one dropped */
	io_event(1);
	assert_int_equal(status_field("dropped"), 3);
	store_rollback();
	assert_count(10);
	assert_int_equal(status_field("dropped"), 0);
	assert_int_equal(scalar("SELECT count(*) FROM cloud_events WHERE "
	    "kind = 'dropped'"), 0);
	/* the next overflow starts its own dropped event, from zero */
	io_event(0);
	assert_count(10);
	assert_int_equal(status_field("dropped"), 2);
	assert_int_equal(scalar("SELECT count(*) FROM cloud_events WHERE "
	    "kind = 'dropped'"), 1);
	io_event(1);		/* updates it in place */
	assert_count(10);
	assert_int_equal(status_field("dropped"), 3);
	assert_int_equal(scalar("SELECT count(*) FROM cloud_events WHERE "
	    "kind = 'dropped'"), 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_outer_rollback,
		    cloud_fixture_setup, cloud_fixture_teardown),
		cmocka_unit_test_setup_teardown(test_failed_commit,
		    cloud_fixture_setup, cloud_fixture_teardown),
		cmocka_unit_test_setup_teardown(test_dropped_rolled_back,
		    cloud_fixture_setup, cloud_fixture_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
