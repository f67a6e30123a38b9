/*
 * quirk.c: choosing the vendor quirks from the identify answers
 * (+CGMI/+CGMM), the generic 3GPP TS 27.007 behaviour used when no
 * vendor matches, and small helpers for the vendor line parsers.  Each
 * vendor lives in its own file (quirk_simcom.c, quirk_quectel.c,
 * quirk_huawei.c, quirk_ublox.c).
 */
#include <stdio.h>
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

/*
 * The vendor's PDP authentication command for a modem that refuses
 * AT+CGAUTH: Quectel AT+QICSGP (EC2x/EG2x TCP/IP AT manual: context
 * type 1 = IPv4, auth 0 none, 1 PAP, 2 CHAP), u-blox AT+UAUTHREQ (u-blox
 * AT commands manual: auth 0 none, 1 PAP, 2 CHAP).  -1 when the vendor
 * has none (Huawei takes the credentials in ^NDISDUP) or it does not
 * fit.
 */
int
quirk_pdp_auth_command(const struct quirk *q, int cid, const char *apn,
    const char *user, const char *pass, int auth, char *out, size_t outlen)
{
	int n;

	switch (q != NULL ? q->pdp_auth : QUIRK_AUTH_CGAUTH) {
	case QUIRK_AUTH_QICSGP:
		n = snprintf(out, outlen, "AT+QICSGP=%d,1,\"%s\",\"%s\",\"%s\",%d",
		    cid, apn, user, pass, auth);
		break;
	case QUIRK_AUTH_UAUTHREQ:
		n = snprintf(out, outlen, "AT+UAUTHREQ=%d,%d,\"%s\",\"%s\"", cid,
		    auth, user, pass);
		break;
	default:
		return -1;
	}
	if (n < 0 || (size_t)n >= outlen) {
		explicit_bzero(out, outlen);
		return -1;
	}
	return 0;
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
