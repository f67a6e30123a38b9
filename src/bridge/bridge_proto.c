/*
 * bridge_proto.c: the bridge's pure parsers (see bridge_proto.h): UART
 * parameter fields, "similar RFC2217" frames, the `+++` escape state
 * machine, inline `password#AT+` frames and their framing by line
 * inside a stream, HTPHD escapes, hex data, the
 * long/short connection value and the HTTPD request URL.  No I/O and no clock: the caller passes
 * the time in, so every rule is unit-testable and fuzzable.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "bridge_proto.h"
#include "hex.h"
#include "util.h"

static const char *const bridge_parity_names[BRIDGE_PARITY_MAX] = {
	"NONE", "ODD", "EVEN", "MARK", "SPACE"
};
static const char *const bridge_flow_names[BRIDGE_FLOW_MAX] = {
	"NONE", "CRTS", "RS485"
};
/* The seed's list (AT+UART=?), plus the common 1200. */
static const unsigned bridge_bauds[] = {
	1200, 2400, 4800, 9600, 14400, 19200, 28800, 33600, 38400, 57600,
	115200, 230400, 460800, 921600
};

const char *
bridge_parity_name(enum bridge_parity p)
{
	return p < BRIDGE_PARITY_MAX ? bridge_parity_names[p] : "?";
}

const char *
bridge_flow_name(enum bridge_flow f)
{
	return f < BRIDGE_FLOW_MAX ? bridge_flow_names[f] : "?";
}

/* Rates termios can set (14400, 28800, 33600 have no Bxxx on Linux). */
int
bridge_baud_supported(unsigned baud)
{
	switch (baud) {
	case 1200: case 2400: case 4800: case 9600: case 19200: case 38400:
	case 57600: case 115200: case 230400: case 460800: case 921600:
		return 1;
	default:
		return 0;
	}
}

int
bridge_uart_parse(int argc, char **argv, struct bridge_uart *u, char *err,
    size_t errlen)
{
	const char *errstr;
	long long n;
	size_t i;

	memset(u, 0, sizeof *u);
	if (argc != 5) {
		snprintf(err, errlen, "expected baud,parity,data bits,"
		    "stop bits,flow control");
		return -1;
	}
	n = util_strtonum(argv[0], 1, 4000000, &errstr);
	for (i = 0; errstr == NULL && i < nitems(bridge_bauds); i++)
		if (bridge_bauds[i] == (unsigned)n)
			break;
	if (errstr != NULL || i == nitems(bridge_bauds)) {
		snprintf(err, errlen, "baud rate must be one of 1200, 2400, "
		    "4800, 9600, 14400, 19200, 28800, 33600, 38400, 57600, "
		    "115200, 230400, 460800, 921600");
		return -1;
	}
	u->baud = (unsigned)n;
	for (i = 0; i < BRIDGE_PARITY_MARK; i++)
		if (util_strcaseeq(argv[1], bridge_parity_names[i]))
			break;
	if (i == BRIDGE_PARITY_MARK) {
		snprintf(err, errlen, "parity must be NONE, ODD or EVEN");
		return -1;
	}
	u->parity = (enum bridge_parity)i;
	n = util_strtonum(argv[2], 7, 8, &errstr);
	if (errstr != NULL) {
		snprintf(err, errlen, "data bits must be 7 or 8");
		return -1;
	}
	u->data_bits = (int)n;
	n = util_strtonum(argv[3], 1, 2, &errstr);
	if (errstr != NULL) {
		snprintf(err, errlen, "stop bits must be 1 or 2");
		return -1;
	}
	u->stop_bits = (int)n;
	for (i = 0; i < BRIDGE_FLOW_MAX; i++)
		if (util_strcaseeq(argv[4], bridge_flow_names[i]))
			break;
	if (i == BRIDGE_FLOW_MAX) {
		snprintf(err, errlen, "flow control must be NONE, CRTS or "
		    "RS485");
		return -1;
	}
	u->flow = (enum bridge_flow)i;
	return 0;
}

