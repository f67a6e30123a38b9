/*
 * profile.c: the table of simulated modem models.  A profile is one row:
 * identity strings, defaults (echo, access technology, SMS storage name
 * and size), dialect switches (+CEREG present, +CREG with AcT, empty-slot
 * +CMGR answer, text mode), boot URCs, and the vendor command table from
 * vendor.c.  generic is plain 3GPP 27.007/27.005; the other rows are
 * vendors.  To add a model, add a row here (and vendor commands in
 * vendor.c); nothing else should need to know about it.
 */

#include <string.h>

#include "sim.h"

static const char *const generic_ati[] = {
	"Cellgate", "GSM-LTE-SIM", "Revision: CGSIM_1.0.0", NULL
};

static const struct profile profile_generic = {
	.name = "generic",
	.description = "plain 3GPP TS 27.007/27.005 modem",
	.manufacturer = "Cellgate",
	.model = "GSM-LTE-SIM",
	.revision = "CGSIM_1.0.0",
	.ati = generic_ati,
	.imei = "352099001761481",
	.imsi = "001010123456789",
	.iccid = "89001010000123456782",
	.number = "+15555550100",
	.smsc = "+15555550000",
	.operator_name = "Test Network",
	.operator_numeric = "00101",
	.tz = 0,
	.act = 7,
	.echo = 1,
	.storage = "SM",
	.slots = 30,
	.has_cereg = 1,
	.creg_act = 1,
	.cmgr_empty_ok = 0,
	.cmgf_text_ok = 0,
	.cpin_urc = 0,
	.boot_urcs = NULL,
	.ready_urcs = NULL,
	.vendor = vendor_generic,
	.memfull_urc = "+CIEV: \"smsfull\",1",
	.spray = NULL,
};

/* SIMCom SIM800: 2G only (no +CEREG, +CREG without AcT). */
static const char *const sim800_ati[] = { "SIM800 R14.18", NULL };
static const char *const sim800_boot[] = { "RDY", "+CFUN: 1", NULL };
static const char *const sim800_ready[] = { "Call Ready", "SMS Ready", NULL };

static const struct profile profile_sim800 = {
	.name = "sim800",
	.description = "SIMCom SIM800 (GSM/GPRS)",
	.manufacturer = "SIMCOM_Ltd",
	.model = "SIMCOM_SIM800",
	.revision = "Revision:1418B04SIM800L24",
	.ati = sim800_ati,
	.imei = "865067021234565",
	.imsi = "222015550123456",
	.iccid = "89390100001234567895",
	.number = "+393331234567",
	.smsc = "+393359609600",
	.operator_name = "TIM",
	.operator_numeric = "22201",
	.tz = 4,		/* UTC+1, CET */
	.act = 0,
	.echo = 1,
	.storage = "SM",
	.slots = 30,
	.has_cereg = 0,
	.creg_act = 0,
	.cmgr_empty_ok = 1,	/* SIM800 answers a bare OK */
	.cmgf_text_ok = 1,
	.cpin_urc = 1,
	.boot_urcs = sim800_boot,
	.ready_urcs = sim800_ready,
	.vendor = vendor_simcom,
	.memfull_urc = "+CIEV: \"SMSFULL\",1",
	.spray = NULL,
	.no_data_call = 1,
};

/* Quectel EC25: LTE; SMS in "ME" storage. */
static const char *const ec25_ati[] = {
	"Quectel", "EC25", "Revision: EC25EFAR06A06M4G", NULL
};
static const char *const ec25_boot[] = { "RDY", "+CFUN: 1", NULL };
static const char *const ec25_ready[] = {
	"+QUSIM: 1", "+QIND: SMS DONE", "+QIND: PB DONE", NULL
};

