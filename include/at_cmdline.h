/*
 * at_cmdline.h: a command line as the modem reads it (ITU-T V.250 §5.2):
 * "AT", then basic commands (E0, &F, S0=1, D...) and extended commands
 * (+CMGS=..., ^NDISDUP=..., vendor prefixes), extended ones ended by ';',
 * spaces outside quoted strings ignored, names case-insensitive.  Pure: it
 * names each command so that callers judge commands by name, not by
 * searching the text ("AT+CMGS =14" is +CMGS).
 */
#ifndef CG_AT_CMDLINE_H
#define CG_AT_CMDLINE_H

#include <stddef.h>

#define AT_CMDLINE_MAX		16	/* commands in one line */
#define AT_CMDLINE_NAME_MAX	24

struct at_cmdline_cmd {
	char	name[AT_CMDLINE_NAME_MAX + 1];	/* "+CMGS", "E", "&F", "D" */
	size_t	args_off, args_len;	/* what follows the name: "=14" */
};

struct at_cmdline {
	int			ncmds;
	struct at_cmdline_cmd	cmds[AT_CMDLINE_MAX];
};

/* 0, or -1 with a reason (no "AT", an unterminated string, a name too
 * long, too many commands, a byte that starts no command). */
int at_cmdline_parse(const char *line, size_t len, struct at_cmdline *,
    const char **err);

/* The index of the first command whose name (upper case, as parsed) is
 * in the NULL-ended list, or -1. */
int at_cmdline_find(const struct at_cmdline *, const char *const *names);

#endif
