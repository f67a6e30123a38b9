/*
 * smscmd_parse.c: recognises the three forms of the SMS command language
 * by shape and produces command invocations (struct atform) for the
 * registry; the password is kept apart and never part of an invocation.
 * Pure and bounded: control characters (CR inside the text, Ctrl-Z, ESC)
 * refuse the whole message, so none can reach the modem or anything else.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "smscmd.h"
#include "util.h"

static const char *const smscmd_form_names[SMSCMD_FORM_MAX] = {
	"at", "verb", "short"
};

const char *
smscmd_form_name(enum smscmd_form f)
{
	return f < SMSCMD_FORM_MAX ? smscmd_form_names[f] : "?";
}

static int
smscmd_set_password(struct smscmd_msg *m, const char *p, size_t n,
    const char **err)
{
	if (n > SMSCMD_PASSWORD_MAX) {
		*err = "password too long";
		return -1;
	}
	if (m->has_password && (strlen(m->password) != n ||
	    memcmp(m->password, p, n) != 0)) {
		*err = "different passwords in one message";
		return -1;
	}
	memcpy(m->password, p, n);
	m->password[n] = '\0';
	m->has_password = 1;
	return 0;
}

/* Fill an invocation from name, operation and argument strings. */
static int
smscmd_inv(struct smscmd_msg *m, const char *name, size_t namelen,
    enum atform_op op, const char *const *args, const size_t *arglen,
    int nargs, const char **err)
{
	struct atform *f;
	char *o;

	if (m->ncmds == SMSCMD_MAX_CMDS) {
		*err = "too many commands in one message";
		return -1;
	}
	if (namelen == 0 || namelen > ATFORM_NAME_MAX) {
		*err = "bad command name";
		return -1;
	}
	f = &m->cmds[m->ncmds];
	memset(f, 0, sizeof *f);
	for (size_t i = 0; i < namelen; i++)
		f->name[i] = (char)toupper((unsigned char)name[i]);
	f->op = op;
	o = f->store;
	for (int i = 0; i < nargs; i++) {
		if ((size_t)(o - f->store) + arglen[i] + 1 > sizeof f->store ||
		    i == ATFORM_MAX_ARGS) {
			*err = "arguments too long";
			return -1;
		}
		f->argv[f->argc++] = o;
		memcpy(o, args[i], arglen[i]);
		o += arglen[i];
		*o++ = '\0';
	}
	if (nargs > 0) {
		size_t n = 0;

		for (int i = 0; i < f->argc; i++) {
			size_t l = strlen(f->argv[i]);

			if (n + l + 2 > sizeof f->raw) {
				*err = "arguments too long";
				return -1;
			}
			if (i > 0)
				f->raw[n++] = ',';
			memcpy(f->raw + n, f->argv[i], l);
			n += l;
		}
		f->raw[n] = '\0';
	}
	m->ncmds++;
	return 0;
}

/*
 * Where the next chained command of an AT-form line starts (V.250
 * style, `AT+VER;+CSQ` or `AT+VER;AT+CSQ`): a ';' outside double quotes
 * followed (after blanks) by '+' or "AT+".  Returns the ';', or NULL.
 * Any other ';' is part of the command (`AT+STMSG=a;b`).
 */
static const char *
smscmd_at_next(const char *p, const char *end)
{
	int quoted = 0;

	for (; p < end; p++) {
		const char *q = p + 1;

		if (*p == '"')
			quoted = !quoted;
		if (*p != ';' || quoted)
			continue;
		while (q < end && *q == ' ')
			q++;
		if ((q < end && *q == '+') ||
		    (end - q >= 3 && util_strncaseeq(q, "AT+", 3)))
			return p;
	}
	return NULL;
}

/* AT form: [PASSWORD]#AT+...[;+...] or a bare AT+...; cmd points at
 * "AT+". */
static int
smscmd_parse_at(const char *s, size_t n, const char *cmd,
    struct smscmd_msg *m, const char **err)
{
	const char *p = cmd, *end = s + n;
	char one[ATFORM_MAX_LEN + 3];

