/*
 * quirk_huawei.c: Huawei E3372 (stick mode), ME909, E1752.
 * - ICCID by AT^ICCID? ("^ICCID: <iccid>"), which needs an unlocked SIM.
 * - A constant stream of status URCs: ^RSSI (signal, 0..31), ^HCSQ
 *   (signal per RAT), ^MODE (system mode), ^BOOT, ^SRVST, ^SIMST,
 *   ^DSFLOWRPT, ^SYSSTART (power-on).  They are parsed (signal and
 *   technology come from them, so there is no +CSQ poll) or ignored,
 *   and logged at debug level only, never one info line each.
 * - ^SYSSTART marks a restart.
 */
#include <string.h>
#include <strings.h>

#include "at_parse.h"
#include "modem_int.h"

static const char *const quirk_huawei_setup[] = { NULL };

static int
quirk_huawei_match(const char *manufacturer, const char *model)
{
	return strncasecmp(manufacturer, "huawei", 6) == 0;
}

/* ^MODE: <sys_mode>[,<sys_submode>]: 0 none, 3 GSM, 5 WCDMA, 7 LTE,
 * 15 TD-SCDMA (ME909 AT command manual). */
static const char *
quirk_huawei_mode(long m)
{
	switch (m) {
	case 0:
		return "";
	case 3:
		return "GSM";
	case 5:
		return "UMTS";
	case 7:
		return "LTE";
	case 15:
		return "TD-SCDMA";
	default:
		return NULL;
	}
}

enum quirk_ev
quirk_huawei_parse(const char *line, size_t len, struct quirk_event *ev)
{
	static const char *const noise[] = { "^BOOT:", "^SRVST:", "^SIMST:",
	    "^DSFLOWRPT:", "^NDISSTAT:", "^STIN:", "^SYSINFOEX:", "^CSNR:",
	    "^ECCLIST:", "^NWTIME:", "^CERSSI:", "^ACTIVEBAND:" };
	struct at_params pp;
	struct at_hcsq h;
	const char *t;
	long m;
	int rssi;

	memset(ev, 0, sizeof *ev);
	if (quirk_has_prefix(line, len, "^RSSI:")) {
		if (at_parse_hw_rssi(line, len, &rssi, NULL) != 0)
			return ev->type = QUIRK_EV_IGNORE;
		ev->csq = rssi;
		ev->dbm = rssi == 99 ? 0 : -113 + 2 * rssi;
		return ev->type = QUIRK_EV_SIGNAL;
	}
	if (quirk_has_prefix(line, len, "^HCSQ:")) {
		/* first value: RSSI in 1 dB steps from -120 dBm (0..96),
		 * 255 unknown, for every system mode but NOSERVICE */
		if (at_parse_hcsq(line, len, &h, NULL) != 0)
			return ev->type = QUIRK_EV_IGNORE;
		if (h.nval < 1 || h.val[0] < 0 || h.val[0] > 96 ||
		    strcmp(h.sysmode, "NOSERVICE") == 0) {
			ev->csq = 99;
			ev->dbm = 0;
		} else {
			ev->dbm = -121 + h.val[0];
			ev->csq = quirk_csq_from_dbm(ev->dbm);
		}
		return ev->type = QUIRK_EV_SIGNAL;
	}
	if (quirk_has_prefix(line, len, "^MODE:")) {
		if (at_params_split(line + 6, len - 6, 0, &pp, NULL) != 0 ||
		    pp.n < 1 || at_param_int(&pp.v[0], 0, 255, &m) != 0 ||
		    (t = quirk_huawei_mode(m)) == NULL)
			return ev->type = QUIRK_EV_IGNORE;
		strncpy(ev->tech, t, sizeof ev->tech - 1);
		return ev->type = QUIRK_EV_TECH;
	}
	if (len == 9 && memcmp(line, "^SYSSTART", 9) == 0)
		return ev->type = QUIRK_EV_BOOT;
	for (size_t i = 0; i < sizeof noise / sizeof noise[0]; i++)
		if (quirk_has_prefix(line, len, noise[i]))
			return ev->type = QUIRK_EV_IGNORE;
	return QUIRK_EV_NOT_MINE;
}

const struct quirk quirk_huawei = {
	.name = "huawei",
	.modems = "Huawei E3372, ME909, E1752",
	.match = quirk_huawei_match,
	.iccid_cmd = "AT^ICCID?",
	.iccid_needs_sim = 1,
	.setup = quirk_huawei_setup,
	.cnmi = "AT+CNMI=2,1,0,2,0",
	.signal_urc = 1,
	.reset_cmd = "AT+CFUN=1,1",
	.pdp_auth = QUIRK_AUTH_NDISDUP,
	.parse = quirk_huawei_parse,
};
