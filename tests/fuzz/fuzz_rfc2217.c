/*
 * fuzz_rfc2217.c: the "similar RFC2217" frames a network server sends to
 * set the data port (bridge_rfc_scan/decode/encode).  Checks the scanner
 * exactly: every input byte comes out once, in order, either as data or
 * inside an 8-byte frame taken out at that place (header 55 AA 55 and a
 * right checksum); decode and encode agree (a decoded frame re-encodes to
 * one that decodes to the same parameters), and decoded parameters are
 * formatted and parsed back unchanged by AT+UART's parser (which refuses
 * the 5/6 data bits and MARK parity only a frame may set).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bridge_proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint8_t *fz_in;
static size_t fz_pos;		/* input bytes accounted for */

static void
fz_take_frame(void)
{
	const uint8_t *f = fz_in + fz_pos;

	if (f[0] != 0x55 || f[1] != 0xAA || f[2] != 0x55 ||
	    (uint8_t)(f[3] + f[4] + f[5] + f[6]) != f[7])
		abort();	/* taken out, but not a frame */
	fz_pos += BRIDGE_RFC_LEN;
}

static void
fz_data(void *arg, const uint8_t *p, size_t n)
{
	if (n == 0 || p != fz_in + fz_pos)
		abort();	/* lost, repeated or reordered bytes */
	fz_pos += n;
}

static void
fz_frame(void *arg, const struct bridge_uart *u)
{
	if (u->data_bits < 5 || u->data_bits > 8 || u->baud == 0 ||
	    !bridge_baud_supported(u->baud) || u->parity >= BRIDGE_PARITY_MAX)
		abort();
	fz_take_frame();
}

static void
fz_bad(void *arg, enum bridge_rfc_result r)
{
	if (r == BRIDGE_RFC_BADPARAM)
		fz_take_frame();	/* taken out, refused */
	else if (r != BRIDGE_RFC_BADSUM)
		abort();
}

static void
fz_roundtrip(const uint8_t f[BRIDGE_RFC_LEN])
{
	struct bridge_uart u, v, w;
	uint8_t g[BRIDGE_RFC_LEN];
	char text[80], *argv[6], *p = text, err[200];
	int argc = 0;

	if (bridge_rfc_decode(f, &u) != BRIDGE_RFC_OK)
		return;
	bridge_rfc_encode(&u, g);
	if (bridge_rfc_decode(g, &v) != BRIDGE_RFC_OK ||
	    memcmp(g, f, 6) != 0 || v.baud != u.baud ||
	    v.data_bits != u.data_bits || v.stop_bits != u.stop_bits ||
	    v.parity != u.parity)
		abort();
	if (bridge_uart_format(&u, text, sizeof text) != 0)
		abort();
	while (argc < 6 && p != NULL) {
		argv[argc++] = p;
		if ((p = strchr(p, ',')) != NULL)
			*p++ = '\0';
	}
	/* a frame may set what AT+UART cannot (5 or 6 data bits, MARK
	 * parity: seed §3.6.2, temporary); AT+UART refuses those */
	if (u.data_bits < 7 || u.parity == BRIDGE_PARITY_MARK) {
		if (bridge_uart_parse(argc, argv, &w, err, sizeof err) == 0)
			abort();
		return;
	}
	if (bridge_uart_parse(argc, argv, &w, err, sizeof err) != 0 ||
	    w.baud != u.baud || w.data_bits != u.data_bits ||
	    w.stop_bits != u.stop_bits || w.parity != u.parity)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct bridge_rfc_cb cb = { fz_data, fz_frame, fz_bad,
	    NULL };
	uint8_t f[BRIDGE_RFC_LEN];

	fz_in = data;
	fz_pos = 0;
	bridge_rfc_scan(data, size, &cb);
	if (fz_pos != size)
		abort();
	/* the first bytes as a frame body (header and checksum made
	 * right), then as they are */
	if (size >= 4) {
		memcpy(f, "\x55\xAA\x55", 3);
		memcpy(f + 3, data, 4);
		f[7] = (uint8_t)(f[3] + f[4] + f[5] + f[6]);
		fz_roundtrip(f);
	}
	if (size >= BRIDGE_RFC_LEN)
		fz_roundtrip(data);
	return 0;
}
