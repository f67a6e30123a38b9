/*
 * quirk_quectel.c: Quectel EC25/EG25-G/BG96 (LTE) and M95 (2G).
 * - ICCID by AT+QCCID ("+QCCID: <iccid>"); no AT+CCID on the EC25.
 * - USB models send URCs to the port chosen by AT+QURCCFG="urcport":
 *   make it the AT port we use ("usbat"); the M95 (UART only) answers
 *   ERROR, which is ignored.
 * - SMS storage defaults to "ME" (+CMTI: "ME",n): the SMS module reads
 *   the storage named in the indication.
 * - Boot noise: "RDY", "+CFUN: 1", "+CPIN: READY", "+QUSIM: 1",
 *   "+QIND: SMS DONE", "+QIND: PB DONE"; "POWERED DOWN" before a reset.
 * - "+QIND: "csq",<rssi>,<ber>" reports signal when AT+QINDCFG="csq",1.
 */
#include <string.h>
#include <strings.h>

#include "at_parse.h"
#include "modem_int.h"

static const char *const quirk_quectel_setup[] = {
	"AT+QURCCFG=\"urcport\",\"usbat\"",
	NULL
};

static int
quirk_quectel_match(const char *manufacturer, const char *model)
{
	return strncasecmp(manufacturer, "Quectel", 7) == 0;
}

enum quirk_ev
quirk_quectel_parse(const char *line, size_t len, struct quirk_event *ev)
{
	struct at_params pp;
	long rssi;

	memset(ev, 0, sizeof *ev);
	if (quirk_has_prefix(line, len, "+QIND:")) {
		if (at_params_split(line + 6, len - 6, 0, &pp, NULL) == 0 &&
		    pp.n == 3 && pp.v[0].quoted && at_param_eq(&pp.v[0], "csq") &&
		    at_param_int(&pp.v[1], 0, 199, &rssi) == 0) {
			ev->csq = rssi <= 31 ? (int)rssi : 99;
			if (ev->csq != 99)
				ev->dbm = -113 + 2 * ev->csq;
			return ev->type = QUIRK_EV_SIGNAL;
		}
		return ev->type = QUIRK_EV_IGNORE;
	}
	if (quirk_has_prefix(line, len, "+QUSIM:"))
		return ev->type = QUIRK_EV_IGNORE;
	if (len == 12 && memcmp(line, "POWERED DOWN", 12) == 0)
		return ev->type = QUIRK_EV_BOOT;
	return QUIRK_EV_NOT_MINE;
}

const struct quirk quirk_quectel = {
	.name = "quectel",
	.modems = "Quectel EC25, EG25-G, BG96, M95",
	.match = quirk_quectel_match,
	.iccid_cmd = "AT+QCCID",
	.setup = quirk_quectel_setup,
	.cnmi = "AT+CNMI=2,1,0,2,0",
	.reset_cmd = "AT+CFUN=1,1",
	.pdp_auth = QUIRK_AUTH_QICSGP,
	.parse = quirk_quectel_parse,
};
