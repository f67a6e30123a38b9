/*
 * cmd.c: the command registry's dispatcher.  cmd_run() parses AT-form
 * text, finds the command row (or the setting) by name or alias, checks
 * the operation, the argument count, the caller's role and the
 * remote_lock groups in that order, runs the handler and logs the outcome.
 * Settings are served by one generic handler here, so a setting added to
 * a settings table is at once reachable from every channel.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "module.h"
#include "log.h"
#include "settings.h"


void
cmd_reply_init(struct cmd_reply *r)
{
	memset(r, 0, sizeof *r);
	buf_init(&r->lines, CMD_REPLY_MAX);
	r->ok = 1;
}

void
cmd_reply_free(struct cmd_reply *r)
{
	buf_free(&r->lines);
}

void
cmd_reply_line(struct cmd_reply *r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	buf_vprintf(&r->lines, fmt, ap);
	va_end(ap);
	buf_add(&r->lines, "\n", 1);
}

int
cmd_reply_error(struct cmd_reply *r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(r->error, sizeof r->error, fmt, ap);
	va_end(ap);
	r->ok = 0;
	return -1;
}

void
cmd_reply_defer(struct cmd_reply *r)
{
	r->ok = 1;
	r->deferred = 1;
}

const struct cmd_entry *
cmd_iter(size_t *pos)
{
	size_t p = *pos;

	for (size_t t = 0; t < modules_len; t++) {
		const struct module *m = &modules[t];

		if (m->commands == NULL)
			continue;
		if (p < *m->commands_len) {
			(*pos)++;
			return &m->commands[p];
		}
		p -= *m->commands_len;
	}
	return NULL;
}

const struct cmd_entry *
cmd_find(const char *name)
{
	const struct cmd_entry *e;
	size_t pos = 0;

	while ((e = cmd_iter(&pos)) != NULL)
		if (util_strcaseeq(e->name, name) ||
		    (e->alias != NULL && util_strcaseeq(e->alias, name)))
			return e;
	return NULL;
}

static const struct setting_def *cmd_s_remote_lock;

/* Role, then remote lock: the same two checks for commands and settings. */
static int
cmd_allowed(const char *name, enum auth_role need, unsigned group,
    const struct cmd_ctx *ctx, struct cmd_reply *r)
{
	if (ctx->role < need)
		return cmd_reply_error(r, "%s needs the %s role", name,
		    auth_role_name(need));
	if (auth_channel_is_remote(ctx->channel) &&
	    (group & (unsigned)settings_int(SETTINGS_ONCE(cmd_s_remote_lock,
	    "auth.remote_lock", SETTING_INT))) != 0)
		return cmd_reply_error(r, "%s is locked for remote channels",
		    name);
	return 0;
}

/* May this caller change the setting?  The one judgement for single
 * and bulk changes. */
static int
cmd_set_allowed(const struct setting_def *d, const char *label,
    const struct cmd_ctx *ctx, struct cmd_reply *r)
{
	if (cmd_allowed(label, d->role, d->group, ctx, r) == -1)
		return -1;
	if ((d->flags & SETTING_LOCAL) && ctx->channel != CHAN_LOCAL)
		return cmd_reply_error(r, "%s can only be changed with "
		    "cellgatectl or the config file", label);
	if ((d->flags & SETTING_NO_REMOTE) &&
	    auth_channel_is_remote(ctx->channel))
		return cmd_reply_error(r, "%s can only be changed locally "
		    "(cellgatectl, the data port, the config file)", label);
	return 0;
}

int
cmd_may_change(const struct setting_def *d, void *ctx)
{
	struct cmd_reply r;
	int ok;

	cmd_reply_init(&r);
	ok = cmd_set_allowed(d, d->name, ctx, &r) == 0;
	cmd_reply_free(&r);
	return ok;
}

/* AT+X=? as the USR seed (chapter 4.2) answers it, where it gives an
 * answer that is more than our range in words; the others are built
 * from the row (on/off, the choices, the range). */