int
bridge_uart_format(const struct bridge_uart *u, char *out, size_t len)
{
	int n = snprintf(out, len, "%u,%s,%d,%d,%s", u->baud,
	    bridge_parity_name(u->parity), u->data_bits, u->stop_bits,
	    bridge_flow_name(u->flow));

	return n < 0 || (size_t)n >= len ? -1 : 0;
}

/* --- similar RFC2217 ------------------------------------------------ */

static const uint8_t bridge_rfc_head[3] = { 0x55, 0xaa, 0x55 };

enum bridge_rfc_result
bridge_rfc_decode(const uint8_t f[BRIDGE_RFC_LEN], struct bridge_uart *u)
{
	uint8_t sum = (uint8_t)(f[3] + f[4] + f[5] + f[6]);
	uint8_t bits = f[6];
	unsigned baud = ((unsigned)f[3] << 16) | ((unsigned)f[4] << 8) | f[5];

	if (memcmp(f, bridge_rfc_head, sizeof bridge_rfc_head) != 0 ||
	    sum != f[7])
		return BRIDGE_RFC_BADSUM;
	memset(u, 0, sizeof *u);
	/* Bits 7:6 are "not defined, write 0" in the table, yet the seed's
	 * own examples send 0x83 for N,8,1: they are ignored.  Parity type
	 * 11 is undefined. */
	if (((bits & 0x08) && (bits & 0x30) == 0x30) ||
	    !bridge_baud_supported(baud))
		return BRIDGE_RFC_BADPARAM;
	u->baud = baud;
	u->data_bits = 5 + (bits & 0x03);
	u->stop_bits = (bits & 0x04) ? 2 : 1;
	if ((bits & 0x08) == 0)
		u->parity = BRIDGE_PARITY_NONE;
	else switch ((bits >> 4) & 0x03) {
	case 0:
		u->parity = BRIDGE_PARITY_ODD;
		break;
	case 1:
		u->parity = BRIDGE_PARITY_EVEN;
		break;
	default:
		u->parity = BRIDGE_PARITY_MARK;
		break;
	}
	u->flow = BRIDGE_FLOW_NONE;	/* not in the frame: kept by caller */
	return BRIDGE_RFC_OK;
}

void
bridge_rfc_encode(const struct bridge_uart *u, uint8_t f[BRIDGE_RFC_LEN])
{
	uint8_t bits;

	memcpy(f, bridge_rfc_head, sizeof bridge_rfc_head);
	f[3] = (uint8_t)(u->baud >> 16);
	f[4] = (uint8_t)(u->baud >> 8);
	f[5] = (uint8_t)u->baud;
	bits = (uint8_t)((u->data_bits - 5) & 0x03);
	if (u->stop_bits == 2)
		bits |= 0x04;
	switch (u->parity) {
	case BRIDGE_PARITY_ODD:
		bits |= 0x08;
		break;
	case BRIDGE_PARITY_EVEN:
		bits |= 0x08 | 0x10;
		break;
	case BRIDGE_PARITY_MARK:
		bits |= 0x08 | 0x20;
		break;
	default:
		break;
	}
	f[6] = bits;
	f[7] = (uint8_t)(f[3] + f[4] + f[5] + f[6]);
}

void
bridge_rfc_scan(const uint8_t *p, size_t len, const struct bridge_rfc_cb *cb)
{
	struct bridge_uart u;
	size_t start = 0, i = 0;

	while (i + BRIDGE_RFC_LEN <= len) {
		enum bridge_rfc_result r;

		if (p[i] != 0x55 || memcmp(p + i, bridge_rfc_head,
		    sizeof bridge_rfc_head) != 0) {
			i++;
			continue;
		}
		r = bridge_rfc_decode(p + i, &u);
		if (r == BRIDGE_RFC_BADSUM) {
			/* not a frame: its bytes stay data */
			if (cb->bad != NULL)
				cb->bad(cb->arg, r);
			i++;
			continue;
		}
		if (i > start && cb->data != NULL)
			cb->data(cb->arg, p + start, i - start);
		if (r == BRIDGE_RFC_OK) {
			if (cb->frame != NULL)
				cb->frame(cb->arg, &u);
		} else if (cb->bad != NULL)
			cb->bad(cb->arg, r);
		i += BRIDGE_RFC_LEN;
		start = i;
	}
	if (len > start && cb->data != NULL)
		cb->data(cb->arg, p + start, len - start);
}

