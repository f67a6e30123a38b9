/*
 * auth_lockout.c: lockout of numbers after repeated wrong passwords.
 * auth.lockout_failures wrong passwords from one number within
 * auth.lockout_window seconds lock that number out for auth.lockout_time
 * seconds: its messages are then ignored, even with the right password.
 * Failures and lockouts are kept in the store, so a restart does not lift
 * a lockout.  Wall-clock time, since it must survive restarts.
 */
#include <stdio.h>
#include <time.h>

#include <sqlite3.h>

#include "auth.h"
#include "log.h"
#include "settings.h"
#include "store.h"

static long long
auth_lockout_scalar(const char *sql, const char *number, long long a)
{
	sqlite3_stmt *st;
	long long v = 0;

	if (sqlite3_prepare_v2(store_db(), sql, -1, &st, NULL) != SQLITE_OK)
		return 0;
	sqlite3_bind_text(st, 1, number, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 2, a);
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

static int
auth_lockout_exec(const char *sql, const char *number, long long a)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(store_db(), sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(st, 1, number, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 2, a);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

long long
auth_lockout_until(const char *number)
{
	long long until = auth_lockout_scalar("SELECT until FROM auth_lockouts "
	    "WHERE number = ?1 AND until > ?2", number, (long long)time(NULL));

	return until;
}

static const struct setting_def *auth_lockout_s_window,
    *auth_lockout_s_failures, *auth_lockout_s_time;

void
auth_lockout_failure(const char *number)
{
	long long now = time(NULL);
	long long window = settings_int(SETTINGS_ONCE(auth_lockout_s_window,
	    "auth.lockout_window", SETTING_INT));
	long long n;

	if (auth_lockout_exec("INSERT INTO auth_failures(number, at) "
	    "VALUES (?1, ?2)", number, now) == -1)
		log_warnx("lockout: cannot record a failure: %s",
		    sqlite3_errmsg(store_db()));
	auth_lockout_exec("DELETE FROM auth_failures WHERE number = ?1 AND "
	    "at <= ?2", number, now - window);
	n = auth_lockout_scalar("SELECT count(*) FROM auth_failures WHERE "
	    "number = ?1 AND at > ?2", number, now - window);
	if (n >= settings_int(SETTINGS_ONCE(auth_lockout_s_failures,
	    "auth.lockout_failures", SETTING_INT))) {
		long long until = now + settings_int(SETTINGS_ONCE(
		    auth_lockout_s_time, "auth.lockout_time", SETTING_INT));

		auth_lockout_exec("INSERT OR REPLACE INTO auth_lockouts"
		    "(number, until) VALUES (?1, ?2)", number, until);
		auth_lockout_exec("DELETE FROM auth_failures WHERE "
		    "number = ?1 AND ?2 = ?2", number, 0);
		log_warnx("lockout: %s locked out for %lld s after %lld wrong "
		    "passwords", number, until - now, n);
	}
}

void
auth_lockout_success(const char *number)
{
	auth_lockout_exec("DELETE FROM auth_failures WHERE number = ?1 AND "
	    "?2 = ?2", number, 0);
}
