/*
 * phonebook.h: the numbered phonebook (positions 1..auth.phonebook_size,
 * default 8 as in the remote-control seed).  Each entry: number (E.164),
 * name, role, whether a password is still required, what an incoming call
 * from it does, and alarm flags.  Numbers are normalised to E.164 with the
 * configured country code, so "0171 123", "0049171123" and "+49171123"
 * are one caller.  A sender number is a filter, never proof.
 */
#ifndef CG_PHONEBOOK_H
#define CG_PHONEBOOK_H

#include <stddef.h>

#include "auth.h"

#define PHONEBOOK_NUMBER_MAX	20	/* '+' and up to 19 digits (seed) */
#define PHONEBOOK_NAME_MAX	32

enum phonebook_call {
	CALL_IGNORE,		/* let it ring */
	CALL_HANGUP,
	CALL_HANGUP_REPLY,	/* hang up and send the status SMS */
	CALL_TEMPERATURE,	/* hang up and send the TEMP message (io) */
	CALL_ACTION_MAX
};

struct phonebook_entry {
	int			pos;
	char			number[PHONEBOOK_NUMBER_MAX + 1];
	char			name[PHONEBOOK_NAME_MAX + 1];
	enum auth_role		role;
	int			require_password;
	enum phonebook_call	call;
	int			alarm_sms;
	int			alarm_call;
};

/* E.164: "+" and digits.  Accepts +CC..., 00CC..., and national numbers
 * with a trunk 0 when country_code is set; spaces, dashes, dots and
 * parentheses are dropped.  -1 for anything else (e.g. alphanumeric
 * senders), which never matches an entry. */
/* The setting auth.country_code ("" or digits), for phonebook_normalise. */
const char *phonebook_country_code(void);
int phonebook_normalise(const char *in, const char *country_code, char *out,
    size_t outlen);

const char *phonebook_call_name(enum phonebook_call);
int phonebook_call_parse(const char *, enum phonebook_call *);

/* 0 and *e filled, or -1 when there is no such entry. */
int phonebook_get(int pos, struct phonebook_entry *e);
int phonebook_find(const char *number_e164, struct phonebook_entry *e);
/* Store (insert or replace) an entry; its number must be normalised. */
int phonebook_put(const struct phonebook_entry *e, char *err, size_t errlen);
int phonebook_del(int pos, char *err, size_t errlen);
int phonebook_clear(char *err, size_t errlen);
int phonebook_foreach(int (*cb)(const struct phonebook_entry *, void *),
    void *arg);
int phonebook_size(void);

/* The registry rows (NUM) live in cmd_phonebook.c. */

#endif