/* --- +++ escape ----------------------------------------------------- */

static const char *const bridge_esc_names[BRIDGE_ESC_STATE_MAX] = {
	"idle", "plus1", "plus2", "wait-a"
};

const char *
bridge_esc_state_name(enum bridge_esc_state s)
{
	return s < BRIDGE_ESC_STATE_MAX ? bridge_esc_names[s] : "?";
}

void
bridge_esc_reset(struct bridge_esc *e)
{
	memset(e, 0, sizeof *e);
}

static size_t
bridge_esc_held(const struct bridge_esc *e)
{
	switch (e->state) {
	case BRIDGE_ESC_PLUS1:
		return 1;
	case BRIDGE_ESC_PLUS2:
		return 2;
	case BRIDGE_ESC_WAIT_A:
		return 3;
	default:
		return 0;
	}
}

/* Give the held '+' bytes back as data. */
static void
bridge_esc_flush(struct bridge_esc *e, const struct bridge_esc_cb *cb)
{
	static const uint8_t plus[3] = { '+', '+', '+' };
	size_t n = bridge_esc_held(e);

	e->state = BRIDGE_ESC_IDLE;
	e->deadline = 0;
	if (n > 0 && cb->data != NULL)
		cb->data(cb->arg, plus, n);
}

void
bridge_esc_tick(struct bridge_esc *e, uint64_t now,
    const struct bridge_esc_cb *cb)
{
	if (e->state != BRIDGE_ESC_IDLE && now >= e->deadline)
		bridge_esc_flush(e, cb);
}

uint64_t
bridge_esc_deadline(const struct bridge_esc *e)
{
	return e->state == BRIDGE_ESC_IDLE ? 0 : e->deadline;
}

void
bridge_esc_feed(struct bridge_esc *e, const uint8_t *p, size_t len,
    uint64_t now, const struct bridge_esc_cb *cb)
{
	size_t i = 0, start = 0;
	int quiet;

	if (len == 0)
		return;
	/* A late byte ends a pending sequence before anything else. */
	if (e->state != BRIDGE_ESC_IDLE && now > e->deadline)
		bridge_esc_flush(e, cb);
	quiet = !e->have_rx || now - e->last_rx > BRIDGE_ESC_T1_MS;
	e->have_rx = 1;
	e->last_rx = now;

	for (i = 0; i < len; i++) {
		uint8_t c = p[i];

		/* Idle, no later byte of this read can start a sequence:
		 * the rest is data (this keeps a bulk read O(1) here). */
		if (e->state == BRIDGE_ESC_IDLE && i > 0)
			break;
		switch (e->state) {
		case BRIDGE_ESC_IDLE:
			/* only the first byte of a read can follow silence */
			if (c == '+' && i == 0 && quiet) {
				e->state = BRIDGE_ESC_PLUS1;
				e->deadline = now + BRIDGE_ESC_T2_MS;
				start = i + 1;
			}
			break;
		case BRIDGE_ESC_PLUS1:
		case BRIDGE_ESC_PLUS2:
			if (c != '+') {
				bridge_esc_flush(e, cb);
				start = i;
				break;
			}
			if (e->state == BRIDGE_ESC_PLUS1) {
				e->state = BRIDGE_ESC_PLUS2;
				e->deadline = now + BRIDGE_ESC_T2_MS;
				start = i + 1;
				break;
			}
			if (i + 1 < len) {
				/* "+++" must end the burst: data */
				bridge_esc_flush(e, cb);
				start = i;
				break;
			}
			e->state = BRIDGE_ESC_WAIT_A;
			e->deadline = now + BRIDGE_ESC_T5_MS;
			start = i + 1;
			if (cb->send_a != NULL)
				cb->send_a(cb->arg);
			break;
		case BRIDGE_ESC_WAIT_A:
			if (c == 'a' && i == 0) {
				e->state = BRIDGE_ESC_IDLE;
				e->deadline = 0;
				if (cb->enter != NULL)
					cb->enter(cb->arg, p + 1, len - 1);
				return;
			}
			bridge_esc_flush(e, cb);
			start = i;
			break;
		default:
			break;
		}
	}
	if (e->state == BRIDGE_ESC_IDLE && start < len && cb->data != NULL)
		cb->data(cb->arg, p + start, len - start);
}

