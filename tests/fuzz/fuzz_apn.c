/*
 * fuzz_apn.c: the data link's parsers on arbitrary text: the arguments of
 * AT+APN (through the AT-form parser, as every channel gives them) must be
 * refused with a reason or give fields that fit their buffers and hold no
 * quote, backslash or control character; the modem answers the dialer
 * reads (+CGPADDR, +CGACT, +CGEV) and the route table never overrun.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "atform.h"
#include "datalink.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
fuzz_clean(const char *s, size_t max)
{
	if (strlen(s) > max)
		abort();
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == '"' || *s == '\\' ||
		    (unsigned char)*s > 0x7e)
			abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char text[ATFORM_MAX_LEN + 16], line[600], out[64], err[256];
	struct datalink_apn a;
	struct atform f;
	const char *e;
	size_t n = size < ATFORM_MAX_LEN ? size : ATFORM_MAX_LEN;

	memcpy(text, "AT+APN=", 7);
	memcpy(text + 7, data, n);
	if (atform_parse(text, 7 + n, &f, &e) == 0 && f.op == ATFORM_SET) {
		err[0] = '\0';
		if (datalink_apn_parse(f.argc, f.argv, &a, err,
		    sizeof err) == -1) {
			if (err[0] == '\0')
				abort();
		} else {
			fuzz_clean(a.apn, DATALINK_APN_MAX);
			fuzz_clean(a.user, DATALINK_CRED_MAX);
			fuzz_clean(a.password, DATALINK_CRED_MAX);
			if (!datalink_apn_ok(a.apn) || (strcmp(a.auth, "NONE")
			    && strcmp(a.auth, "PAP") && strcmp(a.auth, "CHAP")))
				abort();
			if (datalink_ppp_chat_text(a.apn, line,
			    sizeof line) == -1)
				abort();
		}
	}
	n = size < sizeof line - 1 ? size : sizeof line - 1;
	memcpy(line, data, n);
	line[n] = '\0';
	if (datalink_parse_cgpaddr(line, out, sizeof out) == 0 &&
	    strlen(out) >= sizeof out)
		abort();
	(void)datalink_parse_cgact(line);
	(void)datalink_cgev_is_drop(line);
	if (datalink_route_default(line, NULL, out, 8) == 1 &&
	    strlen(out) >= 8)
		abort();
	return 0;
}
