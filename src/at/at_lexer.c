/*
 * at_lexer.c: byte-at-a-time lexer of the AT channel (see at_lexer.h).
 *
 * A small state machine in the manner of oFono's gatsyntax.c: each byte
 * is looked up in a per-state table of byte classes giving an action.
 * It owns CR/LF framing, quoted strings, the "> " prompt, PDU lines after
 * SMS headers, command echo and the line cap.  No I/O, no allocation.
 */
#include <string.h>

#include "at_lexer.h"
#include "at_parse.h"

/* Byte classes. */
enum at_lexer_class {
	C_EOL,		/* CR or LF */
	C_NUL,
	C_QUOTE,
	C_GT,		/* '>' */
	C_SPACE,	/* ' ' */
	C_OTHER,
	C_MAX
};

/* Actions. */
enum at_lexer_action {
	A_SKIP,		/* drop the byte */
	A_START,	/* first byte of a line or body */
	A_APPEND,	/* add to the line */
	A_QUOTE_ON,	/* add, enter quoted string */
	A_QUOTE_OFF,	/* add, leave quoted string */
	A_QUOTE_EOL,	/* CR/LF inside a quoted string */
	A_END,		/* end of line or body */
	A_PROMPT_GT,	/* '>' at line start */
	A_PROMPT,	/* ' ' after '>': emit the prompt */
	A_PROMPT_NOT,	/* '>' was the start of an ordinary line */
	A_NUL,		/* drop a NUL byte, flag the line */
	A_DISCARD_END	/* end of an overlong line */
};

static const enum at_lexer_action at_lexer_table[AT_LEXER_MAX][C_MAX] = {
	[AT_LEXER_IDLE] = {
		[C_EOL] = A_SKIP, [C_NUL] = A_NUL, [C_QUOTE] = A_START,
		[C_GT] = A_PROMPT_GT, [C_SPACE] = A_START, [C_OTHER] = A_START
	},
	[AT_LEXER_PROMPT] = {
		[C_EOL] = A_PROMPT_NOT, [C_NUL] = A_NUL,
		[C_QUOTE] = A_PROMPT_NOT, [C_GT] = A_PROMPT_NOT,
		[C_SPACE] = A_PROMPT, [C_OTHER] = A_PROMPT_NOT
	},
	[AT_LEXER_LINE] = {
		[C_EOL] = A_END, [C_NUL] = A_NUL, [C_QUOTE] = A_QUOTE_ON,
		[C_GT] = A_APPEND, [C_SPACE] = A_APPEND, [C_OTHER] = A_APPEND
	},
	[AT_LEXER_QUOTE] = {
		[C_EOL] = A_QUOTE_EOL, [C_NUL] = A_NUL,
		[C_QUOTE] = A_QUOTE_OFF, [C_GT] = A_APPEND,
		[C_SPACE] = A_APPEND, [C_OTHER] = A_APPEND
	},
	[AT_LEXER_BODY] = {
		[C_EOL] = A_END, [C_NUL] = A_NUL, [C_QUOTE] = A_APPEND,
		[C_GT] = A_APPEND, [C_SPACE] = A_APPEND, [C_OTHER] = A_APPEND
	},
	[AT_LEXER_DISCARD] = {
		[C_EOL] = A_DISCARD_END, [C_NUL] = A_SKIP, [C_QUOTE] = A_SKIP,
		[C_GT] = A_SKIP, [C_SPACE] = A_SKIP, [C_OTHER] = A_SKIP
	},
};

static const char *at_lexer_state_names[AT_LEXER_MAX] = {
	"idle", "prompt", "line", "quote", "body", "discard"
};

static const char *at_token_type_names[AT_TOK_MAX] = {
	"LINE", "ECHO", "PROMPT", "PDU", "OVERFLOW"
};

/* Headers followed by a data line; pdu_only: not in text mode. */
static const struct {
	const char	*prefix;
	int		 pdu_only;
} at_lexer_headers[] = {
	{ "+CMGL:", 0 },
	{ "+CMGR:", 0 },
	{ "+CMT:", 0 },
	{ "+CBM:", 0 },
	{ "+CDS:", 1 },		/* text-mode +CDS has no data line */
};

const char *
at_lexer_state_name(enum at_lexer_state s)
{
	if ((unsigned)s >= AT_LEXER_MAX)
		return "?";
	return at_lexer_state_names[s];
}

