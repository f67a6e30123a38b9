/*
 * test_at_lexer.c: unit tests of the AT lexer: framing, echo, prompt,
 * PDU lines, quoted line breaks, overflow, NUL bytes and garbage, and the
 * chunk-split invariance (same tokens however the bytes are cut).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "at_lexer.h"
#include "at_parse.h"

#define MAXTOK	64

struct rec {
	int		 n;
	enum at_token_type type[MAXTOK];
	char		 data[MAXTOK][AT_LINE_MAX + 1];
	size_t		 len[MAXTOK];
	unsigned int	 flags[MAXTOK];
};

static void
rec_emit(const struct at_token *t, void *arg)
{
	struct rec	*r = arg;

	assert_true(r->n < MAXTOK);
	assert_int_equal(t->data[t->len], '\0');
	r->type[r->n] = t->type;
	memcpy(r->data[r->n], t->data, t->len + 1);
	r->len[r->n] = t->len;
	r->flags[r->n] = t->flags;
	r->n++;
}

static struct rec *
rec_new(void)
{
	struct rec	*r = calloc(1, sizeof *r);

	assert_non_null(r);
	return r;
}

static void
feed_str(struct at_lexer *lx, const char *s, struct rec *r)
{
	at_lexer_feed(lx, (const uint8_t *)s, strlen(s), rec_emit, r);
}

static void
expect_tok(const struct rec *r, int i, enum at_token_type type,
    const char *data)
{
	assert_true(i < r->n);
	assert_int_equal(r->type[i], type);
	assert_string_equal(r->data[i], data);
}

static void
test_framing(void **state)
{
	struct at_lexer	 lx;
	struct rec	*r = rec_new();

	(void)state;
	at_lexer_init(&lx);
	feed_str(&lx, "\r\n\r\nOK\r\n\r\nA\rB\nC\r\r\nD\n\n", r);
	assert_int_equal(r->n, 5);
	expect_tok(r, 0, AT_TOK_LINE, "OK");
	expect_tok(r, 1, AT_TOK_LINE, "A");
	expect_tok(r, 2, AT_TOK_LINE, "B");
	expect_tok(r, 3, AT_TOK_LINE, "C");
	expect_tok(r, 4, AT_TOK_LINE, "D");
	/* an unterminated line is held back */
	feed_str(&lx, "+CSQ: 1", r);
	assert_int_equal(r->n, 5);
	feed_str(&lx, "8,99\r", r);
	expect_tok(r, 5, AT_TOK_LINE, "+CSQ: 18,99");
	free(r);
}

static void
test_echo(void **state)
{
	struct at_lexer	 lx;
	struct rec	*r = rec_new();

	(void)state;
	at_lexer_init(&lx);
	at_lexer_set_echo(&lx, "AT+CSQ\r", 7);
	feed_str(&lx, "AT+CSQ\r\r\n+CSQ: 18,99\r\n\r\nOK\r\n", r);
	assert_int_equal(r->n, 3);
	expect_tok(r, 0, AT_TOK_ECHO, "AT+CSQ");
	expect_tok(r, 1, AT_TOK_LINE, "+CSQ: 18,99");
	expect_tok(r, 2, AT_TOK_LINE, "OK");

	/* echo with CRLF before it; matched once only, case-insensitive */
	at_lexer_set_echo(&lx, "AT+CGMI", 7);
	feed_str(&lx, "\r\nat+cgmi\r\nAT+CGMI\r\nOK\r\n", r);
	expect_tok(r, 3, AT_TOK_ECHO, "at+cgmi");
	expect_tok(r, 4, AT_TOK_LINE, "AT+CGMI");
	expect_tok(r, 5, AT_TOK_LINE, "OK");

	/* echo off: nothing matches, nothing breaks */
	at_lexer_set_echo(&lx, "AT+CIMI", 7);
	feed_str(&lx, "\r\n111111111111111\r\n\r\nOK\r\n", r);
	assert_int_equal(r->n, 8);
	expect_tok(r, 6, AT_TOK_LINE, "111111111111111");
	at_lexer_clear_echo(&lx);
	feed_str(&lx, "AT+CIMI\r", r);
	expect_tok(r, 8, AT_TOK_LINE, "AT+CIMI");
	free(r);
}

