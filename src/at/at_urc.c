/*
 * at_urc.c: unsolicited result codes, recognised by a prefix table (as
 * oFono's gatchat.c dispatches them), so that the AT engine never mixes
 * them into the response of the command in flight.  A line that starts
 * with the pending command's response prefix is a response, except a
 * registration line whose shape is that of the URC (see at_parse_reg).
 */
#include <string.h>

#include "at_parse.h"

struct at_urc_row {
	const char	*prefix;
	int		 exact;		/* whole line, else prefix */
	enum at_urc_id	 id;
	unsigned int	 flags;
};

static const struct at_urc_row at_urc_table[] = {
	/* 3GPP TS 27.007 / 27.005 */
	{ "RING",		1, AT_URC_RING,		AT_URCF_CALL },
	{ "+CRING:",		0, AT_URC_CRING,	AT_URCF_CALL },
	{ "+CLIP:",		0, AT_URC_CLIP,		AT_URCF_CALL },
	{ "+CCWA:",		0, AT_URC_CCWA,		AT_URCF_CALL },
	{ "+CMTI:",		0, AT_URC_CMTI,		AT_URCF_SMS },
	{ "+CMT:",		0, AT_URC_CMT,	AT_URCF_SMS | AT_URCF_PDU },
	{ "+CDSI:",		0, AT_URC_CDSI,		AT_URCF_SMS },
	{ "+CDS:",		0, AT_URC_CDS,	AT_URCF_SMS | AT_URCF_PDU },
	{ "+CBMI:",		0, AT_URC_CBMI,		AT_URCF_SMS },
	{ "+CBM:",		0, AT_URC_CBM,	AT_URCF_SMS | AT_URCF_PDU },
	{ "+CUSD:",		0, AT_URC_CUSD,		0 },
	{ "+CREG:",		0, AT_URC_CREG,		AT_URCF_REG },
	{ "+CGREG:",		0, AT_URC_CGREG,	AT_URCF_REG },
	{ "+CEREG:",		0, AT_URC_CEREG,	AT_URCF_REG },
	{ "+C5GREG:",		0, AT_URC_C5GREG,	AT_URCF_REG },
	{ "+CGEV:",		0, AT_URC_CGEV,		0 },
	{ "+CPIN:",		0, AT_URC_CPIN,		AT_URCF_BOOT },
	{ "+CFUN:",		0, AT_URC_CFUN,		AT_URCF_BOOT },
	{ "+CIEV:",		0, AT_URC_CIEV,		0 },
	{ "+CTZV:",		0, AT_URC_CTZV,		0 },
	{ "+CTZE:",		0, AT_URC_CTZE,		0 },
	/* SIMCom SIM800/SIM7600 boot and power messages */
	{ "RDY",		1, AT_URC_RDY,		AT_URCF_BOOT },
	{ "Call Ready",		1, AT_URC_CALL_READY,	0 },
	{ "SMS Ready",		1, AT_URC_SMS_READY,	0 },
	{ "PB DONE",		1, AT_URC_PB_DONE,	0 },
	{ "NORMAL POWER DOWN",	1, AT_URC_NORMAL_POWER_DOWN, AT_URCF_POWER },
	{ "UNDER-VOLTAGE WARNING", 1, AT_URC_UNDER_VOLTAGE_WARNING,
	    AT_URCF_POWER | AT_URCF_BOOT },
	{ "UNDER-VOLTAGE POWER DOWN", 1, AT_URC_UNDER_VOLTAGE_POWER_DOWN,
	    AT_URCF_POWER },
	{ "OVER-VOLTAGE WARNING", 1, AT_URC_OVER_VOLTAGE_WARNING,
	    AT_URCF_POWER },
	{ "OVER-VOLTAGE POWER DOWN", 1, AT_URC_OVER_VOLTAGE_POWER_DOWN,
	    AT_URCF_POWER },
	{ "*PSUTTZ:",		0, AT_URC_PSUTTZ,	0 },
	/* Huawei E3372/ME909 */
	{ "^RSSI:",		0, AT_URC_HW_RSSI,	0 },
	{ "^HCSQ:",		0, AT_URC_HW_HCSQ,	0 },
	{ "^MODE:",		0, AT_URC_HW_MODE,	0 },
	{ "^BOOT:",		0, AT_URC_HW_BOOT,	0 },
	{ "^SRVST:",		0, AT_URC_HW_SRVST,	0 },
	{ "^SIMST:",		0, AT_URC_HW_SIMST,	0 },
	{ "^DSFLOWRPT:",	0, AT_URC_HW_DSFLOWRPT,	0 },
	{ "^ORIG:",		0, AT_URC_HW_ORIG,	AT_URCF_CALL },
	{ "^CONF:",		0, AT_URC_HW_CONF,	AT_URCF_CALL },
	{ "^CONN:",		0, AT_URC_HW_CONN,	AT_URCF_CALL },
	{ "^CEND:",		0, AT_URC_HW_CEND,	AT_URCF_CALL },
	/* Quectel EC25/EG25/BG96/M95 */
	{ "+QIND:",		0, AT_URC_QIND,		0 },
	{ "+QUSIM:",		0, AT_URC_QUSIM,	0 },
	{ "+QIURC:",		0, AT_URC_QIURC,	0 },
	{ "POWERED DOWN",	1, AT_URC_POWERED_DOWN,	AT_URCF_POWER },
	/* u-blox */
	{ "+UUSORD:",		0, AT_URC_UUSORD,	0 },
	{ "+UUSORF:",		0, AT_URC_UUSORF,	0 },
	{ "+UUSOCL:",		0, AT_URC_UUSOCL,	0 },
	{ "+UUPSDD:",		0, AT_URC_UUPSDD,	0 },
	{ "+UUSIMSTAT:",	0, AT_URC_UUSIMSTAT,	0 },
	/* Wavecom call progress (python-gsmmodem fakemodems.py) */
	{ "+WIND:",		0, AT_URC_WIND,		AT_URCF_CALL },
	/* Qualcomm M6280/ZTE: remote hang-up (python-gsmmodem fakemodems.py) */
	{ "HANGUP:",		0, AT_URC_ZTE_HANGUP,	AT_URCF_CALL },
};