static const struct {
	const char	*alias, *reply;
} cmd_seed_tests[] = {
	{ "WKMOD", "<\"CMD\",\"SMS\",\"NET\",\"HTTPD\">" },
	{ "CMDPW", "<\"password\">" },
	{ "STMSG", "<\"welcome message\">" },
	{ "UART", "<2400,4800,9600,14400,19200,28800,33600,38400,57600,"
	  "115200,230400,460800,921600>,<\"NONE\",\"ODD\",\"EVEN\">,<7,8>,"
	  "<1,2>,<\"NONE\",\"CRTS\",\"RS485\">" },
	{ "APN", "<\"code\">" },
	{ "SOCKA", "<\"TCP\",\"UDP\">,<\"address\">,<port>" },
	{ "SOCKB", "<\"TCP\",\"UDP\">,<\"address\">,<port>" },
	{ "SOCKASL", "<\"short\",\"long\">" },
	{ "SOCKBSL", "<\"short\",\"long\">" },
	{ "REGDT", "<data>" },
	{ "HEARTDT", "<\"data\">" },
	{ "HEARTTM", "<\"time\">" },
	{ "HTPURL", "<\"URL\">" },
	{ "HTPSV", "<\"address\">,<port>" },
	{ "HTPHD", "<\"head\">" },
	{ "DSTNUM", "<\"number\">" },
	{ "SMSSEND", "<\"number\">,<1,2,3>,<\"data\">" },
	/* no =? in the seed (4.2.1.12); our range, in its style */
	{ "RSTIM", "<0,60..65535>" },
};

/* The seed's =? answer for an alias, or NULL. */
static const char *
cmd_seed_test(const char *alias)
{
	for (size_t i = 0; alias != NULL && i < nitems(cmd_seed_tests); i++)
		if (util_strcaseeq(cmd_seed_tests[i].alias, alias))
			return cmd_seed_tests[i].reply;
	return NULL;
}

static void
cmd_test_line(const struct setting_def *d, const char *label,
    struct cmd_reply *r)
{
	char range[256];

	if (cmd_seed_test(d->alias) != NULL)
		cmd_reply_line(r, "+%s:%s", label, cmd_seed_test(d->alias));
	else if (d->type == SETTING_BOOL)
		cmd_reply_line(r, "+%s:<\"on\",\"off\">", label);
	else if (d->type == SETTING_ENUM) {
		struct buf b;

		buf_init(&b, sizeof range);
		for (int i = 0; d->choices[i] != NULL; i++)
			buf_printf(&b, "%s\"%s\"", i ? "," : "", d->choices[i]);
		cmd_reply_line(r, "+%s:<%s>", label, buf_str(&b));
		buf_free(&b);
	} else {
		settings_describe_range(d, range, sizeof range);
		cmd_reply_line(r, "+%s:<%s>", label, range);
	}
}

static int
cmd_setting(const struct setting_def *d, const struct atform *f,
    const struct cmd_ctx *ctx, struct cmd_reply *r)
{
	const char *label = d->alias != NULL ? d->alias : f->name;
	char err[256];

	switch (f->op) {
	case ATFORM_EXEC:
	case ATFORM_QUERY:
		if (cmd_allowed(label, ROLE_USER, d->group, ctx, r) == -1)
			return -1;
		if (d->flags & SETTING_SECRET) {	/* only whether it is set */
			cmd_reply_line(r, "+%s:%s", label,
			    settings_value(d)[0] != '\0' ? "set" : "not set");
			return 0;
		}
		cmd_reply_line(r, "+%s:%s", label, settings_value(d));
		return 0;
	case ATFORM_TEST:
		if (cmd_allowed(label, ROLE_USER, d->group, ctx, r) == -1)
			return -1;
		cmd_test_line(d, label, r);
		return 0;
	case ATFORM_SET:
		if (cmd_set_allowed(d, label, ctx, r) == -1)
			return -1;
		if (settings_set(d, f->argc, (char **)f->argv, f->raw, err,
		    sizeof err) == -1)
			return cmd_reply_error(r, "%s", err);
		return 0;
	default:
		return cmd_reply_error(r, "bad operation");
	}
}

static int
cmd_entry_run(const struct cmd_entry *e, const struct atform *f,
    const struct cmd_ctx *ctx, struct cmd_reply *r)
{
	if ((e->ops & CMD_OP(f->op)) == 0 &&
	    !(f->op == ATFORM_TEST && cmd_seed_test(e->name) != NULL)) {
		/* AT+X? and AT+X are the same for query-only commands */
		if (!(f->op == ATFORM_QUERY && (e->ops & CMD_OP(ATFORM_EXEC))))
			return cmd_reply_error(r, "%s does not take %s "
			    "(usage: %s)", e->name, f->op == ATFORM_SET ?
			    "arguments" : "this form", e->usage);
	}
	if (f->op == ATFORM_SET &&
	    (f->argc < e->min_args || f->argc > e->max_args))
		return cmd_reply_error(r, "wrong number of arguments "
		    "(usage: %s)", e->usage);
	if (cmd_allowed(e->name, e->role, e->group, ctx, r) == -1)
		return -1;
	if (f->op == ATFORM_TEST) {
		if (cmd_seed_test(e->name) != NULL)
			cmd_reply_line(r, "+%s:%s", e->name,
			    cmd_seed_test(e->name));
		else
			cmd_reply_line(r, "+%s:<%s>", e->name, e->usage);
		return 0;
	}
	return e->exec(e, f, ctx, r);
}

