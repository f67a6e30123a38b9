/*
 * bridge_proto.h: the bridge's pure parsers and formatters (bytes in,
 * results out, no I/O, no clock of their own): UART parameters, the
 * "similar RFC2217" frame, the `+++` escape detector, the inline
 * `password#AT+...` frame, the HTPHD `[0D][0A]` escapes, hex data, the
 * long/short connection value and the HTTPD request URL.  All bounded; malformed input is refused
 * with a reason.  Unit-tested and fuzzed (tests/fuzz/fuzz_bridge.c).
 */
#ifndef CG_BRIDGE_PROTO_H
#define CG_BRIDGE_PROTO_H

#include <stddef.h>
#include <stdint.h>

/* UART parameters (AT+UART, seed §4.2.1.22; RFC2217 frames §3.6.2). */
enum bridge_parity {
	BRIDGE_PARITY_NONE,
	BRIDGE_PARITY_ODD,
	BRIDGE_PARITY_EVEN,
	BRIDGE_PARITY_MARK,
	BRIDGE_PARITY_SPACE,
	BRIDGE_PARITY_MAX
};

enum bridge_flow {
	BRIDGE_FLOW_NONE,
	BRIDGE_FLOW_CRTS,
	BRIDGE_FLOW_RS485,
	BRIDGE_FLOW_MAX
};

struct bridge_uart {
	unsigned		baud;
	enum bridge_parity	parity;
	int			data_bits;	/* 5..8 */
	int			stop_bits;	/* 1, 2 */
	enum bridge_flow	flow;
};

const char *bridge_parity_name(enum bridge_parity);
const char *bridge_flow_name(enum bridge_flow);
/* The setting's fields: baud,parity,data bits,stop bits,flow control. */
int bridge_uart_parse(int argc, char **argv, struct bridge_uart *,
    char *err, size_t errlen);
/* Canonical text: 115200,NONE,8,1,NONE. */
int bridge_uart_format(const struct bridge_uart *, char *out, size_t len);
/* A baud rate the data port can be set to (termios Bxxx exists). */
int bridge_baud_supported(unsigned baud);

/*
 * Similar RFC2217: 55 AA 55, baud (3 bytes, MSB first), bits, checksum
 * (sum of the 4 bytes before it).  bridge_rfc_scan() walks one network
 * read: complete frames anywhere in it are taken out and reported; the
 * other bytes (and frames with a bad checksum, which are passed on as
 * data) are handed to data().  A frame split across two reads is not
 * recognised (it is data): no byte is ever held back.
 */
#define BRIDGE_RFC_LEN	8

enum bridge_rfc_result {
	BRIDGE_RFC_OK,		/* *u filled */
	BRIDGE_RFC_BADSUM,	/* checksum wrong: not a frame */
	BRIDGE_RFC_BADPARAM	/* checksum right, values unsupported */
};

enum bridge_rfc_result bridge_rfc_decode(const uint8_t f[BRIDGE_RFC_LEN],
    struct bridge_uart *u);
void bridge_rfc_encode(const struct bridge_uart *, uint8_t f[BRIDGE_RFC_LEN]);

struct bridge_rfc_cb {
	void	(*data)(void *arg, const uint8_t *, size_t);
	void	(*frame)(void *arg, const struct bridge_uart *);
	void	(*bad)(void *arg, enum bridge_rfc_result);
	void	*arg;
};
void bridge_rfc_scan(const uint8_t *p, size_t len,
    const struct bridge_rfc_cb *);

/*
 * The `+++` escape (seed §4.1.1): T1 > 200 ms of silence before the first
 * '+', each next '+' within 50 ms (T2, T3), then the module answers 'a'
 * and the device must answer 'a' within 3 s (T5); the module then answers
 * "+ok" and is in command mode.  Any other byte, or a late one, turns the
 * held '+' bytes back into data, in order.  Time is given by the caller
 * (milliseconds, monotonic).
 */
#define BRIDGE_ESC_T1_MS	200
#define BRIDGE_ESC_T2_MS	50
#define BRIDGE_ESC_T5_MS	3000

enum bridge_esc_state {
	BRIDGE_ESC_IDLE,
	BRIDGE_ESC_PLUS1,
	BRIDGE_ESC_PLUS2,
	BRIDGE_ESC_WAIT_A,	/* 'a' sent, waiting for the device's 'a' */
	BRIDGE_ESC_STATE_MAX
};

