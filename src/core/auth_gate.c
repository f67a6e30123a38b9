/*
 * auth_gate.c: the one authorisation gate.  Every channel that takes a
 * password (SMS, the data port's UATEN, a bridge socket's NATEN, MQTT)
 * asks here with (channel, source, password) and never judges a password
 * itself.  In this order: the source's lockout on this channel (store
 * errors refuse: fail closed); the turn of a password check; the
 * password; the outcome counted for lockout and written as one audit
 * line.
 *
 * Turns.  A password check hashes with yescrypt (slow on purpose), so the
 * checks are paced: a burst of AUTH_PACE_BURST, then one per AUTH_PACE_MS
 * or three times as long as the last check took, so a flood cannot keep
 * the loop hashing more than a quarter of the time.  Only wrong
 * passwords count toward the global cap (auth.failure_cap per minute);
 * past it the checks are rationed, AUTH_RATION_PER_MIN a minute across
 * all sources, until a minute passes without a wrong one.  A check
 * without a turn is AUTH_RATIONED: nothing was judged or counted, and
 * the channel tries again at auth_gate_next_turn_ms() (SMS leaves the
 * message unprocessed), so the right password still runs in its turn.
 *
 * Sources that are a claim (an SMS sender number can be spoofed) are
 * counted in two classes: wrong passwords, and strangers without one.
 * A spoofer who sends password-less messages as the owner's number locks
 * only the "no password" class, so the owner's messages with the right
 * password still run.  Wrong passwords sent under the owner's number do
 * lock that number's password use for auth.lockout_time (any lockout by
 * source allows it); the global cap bounds the guessing either way.  A
 * stranger without a password never counts toward the global cap.
 */
#include <stdio.h>
#include <string.h>

#include "auth.h"
#include "log.h"
#include "settings.h"
#include "util.h"

#define AUTH_CAP_WINDOW_MS	60000
#define AUTH_CAP_MAX		1000	/* the setting's upper bound */
#define AUTH_PACE_MS		250	/* between checks, after a burst */
#define AUTH_PACE_BURST		4
#define AUTH_RATION_PER_MIN	6	/* past the cap, all sources */

static uint64_t auth_gate_fails[AUTH_CAP_MAX];	/* ring of failure times */
static size_t auth_gate_nfails;
static uint64_t auth_gate_capped_logged;
/* the next free turns (GCRA: the theoretical time of the next check) */
static uint64_t auth_gate_pace_tat, auth_gate_ration_tat;
static uint64_t auth_gate_ration_until;	/* rationed at least until then */
static uint64_t auth_gate_check_ms;	/* how long the last check took */
static const struct setting_def *auth_gate_s_time, *auth_gate_s_failures,
    *auth_gate_s_cap;

static const char *const auth_gate_result_names[AUTH_RESULT_MAX] = {
	"granted", "no password", "wrong password", "locked out",
	"no turn for a password check yet", "store error"
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
 * stands.  A wrong password also counts toward the global cap.  -1 when
 * the store failed. */
static int
auth_gate_count(const char *key, const char *esc, const char *what,
    int wrong_password)
{
	long long n;
	int r = auth_lockout_failure(key, &n);

	if (wrong_password)
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

static int
auth_gate_rationed(uint64_t now)
{
	size_t cap = (size_t)settings_int(SETTINGS_ONCE(
	    auth_gate_s_cap, "auth.failure_cap", SETTING_INT));

	return now < auth_gate_ration_until ||
	    auth_gate_recent_failures(now) >= cap;
}

/* GCRA: the earliest time a check may run under one limit. */
static uint64_t
auth_gate_gcra_next(uint64_t tat, uint64_t interval, uint64_t burst)
{
	uint64_t slack = (burst - 1) * interval;

	return tat > slack ? tat - slack : 0;
}

static uint64_t
auth_gate_pace_ms(void)
{
	return 3 * auth_gate_check_ms > AUTH_PACE_MS ? 3 * auth_gate_check_ms :
	    AUTH_PACE_MS;
}

uint64_t
auth_gate_next_turn_ms(void)
{
	uint64_t now = util_now_ms(), at;

	at = auth_gate_gcra_next(auth_gate_pace_tat, auth_gate_pace_ms(),
	    AUTH_PACE_BURST);
	if (auth_gate_rationed(now)) {
		uint64_t r = auth_gate_gcra_next(auth_gate_ration_tat,
		    AUTH_CAP_WINDOW_MS / AUTH_RATION_PER_MIN, 1);

		at = r > at ? r : at;
	}
	return at > now ? at - now : 0;
}

void
auth_gate_turn_timeval(struct timeval *tv)
{
	uint64_t ms = auth_gate_next_turn_ms();

	ms = ms < 10 ? 10 : ms;
	tv->tv_sec = (time_t)(ms / 1000);
	tv->tv_usec = (suseconds_t)(ms % 1000) * 1000;
}

/* Take a turn for one password check, or 0: none free now. */
static int
auth_gate_take_turn(uint64_t now, const char *esc)
{
	int rationed = auth_gate_rationed(now);

	if (auth_gate_next_turn_ms() > 0) {
		log_info("auth: %s: %s", esc, rationed ? "rationed: the check "
		    "waits its turn" : "paced: the check waits its turn");
		return 0;
	}
	auth_gate_pace_tat = (auth_gate_pace_tat > now ? auth_gate_pace_tat :
	    now) + auth_gate_pace_ms();
	if (rationed)
		auth_gate_ration_tat = now + AUTH_CAP_WINDOW_MS /
		    AUTH_RATION_PER_MIN;
	return 1;
}

enum auth_result
auth_gate(enum auth_channel chan, const char *source, const char *password,
    enum auth_role *role)
{
	char key[160], esc[128], src[96];
	long long until;
	uint64_t now = util_now_ms();
	int rationed;

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
	rationed = auth_gate_rationed(now);
	if (!auth_gate_take_turn(now, esc))
		return AUTH_RATIONED;
	*role = auth_password_role(password);
	auth_gate_check_ms = util_now_ms() - now;
	if (*role == ROLE_NONE) {
		if (rationed)	/* still guessing: the ration goes on */
			auth_gate_ration_until = util_now_ms() +
			    AUTH_CAP_WINDOW_MS;
		if (auth_gate_count(key, esc, "wrong password", 1) == -1)
			return AUTH_STORE_ERROR;
		if (!rationed && auth_gate_rationed(util_now_ms()) &&
		    now - auth_gate_capped_logged >= AUTH_CAP_WINDOW_MS) {
			log_warnx("auth: auth.failure_cap wrong passwords within "
			    "a minute: password checks are rationed to %d a "
			    "minute until a minute passes without one",
			    AUTH_RATION_PER_MIN);
			auth_gate_capped_logged = now;
		}
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
	return auth_gate_count(key, esc, "no right and no password", 0);
}

void
auth_gate_reset(void)
{
	auth_gate_nfails = 0;
	auth_gate_capped_logged = 0;
	auth_gate_pace_tat = auth_gate_ration_tat = 0;
	auth_gate_ration_until = 0;
	auth_gate_check_ms = 0;
}