	m->form = SMSCMD_FORM_AT;
	if (cmd > s + 1 && smscmd_set_password(m, s, (size_t)(cmd - 1 - s),
	    err) == -1)
		return -1;
	while (p < end) {
		const char *semi = smscmd_at_next(p, end);
		const char *cend = semi != NULL ? semi : end;
		size_t l;

		while (p < cend && *p == ' ')
			p++;
		l = (size_t)(cend - p);
		if (m->ncmds == SMSCMD_MAX_CMDS) {
			*err = "too many commands in one message";
			return -1;
		}
		if (l > ATFORM_MAX_LEN) {
			*err = "command too long";
			return -1;
		}
		/* a chained "+CMD" is "AT+CMD" */
		if (l > 0 && *p == '+') {
			memcpy(one, "AT", 2);
			memcpy(one + 2, p, l);
			l += 2;
		} else
			memcpy(one, p, l);
		if (atform_parse(one, l, &m->cmds[m->ncmds], err) == -1)
			return -1;
		m->ncmds++;
		if (semi == NULL)
			break;
		p = semi + 1;
	}
	return 0;
}

/* Verb form: VERB[,ARG...][,PWD=PASSWORD]# */
static int
smscmd_parse_verb(const char *s, size_t n, struct smscmd_msg *m,
    const char **err)
{
	const char *args[ATFORM_MAX_ARGS];
	size_t arglen[ATFORM_MAX_ARGS], namelen;
	const char *p = s, *end = s + n - 1;	/* the final '#' */
	int nargs = 0;

	m->form = SMSCMD_FORM_VERB;
	for (namelen = 0; p + namelen < end &&
	    isalpha((unsigned char)p[namelen]); namelen++)
		;
	if (namelen == 0 || (p + namelen < end && p[namelen] != ',')) {
		*err = "a verb command is WORD[,ARG...][,PWD=...]#";
		return -1;
	}
	p += namelen;
	while (p < end) {
		const char *a = ++p, *c = memchr(a, ',', (size_t)(end - a));
		size_t l = (size_t)((c != NULL ? c : end) - a);

		if (l >= 4 && util_strncaseeq(a, "PWD=", 4)) {
			if (smscmd_set_password(m, a + 4, l - 4, err) == -1)
				return -1;
		} else {
			if (nargs == ATFORM_MAX_ARGS) {
				*err = "too many arguments";
				return -1;
			}
			if (memchr(a, '#', l) != NULL) {
				*err = "'#' inside a verb command";
				return -1;
			}
			args[nargs] = a;
			arglen[nargs++] = l;
		}
		p = a + l;
	}
	return smscmd_inv(m, s, namelen, nargs ? ATFORM_SET : ATFORM_EXEC,
	    args, arglen, nargs, err);
}

