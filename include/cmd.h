/*
 * cmd.h: the one command registry.  A command is a row (name, USR alias,
 * accepted operations, argument count, role, group, handler), gathered
 * from each module's table; every setting of the settings registry is a
 * command too (query, test and set).  Every channel (control socket, SMS,
 * serial command mode, network command channel, MQTT) parses its own
 * syntax into AT form text and calls cmd_run() with its context.
 */
#ifndef CG_CMD_H
#define CG_CMD_H

#include <stddef.h>

#include "atform.h"
#include "auth.h"
#include "util.h"

#define CMD_REPLY_MAX	4096

struct cmd_ctx {
	enum auth_channel	 channel;
	enum auth_role		 role;
	const char		*origin;	/* for the log: "uid 0", a number */
};
/* On CHAN_SMS, origin is the sender's number: where a reply the command
 * gives later (cmd_reply_defer) is sent with sms_send(). */

struct cmd_reply {
	struct buf	 lines;		/* information lines, '\n' after each */
	int		 ok;
	char		 error[256];	/* reason, when !ok */
	int		 deferred;	/* the answer comes later, not now */
};

#define CMD_OP(op)	(1u << (op))
#define CMD_SECRET_ARGS	0x1	/* arguments never logged (passwords) */
#define CMD_SECRET_TAIL	0x2	/* arguments after the first never logged
				   (AT+APN=code,user,password,auth) */

struct cmd_entry {
	const char	 *name;
	const char	 *alias;
	unsigned	  ops;		/* CMD_OP(ATFORM_...) bits accepted */
	int		  min_args, max_args;	/* for ATFORM_SET */
	enum auth_role	  role;
	unsigned	  group;
	unsigned	  flags;	/* CMD_SECRET_ARGS, CMD_SECRET_TAIL */
	const char	 *usage;
	const char	 *help;
	int		(*exec)(const struct cmd_entry *, const struct atform *,
			    const struct cmd_ctx *, struct cmd_reply *);
};

/* Each module keeps its commands in its own table, named in its row of
 * modules.c. */
extern const struct cmd_entry cmd_system_table[];
extern const size_t cmd_system_table_len;
extern const struct cmd_entry cmd_phonebook_table[];
extern const size_t cmd_phonebook_table_len;

void cmd_reply_init(struct cmd_reply *);
void cmd_reply_free(struct cmd_reply *);
void cmd_reply_line(struct cmd_reply *, const char *, ...)
    __attribute__((format(printf, 2, 3)));
int cmd_reply_error(struct cmd_reply *, const char *, ...)
    __attribute__((format(printf, 2, 3)));
/* The command answers later on its channel (e.g. CONNECT# by SMS after
 * the broker accepted): nothing is sent back now for it. */
void cmd_reply_defer(struct cmd_reply *);

/* Run one AT-form command text.  Always fills the reply; returns 0 when
 * the command succeeded. */
int cmd_run(const char *text, size_t len, const struct cmd_ctx *,
    struct cmd_reply *);

/* The same for an invocation already parsed (the SMS dialects). */
int cmd_run_parsed(const struct atform *, const struct cmd_ctx *,
    struct cmd_reply *);
/* The arguments of a parsed command as they may be shown (logs, the
 * message log): as given, "***" for a row whose arguments are secret, or
 * the first argument then ",***" (CMD_SECRET_TAIL).  Returns 1 when
 * something was hidden. */
int cmd_args_shown(const struct atform *, char *out, size_t outlen);

/* A settings_filter_fn: may the caller (a const struct cmd_ctx *) change
 * this setting, judged as a single change is.  For bulk changes. */
struct setting_def;
int cmd_may_change(const struct setting_def *, void *ctx);

/* The group of a command or setting by name or alias (0 if unknown). */
unsigned cmd_group(const char *name);

enum cmd_style {
	CMD_STYLE_TEXT,		/* SMS and CLI: lines, then OK / ERROR: reason */
	CMD_STYLE_SERIAL	/* USR wire format: CRLF framing, bare ERROR */
};
void cmd_reply_format(const struct cmd_reply *, enum cmd_style, struct buf *);

/* Iterate over every command row (settings excluded). */
const struct cmd_entry *cmd_iter(size_t *pos);
const struct cmd_entry *cmd_find(const char *name);

#endif