/* Echo, then a URC, then the response: the URC is reported as a URC. */
static void
test_echo_urc_ok(void **state)
{
	struct at_lexer		 lx;
	struct rec		*r = rec_new();
	struct at_result	 res;
	struct at_reg		 reg;

	(void)state;
	at_lexer_init(&lx);
	at_lexer_set_echo(&lx, "AT+CREG?", 8);
	feed_str(&lx, "AT+CREG?\r\r\n+CMTI: \"SM\",3\r\n"
	    "\r\n+CREG: 1,\"00AB\",\"0000CDEF\",7\r\n"
	    "\r\n+CREG: 2,1,\"00AB\",\"CDEF\"\r\n\r\nOK\r\n", r);
	assert_int_equal(r->n, 5);
	expect_tok(r, 0, AT_TOK_ECHO, "AT+CREG?");
	assert_int_equal(at_urc_classify(r->data[1], r->len[1], "+CREG:"),
	    AT_URC_CMTI);
	assert_int_equal(at_result_classify(r->data[1], r->len[1], 0, &res),
	    0);
	/* URC-shaped +CREG during AT+CREG? is still a URC */
	assert_int_equal(at_urc_classify(r->data[2], r->len[2], "+CREG:"),
	    AT_URC_CREG);
	assert_int_equal(at_parse_reg(r->data[2], r->len[2],
	    AT_REG_UNSOLICITED, &reg, NULL), 0);
	assert_int_equal(reg.stat, 1);
	assert_int_equal(reg.act, 7);
	/* the answer is a response */
	assert_int_equal(at_urc_classify(r->data[3], r->len[3], "+CREG:"),
	    AT_URC_NONE);
	assert_int_equal(at_parse_reg(r->data[3], r->len[3],
	    AT_REG_SOLICITED, &reg, NULL), 0);
	assert_int_equal(reg.n, 2);
	assert_int_equal(reg.lac, 0xab);
	assert_int_equal(reg.ci, 0xcdef);
	assert_int_equal(at_result_classify(r->data[4], r->len[4], 0, &res),
	    1);
	assert_int_equal(res.kind, AT_RESULT_OK);
	free(r);
}

static int	prompt_seen_at;

static void
prompt_emit(const struct at_token *t, void *arg)
{
	int	*pos = arg;

	if (t->type == AT_TOK_PROMPT)
		prompt_seen_at = *pos;
}

static void
test_prompt(void **state)
{
	struct at_lexer	 lx;
	struct rec	*r = rec_new();
	const char	*s = "AT+CMGS=23\r\r\n> ";
	int		 i;
	const char	*pdu = "00218E0A91103254769800000CC8329B8D00DDDFF2003904\x1a";

	(void)state;
	/* the prompt is emitted on the ' ', with no line end after it */
	at_lexer_init(&lx);
	at_lexer_set_echo(&lx, "AT+CMGS=23", 10);
	prompt_seen_at = -1;
	for (i = 0; s[i] != '\0'; i++)
		at_lexer_feed(&lx, (const uint8_t *)s + i, 1, prompt_emit, &i);
	assert_int_equal(prompt_seen_at, (int)strlen(s) - 1);

	at_lexer_init(&lx);
	at_lexer_set_echo(&lx, "AT+CMGS=23", 10);
	feed_str(&lx, s, r);
	assert_int_equal(r->n, 2);
	expect_tok(r, 0, AT_TOK_ECHO, "AT+CMGS=23");
	expect_tok(r, 1, AT_TOK_PROMPT, "> ");
	/* the modem echoes the PDU and Ctrl-Z */
	at_lexer_set_echo(&lx, pdu, strlen(pdu));
	feed_str(&lx, pdu, r);
	feed_str(&lx, "\r\n+CMGS: 142\r\n\r\nOK\r\n", r);
	assert_int_equal(r->n, 5);
	expect_tok(r, 2, AT_TOK_ECHO, pdu);
	expect_tok(r, 3, AT_TOK_LINE, "+CMGS: 142");
	expect_tok(r, 4, AT_TOK_LINE, "OK");

	/* '>' not followed by ' ' starts an ordinary line */
	feed_str(&lx, ">abc\r\n>\r\n", r);
	expect_tok(r, 5, AT_TOK_LINE, ">abc");
	expect_tok(r, 6, AT_TOK_LINE, ">");
	free(r);
}

