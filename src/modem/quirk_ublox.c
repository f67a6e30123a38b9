/*
 * quirk_ublox.c: u-blox TOBY-L2, LARA-R2, SARA-U2/R4.
 * - ICCID by AT+CCID ("+CCID: <iccid>"); no AT+ICCID.
 * - Reset by AT+CFUN=16 (module reset keeping the SIM powered; u-blox
 *   AT commands manual, +CFUN); AT+CFUN=1,1 is not supported by all.
 * - "+UUSIMSTAT: <state>" reports SIM changes; socket URCs (+UUSORD,
 *   +UUSOCL, ...) are not ours: ignored quietly.
 */
#include <string.h>
#include <strings.h>

#include "modem_int.h"

static const char *const quirk_ublox_setup[] = { NULL };

static int
quirk_ublox_match(const char *manufacturer, const char *model)
{
	return strncasecmp(manufacturer, "u-blox", 6) == 0 ||
	    strncasecmp(manufacturer, "ublox", 5) == 0;
}

enum quirk_ev
quirk_ublox_parse(const char *line, size_t len, struct quirk_event *ev)
{
	memset(ev, 0, sizeof *ev);
	if (quirk_has_prefix(line, len, "+UUSIMSTAT:") ||
	    quirk_has_prefix(line, len, "+UUSORD:") ||
	    quirk_has_prefix(line, len, "+UUSORF:") ||
	    quirk_has_prefix(line, len, "+UUSOCL:") ||
	    quirk_has_prefix(line, len, "+UUPSDD:") ||
	    quirk_has_prefix(line, len, "+UUPSDA:"))
		return ev->type = QUIRK_EV_IGNORE;
	return QUIRK_EV_NOT_MINE;
}

const struct quirk quirk_ublox = {
	.name = "ublox",
	.modems = "u-blox TOBY-L2, LARA-R2, SARA-U2/R4",
	.match = quirk_ublox_match,
	.iccid_cmd = "AT+CCID",
	.setup = quirk_ublox_setup,
	.cnmi = "AT+CNMI=2,1,0,2,0",
	.reset_cmd = "AT+CFUN=16",
	.pdp_auth = QUIRK_AUTH_UAUTHREQ,
	.parse = quirk_ublox_parse,
};
