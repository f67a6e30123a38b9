/*
 * auth_password.c: the superadmin and admin passwords.  Stored as yescrypt
 * hashes (libxcrypt crypt_r) in the database; a candidate is hashed with
 * each stored setting and compared in constant time, both roles always
 * checked, so the time taken tells nothing.  With no password set,
 * password authentication is off, unless allow_default_password restores
 * the factory passwords of the seeds for bench tests: "1234" (superadmin,
 * cloud-connect), "usr.cn" and "12345" (admin: USR DTU, remote control).
 * The hashes are kept in memory too; a change made inside a store
 * transaction that is then rolled back is undone there as well.
 *
 * Redaction must find a password anywhere in a text (a stored message,
 * an event), and a yescrypt check per word would block the loop.  So the
 * passwords this process has seen (set, or accepted by a check) are also
 * remembered as a keyed hash (SipHash-2-4, siphash.c) under a key drawn
 * at start and never stored: auth_password_mask() hides every run of a
 * text that matches one, at the cost of one hash per position.  Nothing
 * of them reaches the disk; after a restart a password is found again
 * once it was used.
 */
#include <sys/random.h>

#include <crypt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "conf.h"
#include "log.h"
#include "siphash.h"
#include "store.h"
#include "util.h"

#define AUTH_PASSWORD_MIN	4
#define AUTH_PASSWORD_MAX	64
/* Passwords remembered for redaction: both roles, and the ones they had
 * before (a change rolled back, or an old one still in a message). */
#define AUTH_SEEN_MAX		4

static char auth_hash[ROLE_MAX][CRYPT_OUTPUT_SIZE];
static int auth_allow_default;

static struct {
	size_t		len;		/* 0: free */
	uint64_t	mac;
} auth_seen[AUTH_SEEN_MAX];
static unsigned char auth_seen_key[SIPHASH_KEY_LEN];
static int auth_seen_keyed;
static size_t auth_seen_next;

static const char *const auth_factory_admin[] = { "usr.cn", "12345" };
static const char auth_factory_superadmin[] = "1234";

static int
auth_consttime_eq(const char *a, const char *b, size_t n)
{
	unsigned char d = 0;

	for (size_t i = 0; i < n; i++)
		d |= (unsigned char)a[i] ^ (unsigned char)b[i];
	return d == 0;
}

/* The keyed hash of n bytes at p under this process's key. */
static uint64_t
auth_seen_mac(const void *p, size_t n)
{
	return siphash24(auth_seen_key, p, n);
}

/* Are two hashes equal?  Without a branch on where they differ. */
static int
auth_seen_eq(uint64_t a, uint64_t b)
{
	return auth_consttime_eq((const char *)&a, (const char *)&b,
	    sizeof a);
}

/* Remember a password that was set or accepted (once). */
static void
auth_seen_add(const char *pw)
{
	uint64_t mac;
	size_t n = strlen(pw);

	if (!auth_seen_keyed) {
		if (getrandom(auth_seen_key, sizeof auth_seen_key, 0) !=
		    (ssize_t)sizeof auth_seen_key)
			return;
		auth_seen_keyed = 1;
	}
	mac = auth_seen_mac(pw, n);
	for (size_t i = 0; i < AUTH_SEEN_MAX; i++)
		if (auth_seen[i].len == n &&
		    auth_seen_eq(auth_seen[i].mac, mac))
			return;
	auth_seen[auth_seen_next].len = n;
	auth_seen[auth_seen_next].mac = mac;
	auth_seen_next = (auth_seen_next + 1) % AUTH_SEEN_MAX;
}

/* The length of a remembered password that starts at p (within n), or 0. */
static size_t
auth_seen_at(const char *p, size_t n)
{
	for (size_t i = 0; i < AUTH_SEEN_MAX; i++) {
		size_t len = auth_seen[i].len;

		if (len > 0 && len <= n &&
		    auth_seen_eq(auth_seen[i].mac, auth_seen_mac(p, len)))
			return len;
	}
	return 0;
}

void
auth_password_mask(struct buf *out, const char *text, size_t len)
{
	size_t i = 0, from = 0, n;

	while (i < len) {
		if ((n = auth_seen_at(text + i, len - i)) == 0) {
			i++;
			continue;
		}
		buf_add(out, text + from, i - from);
		buf_puts(out, "***");
		i += n;
		from = i;
	}
	buf_add(out, text + from, len - from);
}

int
auth_password_seen(void)
{
	for (size_t i = 0; i < AUTH_SEEN_MAX; i++)
		if (auth_seen[i].len > 0)
			return 1;
	return 0;
}

int
auth_password_init(const struct conf *c, char *err, size_t errlen)
{
	auth_allow_default = c->allow_default_password;
	memset(auth_hash, 0, sizeof auth_hash);
	for (int r = ROLE_ADMIN; r <= ROLE_SUPERADMIN; r++)
		if (store_password_get(auth_role_name((enum auth_role)r),
		    auth_hash[r], sizeof auth_hash[r]) == -1)
			auth_hash[r][0] = '\0';
	if (!auth_password_is_set(ROLE_SUPERADMIN) &&
	    !auth_password_is_set(ROLE_ADMIN))
		log_warnx("no password is set: commands needing a password "
		    "are refused; set one with `cellgatectl passwd "
		    "superadmin`%s", auth_allow_default ?
		    " (factory passwords allowed by allow_default_password)" :
		    "");
	return 0;
}