static void
test_pdu_lines(void **state)
{
	struct at_lexer	 lx;
	struct rec	*r = rec_new();

	(void)state;
	at_lexer_init(&lx);
	feed_str(&lx, "+CMGL: 0,0,,35\r\n0791ABCDEF\r\n"
	    "+CMGL: 1,1,,161\r\ngarbage line\r\n07912233\r\nOK\r\n", r);
	assert_int_equal(r->n, 6);
	expect_tok(r, 0, AT_TOK_LINE, "+CMGL: 0,0,,35");
	expect_tok(r, 1, AT_TOK_PDU, "0791ABCDEF");
	expect_tok(r, 3, AT_TOK_LINE, "garbage line");
	expect_tok(r, 4, AT_TOK_PDU, "07912233");
	expect_tok(r, 5, AT_TOK_LINE, "OK");
	/* a hex line with no header before it is an ordinary line */
	feed_str(&lx, "351234567890123\r\n", r);
	expect_tok(r, 6, AT_TOK_LINE, "351234567890123");
	/* missing PDU: OK after the header ends the expectation */
	feed_str(&lx, "+CMGR: 0,,29\r\nOK\r\n351234567890123\r\n", r);
	expect_tok(r, 8, AT_TOK_LINE, "OK");
	expect_tok(r, 9, AT_TOK_LINE, "351234567890123");
	/* the slack is bounded */
	feed_str(&lx, "+CMT: ,24\r\nx\r\ny\r\nz\r\n0011\r\n", r);
	expect_tok(r, 13, AT_TOK_LINE, "z");
	expect_tok(r, 14, AT_TOK_LINE, "0011");
	/* a stray quote after the PDU (gammu at-sms/04.dump) */
	feed_str(&lx, "+CMGR: 1,,156\r\n0791AB\"\r\n", r);
	expect_tok(r, 16, AT_TOK_PDU, "0791AB");
	/* engine hint; and a PDU line ending in LF only */
	at_lexer_expect_pdu(&lx);
	feed_str(&lx, "00AA\n", r);
	expect_tok(r, 17, AT_TOK_PDU, "00AA");
	/* text-mode +CDS has no data line in text mode */
	at_lexer_set_text_mode(&lx, 1);
	feed_str(&lx, "+CDS: 6,20,\"123\",129,\"a\",\"b\",0\r\nRING\r\n", r);
	expect_tok(r, 19, AT_TOK_LINE, "RING");
	free(r);
}

static void
test_text_mode(void **state)
{
	struct at_lexer	 lx;
	struct rec	*r = rec_new();

	(void)state;
	at_lexer_init(&lx);
	at_lexer_set_text_mode(&lx, 1);
	feed_str(&lx, "+CMGL: 0,\"REC UNREAD\",\"+2774\",,\"13/01/28,14:51:42+08\""
	    "\r\nHello \"pi\r\n+CMGL: 1,\"REC READ\",\"+27\",,\"x\"\r\nOK\r\n"
	    "+CMGL: 2,\"REC READ\",\"+27\",,\"x\"\r\n"
	    "+CMGL: 3,\"REC READ\",\"+27\",,\"x\"\r\n> hi\r\nOK\r\n", r);
	assert_int_equal(r->n, 8);
	expect_tok(r, 1, AT_TOK_PDU, "Hello \"pi");
	expect_tok(r, 2, AT_TOK_LINE, "+CMGL: 1,\"REC READ\",\"+27\",,\"x\"");
	expect_tok(r, 3, AT_TOK_LINE, "OK");
	expect_tok(r, 4, AT_TOK_LINE, "+CMGL: 2,\"REC READ\",\"+27\",,\"x\"");
	expect_tok(r, 6, AT_TOK_PDU, "> hi");
	expect_tok(r, 7, AT_TOK_LINE, "OK");
	free(r);
}

static void
test_quoted_breaks(void **state)
{
	struct at_lexer	 lx;
	struct rec	*r = rec_new();

	(void)state;
	at_lexer_init(&lx);
	feed_str(&lx, "+CUSD: 1,\"Bal:$100.00 *\r\nExp 01 Jan 2013\r\n"
	    "1. Recharge\",15\r\nOK\r\n", r);
	assert_int_equal(r->n, 2);
	expect_tok(r, 0, AT_TOK_LINE, "+CUSD: 1,\"Bal:$100.00 *\r\n"
	    "Exp 01 Jan 2013\r\n1. Recharge\",15");
	assert_true(r->flags[0] & AT_TOKF_MULTILINE);
	expect_tok(r, 1, AT_TOK_LINE, "OK");
	/* unclosed quote: the final result code is not swallowed */
	feed_str(&lx, "+CREG: 2,1,\"5E25\nOK\n", r);
	assert_int_equal(r->n, 4);
	expect_tok(r, 2, AT_TOK_LINE, "+CREG: 2,1,\"5E25");
	expect_tok(r, 3, AT_TOK_LINE, "OK");
	feed_str(&lx, "+X: \"a\r\n+CME ERROR: 10\r\nRING\r\n", r);
	expect_tok(r, 4, AT_TOK_LINE, "+X: \"a");
	expect_tok(r, 5, AT_TOK_LINE, "+CME ERROR: 10");
	expect_tok(r, 6, AT_TOK_LINE, "RING");
	free(r);
}

