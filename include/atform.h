/*
 * atform.h: the parser of USR-style command text, `AT+NAME`, `AT+NAME?`,
 * `AT+NAME=?` and `AT+NAME=arg,"quoted, arg",…`, shared by every channel
 * (SMS, control socket, serial command mode, network command channel).
 * Names are letters and digits (USR names) or dotted setting names
 * (`AT+AUTH.REMOTE_LOCK=3`, upper-cased).  Pure and bounded: text in, a struct out, or a reason.
 */
#ifndef CG_ATFORM_H
#define CG_ATFORM_H

#include <stddef.h>

#define ATFORM_MAX_LEN	 512	/* whole command text */
#define ATFORM_NAME_MAX	 48
#define ATFORM_MAX_ARGS	 16

enum atform_op {
	ATFORM_EXEC,		/* AT+NAME */
	ATFORM_QUERY,		/* AT+NAME? */
	ATFORM_TEST,		/* AT+NAME=? */
	ATFORM_SET,		/* AT+NAME=args */
	ATFORM_OP_MAX
};

struct atform {
	char		 name[ATFORM_NAME_MAX + 1];	/* upper case */
	enum atform_op	 op;
	/* The argument text as given, or the content of its quotes when
	 * the whole argument is one quoted string (used by free-text
	 * settings, where a comma is not a separator). */
	char		 raw[ATFORM_MAX_LEN + 1];
	int		 argc;
	char		*argv[ATFORM_MAX_ARGS];
	char		 store[ATFORM_MAX_LEN + ATFORM_MAX_ARGS];
};

/* Parse `len` bytes of `s` (trailing CR/LF/spaces ignored).  Returns 0, or
 * -1 with *err set to a static reason; *out is then unspecified. */
int atform_parse(const char *s, size_t len, struct atform *out,
    const char **err);

#endif
