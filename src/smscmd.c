/*
 * smscmd.c: runs an incoming SMS as commands.  Order of checks: lockout of
 * the sender; parse; password (a wrong one is counted for lockout and
 * gets no reply); phonebook (a listed number that need not send a
 * password gets its entry's role); then each command runs through the
 * registry, where commands of groups 4 (security) and 8 (system) count
 * only the password's role, never the sender number.  Unauthorised senders get
 * silence.  Replies are joined into one message; RISP suppresses it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "cmd.h"
#include "log.h"
#include "phonebook.h"
#include "settings.h"
#include "smscmd.h"

static int smscmd_run(enum auth_channel, const char *, const char *, size_t,
    struct buf *);

void
smscmd_cut(struct buf *b, size_t max)
{
	size_t n = max - sizeof SMSCMD_CUT_MARK + 1;

	if (b->len <= max)
		return;
	while (n > 0 && ((unsigned char)b->data[n] & 0xc0) == 0x80)
		n--;		/* not inside a UTF-8 sequence */
	b->len = n;
	b->overflow = 0;
	buf_puts(b, SMSCMD_CUT_MARK);
}

int
smscmd_handle(const char *sender, const char *text, size_t len,
    struct buf *out)
{
	struct buf reply;
	int r;

	buf_init(&reply, 64 * 1024);
	r = smscmd_run(CHAN_SMS, sender, text, len, &reply);
	if (r == 1) {
		smscmd_cut(&reply, SMSCMD_REPLY_MAX);
		buf_add(out, reply.data, reply.len);
	}
	buf_free(&reply);
	return r;
}

int
smscmd_handle_remote(enum auth_channel ch, const char *source,
    const char *text, size_t len, struct buf *out)
{
	return smscmd_run(ch, source, text, len, out);
}

static int
smscmd_run(enum auth_channel ch, const char *sender, const char *text,
    size_t len, struct buf *reply)
{
	struct smscmd_msg *m;
	struct phonebook_entry pb;
	char number[PHONEBOOK_NUMBER_MAX + 1], key[64], esc[64];
	const char *err;
	enum auth_role role_pw = ROLE_NONE, role_pb = ROLE_NONE, role;
	int listed = 0, send = 1, shown = 0;

	util_escape(esc, sizeof esc, sender, strlen(sender));
	if (ch != CHAN_SMS)	/* no sender number: the password only */
	{
		snprintf(key, sizeof key, "%s:%.48s", auth_channel_name(ch),
		    esc);
		util_strlcpy(esc, key, sizeof esc);
	}
	else if (phonebook_normalise(sender, settings_get("auth.country_code"),
	    number, sizeof number) == 0) {
		util_strlcpy(key, number, sizeof key);
		if (phonebook_find(number, &pb) == 0) {
			listed = 1;
			if (!pb.require_password)
				role_pb = pb.role;
		}
	} else
		util_strlcpy(key, esc, sizeof key);	/* alphanumeric */

	if (auth_lockout_until(key) > 0) {
		log_info("%s from %s ignored: locked out",
		    auth_channel_name(ch), esc);
		return 0;
	}
	if ((m = malloc(sizeof *m)) == NULL)
		return 0;
	if (smscmd_parse(text, len, m, &err) == -1) {
		log_info("%s from %s is not a command: %s",
		    auth_channel_name(ch), esc, err);
		if (role_pb == ROLE_NONE) {
			free(m);
			return 0;
		}
		buf_printf(reply, "ERROR: %s", err);
		free(m);
		return 1;
	}
	if (m->has_password) {
		role_pw = auth_password_role(m->password);
		explicit_bzero(m->password, sizeof m->password);
		if (role_pw == ROLE_NONE) {
			log_warnx("%s from %s: wrong password (%s form); no "
			    "reply", auth_channel_name(ch), esc,
			    smscmd_form_name(m->form));
			auth_lockout_failure(key);
			free(m);
			return 0;
		}
		auth_lockout_success(key);
	}
	role = role_pw > role_pb ? role_pw : role_pb;
	if (role == ROLE_NONE) {
		/* counted like a wrong password (SPEC §4): a stranger
		 * probing the device is soon ignored */
		log_info("%s from %s: %s sender without password; no "
		    "reply", auth_channel_name(ch), esc, listed ? "listed" : "unknown");
		auth_lockout_failure(key);
		free(m);
		return 0;
	}
	log_info("%s from %s: %d command(s) in %s form as %s",
	    auth_channel_name(ch), esc,
	    m->ncmds, smscmd_form_name(m->form), auth_role_name(role));
	for (int i = 0; i < m->ncmds; i++) {
		struct cmd_ctx ctx = { ch, role, key };
		struct cmd_reply r;

		/* a sender number is a filter, never proof */
		if (cmd_group(m->cmds[i].name) & (GROUP_SECURITY | GROUP_SYSTEM))
			ctx.role = role_pw;
		cmd_reply_init(&r);
		if (ctx.role == ROLE_NONE)
			cmd_reply_error(&r, "%s needs a password",
			    m->cmds[i].name);
		else
			cmd_run_parsed(&m->cmds[i], &ctx, &r);
		if (!r.deferred) {	/* a deferred one answers later */
			if (shown++ > 0)
				buf_puts(reply, "\n");
			cmd_reply_format(&r, CMD_STYLE_TEXT, reply);
		}
		cmd_reply_free(&r);
	}
	if (shown == 0)
		send = 0;
	if (m->risp) {
		log_info("%s from %s: replies suppressed (RISP)",
		    auth_channel_name(ch), esc);
		send = 0;
	}
	free(m);
	return send;
}
