/*
 * atform.c: parses one USR-style command (`AT+NAME[?|=?|=args]`) into a
 * name, an operation and its arguments.  Arguments are separated by commas;
 * a field may be double-quoted (then it may hold commas); control bytes are
 * refused anywhere, so nothing from an SMS or a socket can smuggle a CR,
 * Ctrl-Z or ESC into whatever acts on the command.
 */
#include <ctype.h>
#include <string.h>

#include "atform.h"

static int
atform_args(const char *p, size_t n, struct atform *f, const char **err)
{
	char *o = f->store;
	size_t i = 0;

	memcpy(f->raw, p, n);
	f->raw[n] = '\0';
	f->argc = 0;
	for (;;) {
		/* one field: skip leading blanks */
		while (i < n && p[i] == ' ')
			i++;
		if (f->argc == ATFORM_MAX_ARGS) {
			*err = "too many arguments";
			return -1;
		}
		f->argv[f->argc++] = o;
		if (i < n && p[i] == '"') {
			i++;
			while (i < n && p[i] != '"')
				*o++ = p[i++];
			if (i == n) {
				*err = "unterminated quoted string";
				return -1;
			}
			i++;
			while (i < n && p[i] == ' ')
				i++;
			if (i < n && p[i] != ',') {
				*err = "text after a quoted string";
				return -1;
			}
		} else {
			char *start = o;

			while (i < n && p[i] != ',') {
				if (p[i] == '"') {
					*err = "quote inside an unquoted argument";
					return -1;
				}
				*o++ = p[i++];
			}
			while (o > start && o[-1] == ' ')
				o--;
		}
		*o++ = '\0';
		if (i == n)
			break;
		i++;	/* the comma */
	}
	/* one quoted string as the whole argument: raw is its content */
	if (f->argc == 1 && n >= 2 && p[0] == '"' && p[n - 1] == '"')
		memmove(f->raw, f->argv[0], strlen(f->argv[0]) + 1);
	return 0;
}

int
atform_parse(const char *s, size_t len, struct atform *f, const char **err)
{
	size_t i, namelen;

	memset(f, 0, sizeof *f);
	while (len > 0 && (s[len - 1] == '\r' || s[len - 1] == '\n' ||
	    s[len - 1] == ' '))
		len--;
	while (len > 0 && *s == ' ') {
		s++;
		len--;
	}
	if (len > ATFORM_MAX_LEN) {
		*err = "command too long";
		return -1;
	}
	for (i = 0; i < len; i++) {
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f) {
			*err = "control character in command";
			return -1;
		}
	}
	if (len < 3 || (s[0] != 'A' && s[0] != 'a') ||
	    (s[1] != 'T' && s[1] != 't') || s[2] != '+') {
		*err = "command must start with AT+";
		return -1;
	}
	for (i = 3; i < len && (isalnum((unsigned char)s[i]) ||
	    s[i] == '.' || s[i] == '_'); i++)
		;
	namelen = i - 3;
	if (namelen == 0) {
		*err = "missing command name";
		return -1;
	}
	if (namelen > ATFORM_NAME_MAX) {
		*err = "command name too long";
		return -1;
	}
	for (size_t k = 0; k < namelen; k++)
		f->name[k] = (char)toupper((unsigned char)s[3 + k]);
	f->name[namelen] = '\0';
	if (i == len) {
		f->op = ATFORM_EXEC;
		return 0;
	}
	if (s[i] == '?' && i + 1 == len) {
		f->op = ATFORM_QUERY;
		return 0;
	}
	if (s[i] != '=') {
		*err = "unexpected character after command name";
		return -1;
	}
	i++;
	if (i + 1 == len && s[i] == '?') {
		f->op = ATFORM_TEST;
		return 0;
	}
	f->op = ATFORM_SET;
	return atform_args(s + i, len - i, f, err);
}
