/*
 * auth_lockout.c: the lockout store behind the authorisation gate.
 * auth.lockout_failures failures of one key within auth.lockout_window
 * seconds lock that key out for auth.lockout_time seconds.  A key is
 * "channel:class:source" (auth_gate.c builds it), so each channel, each
 * source and each class of failure (a wrong password, or a stranger
 * without one) is counted apart.  Failures and lockouts are kept in the
 * store, so a restart does not lift a lockout (wall-clock time, since it
 * must survive restarts).  Rows do not outlive their use: failures go
 * when they leave the window, lockouts when they end, and the failures
 * kept are bounded (AUTH_FAILURES_MAX, the newest), so a flood of
 * spoofed sources cannot grow the table.  Every query that fails says
 * so: the gate then refuses (fails closed).
 */
#include <stdio.h>
#include <time.h>

#include "auth.h"
#include "log.h"
#include "settings.h"
#include "store.h"

/* Both queries below always give one row, so -1 means a store error. */
long long
auth_lockout_until(const char *key)
{
	return store_scalar(store_stmt("SELECT coalesce(max(until), 0) FROM "
	    "auth_lockouts WHERE number = ?1 AND until > ?2", "ti", key,
	    (long long)time(NULL)), -1);
}

static const struct setting_def *auth_lockout_s_window,
    *auth_lockout_s_failures, *auth_lockout_s_time;

int
auth_lockout_failure(const char *key, long long *count)
{
	long long now = time(NULL);
	long long window = settings_int(SETTINGS_ONCE(auth_lockout_s_window,
	    "auth.lockout_window", SETTING_INT));
	long long n, until;

	*count = 0;
	/* every key's failures expire with the window, lockouts when they
	 * end, and at most AUTH_FAILURES_MAX rows are kept (the newest) */
	if (store_done(store_stmt("DELETE FROM auth_failures WHERE at <= ?1",
	    "i", now - window)) == -1 ||
	    store_done(store_stmt("DELETE FROM auth_lockouts WHERE until <= ?1",
	    "i", now)) == -1 ||
	    store_done(store_stmt("INSERT INTO auth_failures(number, at) "
	    "VALUES (?1, ?2)", "ti", key, now)) == -1 ||
	    store_done(store_stmt("DELETE FROM auth_failures WHERE rowid <= "
	    "(SELECT max(rowid) FROM auth_failures) - ?1", "i",
	    (long long)AUTH_FAILURES_MAX)) == -1 ||
	    (n = store_scalar(store_stmt("SELECT count(*) FROM auth_failures "
	    "WHERE number = ?1 AND at > ?2", "ti", key, now - window),
	    -1)) == -1) {
		log_warnx("lockout: %s", store_errmsg());
		return -1;
	}
	*count = n;
	if (n < settings_int(SETTINGS_ONCE(auth_lockout_s_failures,
	    "auth.lockout_failures", SETTING_INT)))
		return 0;
	until = now + settings_int(SETTINGS_ONCE(auth_lockout_s_time,
	    "auth.lockout_time", SETTING_INT));
	if (store_done(store_stmt("INSERT OR REPLACE INTO auth_lockouts"
	    "(number, until) VALUES (?1, ?2)", "ti", key, until)) == -1 ||
	    store_done(store_stmt("DELETE FROM auth_failures WHERE "
	    "number = ?1", "t", key)) == -1) {
		log_warnx("lockout: %s", store_errmsg());
		return -1;
	}
	return 1;
}

int
auth_lockout_success(const char *key)
{
	if (store_done(store_stmt("DELETE FROM auth_failures WHERE number = ?1",
	    "t", key)) == -1) {
		log_warnx("lockout: %s", store_errmsg());
		return -1;
	}
	return 0;
}
