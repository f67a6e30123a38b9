/*
 * smscmd.h: the SMS command language (cellgate-sms(7)).  smscmd_parse()
 * recognises the three forms by shape and turns a message into command
 * invocations of the command registry, with the password (if any) kept
 * apart; smscmd_handle() authorises and runs them and builds the one reply
 * (or decides on silence).
 *
 *   AT form     PASSWORD#AT+CMD[?|=?|=args][;+CMD...]   (USR DTU)
 *   verb form   VERB[,ARG...][,PWD=PASSWORD]#       (cloud-connect)
 *   short form  CMD[;PASSWORD][,CMD[;PASSWORD]...][,RISP[;PASSWORD]]
 *               (remote control; PWDnew sets the password `new`)
 */
#ifndef CG_SMSCMD_H
#define CG_SMSCMD_H

#include <stddef.h>

#include "atform.h"
#include "auth.h"
#include "util.h"

#define SMSCMD_MAX_LEN		1600	/* ten concatenated parts */
#define SMSCMD_MAX_CMDS		16
#define SMSCMD_PASSWORD_MAX	64
#define SMSCMD_REPLY_MAX	1500	/* bytes: ten GSM 7-bit parts */
/* A longer reply (AT+H) goes as up to this many messages, split between
 * lines, each within SMSCMD_REPLY_MAX; beyond, it is cut. */
#define SMSCMD_REPLY_MSGS	3
#define SMSCMD_CUT_MARK		"[...]"

enum smscmd_form {
	SMSCMD_FORM_AT,
	SMSCMD_FORM_VERB,
	SMSCMD_FORM_SHORT,
	SMSCMD_FORM_MAX
};

struct smscmd_msg {
	enum smscmd_form	 form;
	int			 has_password;
	char			 password[SMSCMD_PASSWORD_MAX + 1];
	int			 risp;		/* replies suppressed */
	int			 ncmds;
	struct atform		 cmds[SMSCMD_MAX_CMDS];
};

/* Pure: text in, invocations out, or -1 with a reason. */
int smscmd_parse(const char *text, size_t len, struct smscmd_msg *,
    const char **err);
const char *smscmd_form_name(enum smscmd_form);

/* Cut text longer than max bytes at a character boundary, ending it
 * with SMSCMD_CUT_MARK. */
void smscmd_cut(struct buf *, size_t max);

/*
 * The text for the message log and the fingerprint (smscmd.c).  A message
 * that parses and holds a password or a secret argument is written as it
 * was parsed: the password as "***", and every argument of a command
 * whose row is secret (CMD_SECRET_ARGS, SETTING_SECRET,
 * SETTING_SECRET_ARGS) as "***", in every form (the short form's commands
 * as NAME=args: "PWD=***;***").  One that parses with nothing secret is
 * kept as it is; text that does not parse, or names an unknown command,
 * is masked by shape (smscmd_redact_shape): a word right before '#' may
 * be a password whatever follows it (pw#ATVER, pw#).  Last, any password
 * this process has seen is masked wherever it still stands ("hello pw",
 * auth_password_mask).
 */
void smscmd_redact(const char *text, size_t len, struct buf *out);
void smscmd_redact_shape(const char *text, size_t len, struct buf *out);

/* Authorise and run one incoming message from `sender`.  Returns 1 with
 * the reply text in `reply` (at most SMSCMD_REPLY_MSGS *
 * SMSCMD_REPLY_MAX bytes: smscmd_next_msg() splits it), 0 when nothing
 * must be sent back (unknown sender, wrong password, lockout, RISP), or
 * -1 when its password check has no turn yet (AUTH_RATIONED): nothing
 * ran or was counted, and the message must be handled again at
 * auth_gate_next_turn_ms(). */
int smscmd_handle(const char *sender, const char *text, size_t len,
    struct buf *reply);
/* The length of the next message of a reply starting at text: all of it
 * when it fits SMSCMD_REPLY_MAX, else up to its last line break within
 * that (or a character boundary when one line is longer). */
size_t smscmd_next_msg(const char *text, size_t len);

/* The same for a remote channel without sender numbers (MQTT): no
 * phonebook, the password inside the text is the only authority, and
 * lockout is kept per channel and `source` (e.g. the broker).  The
 * reply is not cut to SMS length; -1 as above. */
int smscmd_handle_remote(enum auth_channel, const char *source,
    const char *text, size_t len, struct buf *reply);

#endif
