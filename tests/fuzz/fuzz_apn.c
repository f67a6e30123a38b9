/*
 * fuzz_apn.c: the data link's parsers on arbitrary text: the arguments of
 * AT+APN (through the AT-form parser, as every channel gives them) must be
 * refused with a reason or give fields that fit their buffers and hold no
 * quote, backslash or control character; the route table never overruns
 * (the modem answers the dialer reads are fuzzed with the AT layer); the
 * data call's state machine, driven by the bytes as events and inputs,
 * stays in its steps, reports a reason with every state and never sends
 * a command without an APN or on a 2G modem.
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

static void
fuzz_sm(const uint8_t *data, size_t size)
{
	struct datalink_sm sm;
	struct datalink_action a;

	memset(&sm, 0, sizeof sm);
	for (size_t i = 0; i < size; i++) {
		sm.has_apn = data[i] & 0x10 ? 0 : 1;
		sm.modem_ready = data[i] & 0x20 ? 0 : 1;
		sm.no_call = data[i] & 0x40 ? 1 : 0;
		sm.need_auth = data[i] & 0x80 ? 1 : 0;
		datalink_sm_step(&sm, (enum datalink_event)(data[i] % 9), &a);
		if (sm.step > DL_STEP_NO_CALL || a.cmd > DL_CMD_HANGUP ||
		    a.timer_ms < 0 || a.timer_ms > 300000 ||
		    (a.report && a.reason == NULL))
			abort();
		if ((data[i] % 9 == DL_EV_START ||
		    data[i] % 9 == DL_EV_MODEM_READY) &&
		    (!sm.has_apn || sm.no_call || !sm.modem_ready) &&
		    a.cmd != DL_CMD_NONE)
			abort();
	}
}

static int
fuzz_cred_chars(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e ||
		    strchr("\"'\\", *s) != NULL)
			return 0;
	return 1;
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
	fuzz_sm(data, size);
	if (datalink_route_default(line, NULL, out, 8) == 1 &&
	    strlen(out) >= 8)
		abort();
	/* data.user and data.password as settings: accepted exactly when
	 * short enough and free of quotes, backslashes and control bytes */
	if (datalink_cred_ok(line) != (strlen(line) <= DATALINK_CRED_MAX &&
	    fuzz_cred_chars(line)))
		abort();
	return 0;
}
