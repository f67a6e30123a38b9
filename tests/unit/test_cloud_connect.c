/*
 * test_cloud_connect.c: CONNECT# by SMS when the data link cannot come
 * up.  A fake uplink provider publishes the states the datalink module
 * would (connecting, then failed with its reason); the cloud module must
 * answer the waiting sender by SMS with exactly "Missing APN" or
 * "Network connection error", and nothing while the uplink is still
 * connecting.  The answer is read back from the outbox in the store.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <event2/event.h>
#include <sqlite3.h>

#include "cloud.h"
#include "cloud_fixture.h"
#include "cmd.h"
#include "settings.h"
#include "store.h"
#include "uplink.h"

static void
uplink(enum uplink_state st, const char *reason)
{
	struct uplink_info u;

	memset(&u, 0, sizeof u);
	u.state = st;
	snprintf(u.mode, sizeof u.mode, "modem");
	snprintf(u.reason, sizeof u.reason, "%s", reason);
	uplink_publish(&u);
	event_base_loop(base, EVLOOP_NONBLOCK);
}

/* The outbox's texts to `number`, joined by '|'. */
static void
outbox(const char *number, char *out, size_t len)
{
	sqlite3_stmt *st;

	out[0] = '\0';
	assert_int_equal(sqlite3_prepare_v2(store_db(), "SELECT text FROM sms "
	    "WHERE direction = 'out' AND number = ?1 ORDER BY id", -1, &st,
	    NULL), SQLITE_OK);
	sqlite3_bind_text(st, 1, number, -1, SQLITE_STATIC);
	while (sqlite3_step(st) == SQLITE_ROW) {
		if (out[0] != '\0')
			strncat(out, "|", len - strlen(out) - 1);
		strncat(out, (const char *)sqlite3_column_text(st, 0),
		    len - strlen(out) - 1);
	}
	sqlite3_finalize(st);
}

static void
connect_by_sms(const char *number)
{
	struct cmd_ctx ctx = { CHAN_SMS, ROLE_ADMIN, number };
	struct cmd_reply r;

	cmd_reply_init(&r);
	assert_int_equal(cmd_run("AT+CONNECT", 10, &ctx, &r), 0);
	assert_int_equal(r.deferred, 1);	/* the answer comes later */
	cmd_reply_free(&r);
	event_base_loop(base, EVLOOP_NONBLOCK);
}

static void
test_missing_apn(void **state)
{
	char out[512];

	uplink(UPLINK_CONNECTING, "");
	connect_by_sms("+491701111111");
	uplink(UPLINK_CONNECTING, "dialling");
	outbox("+491701111111", out, sizeof out);
	assert_string_equal(out, "");	/* still waiting */
	uplink(UPLINK_FAILED, "Missing APN");
	outbox("+491701111111", out, sizeof out);
	assert_string_equal(out, "Missing APN");
	/* answered once: a later failure says nothing more */
	uplink(UPLINK_DOWN, "");
	uplink(UPLINK_FAILED, "Network connection error");
	outbox("+491701111111", out, sizeof out);
	assert_string_equal(out, "Missing APN");
}

static void
test_network_error(void **state)
{
	char out[512];

	uplink(UPLINK_CONNECTING, "");
	connect_by_sms("+491702222222");
	connect_by_sms("+491703333333");
	uplink(UPLINK_FAILED, "pppd exited with status 16");
	outbox("+491702222222", out, sizeof out);
	assert_string_equal(out, "Network connection error");
	outbox("+491703333333", out, sizeof out);
	assert_string_equal(out, "Network connection error");
	/* already failed when CONNECT# arrives: answered at once */
	connect_by_sms("+491704444444");
	outbox("+491704444444", out, sizeof out);
	assert_string_equal(out, "Network connection error");
}

static void
test_not_by_sms(void **state)
{
	struct cmd_ctx ctx = { CHAN_LOCAL, ROLE_SUPERADMIN, "uid 0" };
	struct cmd_reply r;

	cmd_reply_init(&r);
	assert_int_equal(cmd_run("AT+CONNECT", 10, &ctx, &r), 0);
	assert_int_equal(r.deferred, 0);	/* answered now */
	assert_non_null(strstr(r.lines.data, "connecting to 127.0.0.1:1"));
	cmd_reply_free(&r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_missing_apn,
		    cloud_fixture_setup, cloud_fixture_teardown),
		cmocka_unit_test_setup_teardown(test_network_error,
		    cloud_fixture_setup, cloud_fixture_teardown),
		cmocka_unit_test_setup_teardown(test_not_by_sms,
		    cloud_fixture_setup, cloud_fixture_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
