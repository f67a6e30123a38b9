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

#include "auth.h"
#include "log.h"
#include "settings.h"
#include "store.h"

long long
auth_lockout_until(const char *number)
{
	return store_scalar(store_stmt("SELECT until FROM auth_lockouts "
	    "WHERE number = ?1 AND until > ?2", "ti", number,
	    (long long)time(NULL)), 0);
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

	if (store_done(store_stmt("INSERT INTO auth_failures(number, at) "
	    "VALUES (?1, ?2)", "ti", number, now)) == -1)
		log_warnx("lockout: cannot record a failure: %s",
		    store_errmsg());
	store_done(store_stmt("DELETE FROM auth_failures WHERE number = ?1 "
	    "AND at <= ?2", "ti", number, now - window));
	n = store_scalar(store_stmt("SELECT count(*) FROM auth_failures WHERE "
	    "number = ?1 AND at > ?2", "ti", number, now - window), 0);
	if (n >= settings_int(SETTINGS_ONCE(auth_lockout_s_failures,
	    "auth.lockout_failures", SETTING_INT))) {
		long long until = now + settings_int(SETTINGS_ONCE(
		    auth_lockout_s_time, "auth.lockout_time", SETTING_INT));

		store_done(store_stmt("INSERT OR REPLACE INTO auth_lockouts"
		    "(number, until) VALUES (?1, ?2)", "ti", number, until));
		store_done(store_stmt("DELETE FROM auth_failures WHERE "
		    "number = ?1", "t", number));
		log_warnx("lockout: %s locked out for %lld s after %lld wrong "
		    "passwords", number, until - now, n);
	}
}

void
auth_lockout_success(const char *number)
{
	store_done(store_stmt("DELETE FROM auth_failures WHERE number = ?1",
	    "t", number));
}