/* One short command, e.g. NUM3+391234567, NUM?, PWD54321, SMS1367:ON. */
static int
smscmd_parse_short1(const char *s, size_t n, struct smscmd_msg *m,
    const char **err)
{
	const char *args[2];
	size_t arglen[2], namelen;
	const char *rest;
	size_t restlen;

	for (namelen = 0; namelen < n && isalpha((unsigned char)s[namelen]);
	    namelen++)
		;
	rest = s + namelen;
	restlen = n - namelen;
	if (namelen == 0) {
		*err = "a command starts with its name";
		return -1;
	}
	if (namelen > 3 && util_strncaseeq(s, "PWD", 3)) {
		/* PWDnew or PWD:new: the new password is all the rest,
		 * whatever its first character (PWD? is a query) */
		namelen = 3;
		rest = s + 3;
		restlen = n - 3;
	}
	if (namelen == 3 && restlen > 0 && util_strncaseeq(s, "PWD", 3) &&
	    !(restlen == 1 && rest[0] == '?')) {
		if (rest[0] == ':') {
			rest++;
			restlen--;
		}
		if (restlen == 0) {
			*err = "PWD needs the new password";
			return -1;
		}
		args[0] = rest;
		arglen[0] = restlen;
		return smscmd_inv(m, s, namelen, ATFORM_SET, args, arglen, 1,
		    err);
	}
	if (restlen == 0)
		return smscmd_inv(m, s, namelen, ATFORM_EXEC, NULL, NULL, 0,
		    err);
	if (restlen == 1 && rest[0] == '?')
		return smscmd_inv(m, s, namelen, ATFORM_QUERY, NULL, NULL, 0,
		    err);
	if (namelen == 3 && util_strncaseeq(s, "NUM", 3)) {
		/* NUMx+number: the position, then the number */
		size_t d = 0;

		while (d < restlen && isdigit((unsigned char)rest[d]))
			d++;
		if (d == 0) {
			*err = "NUM needs a position";
			return -1;
		}
		args[0] = rest;
		arglen[0] = d;
		args[1] = rest + d;
		arglen[1] = restlen - d;
		return smscmd_inv(m, s, namelen, ATFORM_SET, args, arglen,
		    restlen > d ? 2 : 1, err);
	}
	/* NAME:value, NAMEdigits, NAMEdigits:value */
	{
		const char *colon = memchr(rest, ':', restlen);

		if (colon == NULL) {
			args[0] = rest;
			arglen[0] = restlen;
			return smscmd_inv(m, s, namelen, ATFORM_SET, args,
			    arglen, 1, err);
		}
		if (colon == rest) {
			args[0] = colon + 1;
			arglen[0] = restlen - 1;
			return smscmd_inv(m, s, namelen, ATFORM_SET, args,
			    arglen, 1, err);
		}
		args[0] = rest;
		arglen[0] = (size_t)(colon - rest);
		args[1] = colon + 1;
		arglen[1] = restlen - arglen[0] - 1;
		return smscmd_inv(m, s, namelen, ATFORM_SET, args, arglen, 2,
		    err);
	}
}

static int
smscmd_parse_short(const char *s, size_t n, struct smscmd_msg *m,
    const char **err)
{
	const char *p = s, *end = s + n;

	m->form = SMSCMD_FORM_SHORT;
	while (p <= end) {
		const char *c = memchr(p, ',', (size_t)(end - p));
		const char *tend = c != NULL ? c : end;
		const char *semi;
		size_t l;

		while (p < tend && *p == ' ')
			p++;
		l = (size_t)(tend - p);
		while (l > 0 && p[l - 1] == ' ')
			l--;
		if (l == 0) {
			*err = "empty command";
			return -1;
		}
		semi = memchr(p, ';', l);
		if (semi != NULL) {
			if (smscmd_set_password(m, semi + 1,
			    l - (size_t)(semi - p) - 1, err) == -1)
				return -1;
			l = (size_t)(semi - p);
			while (l > 0 && p[l - 1] == ' ')
				l--;
		}
		/* RISP last, alone or with the password (RISP;pwd) */
		if (c == NULL && l == 4 && util_strncaseeq(p, "RISP", 4)) {
			m->risp = 1;
			break;
		}
		if (smscmd_parse_short1(p, l, m, err) == -1)
			return -1;
		if (c == NULL)
			break;
		p = c + 1;
	}
	if (m->ncmds == 0) {
		*err = "no command";
		return -1;
	}
	return 0;
}

/* "AT+" at the start, or right after the first '#'. */
static const char *
smscmd_find_at(const char *s, size_t n)
{
	const char *hash = memchr(s, '#', n);

	if (n >= 3 && util_strncaseeq(s, "AT+", 3))
		return s;
	if (hash != NULL && (size_t)(s + n - hash) > 3 &&
	    util_strncaseeq(hash + 1, "AT+", 3))
		return hash + 1;
	return NULL;
}

int
smscmd_parse(const char *text, size_t len, struct smscmd_msg *m,
    const char **err)
{
	const char *at;

	memset(m, 0, sizeof *m);
	while (len > 0 && strchr(" \t\r\n", text[len - 1]) != NULL)
		len--;
	while (len > 0 && strchr(" \t\r\n", *text) != NULL) {
		text++;
		len--;
	}
	if (len == 0) {
		*err = "empty message";
		return -1;
	}
	if (len > SMSCMD_MAX_LEN) {
		*err = "message too long";
		return -1;
	}
	for (size_t i = 0; i < len; i++) {
		if ((unsigned char)text[i] < 0x20 || text[i] == 0x7f) {
			*err = "control character in message";
			return -1;
		}
	}
	if ((at = smscmd_find_at(text, len)) != NULL)
		return smscmd_parse_at(text, len, at, m, err);
	if (text[len - 1] == '#')
		return smscmd_parse_verb(text, len, m, err);
	return smscmd_parse_short(text, len, m, err);
}

