/*
 * smscmd.c: runs an incoming SMS as commands.  Order of checks: parse;
 * the authorisation gate (lockout of the sender, the turn of the check,
 * the password: a wrong one is counted and gets no reply; one without a
 * turn yet is handed back to run later); phonebook (a listed
 * number that need not send a password gets its entry's role; a stranger
 * is counted); then each command runs through the
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

static void
smscmd_render(const struct smscmd_msg *m, struct buf *out)
{
	static const char *const ops[ATFORM_OP_MAX] = { "", "?", "=?", "=" };

	if (m->form == SMSCMD_FORM_AT)
		buf_puts(out, m->has_password ? "***#AT" : "AT");
	for (int i = 0; i < m->ncmds; i++) {
		const struct atform *f = &m->cmds[i];
		char args[ATFORM_MAX_LEN * 4 + 1];

		cmd_args_shown(f, args, sizeof args);
		if (m->form == SMSCMD_FORM_AT)
			buf_printf(out, "%s+%s%s%s", i ? ";" : "", f->name,
			    ops[f->op], args);
		else if (m->form == SMSCMD_FORM_VERB)
			buf_printf(out, "%s%s%s", f->name, *args ? "," : "",
			    args);
		else
			buf_printf(out, "%s%s%s%s", i ? "," : "", f->name,
			    ops[f->op], args);
	}
	if (m->form == SMSCMD_FORM_VERB)
		buf_puts(out, m->has_password ? ",PWD=***#" : "#");
	else if (m->form == SMSCMD_FORM_SHORT) {
		if (m->has_password)
			buf_puts(out, ";***");
		if (m->risp)
			buf_puts(out, ",RISP");
	}
}

/* Does the message name only known commands?  An unknown one may be a
 * password before '#' (pw#, pw#ATVER): such text is masked by shape. */
static int
smscmd_known(const struct smscmd_msg *m)
{
	for (int i = 0; i < m->ncmds; i++)
		if (cmd_find(m->cmds[i].name) == NULL)
			return 0;
	return 1;
}

static void smscmd_redact_form(const char *, size_t, struct buf *);

/* By form (a command's password and secret arguments, or the shape of a
 * text that does not parse), then any password this process has seen
 * wherever it still stands (auth_password_mask). */
void
smscmd_redact(const char *text, size_t len, struct buf *out)
{
	struct buf form;

	if (!auth_password_seen()) {
		smscmd_redact_form(text, len, out);
		return;
	}
	buf_init(&form, out->max);
	smscmd_redact_form(text, len, &form);
	auth_password_mask(out, form.data != NULL ? form.data : "",
	    form.len);
	if (form.overflow)
		out->overflow = 1;
	if (form.data != NULL)
		explicit_bzero(form.data, form.len);
	buf_free(&form);
}

static void
smscmd_redact_form(const char *text, size_t len, struct buf *out)
{
	struct smscmd_msg *m = malloc(sizeof *m);
	const char *err;

	if (m != NULL && smscmd_parse(text, len, m, &err) == 0 &&
	    (m->has_password || smscmd_known(m))) {
		char args[ATFORM_MAX_LEN * 4 + 1];
		int secret = m->has_password;

		for (int i = 0; i < m->ncmds; i++)
			secret |= cmd_args_shown(&m->cmds[i], args,
			    sizeof args);
		if (secret)
			smscmd_render(m, out);
		else		/* nothing secret in it: as it came */
			buf_add(out, text, len);
	} else
		smscmd_redact_shape(text, len, out);
	if (m != NULL) {
		explicit_bzero(m, sizeof *m);
		free(m);
	}
}

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

size_t
smscmd_next_msg(const char *text, size_t len)
{
	size_t n = SMSCMD_REPLY_MAX;

	if (len <= n)
		return len;
	while (n > 1 && text[n - 1] != '\n')
		n--;
	if (text[n - 1] == '\n')
		return n;
	for (n = SMSCMD_REPLY_MAX; n > 0 &&
	    ((unsigned char)text[n] & 0xc0) == 0x80; n--)
		;		/* not inside a UTF-8 sequence */
	return n;
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
		smscmd_cut(&reply, SMSCMD_REPLY_MSGS * SMSCMD_REPLY_MAX);
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
	const char *err, *chan = auth_channel_name(ch);
	enum auth_role role_pw = ROLE_NONE, role_pb = ROLE_NONE, role;
	enum auth_result res;
	int listed = 0, send = 1, shown = 0;

	util_escape(esc, sizeof esc, sender, strlen(sender));
	if (ch != CHAN_SMS)		/* no sender number: the password only */
		util_strlcpy(key, esc, sizeof key);
	else if (phonebook_normalise(sender, phonebook_country_code(),
	    number, sizeof number) == 0) {
		util_strlcpy(key, number, sizeof key);
		if (phonebook_find(number, &pb) == 0) {
			listed = 1;
			if (!pb.require_password)
				role_pb = pb.role;
		}
	} else
		util_strlcpy(key, esc, sizeof key);	/* alphanumeric */

	if ((m = malloc(sizeof *m)) == NULL)
		return 0;
	if (smscmd_parse(text, len, m, &err) == -1) {
		log_info("%s from %s is not a command: %s", chan, esc, err);
		if (role_pb == ROLE_NONE) {
			free(m);
			return 0;
		}
		buf_printf(reply, "ERROR: %s", err);
		free(m);
		return 1;
	}
	/* the one gate: lockout, failure cap, password, audit */
	res = auth_gate(ch, key, m->has_password ? m->password : NULL,
	    &role_pw);
	explicit_bzero(m->password, sizeof m->password);
	if (res == AUTH_RATIONED) {	/* judged in its turn, not now */
		free(m);
		return -1;
	}
	if (res != AUTH_OK && res != AUTH_NO_PASSWORD) {
		log_info("%s from %s (%s form): %s; no reply", chan, esc,
		    smscmd_form_name(m->form), auth_gate_result_name(res));
		free(m);
		return 0;
	}
	role = role_pw > role_pb ? role_pw : role_pb;
	if (role == ROLE_NONE) {
		/* counted like a wrong password (cellgate-sms(7), "The
		 * authorisation gate"), in its own class: a stranger probing
		 * the device is soon ignored */
		log_info("%s from %s: %s sender without password; no reply",
		    chan, esc, listed ? "listed" : "unknown");
		auth_gate_stranger(ch, key);
		free(m);
		return 0;
	}
	log_info("%s from %s: %d command(s) in %s form as %s", chan, esc,
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
		log_info("%s from %s: replies suppressed (RISP)", chan, esc);
		send = 0;
	}
	free(m);
	return send;
}
