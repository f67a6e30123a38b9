/*
 * auth_gate.c: the one authorisation gate.  Every channel that takes a
 * password (SMS, the data port's UATEN, a bridge socket's NATEN, MQTT)
 * asks here with (channel, source, password) and never judges a password
 * itself.  In this order: the source's lockout on this channel (store
 * errors refuse: fail closed); the global cap on failed checks per
 * minute (above it no password is hashed, so a flood cannot starve the
 * loop with yescrypt work); the password; the outcome counted for
 * lockout and written as one audit line.
 *
 * Sources that are a claim (an SMS sender number can be spoofed) are
 * counted in two classes: wrong passwords, and strangers without one.
 * A spoofer who sends password-less messages as the owner's number locks
 * only the "no password" class, so the owner's messages with the right
 * password still run.  Wrong passwords sent under the owner's number do
 * lock that number's password use for auth.lockout_time (any lockout by
 * source allows it); the global cap bounds the guessing either way.
 */
#include <stdio.h>
#include <string.h>

#include "auth.h"
#include "log.h"
#include "settings.h"
#include "util.h"

#define AUTH_CAP_WINDOW_MS	60000
#define AUTH_CAP_MAX		1000	/* the setting's upper bound */

static uint64_t auth_gate_fails[AUTH_CAP_MAX];	/* ring of failure times */
static size_t auth_gate_nfails;
static uint64_t auth_gate_capped_logged;
static const struct setting_def *auth_gate_s_time, *auth_gate_s_failures,
    *auth_gate_s_cap;

static const char *const auth_gate_result_names[AUTH_RESULT_MAX] = {
	"granted", "no password", "wrong password", "locked out",
	"failure cap reached", "store error"
};

const char *
auth_gate_result_name(enum auth_result r)
{
	return r < AUTH_RESULT_MAX ? auth_gate_result_names[r] : "?";
}

static void
auth_gate_key(char *key, size_t len, enum auth_channel chan, int with_pw,
    const char *source)
{
	snprintf(key, len, "%s:%s:%s", auth_channel_name(chan),
	    with_pw ? "pw" : "nopw", source);
}

/* Failures within the last minute, all channels together. */
static size_t
auth_gate_recent_failures(uint64_t now)
{
	size_t n = 0;

	for (size_t i = 0; i < auth_gate_nfails && i < AUTH_CAP_MAX; i++)
		if (now - auth_gate_fails[i] < AUTH_CAP_WINDOW_MS)
			n++;
	return n;
}

static void
auth_gate_note_failure(uint64_t now)
{
	auth_gate_fails[auth_gate_nfails++ % AUTH_CAP_MAX] = now;
}

/* Count a failure of `key` for lockout; the audit line says where it
 * stands.  -1 when the store failed. */
static int
auth_gate_count(const char *key, const char *esc, const char *what)
{
	long long n;
	int r = auth_lockout_failure(key, &n);

	auth_gate_note_failure(util_now_ms());
	if (r == -1) {
		log_warnx("auth: %s: %s; the failure was not recorded", esc,
		    what);
		return -1;
	}
	if (r == 1)
		log_warnx("auth: %s: %s; locked out for %lld s after %lld "
		    "failures", esc, what,
		    settings_int(SETTINGS_ONCE(auth_gate_s_time,
		    "auth.lockout_time", SETTING_INT)), n);
	else
		log_warnx("auth: %s: %s (%lld of %lld)", esc, what, n,
		    settings_int(SETTINGS_ONCE(
		    auth_gate_s_failures, "auth.lockout_failures", SETTING_INT)));
	return 0;
}

enum auth_result
auth_gate(enum auth_channel chan, const char *source, const char *password,
    enum auth_role *role)
{
	char key[160], esc[128], src[96];
	long long until;
	uint64_t now = util_now_ms();
	size_t cap = (size_t)settings_int(SETTINGS_ONCE(
	    auth_gate_s_cap, "auth.failure_cap", SETTING_INT));

	*role = ROLE_NONE;
	util_escape(src, sizeof src, source, strlen(source));
	snprintf(esc, sizeof esc, "%s %s", auth_channel_name(chan), src);
	auth_gate_key(key, sizeof key, chan, password != NULL, source);
	until = auth_lockout_until(key);
	if (until == -1) {
		log_warnx("auth: %s refused: the lockout store cannot be "
		    "read", esc);
		return AUTH_STORE_ERROR;
	}
	if (until > 0) {
		log_info("auth: %s ignored: locked out", esc);
		return AUTH_LOCKED;
	}
	if (password == NULL)
		return AUTH_NO_PASSWORD;
	if (auth_gate_recent_failures(now) >= cap) {
		if (now - auth_gate_capped_logged >= AUTH_CAP_WINDOW_MS) {
			log_warnx("auth: %zu failed password checks within a "
			    "minute: no password is checked until the rate "
			    "drops (auth.failure_cap)", cap);
			auth_gate_capped_logged = now;
		}
		log_info("auth: %s refused: failure cap reached", esc);
		return AUTH_CAPPED;
	}
	*role = auth_password_role(password);
	if (*role == ROLE_NONE) {
		if (auth_gate_count(key, esc, "wrong password") == -1)
			return AUTH_STORE_ERROR;
		return AUTH_WRONG;
	}
	if (auth_lockout_success(key) == -1) {
		*role = ROLE_NONE;
		log_warnx("auth: %s refused: the lockout store cannot be "
		    "written", esc);
		return AUTH_STORE_ERROR;
	}
	log_info("auth: %s: password accepted (%s)", esc,
	    auth_role_name(*role));
	return AUTH_OK;
}

int
auth_gate_stranger(enum auth_channel chan, const char *source)
{
	char key[160], esc[128], src[96];

	util_escape(src, sizeof src, source, strlen(source));
	snprintf(esc, sizeof esc, "%s %s", auth_channel_name(chan), src);
	auth_gate_key(key, sizeof key, chan, 0, source);
	return auth_gate_count(key, esc, "no right and no password");
}

void
auth_gate_reset(void)
{
	auth_gate_nfails = 0;
	auth_gate_capped_logged = 0;
}