int
auth_password_is_set(enum auth_role r)
{
	return r < ROLE_MAX && auth_hash[r][0] != '\0';
}

/* Does `pw` match the stored hash of role r?  Always does the work. */
static int
auth_match(enum auth_role r, const char *pw)
{
	struct crypt_data cd;
	const char *h;
	size_t n = strlen(auth_hash[r]);
	int ok;

	if (n == 0)
		return 0;
	memset(&cd, 0, sizeof cd);
	h = crypt_r(pw, auth_hash[r], &cd);
	ok = h != NULL && h[0] != '*' && strlen(h) == n &&
	    auth_consttime_eq(h, auth_hash[r], n);
	explicit_bzero(&cd, sizeof cd);
	return ok;
}

static int
auth_factory(const char *pw, const char *factory)
{
	size_t n = strlen(factory);

	return strlen(pw) == n && auth_consttime_eq(pw, factory, n);
}

enum auth_role
auth_password_role(const char *pw)
{
	int super, admin;

	if (pw == NULL || strlen(pw) > AUTH_PASSWORD_MAX)
		return ROLE_NONE;
	super = auth_match(ROLE_SUPERADMIN, pw);
	admin = auth_match(ROLE_ADMIN, pw);
	if (super || admin)	/* not a factory one: they are public */
		auth_seen_add(pw);
	/* factory passwords only while no password at all is set: the
	 * first one set ends them all */
	if (auth_allow_default && !auth_password_is_set(ROLE_SUPERADMIN) &&
	    !auth_password_is_set(ROLE_ADMIN)) {
		super |= auth_factory(pw, auth_factory_superadmin);
		for (size_t i = 0; i < nitems(auth_factory_admin); i++)
			admin |= auth_factory(pw, auth_factory_admin[i]);
	}
	if (super)
		return ROLE_SUPERADMIN;
	return admin ? ROLE_ADMIN : ROLE_NONE;
}

/* The hash a role had before a change inside an open transaction. */
struct auth_password_undo {
	enum auth_role	 role;
	char		 hash[CRYPT_OUTPUT_SIZE];
};

static void
auth_password_undo(void *data, int undo)
{
	struct auth_password_undo *u = data;

	if (undo) {
		util_strlcpy(auth_hash[u->role], u->hash,
		    sizeof auth_hash[u->role]);
		log_info("%s password change not saved: the previous one "
		    "stays", auth_role_name(u->role));
	}
	explicit_bzero(u, sizeof *u);
	free(u);
}

int
auth_password_set(enum auth_role r, const char *pw, char *err, size_t errlen)
{
	struct crypt_data cd;
	char salt[CRYPT_GENSALT_OUTPUT_SIZE];
	const char *h;
	size_t n = strlen(pw);

	if (r != ROLE_ADMIN && r != ROLE_SUPERADMIN) {
		snprintf(err, errlen, "only superadmin and admin have "
		    "passwords");
		return -1;
	}
	if (n < AUTH_PASSWORD_MIN || n > AUTH_PASSWORD_MAX) {
		snprintf(err, errlen, "a password has %d to %d characters",
		    AUTH_PASSWORD_MIN, AUTH_PASSWORD_MAX);
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		/* separators of the SMS and AT forms can't be in a password */
		if ((unsigned char)pw[i] < 0x21 || pw[i] == 0x7f ||
		    strchr("#;,\"", pw[i]) != NULL) {
			snprintf(err, errlen, "a password may not contain "
			    "spaces, control characters or any of # ; , \"");
			return -1;
		}
	}
	if (crypt_gensalt_rn("$y$", 0, NULL, 0, salt, sizeof salt) == NULL) {
		snprintf(err, errlen, "cannot make a salt");
		return -1;
	}
	memset(&cd, 0, sizeof cd);
	h = crypt_r(pw, salt, &cd);
	if (h == NULL || h[0] == '*') {
		explicit_bzero(&cd, sizeof cd);
		snprintf(err, errlen, "cannot hash the password");
		return -1;
	}
	if (store_password_put(auth_role_name(r), h) == -1) {
		explicit_bzero(&cd, sizeof cd);
		snprintf(err, errlen, "password not saved: %s", store_errmsg());
		return -1;
	}
	if (store_txn_level() > 0) {
		struct auth_password_undo *u = malloc(sizeof *u);

		if (u == NULL)
			fatal("malloc");
		u->role = r;
		util_strlcpy(u->hash, auth_hash[r], sizeof u->hash);
		if (store_undo_push(auth_password_undo, u) != 0)
			auth_password_undo(u, 0);
	}
	util_strlcpy(auth_hash[r], h, sizeof auth_hash[r]);
	explicit_bzero(&cd, sizeof cd);
	auth_seen_add(pw);
	log_info("%s password changed", auth_role_name(r));
	return 0;
}