struct bridge_esc {
	enum bridge_esc_state	state;
	int			have_rx;
	uint64_t		last_rx;	/* time of the last byte */
	uint64_t		deadline;	/* of the current state */
};

struct bridge_esc_cb {
	void	(*data)(void *arg, const uint8_t *, size_t);
	void	(*send_a)(void *arg);
	/* Command mode entered; the rest of the read follows as rest. */
	void	(*enter)(void *arg, const uint8_t *rest, size_t len);
	void	*arg;
};

const char *bridge_esc_state_name(enum bridge_esc_state);
void bridge_esc_reset(struct bridge_esc *);
void bridge_esc_feed(struct bridge_esc *, const uint8_t *, size_t,
    uint64_t now, const struct bridge_esc_cb *);
/* Call at or after bridge_esc_deadline() (0: no timer needed). */
void bridge_esc_tick(struct bridge_esc *, uint64_t now,
    const struct bridge_esc_cb *);
uint64_t bridge_esc_deadline(const struct bridge_esc *);

/*
 * Inline command frame `password#AT+CMD...` (UATEN, NATEN; seed §4.1.2,
 * §4.1.3): the whole frame, optionally ended by CR and/or LF.  Returns 1
 * and fills pw and cmd when it is one, 0 when it is data.
 */
#define BRIDGE_PW_MAX	64
#define BRIDGE_INLINE_MAX	(BRIDGE_PW_MAX + 1 + 512 + 2)

int bridge_inline_parse(const uint8_t *p, size_t len, char *pw, size_t pwlen,
    char *cmd, size_t cmdlen);

/*
 * Inline commands inside a stream (UATEN on the data port, NATEN on a
 * socket): each packet is split into lines (ended by CR and/or LF); a
 * line that is an inline command frame goes to cmd() without its line
 * end, and is never passed on as data; everything else goes to data(),
 * in order.  The tail of a packet that could still grow into a command
 * (a command split across reads) is held: bridge_lines_feed() returns 1,
 * and the caller calls bridge_lines_flush() after a quiet gap, which
 * treats the held tail as a whole frame (a command without a line end
 * is one, as in the seed).
 */
struct bridge_lines_cb {
	void	(*data)(void *arg, const uint8_t *, size_t);
	void	(*cmd)(void *arg, const uint8_t *, size_t);
	void	 *arg;
};
struct bridge_lines {
	uint8_t	 held[BRIDGE_INLINE_MAX];
	size_t	 heldlen;
	int	 skip_lf;	/* a command's CR ended the last packet */
};
int bridge_lines_feed(struct bridge_lines *, const uint8_t *, size_t,
    const struct bridge_lines_cb *);
void bridge_lines_flush(struct bridge_lines *, const struct bridge_lines_cb *);

/*
 * HTPHD: text with [XX] escapes for bytes (seed §3.2.2.2).  Decoded into
 * out (NUL-terminated; *outn bytes); then split into header lines.
 * Strict: '[' must start a two-hex-digit escape (write '[' as [5B]).
 */
int bridge_htphd_decode(const char *in, char *out, size_t outlen,
    size_t *outn, char *err, size_t errlen);
/* Calls line() for each non-empty header line; every line must be
 * "Name: value". */
int bridge_htphd_lines(const char *decoded, size_t n,
    int (*line)(void *arg, const char *, size_t), void *arg,
    char *err, size_t errlen);

/* Hex data (REGDT, HEARTDT): even count of hex digits, at most max bytes. */
int bridge_hex_decode(const char *hex, uint8_t *out, size_t max,
    size_t *outn, char *err, size_t errlen);

/* SOCKASL/SOCKBSL: "long", or "short" with an idle timeout in seconds. */
#define BRIDGE_SHORT_MIN	2
#define BRIDGE_SHORT_MAX	255
#define BRIDGE_SHORT_DEF	10
int bridge_link_parse(int argc, char **argv, int *is_short, int *timeout,
    char *err, size_t errlen);

/*
 * The URL of one HTTPD request (seed §3.2.2): http://HOST:PORT from HTPSV
 * "host,port" (an IPv6 host in brackets), then HTPURL, then for GET the
 * data (NULL for POST) with every byte a URL cannot carry as it is
 * written %XX.  Appended to url (whose cap bounds it); -1 with a reason
 * when HTPSV has no port or the URL does not fit.
 */
struct buf;
int bridge_http_url(struct buf *url, const char *server, const char *path,
    const uint8_t *data, size_t n, char *err, size_t errlen);

#endif