/* Skip to the end of a field: the next character of `stops`, or the end. */
static const char *
smscmd_field_end(const char *p, const char *end, const char *stops)
{
	while (p < end && strchr(stops, *p) == NULL)
		p++;
	return p;
}

/* Can c be in a password (auth_password_set())? */
static int
smscmd_pw_char(char c)
{
	return (unsigned char)c > 0x20 && c != 0x7f &&
	    strchr("#;,\"", c) == NULL;
}

static const char *
smscmd_pw_token_end(const char *p, const char *end)
{
	while (p < end && smscmd_pw_char(*p))
		p++;
	return p;
}

/*
 * The fallback of smscmd_redact() for text that does not parse (it runs
 * nothing, but may be a mistyped command holding a password): by shape,
 * whatever could be a password is masked: the text before "#AT+", any
 * word right before a '#' (PASSWORD#, whatever follows), ";PASSWORD",
 * "PWD=PASSWORD", the arguments of CMDPW and PWD, and what
 * follows the code of AT+APN.
 */
void
smscmd_redact_shape(const char *text, size_t len, struct buf *out)
{
	const char *p = text, *end = text + len, *q;
	const char *hash = memchr(text, '#', len);
	int cmd_start = 1;

	if (hash != NULL && hash > text && end - hash > 3 &&
	    util_strncaseeq(hash + 1, "AT+", 3)) {
		buf_puts(out, "***");
		p = hash;
	}
	if (len > 4 && util_strncaseeq(text, "APN,", 4)) {
		/* the verb form of AT+APN: the code only */
		q = smscmd_field_end(text + 4, end, ",#");
		buf_add(out, text, (size_t)(q - text));
		if (q < end && *q == ',')
			buf_puts(out, ",***");
		if (end[-1] == '#')
			buf_puts(out, "#");
		return;
	}
	while (p < end) {
		if ((p == text || !smscmd_pw_char(p[-1])) &&
		    (q = smscmd_pw_token_end(p, end)) > p && q < end &&
		    *q == '#') {
			/* PASSWORD#, whatever follows (pw#ATVER, pw#) */
			buf_puts(out, "***");
			p = q;
		} else if (end - p >= 4 && util_strncaseeq(p, "PWD=", 4)) {
			buf_puts(out, "PWD=***");
			p = smscmd_field_end(p + 4, end, ",#");
		} else if (cmd_start && end - p > 3 &&
		    util_strncaseeq(p, "PWD", 3) && p[3] != '?') {
			buf_puts(out, "PWD***");
			p = smscmd_field_end(p + 3, end, ",;");
		} else if ((end - p >= 9 && util_strncaseeq(p, "AT+CMDPW=", 9)) ||
		    (end - p >= 7 && util_strncaseeq(p, "AT+PWD=", 7))) {
			q = memchr(p, '=', (size_t)(end - p)) + 1;
			buf_add(out, p, (size_t)(q - p));
			buf_puts(out, "***");
			p = end;
		} else if (end - p >= 7 && util_strncaseeq(p, "AT+APN=", 7)) {
			/* the code stays readable; user, password and auth
			 * (datalink_settings.c) do not */
			q = smscmd_field_end(p + 7, end, ",");
			buf_add(out, p, (size_t)(q - p));
			if (q < end)
				buf_puts(out, ",***");
			p = end;
		} else if (*p == ';') {
			buf_puts(out, ";***");
			p = smscmd_field_end(p + 1, end, ",");
		} else {
			cmd_start = *p == ',' || *p == ' ';
			buf_add(out, p++, 1);
			continue;
		}
		cmd_start = 0;
	}
}
