/*
 * vendor.c: vendor-specific AT commands and unsolicited lines, one table
 * per vendor, looked up before the 3GPP tables (a row with a NULL handler
 * hides a 3GPP command on that vendor).  Each row names the modem it is
 * for: how the ICCID is read differs on every vendor, Huawei can turn its
 * periodic ^RSSI/^HCSQ/^MODE/^BOOT lines off with AT^CURC=0, Quectel
 * wants AT+QURCCFG for its URC port, SIM800 has no +CEREG.
 */

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "sim.h"

static int
vendor_exec_only(struct at_req *req)
{
	if (req->type == AT_TYPE_TEST)
		return (AT_OK);
	if (req->type != AT_TYPE_EXEC)
		return (AT_ERROR);
	return (-1);
}

/* Generic: AT+CCID and AT+ICCID, both "+xCCID: <iccid>". */
static int
vendor_ccid(struct sim *sim, struct at_req *req, struct evbuffer *out)
{
	int	r;

	if (req->type != AT_TYPE_READ && (r = vendor_exec_only(req)) != -1)
		return (r);
	if (sim->puk_attempts == 0)
		return (AT_CME(CME_SIM_FAILURE));
	at_info(out, "%s: %s", req->name, sim->profile->iccid);
	return (AT_OK);
}

const struct at_entry vendor_generic[] = {
	{ "+CCID", 0, vendor_ccid },
	{ "+ICCID", 0, vendor_ccid },
	{ NULL, 0, NULL }
};

/* SIMCom SIM800: AT+CCID answers the bare number; 2G only. */
static int
vendor_simcom_ccid(struct sim *sim, struct at_req *req, struct evbuffer *out)
{
	int	r;

	if ((r = vendor_exec_only(req)) != -1)
		return (r);
	at_info(out, "%s", sim->profile->iccid);
	return (AT_OK);
}

const struct at_entry vendor_simcom[] = {
	{ "+CCID", 0, vendor_simcom_ccid },
	{ "+CEREG", 0, NULL },
	{ NULL, 0, NULL }
};

/* Quectel EC25: AT+QCCID; AT+QURCCFG="urcport",... accepted. */
static int
vendor_quectel_qccid(struct sim *sim, struct at_req *req,
    struct evbuffer *out)
{
	int	r;

	if ((r = vendor_exec_only(req)) != -1)
		return (r);
	at_info(out, "+QCCID: %s", sim->profile->iccid);
	return (AT_OK);
}

static int
vendor_quectel_qurccfg(struct sim *sim, struct at_req *req,
    struct evbuffer *out)
{
	if (req->type == AT_TYPE_SET &&
	    strncasecmp(req->args, "\"urcport\"", 9) == 0) {
		if (req->args[9] == '\0')
			at_info(out, "+QURCCFG: \"urcport\",\"usbat\"");
		return (AT_OK);
	}
	return (AT_ERROR);
}

const struct at_entry vendor_quectel[] = {
	{ "+QCCID", 0, vendor_quectel_qccid },
	{ "+QURCCFG", 0, vendor_quectel_qurccfg },
	{ NULL, 0, NULL }
};

/* Huawei E3372: AT^ICCID? ("^ICCID: <iccid>"), AT^CURC=0|1. */
static int
vendor_huawei_iccid(struct sim *sim, struct at_req *req,
    struct evbuffer *out)
{
	if (req->type == AT_TYPE_TEST)
		return (AT_OK);
	if (req->type != AT_TYPE_READ)
		return (AT_ERROR);
	if (sim->pin != SIM_PIN_READY)
		return (AT_CME(sim->pin == SIM_PIN_PIN ? CME_SIM_PIN :
		    CME_SIM_PUK));
	at_info(out, "^ICCID: %s", sim->profile->iccid);
	return (AT_OK);
}

static int
vendor_huawei_curc(struct sim *sim, struct at_req *req,
    struct evbuffer *out)
{
	const char	*p = req->args;
	int		 v;

	switch (req->type) {
	case AT_TYPE_READ:
		at_info(out, "^CURC: %d", sim->curc);
		return (AT_OK);
	case AT_TYPE_TEST:
		at_info(out, "^CURC: (0-2)");
		return (AT_OK);
	case AT_TYPE_SET:
		if (sim_parse_int(&p, 0, 2, &v) != 0)
			return (AT_ERROR);
		sim->curc = v != 0;
		return (AT_OK);
	default:
		return (AT_ERROR);
	}
}

const struct at_entry vendor_huawei[] = {
	{ "^ICCID", 0, vendor_huawei_iccid },
	{ "^CURC", 0, vendor_huawei_curc },
	{ NULL, 0, NULL }
};

/* Huawei's periodic status lines, in turn. */
void
vendor_huawei_spray(struct sim *sim, int n, char *buf, size_t len)
{
	int	rssi = sim->cfun == 1 ? sim->rssi : 99;

	switch (n % 4) {
	case 0:
		snprintf(buf, len, "^RSSI:%d", rssi);
		break;
	case 1:
		snprintf(buf, len, "^HCSQ:\"LTE\",%d,%d,%d,%d",
		    rssi == 99 ? 255 : rssi * 2, rssi == 99 ? 255 : rssi + 15,
		    rssi == 99 ? 255 : 4 * rssi, rssi == 99 ? 255 : 10 + rssi);
		break;
	case 2:
		snprintf(buf, len, "^MODE:%d,%d", sim->act == 7 ? 7 :
		    sim->act == 0 ? 3 : 5, sim->act == 7 ? 17 : 4);
		break;
	default:
		snprintf(buf, len, "^BOOT:20952743,0,0,0,72");
		break;
	}
}

/* u-blox: AT+CCID ("+CCID: <iccid>"); no AT+ICCID. */
const struct at_entry vendor_ublox[] = {
	{ "+CCID", 0, vendor_ccid },
	{ NULL, 0, NULL }
};
