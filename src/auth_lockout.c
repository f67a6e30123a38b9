/*
 * auth_lockout.c: the lockout store behind the authorisation gate.
 * auth.lockout_failures failures of one key within auth.lockout_window
 * seconds lock that key out for auth.lockout_time seconds.  A key is
 * "channel:class:source" (auth_gate.c builds it), so each channel, each
 * source and each class of failure (a wrong password, or a stranger
 * without one) is counted apart.  Failures and lockouts are kept in the
 * store, so a restart does not lift a lockout (wall-clock time, since it
 * must survive restarts).  Every query that fails says so: the gate then
 * refuses (fails closed).
 */
#include <stdio.h>
#include <time.h>

#include <sqlite3.h>

#include "auth.h"
#include "log.h"
#include "settings.h"
#include "store.h"

/* One statement with the key as ?1 and a number as ?2 (when the SQL
 * names it).  A row's first column goes to *out when out is not NULL.
 * 0, or -1 when the store failed. */
static int
auth_lockout_sql(const char *sql, const char *key, long long a,
    long long *out)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(store_db(), sql, -1, &st, NULL) != SQLITE_OK) {
		log_warnx("lockout: %s", sqlite3_errmsg(store_db()));
		return -1;
	}
	sqlite3_bind_text(st, 1, key, -1, SQLITE_TRANSIENT);
	if (sqlite3_bind_parameter_count(st) >= 2)
		sqlite3_bind_int64(st, 2, a);
	rc = sqlite3_step(st);
	if (out != NULL)
		*out = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		log_warnx("lockout: %s", sqlite3_errmsg(store_db()));
		return -1;
	}
	return 0;
}

long long
auth_lockout_until(const char *key)
{
	long long until;

	if (auth_lockout_sql("SELECT until FROM auth_lockouts WHERE "
	    "number = ?1 AND until > ?2", key, (long long)time(NULL),
	    &until) == -1)
		return -1;
	return until;
}

int
auth_lockout_failure(const char *key, long long *count)
{
	long long now = time(NULL);
	long long window = settings_get_int("auth.lockout_window");
	long long n, until;

	*count = 0;
	if (auth_lockout_sql("INSERT INTO auth_failures(number, at) "
	    "VALUES (?1, ?2)", key, now, NULL) == -1 ||
	    auth_lockout_sql("DELETE FROM auth_failures WHERE number = ?1 "
	    "AND at <= ?2", key, now - window, NULL) == -1 ||
	    auth_lockout_sql("SELECT count(*) FROM auth_failures WHERE "
	    "number = ?1 AND at > ?2", key, now - window, &n) == -1)
		return -1;
	*count = n;
	if (n < settings_get_int("auth.lockout_failures"))
		return 0;
	until = now + settings_get_int("auth.lockout_time");
	if (auth_lockout_sql("INSERT OR REPLACE INTO auth_lockouts"
	    "(number, until) VALUES (?1, ?2)", key, until, NULL) == -1 ||
	    auth_lockout_sql("DELETE FROM auth_failures WHERE number = ?1",
	    key, 0, NULL) == -1)
		return -1;
	return 1;
}

int
auth_lockout_success(const char *key)
{
	return auth_lockout_sql("DELETE FROM auth_failures WHERE number = ?1",
	    key, 0, NULL);
}
