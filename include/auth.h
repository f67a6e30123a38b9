/*
 * auth.h: who may do what.  Roles, command groups (the miupanel-style
 * `remote_lock` bit mask) and the channels a command can arrive on, plus
 * the control socket's peer check.  Password hashing, the phonebook and
 * lockout live here too as they are added.
 */
#ifndef CG_AUTH_H
#define CG_AUTH_H

#include <sys/time.h>
#include <sys/types.h>
#include <stdint.h>

enum auth_role {
	ROLE_NONE,
	ROLE_USER,
	ROLE_ADMIN,
	ROLE_SUPERADMIN,
	ROLE_MAX
};

/* Command groups (cellgate-sms(7)): remote_lock is a sum of these. */
#define GROUP_HW	1	/* hardware and local I/O */
#define GROUP_NET	2	/* network and bridge */
#define GROUP_SECURITY	4	/* passwords, phonebook, locks */
#define GROUP_SYSTEM	8	/* restart, reset, firmware facts */
#define GROUP_ALL	15

enum auth_channel {
	CHAN_LOCAL,		/* control socket (cellgatectl) */
	CHAN_SMS,
	CHAN_SERIAL,		/* data port command mode / UATEN */
	CHAN_NET,		/* bridge socket NATEN */
	CHAN_MQTT,
	CHAN_MAX
};

const char *auth_role_name(enum auth_role);
int auth_role_parse(const char *, enum auth_role *);
const char *auth_channel_name(enum auth_channel);
/* SMS, network and MQTT are remote; the control socket and the data
 * port (physical access) are local. */
int auth_channel_is_remote(enum auth_channel);

/* Is a local peer with these credentials allowed on the control socket?
 * Root, the daemon's own user, and members of `group` (by primary or
 * supplementary group) are; returns the role granted or ROLE_NONE. */
enum auth_role auth_peer_role(uid_t uid, gid_t gid, const char *group);

/*
 * Passwords (auth_password.c): a superadmin and an admin password, stored
 * as yescrypt hashes in the database, checked in constant time.  Until one
 * is set, password authentication is off (no factory password works)
 * unless the config file's allow_default_password restores the USR
 * factory password "usr.cn" for bench tests.
 */
struct conf;
int auth_password_init(const struct conf *, char *err, size_t errlen);
/* The role a password grants: ROLE_SUPERADMIN, ROLE_ADMIN or ROLE_NONE. */
enum auth_role auth_password_role(const char *password);
int auth_password_set(enum auth_role, const char *password, char *err,
    size_t errlen);
int auth_password_is_set(enum auth_role);
/* Copy text to out with every password this process has seen (set, or
 * accepted by a check) replaced by "***", wherever it stands: a fast
 * in-memory verifier, no slow hash per word (auth_password.c). */
struct buf;
void auth_password_mask(struct buf *out, const char *text, size_t len);
/* Has this process seen a password to mask? */
int auth_password_seen(void);

/*
 * The one authorisation gate (auth_gate.c): every channel that takes a
 * password calls auth_gate() with where the request came from and the
 * password it carried (NULL: none), and acts on the result: only
 * AUTH_OK grants *role; AUTH_NO_PASSWORD leaves the channel's own
 * password-less rights (a phonebook entry); anything else gets no reply
 * and runs nothing.  Lockout is per channel, source and class (wrong
 * password / stranger without one); password checks are paced, and past
 * a global cap of wrong passwords (auth.failure_cap a minute) rationed
 * across all sources: AUTH_RATIONED means "not judged yet, ask again in
 * auth_gate_next_turn_ms()"; a store error refuses.
 */
enum auth_result {
	AUTH_OK,
	AUTH_NO_PASSWORD,	/* none given, source not locked out */
	AUTH_WRONG,
	AUTH_LOCKED,
	AUTH_RATIONED,		/* no turn for a check now: try again */
	AUTH_STORE_ERROR,
	AUTH_RESULT_MAX
};
const char *auth_gate_result_name(enum auth_result);
enum auth_result auth_gate(enum auth_channel, const char *source,
    const char *password, enum auth_role *role);
/* Milliseconds until a password check has its next turn (0: now); the
 * same as a timer's timeout (at least 10 ms). */
uint64_t auth_gate_next_turn_ms(void);
void auth_gate_turn_timeval(struct timeval *);
/* A request from a source with no right at all (a stranger without a
 * password): counted for that source's lockout in its own class, never
 * toward the global cap.  -1 when the store failed. */
int auth_gate_stranger(enum auth_channel, const char *source);
/* Forget the failure rate (tests). */
void auth_gate_reset(void);

/* The lockout store (auth_lockout.c), by key.  auth_lockout_until(): the
 * end of a running lockout, 0 if none, -1 on a store error;
 * auth_lockout_failure(): 1 when this failure locks the key out, 0 if
 * not (count set), -1 on a store error (it also expires every key's old
 * failures and ended lockouts); auth_lockout_success(): 0 or -1. */
#define AUTH_FAILURES_MAX	10000	/* failure rows kept, the newest */
long long auth_lockout_until(const char *key);
int auth_lockout_failure(const char *key, long long *count);
int auth_lockout_success(const char *key);

#endif