const char *
at_token_type_name(enum at_token_type t)
{
	if ((unsigned)t >= AT_TOK_MAX)
		return "?";
	return at_token_type_names[t];
}

void
at_lexer_init(struct at_lexer *lx)
{
	memset(lx, 0, sizeof *lx);
	lx->state = AT_LEXER_IDLE;
}

/* Forget any partial line, echo and PDU expectation (port reopened). */
void
at_lexer_reset(struct at_lexer *lx)
{
	int	text_mode = lx->text_mode;

	at_lexer_init(lx);
	lx->text_mode = text_mode;
}

void
at_lexer_set_text_mode(struct at_lexer *lx, int on)
{
	lx->text_mode = on ? 1 : 0;
}

void
at_lexer_expect_pdu(struct at_lexer *lx)
{
	lx->pdu_armed = 1 + AT_PDU_SLACK;
}

/* Length of s without trailing blanks and Ctrl-Z. */
static size_t
at_lexer_trim_echo(const char *s, size_t len)
{
	while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t' ||
	    s[len - 1] == '\r' || s[len - 1] == '\n' || s[len - 1] == 0x1a))
		len--;
	return len;
}

void
at_lexer_set_echo(struct at_lexer *lx, const char *cmd, size_t len)
{
	len = at_lexer_trim_echo(cmd, len);
	if (len == 0 || len > AT_LINE_MAX || memchr(cmd, '\0', len) != NULL) {
		lx->echo_len = 0;
		return;
	}
	memcpy(lx->echo, cmd, len);
	lx->echo[len] = '\0';
	lx->echo_len = len;
}

void
at_lexer_clear_echo(struct at_lexer *lx)
{
	lx->echo_len = 0;
}

static int
at_lexer_lower(int c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A' + 'a';
	return c;
}

static int
at_lexer_is_echo(const struct at_lexer *lx, const char *s, size_t len)
{
	size_t	i;

	if (lx->echo_len == 0)
		return 0;
	len = at_lexer_trim_echo(s, len);
	if (len != lx->echo_len)
		return 0;
	for (i = 0; i < len; i++) {
		if (at_lexer_lower((unsigned char)s[i]) !=
		    at_lexer_lower((unsigned char)lx->echo[i]))
			return 0;
	}
	return 1;
}

static int
at_lexer_is_header(const struct at_lexer *lx, const char *s, size_t len)
{
	size_t	i, n;

	for (i = 0; i < sizeof at_lexer_headers / sizeof at_lexer_headers[0];
	    i++) {
		if (lx->text_mode && at_lexer_headers[i].pdu_only)
			continue;
		n = strlen(at_lexer_headers[i].prefix);
		if (len >= n && memcmp(s, at_lexer_headers[i].prefix, n) == 0)
			return 1;
	}
	return 0;
}

static int
at_lexer_is_final(const char *s, size_t len)
{
	struct at_result	res;

	return at_result_classify(s, len, 0, &res);
}

static void
at_lexer_emit(at_lexer_emit_cb emit, void *arg, enum at_token_type type,
    char *data, size_t len, unsigned int flags)
{
	struct at_token	tok;
	char		save;

	save = data[len];
	data[len] = '\0';
	tok.type = type;
	tok.data = data;
	tok.len = len;
	tok.flags = flags;
	emit(&tok, arg);
	data[len] = save;
}

/*
 * The data line after an SMS header.  In PDU mode it must be hex (a
 * trailing stray quote is dropped: a phone in gammu's
 * tests/at-sms/04.dump appends one); anything else is an ordinary line
 * and up to AT_PDU_SLACK of those are skipped while waiting for the PDU
 * (python-gsmmodem test_modem.py: garbage after a +CMGL header).  In text
 * mode the line is the message text.
 */