/* --- inline password#AT+ -------------------------------------------- */

int
bridge_inline_parse(const uint8_t *p, size_t len, char *pw, size_t pwlen,
    char *cmd, size_t cmdlen)
{
	size_t i, hash, end = len;

	if (pwlen == 0 || cmdlen == 0)
		return 0;
	while (end > 0 && (p[end - 1] == '\r' || p[end - 1] == '\n'))
		end--;
	for (hash = 0; hash < end && p[hash] != '#'; hash++)
		if (p[hash] <= 0x20 || p[hash] >= 0x7f)
			return 0;
	if (hash == 0 || hash == end || hash > BRIDGE_PW_MAX ||
	    hash >= pwlen)
		return 0;
	if (end - hash - 1 < 3 || !util_strncaseeq((const char *)p + hash + 1,
	    "AT+", 3))
		return 0;
	for (i = hash + 1; i < end; i++)
		if (p[i] < 0x20 || p[i] == 0x7f)
			return 0;	/* one command per frame, printable */
	if (end - hash - 1 >= cmdlen)
		return 0;
	memcpy(pw, p, hash);
	pw[hash] = '\0';
	memcpy(cmd, p + hash + 1, end - hash - 1);
	cmd[end - hash - 1] = '\0';
	return 1;
}

/* Could these bytes (no line end) still grow into an inline frame? */
static int
bridge_lines_prefix(const uint8_t *p, size_t len)
{
	size_t hash;

	if (len == 0 || len >= BRIDGE_INLINE_MAX)
		return 0;
	for (hash = 0; hash < len && p[hash] != '#'; hash++)
		if (p[hash] <= 0x20 || p[hash] >= 0x7f)
			return 0;
	if (hash == len)
		return hash <= BRIDGE_PW_MAX;
	if (hash == 0 || hash > BRIDGE_PW_MAX)
		return 0;
	for (size_t i = hash + 1; i < len; i++) {
		if (i - hash - 1 < 3 ? toupper(p[i]) != "AT+"[i - hash - 1] :
		    p[i] < 0x20 || p[i] == 0x7f)
			return 0;
	}
	return 1;
}

static int
bridge_lines_is_cmd(const uint8_t *p, size_t len)
{
	char pw[BRIDGE_PW_MAX + 1], cmd[BRIDGE_INLINE_MAX - BRIDGE_PW_MAX - 2];
	int r = bridge_inline_parse(p, len, pw, sizeof pw, cmd, sizeof cmd);

	explicit_bzero(pw, sizeof pw);
	explicit_bzero(cmd, sizeof cmd);
	return r;
}