unsigned
cmd_group(const char *name)
{
	const struct cmd_entry *e;
	const struct setting_def *d;

	if ((e = cmd_find(name)) != NULL)
		return e->group;
	if ((d = settings_find(name)) != NULL)
		return d->group;
	return 0;
}

int
cmd_args_shown(const struct atform *f, char *out, size_t outlen)
{
	const struct cmd_entry *e = cmd_find(f->name);
	const struct setting_def *d = e == NULL ? settings_find(f->name) : NULL;
	unsigned secret = 0;

	if (f->op != ATFORM_SET) {
		util_strlcpy(out, "", outlen);
		return 0;
	}
	if (e != NULL)
		secret = e->flags & (CMD_SECRET_ARGS | CMD_SECRET_TAIL);
	else if (d != NULL && (d->flags & (SETTING_SECRET |
	    SETTING_SECRET_ARGS)))
		secret = CMD_SECRET_ARGS;
	if (secret & CMD_SECRET_ARGS || (secret && f->argc < 1))
		util_strlcpy(out, "***", outlen);
	else if (secret) {
		char first[128];

		util_escape(first, sizeof first, f->argv[0], strlen(f->argv[0]));
		snprintf(out, outlen, "%s%s", first, f->argc > 1 ? ",***" : "");
		return f->argc > 1;
	} else {
		util_escape(out, outlen, f->raw, strlen(f->raw));
		return 0;
	}
	return 1;
}

int
cmd_run_parsed(const struct atform *f, const struct cmd_ctx *ctx,
    struct cmd_reply *r)
{
	const struct cmd_entry *e;
	const struct setting_def *d;
	char shown[256], args[160];
	int rc;

	if ((e = cmd_find(f->name)) != NULL)
		rc = cmd_entry_run(e, f, ctx, r);
	else if ((d = settings_find(f->name)) != NULL)
		rc = cmd_setting(d, f, ctx, r);
	else
		rc = cmd_reply_error(r, "unknown command %s", f->name);

	cmd_args_shown(f, args, sizeof args);
	snprintf(shown, sizeof shown, "AT+%s%s%s", f->name,
	    f->op == ATFORM_QUERY ? "?" : f->op == ATFORM_TEST ? "=?" :
	    f->op == ATFORM_SET ? "=" : "", args);
	log_info("command %s from %s %s (%s): %s%s", shown,
	    auth_channel_name(ctx->channel), ctx->origin,
	    auth_role_name(ctx->role), rc == 0 ? "OK" : "ERROR: ",
	    rc == 0 ? "" : r->error);
	return rc;
}

int
cmd_run(const char *text, size_t len, const struct cmd_ctx *ctx,
    struct cmd_reply *r)
{
	struct atform f;
	const char *err;
	char shown[128];

	if (atform_parse(text, len, &f, &err) == -1) {
		/* up to '=' only: the arguments may hold a password */
		const char *eq = memchr(text, '=', len);

		util_escape(shown, sizeof shown, text, eq != NULL ?
		    (size_t)(eq - text) : len);
		log_info("command \"%s%s\" from %s %s refused: %s", shown,
		    eq != NULL ? "=..." : "", auth_channel_name(ctx->channel),
		    ctx->origin, err);
		return cmd_reply_error(r, "%s", err);
	}
	return cmd_run_parsed(&f, ctx, r);
}

void
cmd_reply_format(const struct cmd_reply *r, enum cmd_style style,
    struct buf *out)
{
	const char *p = r->lines.data != NULL ? r->lines.data : "";
	const char *nl;

	while (*p != '\0' && (nl = strchr(p, '\n')) != NULL) {
		if (style == CMD_STYLE_SERIAL)
			buf_puts(out, "\r\n");
		buf_add(out, p, (size_t)(nl - p));
		buf_puts(out, style == CMD_STYLE_SERIAL ? "\r\n" : "\n");
		p = nl + 1;
	}
	if (style == CMD_STYLE_SERIAL)
		buf_puts(out, r->ok ? "\r\nOK\r\n" : "\r\nERROR\r\n");
	else if (r->ok)
		buf_puts(out, "OK");
	else
		buf_printf(out, "ERROR: %s", r->error);
}
