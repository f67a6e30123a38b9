/*
 * quirk_simcom.c: SIMCom SIM800/SIM900 (2G) and SIM7600 (LTE).
 * - AT+CCID answers the bare ICCID (no prefix) on SIM800.
 * - SIM800/SIM900 have no AT+CEREG (GSM only); the SIM7600 has it.
 * - Boot noise "RDY", "+CFUN: 1", "+CPIN: READY", "Call Ready",
 *   "SMS Ready" (the first three mark a restart: handled by the engine
 *   through the URC table's boot flag); "*PSUTTZ", "DST:" time zone
 *   lines are noise.
 * - "UNDER-VOLTAGE WARNING": the supply dipped; the module may have
 *   reset itself (seen on Raspberry Pi hats powered from the GPIO
 *   header): treated as a restart sign.
 */
#include <string.h>
#include <strings.h>

#include "modem_int.h"

static const char *const quirk_simcom_setup[] = { NULL };

static int
quirk_simcom_match(const char *manufacturer, const char *model)
{
	return strncasecmp(manufacturer, "SIMCOM", 6) == 0 ||
	    strncasecmp(model, "SIMCOM", 6) == 0;
}

enum quirk_ev
quirk_simcom_parse(const char *line, size_t len, struct quirk_event *ev)
{
	memset(ev, 0, sizeof *ev);
	if (quirk_has_prefix(line, len, "UNDER-VOLTAGE WARNING") ||
	    quirk_has_prefix(line, len, "UNDER-VOLTAGE POWER DOWN") ||
	    quirk_has_prefix(line, len, "NORMAL POWER DOWN"))
		return ev->type = QUIRK_EV_BOOT;
	if ((len == 10 && memcmp(line, "Call Ready", 10) == 0) ||
	    (len == 9 && memcmp(line, "SMS Ready", 9) == 0) ||
	    (len == 7 && memcmp(line, "PB DONE", 7) == 0) ||
	    quirk_has_prefix(line, len, "*PSUTTZ:") ||
	    quirk_has_prefix(line, len, "DST:"))
		return ev->type = QUIRK_EV_IGNORE;
	return QUIRK_EV_NOT_MINE;
}

/* SIM800 has no +CEREG; asking costs an ERROR only, so it is left to
 * the generic "optional" handling and no_cereg stays 0 for the SIM7600. */
const struct quirk quirk_simcom = {
	.name = "simcom",
	.modems = "SIMCom SIM800, SIM900, SIM7600",
	.match = quirk_simcom_match,
	.iccid_cmd = "AT+CCID",
	.setup = quirk_simcom_setup,
	.cnmi = "AT+CNMI=2,1,0,2,0",
	.reset_cmd = "AT+CFUN=1,1",
	.parse = quirk_simcom_parse,
};
