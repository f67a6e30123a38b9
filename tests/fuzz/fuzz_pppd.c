/*
 * fuzz_pppd.c: what the data link reads from pppd's files, on arbitrary
 * bytes: the link pid file ("pid\nifname\n", datalink_ppp_pidfile_ifname)
 * read as the daemon reads it (at most 127 bytes), and the name it yields
 * judged as the modem's interface or not (datalink_route_is_modem_if).
 *
 * Checks: no interface before a newline; otherwise the name is the first
 * word of the text after the first newline, cut to 31 bytes, with no
 * blank in it; it is one of the modem's exactly when it starts with "ww",
 * "usb" or "ppp".
 */
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/datalink/datalink_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char text[128], ifname[32], want[32];
	const char *nl, *w;
	size_t n = size < sizeof text - 1 ? size : sizeof text - 1, k = 0;
	int found;

	memcpy(text, data, n);
	text[n] = '\0';
	memset(ifname, 'x', sizeof ifname);
	found = datalink_ppp_pidfile_ifname(text, ifname);
	want[0] = '\0';
	if ((nl = strchr(text, '\n')) != NULL) {
		for (w = nl + 1; isspace((unsigned char)*w); w++)
			;
		while (w[k] != '\0' && !isspace((unsigned char)w[k]) &&
		    k < sizeof want - 1) {
			want[k] = w[k];
			k++;
		}
		want[k] = '\0';
	}
	if (found != (want[0] != '\0') || strcmp(ifname, want) != 0)
		abort();
	if (datalink_route_is_modem_if(ifname) !=
	    (strncmp(ifname, "ww", 2) == 0 || strncmp(ifname, "usb", 3) == 0 ||
	    strncmp(ifname, "ppp", 3) == 0))
		abort();
	return 0;
}