static void
at_lexer_end_body(struct at_lexer *lx, at_lexer_emit_cb emit, void *arg,
    char *s, size_t len, unsigned int flags)
{
	size_t	n, i;

	if (at_lexer_is_echo(lx, s, len)) {
		lx->echo_len = 0;
		at_lexer_emit(emit, arg, AT_TOK_ECHO, s, len, flags);
		return;
	}
	if (at_lexer_is_final(s, len)) {
		lx->pdu_armed = 0;
		at_lexer_emit(emit, arg, AT_TOK_LINE, s, len, flags);
		return;
	}
	if (at_lexer_is_header(lx, s, len)) {
		lx->pdu_armed = 1 + AT_PDU_SLACK;
		at_lexer_emit(emit, arg, AT_TOK_LINE, s, len, flags);
		return;
	}
	if (lx->text_mode) {
		lx->pdu_armed = 0;
		at_lexer_emit(emit, arg, AT_TOK_PDU, s, len, flags);
		return;
	}
	n = len;
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	if (n > 0 && s[n - 1] == '"')
		n--;
	for (i = 0; i < n; i++) {
		if (!((s[i] >= '0' && s[i] <= '9') ||
		    (s[i] >= 'A' && s[i] <= 'F') ||
		    (s[i] >= 'a' && s[i] <= 'f')))
			break;
	}
	if (n > 0 && i == n) {
		lx->pdu_armed = 0;
		at_lexer_emit(emit, arg, AT_TOK_PDU, s, n, flags);
		return;
	}
	if (lx->pdu_armed > 0)
		lx->pdu_armed--;
	at_lexer_emit(emit, arg, AT_TOK_LINE, s, len, flags);
}

static void
at_lexer_end_line(struct at_lexer *lx, at_lexer_emit_cb emit, void *arg,
    char *s, size_t len, unsigned int flags)
{
	if (at_lexer_is_echo(lx, s, len)) {
		lx->echo_len = 0;
		at_lexer_emit(emit, arg, AT_TOK_ECHO, s, len, flags);
		return;
	}
	if (at_lexer_is_header(lx, s, len))
		lx->pdu_armed = 1 + AT_PDU_SLACK;
	else if (lx->pdu_armed > 0 && at_lexer_is_final(s, len))
		lx->pdu_armed = 0;
	at_lexer_emit(emit, arg, AT_TOK_LINE, s, len, flags);
}

static void
at_lexer_start(struct at_lexer *lx)
{
	lx->len = 0;
	lx->qbreak = 0;
	lx->flags = 0;
}

/* Add one byte; on overflow report and discard the rest of the line. */
static int
at_lexer_append(struct at_lexer *lx, at_lexer_emit_cb emit, void *arg,
    uint8_t c)
{
	if (lx->len >= AT_LINE_MAX) {
		lx->overflows++;
		at_lexer_emit(emit, arg, AT_TOK_OVERFLOW, lx->buf, lx->len,
		    lx->flags);
		at_lexer_start(lx);
		lx->state = AT_LEXER_DISCARD;
		return -1;
	}
	lx->buf[lx->len++] = (char)c;
	return 0;
}

static enum at_lexer_class
at_lexer_class(uint8_t c)
{
	switch (c) {
	case '\r':
	case '\n':
		return C_EOL;
	case '\0':
		return C_NUL;
	case '"':
		return C_QUOTE;
	case '>':
		return C_GT;
	case ' ':
		return C_SPACE;
	default:
		return C_OTHER;
	}
}

/*
 * CR/LF inside a quoted string stays in the line (gatchat does the same:
 * +CUSD texts span lines).  But if the quote was never closed (gammu's
 * tests/at-creg-corner/single-quote.dump: +CREG: 2,1,"5E25<LF>OK), the
 * final result code after the break would be swallowed; so when the
 * segment since the last break is a final result code, both are ended.
 */
static void
at_lexer_quote_eol(struct at_lexer *lx, at_lexer_emit_cb emit, void *arg,
    uint8_t c)
{
	size_t		 seg;
	unsigned int	 flags;
	char		 p;

	p = lx->len > 0 ? lx->buf[lx->len - 1] : '\0';
	if (p != '\r' && p != '\n' && lx->qbreak > 0) {
		seg = lx->qbreak;
		while (seg < lx->len &&
		    (lx->buf[seg] == '\r' || lx->buf[seg] == '\n'))
			seg++;
		if (seg < lx->len &&
		    at_lexer_is_final(lx->buf + seg, lx->len - seg)) {
			flags = lx->flags & ~AT_TOKF_MULTILINE;
			lx->state = AT_LEXER_IDLE;
			at_lexer_end_line(lx, emit, arg, lx->buf, lx->qbreak,
			    flags);
			at_lexer_end_line(lx, emit, arg, lx->buf + seg,
			    lx->len - seg, flags);
			at_lexer_start(lx);
			return;
		}
	}
	if (p != '\r' && p != '\n')
		lx->qbreak = lx->len;
	lx->flags |= AT_TOKF_MULTILINE;
	(void)at_lexer_append(lx, emit, arg, c);
}