static const char *at_urc_names[AT_URC_MAX] = {
	"none", "RING", "+CRING", "+CLIP", "+CCWA", "+CMTI", "+CMT",
	"+CDSI", "+CDS", "+CBMI", "+CBM", "+CUSD", "+CREG", "+CGREG",
	"+CEREG", "+C5GREG", "+CGEV", "+CPIN", "+CFUN", "+CIEV", "+CTZV",
	"+CTZE", "RDY", "Call Ready", "SMS Ready", "PB DONE",
	"NORMAL POWER DOWN", "UNDER-VOLTAGE WARNING",
	"UNDER-VOLTAGE POWER DOWN", "OVER-VOLTAGE WARNING",
	"OVER-VOLTAGE POWER DOWN", "*PSUTTZ", "^RSSI", "^HCSQ", "^MODE",
	"^BOOT", "^SRVST", "^SIMST", "^DSFLOWRPT", "^ORIG", "^CONF", "^CONN",
	"^CEND", "+QIND", "+QUSIM", "+QIURC", "POWERED DOWN", "+UUSORD",
	"+UUSORF", "+UUSOCL", "+UUPSDD", "+UUSIMSTAT", "+WIND", "HANGUP"
};

#define NITEMS(a)	(sizeof (a) / sizeof (a)[0])

const char *
at_urc_name(enum at_urc_id id)
{
	if ((unsigned)id >= AT_URC_MAX)
		return "?";
	return at_urc_names[id];
}

unsigned int
at_urc_flags(enum at_urc_id id)
{
	size_t	i;

	for (i = 0; i < NITEMS(at_urc_table); i++) {
		if (at_urc_table[i].id == id)
			return at_urc_table[i].flags;
	}
	return 0;
}

/*
 * Which URC is line, given the response prefix of the command in flight
 * (NULL if none)?  AT_URC_NONE: a response line (or not a URC at all).
 */
enum at_urc_id
at_urc_classify(const char *line, size_t len, const char *pending)
{
	const struct at_urc_row	*r = NULL;
	size_t			 i, n;

	while (len > 0 && (line[len - 1] == ' ' || line[len - 1] == '\t'))
		len--;
	for (i = 0; i < NITEMS(at_urc_table); i++) {
		n = strlen(at_urc_table[i].prefix);
		if (len < n || memcmp(line, at_urc_table[i].prefix, n) != 0)
			continue;
		if (at_urc_table[i].exact && len != n)
			continue;
		r = &at_urc_table[i];
		break;
	}
	if (r == NULL)
		return AT_URC_NONE;
	if (pending != NULL && *pending != '\0') {
		n = strlen(pending);
		if (len >= n && memcmp(line, pending, n) == 0) {
			/* +CREG: 1,"00AB","CDEF" during AT+CREG? is a URC */
			if ((r->flags & AT_URCF_REG) &&
			    at_parse_reg_shape(line, len) ==
			    AT_REG_SHAPE_UNSOLICITED)
				return r->id;
			return AT_URC_NONE;
		}
	}
	return r->id;
}
