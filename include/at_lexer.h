/*
 * at_lexer.h: byte-at-a-time lexer for the modem's AT channel.
 *
 * Pure code: bytes in, tokens out through a callback; no I/O, no malloc,
 * one bounded line buffer.  Modelled on oFono's gatsyntax.c.
 *
 * How the AT engine drives this layer
 * -----------------------------------
 *  1. at_lexer_init() once per port; at_lexer_reset() after reopening it.
 *     at_lexer_set_text_mode(lx, 1) only if SMS text mode (AT+CMGF=1) is
 *     in use (a quirk); the default is PDU mode.
 *  2. When writing a command, call at_lexer_set_echo(lx, "AT+CREG?", 8)
 *     with the bytes written minus the trailing CR.  After the "> " prompt,
 *     when writing the SMS body, call it again with the body as written
 *     (e.g. "0011...hex" plus the Ctrl-Z).  The lexer reports an identical
 *     line (ASCII case-insensitive, trailing Ctrl-Z/blanks ignored) as
 *     AT_TOK_ECHO, once.  With echo off (ATE0) nothing matches and nothing
 *     breaks.  Call at_lexer_clear_echo() when the command completes.
 *  3. Feed whatever read() returned: at_lexer_feed(lx, buf, n, emit, arg).
 *     Chunk boundaries never matter.  The callback may call the setters
 *     above but must not call at_lexer_feed() again.  Token data is valid
 *     only during the callback (NUL-terminated, NUL bytes from the modem
 *     removed and flagged).
 *  4. Classify each token:
 *     AT_TOK_ECHO: drop it (log at debug level).
 *     AT_TOK_PROMPT: the "> " prompt; write the SMS body now.
 *     AT_TOK_PDU: the data line after a +CMGL/+CMGR/+CMT/+CDS/+CBM header
 *       (hex PDU in PDU mode, the message text in text mode); it belongs
 *       to the header line just before it (response or URC).
 *     AT_TOK_OVERFLOW: a line longer than AT_LINE_MAX was discarded (data
 *       holds its first bytes for the log); never act on it.  If a
 *       command is in flight, treat its response as broken.
 *     AT_TOK_LINE, in this order:
 *       a. at_result_classify(): a final result code ends the command in
 *          flight (with no command in flight, NO CARRIER/BUSY/... are call
 *          events, and a stray OK is logged and dropped);
 *       b. at_urc_classify(line, len, pending_prefix), where
 *          pending_prefix is the response prefix expected by the command
 *          in flight ("+CREG:" for AT+CREG?, NULL when none or when the
 *          answer is asynchronous, as for AT+CUSD=1): a URC id other than
 *          AT_URC_NONE goes to the URC dispatcher, never into the
 *          response (a URC with AT_URCF_PDU takes the next AT_TOK_PDU);
 *       c. anything else is an intermediate response line of the command
 *          in flight (or noise, logged, when none is in flight).
 *
 * Framing rules (see at_lexer.c for details): CR, LF and CRLF all end a
 * line, blank lines are skipped; CR/LF inside a double-quoted string is
 * part of the line (multi-line +CUSD texts), except that a final result
 * code right after such a break ends the broken line (unbalanced quote);
 * "> " at the start of a line is a prompt at once; after an SMS header
 * the next line is a PDU token when it is hex (PDU mode) or whatever it
 * is (text mode), unless it is a final result code or another header.
 */
#ifndef AT_LEXER_H
#define AT_LEXER_H

#include <stddef.h>
#include <stdint.h>

#define AT_LINE_MAX	2048	/* longest line kept, in bytes */
#define AT_PDU_SLACK	2	/* non-hex lines tolerated before a PDU */

enum at_token_type {
	AT_TOK_LINE,
	AT_TOK_ECHO,
	AT_TOK_PROMPT,
	AT_TOK_PDU,
	AT_TOK_OVERFLOW,
	AT_TOK_MAX
};

#define AT_TOKF_NUL		0x01	/* NUL bytes were removed */
#define AT_TOKF_MULTILINE	0x02	/* CR/LF inside a quoted string */

struct at_token {
	enum at_token_type	 type;
	const char		*data;	/* NUL-terminated */
	size_t			 len;
	unsigned int		 flags;
};

enum at_lexer_state {
	AT_LEXER_IDLE,		/* between lines */
	AT_LEXER_PROMPT,	/* '>' seen at the start of a line */
	AT_LEXER_LINE,		/* in a line */
	AT_LEXER_QUOTE,		/* in a quoted string of a line */
	AT_LEXER_BODY,		/* in the data line after an SMS header */
	AT_LEXER_DISCARD,	/* overlong line: skip to its end */
	AT_LEXER_MAX
};

struct at_lexer {
	enum at_lexer_state	 state;
	int			 text_mode;
	int			 pdu_armed;	/* lines left to find a PDU */
	size_t			 len;
	size_t			 qbreak;	/* last CR/LF inside quotes */
	unsigned int		 flags;		/* AT_TOKF_* of this line */
	unsigned long		 overflows;
	unsigned long		 nul_bytes;
	size_t			 echo_len;	/* 0: no echo expected */
	char			 echo[AT_LINE_MAX + 1];
	char			 buf[AT_LINE_MAX + 1];
};

typedef void (*at_lexer_emit_cb)(const struct at_token *, void *);

void		 at_lexer_init(struct at_lexer *);
void		 at_lexer_reset(struct at_lexer *);
void		 at_lexer_set_text_mode(struct at_lexer *, int);
void		 at_lexer_set_echo(struct at_lexer *, const char *, size_t);
void		 at_lexer_clear_echo(struct at_lexer *);
void		 at_lexer_expect_pdu(struct at_lexer *);
void		 at_lexer_feed(struct at_lexer *, const uint8_t *, size_t,
		     at_lexer_emit_cb, void *);
const char	*at_lexer_state_name(enum at_lexer_state);
const char	*at_token_type_name(enum at_token_type);
size_t		 at_lexer_escape(const char *, size_t, char *, size_t);

#endif /* AT_LEXER_H */
