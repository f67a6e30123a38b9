/*
 * fuzz_usb.c: the USB selector syntax (modem_usb_parse, "usb:VID:PID[:IF]"
 * of modem.device, data_port.device and data.ppp_port) on arbitrary text,
 * checked exactly against the grammar: accepted if and only if it is
 * "usb:", 4 hex digits, ':', 4 hex digits, optionally ':' and 2 hex
 * digits, nothing else; then the fields are those digits in lower case.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "usb_sel.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* n hex digits at s, lower-cased into out; 0 or -1. */
static int
fz_hex(const char *s, size_t n, char *out)
{
	for (size_t i = 0; i < n; i++) {
		if (!isxdigit((unsigned char)s[i]))
			return -1;
		out[i] = (char)tolower((unsigned char)s[i]);
	}
	out[n] = '\0';
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char text[64], vid[5], pid[5], iface[3] = "";
	struct modem_usb_sel sel;
	size_t n = size < sizeof text - 1 ? size : sizeof text - 1;
	int want, got;

	memcpy(text, data, n);
	text[n] = '\0';
	n = strlen(text);
	want = n >= 13 && strncmp(text, "usb:", 4) == 0 &&
	    fz_hex(text + 4, 4, vid) == 0 && text[8] == ':' &&
	    fz_hex(text + 9, 4, pid) == 0 &&
	    (n == 13 || (n == 16 && text[13] == ':' &&
	    fz_hex(text + 14, 2, iface) == 0));
	got = modem_usb_parse(text, &sel) == 0;
	if (modem_usb_is_selector(text) != (strncmp(text, "usb:", 4) == 0))
		abort();
	if (got != want)
		abort();
	if (got && (strcmp(sel.vid, vid) != 0 || strcmp(sel.pid, pid) != 0 ||
	    strcmp(sel.iface, iface) != 0))
		abort();
	return 0;
}
