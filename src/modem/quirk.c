/*
 * quirk.c: choosing the vendor quirks from the identify answers
 * (+CGMI/+CGMM), the generic 3GPP TS 27.007 behaviour used when no
 * vendor matches, and small helpers for the vendor line parsers.  Each
 * vendor lives in its own file (quirk_simcom.c, quirk_quectel.c,
 * quirk_huawei.c, quirk_ublox.c).
 */
#include <string.h>

#include "modem_int.h"
#include "util.h"

static const char *const quirk_generic_setup[] = { NULL };

/* Any 27.007/27.005 modem (and the simulator's "generic" profile):
 * AT+CCID answers "+CCID: <iccid>", +CMTI indications, +CSQ polls. */
const struct quirk quirk_generic = {
	.name = "generic",
	.modems = "any 3GPP TS 27.007 modem",
	.match = NULL,
	.iccid_cmd = "AT+CCID",
	.setup = quirk_generic_setup,
	.cnmi = "AT+CNMI=2,1,0,2,0",
	.reset_cmd = "AT+CFUN=1,1",
	.parse = NULL,
};

static const struct quirk *const quirk_table[] = {
	&quirk_simcom, &quirk_quectel, &quirk_huawei, &quirk_ublox,
};

/* Before the modem is identified: the first vendor that knows the line. */
enum quirk_ev
quirk_parse_any(const char *line, size_t len, struct quirk_event *ev)
{
	enum quirk_ev t;

	for (size_t i = 0; i < nitems(quirk_table); i++)
		if (quirk_table[i]->parse != NULL && (t = quirk_table[i]->parse(
		    line, len, ev)) != QUIRK_EV_NOT_MINE)
			return t;
	return QUIRK_EV_NOT_MINE;
}

const struct quirk *
quirk_select(const char *manufacturer, const char *model)
{
	for (size_t i = 0; i < nitems(quirk_table); i++)
		if (quirk_table[i]->match(manufacturer, model))
			return quirk_table[i];
	return &quirk_generic;
}

int
quirk_has_prefix(const char *line, size_t len, const char *prefix)
{
	size_t n = strlen(prefix);

	return len >= n && memcmp(line, prefix, n) == 0;
}

/* dBm to the +CSQ scale (27.007 8.5): 0 is -113 dBm or less, 31 is -51
 * or more, 2 dBm a step. */
int
quirk_csq_from_dbm(int dbm)
{
	if (dbm <= -113)
		return 0;
	if (dbm >= -51)
		return 31;
	return (dbm + 113) / 2;
}