static const struct profile profile_ec25 = {
	.name = "ec25",
	.description = "Quectel EC25 (LTE Cat 4)",
	.manufacturer = "Quectel",
	.model = "EC25",
	.revision = "EC25EFAR06A06M4G",
	.ati = ec25_ati,
	.imei = "867435039876545",
	.imsi = "262021234567890",
	.iccid = "89492260001234567895",
	.number = "+491711234567",
	.smsc = "+491722270333",
	.operator_name = "Vodafone.de",
	.operator_numeric = "26202",
	.tz = 4,		/* UTC+1, CET */
	.act = 7,
	.echo = 1,
	.storage = "ME",
	.slots = 255,
	.has_cereg = 1,
	.creg_act = 1,
	.cmgr_empty_ok = 0,
	.cmgf_text_ok = 1,
	.cpin_urc = 1,
	.boot_urcs = ec25_boot,
	.ready_urcs = ec25_ready,
	.vendor = vendor_quectel,
	.cgauth_refused = 1,	/* firmwares that want AT+QICSGP */
	.memfull_urc = "+QIND: \"smsfull\",\"ME\"",
	.spray = NULL,
};

/* Huawei E3372 (stick mode): sprays ^RSSI/^HCSQ/^MODE/^BOOT. */
static const char *const e3372_ati[] = {
	"Manufacturer: huawei", "Model: E3372", "Revision: 22.328.62.00.143",
	"IMEI: 867814034567897", "+GCAP: +CGSM,+DS,+ES", NULL
};
static const char *const e3372_boot[] = { "^SYSSTART", NULL };
static const char *const e3372_ready[] = { "^SIMST: 1", NULL };

static const struct profile profile_e3372 = {
	.name = "e3372",
	.description = "Huawei E3372 (LTE stick, stick mode)",
	.manufacturer = "huawei",
	.model = "E3372",
	.revision = "22.328.62.00.143",
	.ati = e3372_ati,
	.imei = "867814034567897",
	.imsi = "208011234567890",
	.iccid = "89331500009876543215",
	.number = "+33612345678",
	.smsc = "+33689004000",
	.operator_name = "Orange F",
	.operator_numeric = "20801",
	.tz = 4,		/* UTC+1, CET */
	.act = 7,
	.echo = 1,
	.storage = "SM",
	.slots = 50,
	.has_cereg = 1,
	.creg_act = 1,
	.cmgr_empty_ok = 0,
	.cmgf_text_ok = 1,
	.no_clip = 1,		/* plays a modem that sends no +CLIP */
	.cpin_urc = 0,
	.boot_urcs = e3372_boot,
	.ready_urcs = e3372_ready,
	.vendor = vendor_huawei,
	.memfull_urc = "^SMMEMFULL: \"SM\"",
	.spray = vendor_huawei_spray,
	.spray_ms = 2000,
};

/* u-blox TOBY-L2: LTE, +CCID with a "+CCID: " prefix. */
static const char *const ublox_ati[] = {
	"Manufacturer: u-blox", "Model: TOBY-L201", "Revision: 15.90", NULL
};

static const struct profile profile_ublox = {
	.name = "ublox",
	.description = "u-blox TOBY-L201 (LTE)",
	.manufacturer = "u-blox",
	.model = "TOBY-L201",
	.revision = "15.90",
	.ati = ublox_ati,
	.imei = "357513066543217",
	.imsi = "310410123456789",
	.iccid = "89014103212345678900",
	.number = "+12025550143",
	.smsc = "+13123149810",
	.operator_name = "AT&T",
	.operator_numeric = "310410",
	.tz = -20,		/* UTC-5, EST */
	.act = 7,
	.echo = 1,
	.storage = "SM",
	.slots = 30,
	.has_cereg = 1,
	.creg_act = 1,
	.cmgr_empty_ok = 0,
	.cmgf_text_ok = 0,
	.cpin_urc = 0,
	.boot_urcs = NULL,
	.ready_urcs = NULL,
	.vendor = vendor_ublox,
	.cgauth_refused = 1,	/* firmwares that want AT+UAUTHREQ */
	.memfull_urc = "+CIEV: \"smsfull\",1",
	.spray = NULL,
};

const struct profile *const profile_table[] = {
	&profile_generic,
	&profile_sim800,
	&profile_ec25,
	&profile_e3372,
	&profile_ublox,
	NULL
};

const struct profile *
profile_find(const char *name)
{
	int	i;

	for (i = 0; profile_table[i] != NULL; i++) {
		if (strcmp(profile_table[i]->name, name) == 0)
			return (profile_table[i]);
	}
	return (NULL);
}