void
at_lexer_feed(struct at_lexer *lx, const uint8_t *buf, size_t len,
    at_lexer_emit_cb emit, void *arg)
{
	size_t			i;
	uint8_t			c;
	enum at_lexer_action	a;
	enum at_lexer_state	was;

	for (i = 0; i < len; i++) {
		c = buf[i];
		if ((unsigned)lx->state >= AT_LEXER_MAX)
			lx->state = AT_LEXER_IDLE;
		a = at_lexer_table[lx->state][at_lexer_class(c)];
		switch (a) {
		case A_SKIP:
			break;
		case A_NUL:
			lx->nul_bytes++;
			if (lx->state != AT_LEXER_IDLE)
				lx->flags |= AT_TOKF_NUL;
			break;
		case A_START:
			at_lexer_start(lx);
			if (lx->pdu_armed > 0) {
				lx->state = AT_LEXER_BODY;
			} else
				lx->state = c == '"' ? AT_LEXER_QUOTE :
				    AT_LEXER_LINE;
			(void)at_lexer_append(lx, emit, arg, c);
			break;
		case A_APPEND:
			(void)at_lexer_append(lx, emit, arg, c);
			break;
		case A_QUOTE_ON:
			if (at_lexer_append(lx, emit, arg, c) == 0)
				lx->state = AT_LEXER_QUOTE;
			break;
		case A_QUOTE_OFF:
			if (at_lexer_append(lx, emit, arg, c) == 0)
				lx->state = AT_LEXER_LINE;
			break;
		case A_QUOTE_EOL:
			at_lexer_quote_eol(lx, emit, arg, c);
			break;
		case A_END:
			was = lx->state;
			lx->state = AT_LEXER_IDLE;
			if (was == AT_LEXER_BODY)
				at_lexer_end_body(lx, emit, arg, lx->buf,
				    lx->len, lx->flags);
			else
				at_lexer_end_line(lx, emit, arg, lx->buf,
				    lx->len, lx->flags);
			at_lexer_start(lx);
			break;
		case A_PROMPT_GT:
			at_lexer_start(lx);
			if (lx->pdu_armed > 0) {
				lx->state = AT_LEXER_BODY;
				(void)at_lexer_append(lx, emit, arg, c);
				break;
			}
			lx->state = AT_LEXER_PROMPT;
			(void)at_lexer_append(lx, emit, arg, c);
			break;
		case A_PROMPT:
			lx->state = AT_LEXER_IDLE;
			lx->buf[lx->len++] = (char)c;
			at_lexer_emit(emit, arg, AT_TOK_PROMPT, lx->buf,
			    lx->len, lx->flags);
			at_lexer_start(lx);
			break;
		case A_PROMPT_NOT:
			/* an ordinary line that starts with '>' */
			lx->state = AT_LEXER_LINE;
			i--;	/* look at this byte again as a line byte */
			break;
		case A_DISCARD_END:
			lx->state = AT_LEXER_IDLE;
			at_lexer_start(lx);
			break;
		}
	}
}

/*
 * Printable form of untrusted bytes for the log: \r \n \t \\ \" and \xNN.
 * Always NUL-terminates out (when outsz > 0); returns the length written.
 * Cut short with "..." when out is too small (logging only).
 */
size_t
at_lexer_escape(const char *in, size_t len, char *out, size_t outsz)
{
	static const char	 hex[] = "0123456789abcdef";
	size_t			 i, o = 0, need;
	unsigned char		 c;
	char			 tmp[4];

	if (outsz == 0)
		return 0;
	for (i = 0; i < len; i++) {
		c = (unsigned char)in[i];
		need = 1;
		if (c == '\r' || c == '\n' || c == '\t' || c == '\\' ||
		    c == '"') {
			tmp[0] = '\\';
			tmp[1] = c == '\r' ? 'r' : c == '\n' ? 'n' :
			    c == '\t' ? 't' : (char)c;
			need = 2;
		} else if (c < 0x20 || c >= 0x7f) {
			tmp[0] = '\\';
			tmp[1] = 'x';
			tmp[2] = hex[c >> 4];
			tmp[3] = hex[c & 0xf];
			need = 4;
		} else
			tmp[0] = (char)c;
		if (o + need + 1 > outsz) {
			while (o > 0 && o + 4 > outsz)
				o--;
			if (o + 4 <= outsz) {
				memcpy(out + o, "...", 3);
				o += 3;
			}
			break;
		}
		memcpy(out + o, tmp, need);
		o += need;
	}
	out[o] = '\0';
	return o;
}