static int
bridge_lines_scan(struct bridge_lines *l, const uint8_t *p, size_t len,
    const struct bridge_lines_cb *cb)
{
	size_t pos = 0, data = 0, eol, next;

	while (pos < len) {
		for (eol = pos; eol < len && p[eol] != '\r' && p[eol] != '\n';
		    eol++)
			;
		if (eol == len)
			break;
		for (next = eol; next < len && (p[next] == '\r' ||
		    p[next] == '\n'); next++)
			;
		if (eol > pos && bridge_lines_is_cmd(p + pos, eol - pos)) {
			if (pos > data)
				cb->data(cb->arg, p + data, pos - data);
			cb->cmd(cb->arg, p + pos, eol - pos);
			data = next;
			l->skip_lf = next == len && p[next - 1] == '\r';
		}
		pos = next;
	}
	if (pos < len && bridge_lines_prefix(p + pos, len - pos)) {
		if (pos > data)
			cb->data(cb->arg, p + data, pos - data);
		memmove(l->held, p + pos, len - pos);
		l->heldlen = len - pos;
		return 1;
	}
	if (len > data)
		cb->data(cb->arg, p + data, len - data);
	return 0;
}

int
bridge_lines_feed(struct bridge_lines *l, const uint8_t *p, size_t len,
    const struct bridge_lines_cb *cb)
{
	uint8_t joined[2 * BRIDGE_INLINE_MAX];
	int r;

	if (len > 0 && l->skip_lf && p[0] == '\n') {
		p++;
		len--;
	}
	l->skip_lf = 0;
	if (l->heldlen == 0)
		return bridge_lines_scan(l, p, len, cb);
	/* the held tail and as much of this packet as can still make a
	 * line with it; the rest is scanned on its own */
	{
		size_t k = len < sizeof joined - l->heldlen ? len :
		    sizeof joined - l->heldlen, held = l->heldlen;

		memcpy(joined, l->held, held);
		memcpy(joined + held, p, k);
		l->heldlen = 0;
		if (k == len)
			r = bridge_lines_scan(l, joined, held + k, cb);
		else {
			bridge_lines_scan(l, joined, held + k, cb);
			bridge_lines_flush(l, cb);
			r = bridge_lines_scan(l, p + k, len - k, cb);
		}
		explicit_bzero(joined, sizeof joined);
	}
	return r;
}

void
bridge_lines_flush(struct bridge_lines *l, const struct bridge_lines_cb *cb)
{
	if (l->heldlen == 0)
		return;
	if (bridge_lines_is_cmd(l->held, l->heldlen))
		cb->cmd(cb->arg, l->held, l->heldlen);
	else
		cb->data(cb->arg, l->held, l->heldlen);
	explicit_bzero(l->held, l->heldlen);
	l->heldlen = 0;
}

/* --- HTPHD ---------------------------------------------------------- */

int
bridge_htphd_decode(const char *in, char *out, size_t outlen, size_t *outn,
    char *err, size_t errlen)
{
	size_t n = 0;

	if (outlen == 0) {
		snprintf(err, errlen, "no room");
		return -1;
	}
	for (const char *s = in; *s != '\0'; s++) {
		int c = (unsigned char)*s;

		if (c == '[') {
			int hi = hex_val((unsigned char)s[1]);
			int lo = hi < 0 ? -1 : hex_val((unsigned char)s[2]);

			if (lo < 0 || s[3] != ']') {
				snprintf(err, errlen, "'[' at offset %zu does "
				    "not start a [XX] hex escape (write '[' "
				    "as [5B])", (size_t)(s - in));
				return -1;
			}
			c = hi << 4 | lo;
			s += 3;
			if (c == 0 || (c < 0x20 && c != '\r' && c != '\n' &&
			    c != '\t')) {
				snprintf(err, errlen, "escape [%02X] is not "
				    "allowed in a header", c);
				return -1;
			}
		}
		if (n + 1 >= outlen) {
			snprintf(err, errlen, "headers too long");
			return -1;
		}
		out[n++] = (char)c;
	}
	out[n] = '\0';
	*outn = n;
	return 0;
}