static void
test_overflow(void **state)
{
	struct at_lexer	 lx;
	struct rec	*r = rec_new();
	static char	 big[AT_LINE_MAX + 100];

	(void)state;
	at_lexer_init(&lx);
	memset(big, 'A', AT_LINE_MAX);
	big[AT_LINE_MAX] = '\0';
	feed_str(&lx, big, r);
	feed_str(&lx, "\r\n", r);
	assert_int_equal(r->n, 1);
	assert_int_equal(r->type[0], AT_TOK_LINE);
	assert_int_equal(r->len[0], AT_LINE_MAX);

	memset(big, 'B', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	feed_str(&lx, big, r);
	feed_str(&lx, "\"more\r\n\r\nOK\r\n", r);
	assert_int_equal(r->n, 3);
	assert_int_equal(r->type[1], AT_TOK_OVERFLOW);
	assert_int_equal(r->len[1], AT_LINE_MAX);
	expect_tok(r, 2, AT_TOK_LINE, "OK");
	assert_int_equal(lx.overflows, 1);

	/* an unclosed quote runs into the cap, then recovers */
	feed_str(&lx, "+CUSD: 1,\"", r);
	for (int i = 0; i < 120; i++)
		feed_str(&lx, "line of a long text\r\n", r);
	assert_int_equal(r->type[3], AT_TOK_OVERFLOW);
	feed_str(&lx, "OK\r\n", r);
	expect_tok(r, r->n - 1, AT_TOK_LINE, "OK");
	free(r);
}

static void
test_garbage(void **state)
{
	struct at_lexer	 lx;
	struct rec	*r = rec_new();
	static const uint8_t junk[] = { 0, 0, 'O', 0, 'K', '\r', '\n',
	    0xff, 0xfe, 0x01, '\r', 0, '\n', 'R', 'D', 'Y', '\r', '\n' };
	char		 esc[64];

	(void)state;
	at_lexer_init(&lx);
	at_lexer_feed(&lx, junk, sizeof junk, rec_emit, r);
	assert_int_equal(r->n, 3);
	expect_tok(r, 0, AT_TOK_LINE, "OK");
	assert_true(r->flags[0] & AT_TOKF_NUL);
	expect_tok(r, 1, AT_TOK_LINE, "\xff\xfe\x01");
	assert_false(r->flags[1] & AT_TOKF_NUL);
	expect_tok(r, 2, AT_TOK_LINE, "RDY");
	assert_int_equal(lx.nul_bytes, 4);

	at_lexer_escape(r->data[1], r->len[1], esc, sizeof esc);
	assert_string_equal(esc, "\\xff\\xfe\\x01");
	at_lexer_escape("a\r\n\"", 4, esc, sizeof esc);
	assert_string_equal(esc, "a\\r\\n\\\"");
	at_lexer_escape("abcdefghij", 10, esc, 8);
	assert_string_equal(esc, "abcd...");
	assert_string_equal(at_token_type_name(AT_TOK_PDU), "PDU");
	assert_string_equal(at_lexer_state_name(AT_LEXER_QUOTE), "quote");
	free(r);
}

/* Same tokens whatever the chunking. */
static const char *split_streams[] = {
	"AT+CSQ\r\r\n+CSQ: 18,99\r\n\r\nOK\r\n",
	"AT+CMGS=23\r\r\n> 0011AA\x1a\r\n+CMGS: 142\r\n\r\nOK\r\n",
	"\r\n+CMTI: \"SM\",1\r\n\r\nRING\r\n\r\n+CLIP: \"+2782\",145,,,,0\r\n",
	"+CMGL: 0,0,,35\r\n07917248014000F3\r\n+CMGL: 1,1,,161\r\njunk\r\n"
	    "0791AB\r\n\r\nOK\r\n",
	"+CUSD: 1,\"a\r\nb,\"\"c\",15\r\n+CREG: 2,1,\"5E25\nOK\n\0\0>x\r\n",
	"Q\r\r\nQWERTY\r\r\n^DTMF\r\r\nOK\r\n> \r\n>\r>>  \n",
};

static void
collect_split(const char *s, size_t len, uint32_t seed, struct rec *r)
{
	struct at_lexer	lx;
	size_t		off = 0, n;

	at_lexer_init(&lx);
	at_lexer_set_echo(&lx, "AT+CMGS=23", 10);
	while (off < len) {
		if (seed == 0)
			n = 1;
		else {
			seed = seed * 1103515245u + 12345u;
			n = 1 + (seed >> 16) % 7;
		}
		if (n > len - off)
			n = len - off;
		at_lexer_feed(&lx, (const uint8_t *)s + off, n, rec_emit, r);
		off += n;
	}
}

static void
test_chunk_invariance(void **state)
{
	struct rec	*whole = rec_new(), *part = rec_new();
	struct at_lexer	 lx;
	size_t		 i, len;
	uint32_t	 seed;
	int		 k;

	(void)state;
	for (i = 0; i < sizeof split_streams / sizeof split_streams[0]; i++) {
		len = strlen(split_streams[i]);
		if (i == 4)
			len += 6;	/* embedded NULs and the tail */
		memset(whole, 0, sizeof *whole);
		at_lexer_init(&lx);
		at_lexer_set_echo(&lx, "AT+CMGS=23", 10);
		at_lexer_feed(&lx, (const uint8_t *)split_streams[i], len,
		    rec_emit, whole);
		assert_true(whole->n > 0);
		for (seed = 0; seed < 300; seed++) {
			memset(part, 0, sizeof *part);
			collect_split(split_streams[i], len, seed, part);
			assert_int_equal(part->n, whole->n);
			for (k = 0; k < whole->n; k++) {
				assert_int_equal(part->type[k],
				    whole->type[k]);
				assert_int_equal(part->len[k], whole->len[k]);
				assert_memory_equal(part->data[k],
				    whole->data[k], whole->len[k]);
				assert_int_equal(part->flags[k],
				    whole->flags[k]);
			}
		}
	}
	free(whole);
	free(part);
}

/* A callback may set the next echo while the lexer runs. */
static enum at_token_type	reentrant_types[8];
static int			reentrant_n;

static void
reentrant_emit(const struct at_token *t, void *arg)
{
	struct at_lexer	*lx = arg;
	struct at_result res;

	if (reentrant_n < 8)
		reentrant_types[reentrant_n++] = t->type;
	if (t->type == AT_TOK_LINE &&
	    at_result_classify(t->data, t->len, 0, &res))
		at_lexer_set_echo(lx, "AT+CGSN", 7);
	if (t->type == AT_TOK_ECHO)
		at_lexer_set_echo(lx, "ECHOED", 6);
}

static void
test_reentrant_setters(void **state)
{
	struct at_lexer	lx;
	const char	*s = "AT\r\r\nOK\r\nAT+CGSN\r\r\n1234\r\nECHOED\r\n";

	(void)state;
	at_lexer_init(&lx);
	at_lexer_set_echo(&lx, "AT", 2);
	at_lexer_feed(&lx, (const uint8_t *)s, strlen(s), reentrant_emit, &lx);
	assert_int_equal(reentrant_n, 5);
	assert_int_equal(reentrant_types[0], AT_TOK_ECHO);
	assert_int_equal(reentrant_types[1], AT_TOK_LINE);
	assert_int_equal(reentrant_types[2], AT_TOK_ECHO);
	assert_int_equal(reentrant_types[3], AT_TOK_LINE);
	assert_int_equal(reentrant_types[4], AT_TOK_ECHO);
	at_lexer_reset(&lx);
	assert_int_equal(lx.state, AT_LEXER_IDLE);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_framing),
		cmocka_unit_test(test_echo),
		cmocka_unit_test(test_echo_urc_ok),
		cmocka_unit_test(test_prompt),
		cmocka_unit_test(test_pdu_lines),
		cmocka_unit_test(test_text_mode),
		cmocka_unit_test(test_quoted_breaks),
		cmocka_unit_test(test_overflow),
		cmocka_unit_test(test_garbage),
		cmocka_unit_test(test_chunk_invariance),
		cmocka_unit_test(test_reentrant_setters),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
