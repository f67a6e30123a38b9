/*
 * at_cmdline.c: names the commands of an AT command line (at_cmdline.h).
 */
#include <ctype.h>
#include <string.h>

#include "at_cmdline.h"

/* Characters of an extended command's name (V.250 §5.4.1). */
static int
at_cmdline_namechar(char c)
{
	return isalnum((unsigned char)c) ||
	    (c != '\0' && strchr("!%-./:_", c) != NULL);
}

static int
at_cmdline_skip_spaces(const char *s, size_t len, size_t i)
{
	while (i < len && s[i] == ' ')
		i++;
	return (int)i;
}

/* The end of a command's arguments: the next ';' outside quotes, or the
 * line's end; -1 for an unterminated string. */
static long
at_cmdline_args_end(const char *s, size_t len, size_t i, int stop_at_semi)
{
	int quoted = 0;

	for (; i < len; i++) {
		if (s[i] == '"')
			quoted = !quoted;
		else if (!quoted && stop_at_semi && s[i] == ';')
			break;
	}
	return quoted ? -1 : (long)i;
}

static struct at_cmdline_cmd *
at_cmdline_add(struct at_cmdline *cl, const char **err)
{
	if (cl->ncmds == AT_CMDLINE_MAX) {
		*err = "too many commands in one line";
		return NULL;
	}
	memset(&cl->cmds[cl->ncmds], 0, sizeof cl->cmds[0]);
	return &cl->cmds[cl->ncmds++];
}

int
at_cmdline_parse(const char *s, size_t len, struct at_cmdline *cl,
    const char **err)
{
	size_t i = (size_t)at_cmdline_skip_spaces(s, len, 0);

	cl->ncmds = 0;
	if (len - i < 2 || toupper((unsigned char)s[i]) != 'A' ||
	    toupper((unsigned char)s[i + 1]) != 'T') {
		*err = "a command line starts with AT";
		return -1;
	}
	i += 2;
	for (;;) {
		struct at_cmdline_cmd *c;
		size_t n = 0;
		long end;
		char ch;

		i = (size_t)at_cmdline_skip_spaces(s, len, i);
		if (i == len)
			return 0;
		ch = (char)toupper((unsigned char)s[i]);
		if (ch == ';') {		/* an empty command */
			i++;
			continue;
		}
		if ((c = at_cmdline_add(cl, err)) == NULL)
			return -1;
		if (ch != '\0' && strchr("+^$%*#", ch) != NULL) {
			/* extended: prefix and name (spaces ignored), then
			 * arguments up to ';' */
			c->name[n++] = ch;
			for (i++; i < len && (s[i] == ' ' ||
			    at_cmdline_namechar(s[i])); i++) {
				if (s[i] == ' ')
					continue;
				if (n == AT_CMDLINE_NAME_MAX) {
					*err = "command name too long";
					return -1;
				}
				c->name[n++] = (char)toupper((unsigned char)s[i]);
			}
			if (n == 1) {
				*err = "extended command without a name";
				return -1;
			}
			end = at_cmdline_args_end(s, len, i, 1);
		} else if (ch == 'D') {
			/* dial: the rest of the line (a ';' in it ends a
			 * voice dial string, and the line with it) */
			c->name[n++] = ch;
			i++;
			end = at_cmdline_args_end(s, len, i, 0);
		} else if (isalpha((unsigned char)ch) || ch == '&') {
			/* basic: a letter (or & and a letter), a number, or
			 * S<n>=<v> / S<n>? */
			c->name[n++] = ch;
			i++;
			if (ch == '&') {
				if (i == len || !isalpha((unsigned char)s[i])) {
					*err = "& without a letter";
					return -1;
				}
				c->name[n++] = (char)toupper((unsigned char)s[i++]);
			}
			end = (long)i;
			while ((size_t)end < len && (isdigit((unsigned char)
			    s[end]) || s[end] == ' ' ||
			    (ch == 'S' && (s[end] == '=' || s[end] == '?'))))
				end++;
		} else {
			*err = "a byte that starts no command";
			return -1;
		}
		if (end == -1) {
			*err = "unterminated string";
			return -1;
		}
		c->name[n] = '\0';
		c->args_off = i;
		c->args_len = (size_t)end - i;
		i = (size_t)end;
		if (i < len && s[i] == ';')
			i++;
	}
}

int
at_cmdline_find(const struct at_cmdline *cl, const char *const *names)
{
	for (int i = 0; i < cl->ncmds; i++)
		for (const char *const *n = names; *n != NULL; n++)
			if (strcmp(cl->cmds[i].name, *n) == 0)
				return i;
	return -1;
}
