/*
 * datalink_dial.c: the modem's own data call, per vendor (SPEC §6.1):
 * which command dials context 1 and which hangs it up, chosen from the
 * modem's +CGMI/+CGMM answers; 2G-only modems (SIMCom SIM800/SIM900,
 * Quectel M95) have no call on a USB network interface and say so; and
 * the redial backoff.  Pure (the answers it reads are parsed by the AT
 * layer, at_parse_data.c).
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "datalink.h"
#include "util.h"

static const struct datalink_dial datalink_dial_generic = {
	"generic", 0, "AT+CGACT=1,1", "AT+CGACT=0,1", 0
};

static const struct {
	const char		*manufacturer;	/* prefix, any case */
	const char		*model;		/* substring, or NULL: any */
	struct datalink_dial	 dial;
} datalink_dials[] = {
	{ "SIMCOM", "SIM800", { "SIMCom 2G", 1, NULL, NULL, 0 } },
	{ "SIMCOM", "SIM900", { "SIMCom 2G", 1, NULL, NULL, 0 } },
	{ "SIMCOM", NULL, { "SIMCom", 0, "AT+CGACT=1,1", "AT+CGACT=0,1",
	    0 } },
	{ "Quectel", "M95", { "Quectel 2G", 1, NULL, NULL, 0 } },
	{ "Quectel", NULL, { "Quectel", 0, "AT+QNETDEVCTL=1,1,1",
	    "AT+QNETDEVCTL=0,1,0", 0 } },
	{ "huawei", NULL, { "Huawei", 0, "AT^NDISDUP=1,1,",
	    "AT^NDISDUP=1,0", 1 } },
	{ "u-blox", NULL, { "u-blox", 0, "AT+CGACT=1,1", "AT+CGACT=0,1",
	    0 } },
};

static int
datalink_contains(const char *hay, const char *needle)
{
	size_t n = strlen(needle);

	for (; *hay != '\0'; hay++)
		if (strncasecmp(hay, needle, n) == 0)
			return 1;
	return 0;
}

const struct datalink_dial *
datalink_dial_find(const char *manufacturer, const char *model)
{
	if (manufacturer == NULL)
		manufacturer = "";
	if (model == NULL)
		model = "";
	for (size_t i = 0; i < nitems(datalink_dials); i++) {
		const char *m = datalink_dials[i].manufacturer;

		if (strncasecmp(manufacturer, m, strlen(m)) != 0)
			continue;
		if (datalink_dials[i].model != NULL &&
		    !datalink_contains(model, datalink_dials[i].model))
			continue;
		return &datalink_dials[i].dial;
	}
	return &datalink_dial_generic;
}

int
datalink_dial_command(const struct datalink_dial *d, const char *apn,
    char *out, size_t outlen)
{
	int n;

	if (d->no_call || d->dial == NULL)
		return -1;
	if (d->dial_has_apn)
		n = snprintf(out, outlen, "%s\"%s\"", d->dial, apn);
	else
		n = snprintf(out, outlen, "%s", d->dial);
	return n < 0 || (size_t)n >= outlen ? -1 : 0;
}

/* 2 s after the first failure, doubling, at most 5 minutes. */
int
datalink_backoff_ms(unsigned failures)
{
	long ms = 2000;

	if (failures == 0)
		return 0;
	for (unsigned i = 1; i < failures && ms < 300000; i++)
		ms *= 2;
	return ms > 300000 ? 300000 : (int)ms;
}