int
bridge_htphd_lines(const char *d, size_t n,
    int (*line)(void *, const char *, size_t), void *arg, char *err,
    size_t errlen)
{
	size_t i = 0;

	while (i < n) {
		size_t j = i, k, end;

		while (j < n && d[j] != '\n' && d[j] != '\r')
			j++;
		end = j;
		if (end > i) {
			for (k = i; k < end && d[k] != ':'; k++)
				if (!isalnum((unsigned char)d[k]) &&
				    strchr("-_!#$%&'*+.^`|~", d[k]) == NULL)
					break;
			if (k == i || k == end || d[k] != ':') {
				snprintf(err, errlen, "header line %zu is not "
				    "\"Name: value\"", i);
				return -1;
			}
			if (line != NULL && line(arg, d + i, end - i) == -1) {
				snprintf(err, errlen, "header refused");
				return -1;
			}
		}
		i = j;
		while (i < n && (d[i] == '\r' || d[i] == '\n'))
			i++;
	}
	return 0;
}

/* --- hex, long/short ------------------------------------------------ */

int
bridge_hex_decode(const char *hex, uint8_t *out, size_t max, size_t *outn,
    char *err, size_t errlen)
{
	size_t len = strlen(hex);

	if (len % 2 != 0) {
		snprintf(err, errlen, "hex data needs an even number of "
		    "digits");
		return -1;
	}
	if (len / 2 > max) {
		snprintf(err, errlen, "hex data longer than %zu bytes", max);
		return -1;
	}
	for (size_t i = 0; i < len; i += 2) {
		int hi = hex_val((unsigned char)hex[i]);
		int lo = hex_val((unsigned char)hex[i + 1]);

		if (hi < 0 || lo < 0) {
			snprintf(err, errlen, "invalid hex digit at offset "
			    "%zu", hi < 0 ? i : i + 1);
			return -1;
		}
		if (out != NULL)
			out[i / 2] = (uint8_t)(hi << 4 | lo);
	}
	*outn = len / 2;
	return 0;
}

int
bridge_link_parse(int argc, char **argv, int *is_short, int *timeout,
    char *err, size_t errlen)
{
	const char *errstr;
	long long n;

	if (argc == 1 && util_strcaseeq(argv[0], "long")) {
		*is_short = 0;
		*timeout = 0;
		return 0;
	}
	if (argc < 1 || argc > 2 || !util_strcaseeq(argv[0], "short")) {
		snprintf(err, errlen, "expected long, or short[,timeout "
		    "%d..%d s]", BRIDGE_SHORT_MIN, BRIDGE_SHORT_MAX);
		return -1;
	}
	*is_short = 1;
	*timeout = BRIDGE_SHORT_DEF;
	if (argc == 2) {
		n = util_strtonum(argv[1], BRIDGE_SHORT_MIN, BRIDGE_SHORT_MAX,
		    &errstr);
		if (errstr != NULL) {
			snprintf(err, errlen, "short connection timeout %s "
			    "(allowed %d..%d s)", errstr, BRIDGE_SHORT_MIN,
			    BRIDGE_SHORT_MAX);
			return -1;
		}
		*timeout = (int)n;
	}
	return 0;
}

/* --- HTTPD request URL ---------------------------------------------- */

int
bridge_http_url(struct buf *url, const char *server, const char *path,
    const uint8_t *data, size_t n, char *err, size_t errlen)
{
	const char *port = strrchr(server, ',');
	size_t hostlen;

	if (port == NULL) {
		snprintf(err, errlen, "bad HTPSV");
		return -1;
	}
	hostlen = (size_t)(port - server);
	port++;
	if (memchr(server, ':', hostlen) != NULL)
		buf_printf(url, "http://[%.*s]:%s", (int)hostlen, server, port);
	else
		buf_printf(url, "http://%.*s:%s", (int)hostlen, server, port);
	buf_puts(url, path);
	/* bytes a URL cannot carry as they are are written %XX */
	for (size_t i = 0; data != NULL && i < n; i++) {
		if (data[i] <= 0x20 || data[i] >= 0x7f ||
		    strchr("\"<>\\^`{|}#", data[i]) != NULL)
			buf_printf(url, "%%%02X", data[i]);
		else
			buf_add(url, data + i, 1);
	}
	if (url->overflow) {
		snprintf(err, errlen, "URL too long");
		return -1;
	}
	return 0;
}
