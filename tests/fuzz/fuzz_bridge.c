/*
 * fuzz_bridge.c: fuzz harness for the bridge's byte parsers: the
 * "similar RFC2217" frame scanner, the `+++` escape state machine (the
 * input also drives the clock), the inline `password#AT+` frame parser,
 * the HTPHD escape decoder and line splitter, hex data and UART fields.
 * Checks their invariants: no byte is lost or invented by the scanner
 * and the escape detector, and every output stays within its bounds.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "bridge_proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static size_t fz_bytes;
static int fz_frames;

static void
fz_data(void *arg, const uint8_t *p, size_t n)
{
	fz_bytes += n;
}

static void
fz_frame(void *arg, const struct bridge_uart *u)
{
	if (u->data_bits < 5 || u->data_bits > 8 || u->baud == 0)
		abort();
	fz_frames++;
}

static void
fz_enter(void *arg, const uint8_t *rest, size_t n)
{
	fz_bytes += n + 4;	/* "+++a" taken */
}

static int
fz_line(void *arg, const char *l, size_t n)
{
	if (n == 0 || memchr(l, '\n', n) != NULL)
		abort();
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct bridge_rfc_cb rcb = { fz_data, fz_frame, NULL,
	    NULL };
	static const struct bridge_esc_cb ecb = { fz_data, NULL, fz_enter,
	    NULL };
	struct bridge_esc e;
	char pw[BRIDGE_PW_MAX + 1], cmd[513], text[600], out[600], err[200];
	uint8_t hex[80];
	size_t n, i, fed;
	uint64_t now = 1000;

	/* RFC2217: data bytes + 8 per frame == input */
	fz_bytes = 0;
	fz_frames = 0;
	bridge_rfc_scan(data, size, &rcb);
	if (fz_bytes + (size_t)fz_frames * BRIDGE_RFC_LEN > size)
		abort();

	/* +++: the first byte of each 4-byte step is a time delta */
	bridge_esc_reset(&e);
	fz_bytes = 0;
	fed = 0;
	for (i = 0; i + 1 < size; i += 4) {
		size_t k = size - i - 1 < 3 ? size - i - 1 : 3;

		now += (uint64_t)data[i] * 8;
		if (data[i] & 1)
			bridge_esc_tick(&e, now, &ecb);
		bridge_esc_feed(&e, data + i + 1, k, now, &ecb);
		fed += k;
	}
	bridge_esc_tick(&e, now + 10000, &ecb);
	if (e.state != BRIDGE_ESC_IDLE || fz_bytes > fed + 1)
		abort();

	/* inline frames */
	if (bridge_inline_parse(data, size, pw, sizeof pw, cmd, sizeof cmd)) {
		if (strlen(pw) == 0 || strlen(pw) > BRIDGE_PW_MAX ||
		    strncasecmp(cmd, "AT+", 3) != 0)
			abort();
	}

	/* text parsers on a NUL-terminated copy */
	n = size < sizeof text - 1 ? size : sizeof text - 1;
	memcpy(text, data, n);
	text[n] = '\0';
	if (bridge_htphd_decode(text, out, sizeof out, &n, err,
	    sizeof err) == 0) {
		if (n >= sizeof out || out[n] != '\0')
			abort();
		bridge_htphd_lines(out, n, fz_line, NULL, err, sizeof err);
	}
	if (bridge_hex_decode(text, hex, sizeof hex, &n, err, sizeof err) ==
	    0 && n > sizeof hex)
		abort();
	{
		char *argv[5], *p = text;
		int argc = 0;
		struct bridge_uart u;
		int s, t;

		while (argc < 5 && p != NULL) {
			argv[argc++] = p;
			if ((p = strchr(p, ',')) != NULL)
				*p++ = '\0';
		}
		if (bridge_uart_parse(argc, argv, &u, err, sizeof err) == 0 &&
		    bridge_uart_format(&u, out, sizeof out) != 0)
			abort();
		bridge_link_parse(argc, argv, &s, &t, err, sizeof err);
	}
	return 0;
}
