/*
 * at_cmds.c: the 3GPP TS 27.007 commands of the simulated modem (and the
 * V.250 basic ones): identity, echo and reset, error reporting, SIM PIN,
 * functionality, registration, operator, signal, calls, USSD and
 * character set.  One table row per command, handlers above it.  SMS
 * commands are in at_sms.c; vendor commands in vendor.c.
 */

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "sim.h"

#define AT_PUK_CODE	"12345678"

static int
at_bool_arg(struct at_req *req, int *v)
{
	const char	*p = req->args;

	if (req->type == AT_TYPE_EXEC) {
		*v = 0;
		return (0);
	}
	if (req->type != AT_TYPE_SET || sim_parse_int(&p, 0, 1, v) != 0 ||
	    !at_args_end(p))
		return (-1);
	return (0);
}

static int
at_cmd_echo(struct sim *sim, struct at_req *req, struct evbuffer *out)
{
	int	v;

	if (at_bool_arg(req, &v) != 0)
		return (AT_ERROR);
	sim->echo = v;
	return (AT_OK);
}

/* ATV1 and ATQ0 only: numeric or quiet result codes are not simulated. */
static int
at_cmd_verbose(struct sim *sim, struct at_req *req, struct evbuffer *out)
{
	int	v;

	if (req->type == AT_TYPE_EXEC)
		return (AT_ERROR);
	if (at_bool_arg(req, &v) != 0 || v != 1)
		return (AT_ERROR);
	return (AT_OK);
}

static int
at_cmd_quiet(struct sim *sim, struct at_req *req, struct evbuffer *out)
{
	int	v;

	if (at_bool_arg(req, &v) != 0 || v != 0)
		return (AT_ERROR);
	return (AT_OK);
}

static int
at_cmd_reset(struct sim *sim, struct at_req *req, struct evbuffer *out)
{
	int	v;

	if (at_bool_arg(req, &v) != 0 || v != 0)
		return (AT_ERROR);
	at_reset(sim);
	return (AT_OK);
}

/* AT&W, AT&D, AT&C: accepted, nothing to do. */
static int
at_cmd_accept(struct sim *sim, struct at_req *req, struct evbuffer *out)
{
	if (req->type == AT_TYPE_READ)
		return (AT_ERROR);
	return (AT_OK);
}

static int
at_cmd_ati(struct sim *sim, struct at_req *req, struct evbuffer *out)
{
	const char *const	*l;

	if (req->type == AT_TYPE_READ)
		return (AT_ERROR);
	for (l = sim->profile->ati; *l != NULL; l++) {
		if (l == sim->profile->ati)
			at_info(out, "%s", *l);
		else
			at_more(out, "%s", *l);
	}
	return (AT_OK);
}

static int
at_ident(struct at_req *req, struct evbuffer *out, const char *v)
{
	if (req->type == AT_TYPE_TEST)
		return (AT_OK);
	if (req->type != AT_TYPE_EXEC)
		return (AT_ERROR);
	at_info(out, "%s", v);
	return (AT_OK);
}

static int
at_cmd_cgmi(struct sim *sim, struct at_req *req, struct evbuffer *out)
{
	return (at_ident(req, out, sim->profile->manufacturer));
}

static int
at_cmd_cgmm(struct sim *sim, struct at_req *req, struct evbuffer *out)
{
	return (at_ident(req, out, sim->profile->model));
}

static int
at_cmd_cgmr(struct sim *sim, struct at_req *req, struct evbuffer *out)
{
	return (at_ident(req, out, sim->profile->revision));
}

static int
at_cmd_cgsn(struct sim *sim, struct at_req *req, struct evbuffer *out)
{
	return (at_ident(req, out, sim->profile->imei));
}

static int
at_cmd_cimi(struct sim *sim, struct at_req *req, struct evbuffer *out)
{
	return (at_ident(req, out, sim->profile->imsi));
}

static int
at_cmd_gcap(struct sim *sim, struct at_req *req, struct evbuffer *out)
{
	return (at_ident(req, out, "+GCAP: +CGSM"));
}

static int
at_cmd_cnum(struct sim *sim, struct at_req *req, struct evbuffer *out)
{
	const char	*n = sim->profile->number;

	if (req->type == AT_TYPE_TEST)
		return (AT_OK);
	if (req->type != AT_TYPE_EXEC)
		return (AT_ERROR);
	at_info(out, "+CNUM: \"\",\"%s\",%d", n, n[0] == '+' ? 145 : 129);
	return (AT_OK);
}

static int
at_cmd_cmee(struct sim *sim, struct at_req *req, struct evbuffer *out)
{
	const char	*p = req->args;
	int		 v;

	switch (req->type) {
	case AT_TYPE_READ:
		at_info(out, "+CMEE: %d", sim->cmee);
		return (AT_OK);
	case AT_TYPE_TEST:
		at_info(out, "+CMEE: (0-2)");
		return (AT_OK);
	case AT_TYPE_SET:
		if (sim_parse_int(&p, 0, 2, &v) != 0 || !at_args_end(p))
			return (AT_ERROR);
		sim->cmee = v;
		return (AT_OK);
	default:
		sim->cmee = 0;
		return (AT_OK);
	}
}

static const char *
at_pin_name(struct sim *sim)
{
	switch (sim->pin) {
	case SIM_PIN_PIN:
		return ("SIM PIN");
	case SIM_PIN_PUK:
		return ("SIM PUK");
	default:
		return ("READY");
	}
}

/* AT+CPIN: 3 PIN attempts, then PUK (AT+CPIN="12345678","newpin"). */
static int
at_cmd_cpin(struct sim *sim, struct at_req *req, struct evbuffer *out)
{
	const char	*p = req->args;
	char		 code[16], newpin[16];

	if (req->type == AT_TYPE_READ) {
		if (sim->puk_attempts == 0)
			return (AT_CME(CME_SIM_FAILURE));
		at_info(out, "+CPIN: %s", at_pin_name(sim));
		return (AT_OK);
	}
	if (req->type == AT_TYPE_TEST)
		return (AT_OK);
	if (req->type != AT_TYPE_SET ||
	    sim_parse_str(&p, code, sizeof code) != 0)
		return (AT_CME(CME_INVALID_PARAM));
	newpin[0] = '\0';
	if (at_comma(&p) && sim_parse_str(&p, newpin, sizeof newpin) != 0)
		return (AT_CME(CME_INVALID_PARAM));
	if (!at_args_end(p))
		return (AT_CME(CME_INVALID_PARAM));

	switch (sim->pin) {
	case SIM_PIN_READY:
		return (AT_CME(CME_NOT_ALLOWED));
	case SIM_PIN_PIN:
		if (strcmp(code, sim->pin_code) != 0) {
			if (--sim->pin_attempts <= 0) {
				sim->pin_attempts = 0;
				sim->pin = SIM_PIN_PUK;
			}
			return (AT_CME(CME_INCORRECT_PASSWORD));
		}
		break;
	default:
		if (sim->puk_attempts == 0)
			return (AT_CME(CME_SIM_FAILURE));
		if (strcmp(code, AT_PUK_CODE) != 0 || newpin[0] == '\0') {
			if (newpin[0] != '\0')
				sim->puk_attempts--;
			return (AT_CME(CME_INCORRECT_PASSWORD));
		}
		snprintf(sim->pin_code, sizeof sim->pin_code, "%s", newpin);
		break;
	}
	sim->pin = SIM_PIN_READY;
	sim->pin_attempts = 3;
	sim->puk_attempts = 10;
	urc_defer(sim, URC_DEFER_READY | URC_DEFER_REG);
	return (AT_OK);
}

static int
at_cmd_cfun(struct sim *sim, struct at_req *req, struct evbuffer *out)
{
	const char	*p = req->args;
	int		 fun, rst = 0;

	switch (req->type) {
	case AT_TYPE_READ:
		at_info(out, "+CFUN: %d", sim->cfun);
		return (AT_OK);
	case AT_TYPE_TEST:
		at_info(out, "+CFUN: (0,1,4),(0,1)");
		return (AT_OK);
	case AT_TYPE_SET:
		break;
	default:
		return (AT_ERROR);
	}
	if (sim_parse_int(&p, 0, 4, &fun) != 0 || (fun != 0 && fun != 1 &&
	    fun != 4))
		return (AT_CME(CME_INVALID_PARAM));
	if (at_comma(&p) && sim_parse_int(&p, 0, 1, &rst) != 0)
		return (AT_CME(CME_INVALID_PARAM));
	if (!at_args_end(p))
		return (AT_CME(CME_INVALID_PARAM));
	sim->cfun = fun;
	if (rst)
		urc_defer(sim, URC_DEFER_REBOOT);
	else
		urc_defer(sim, URC_DEFER_REG);
	return (AT_OK);
}

/* +CREG, +CGREG, +CEREG share one handler; the name picks the mode. */
static int
at_cmd_reg(struct sim *sim, struct at_req *req, struct evbuffer *out)
{
	const char	*p = req->args;
	char		 line[128];
	int		*n, v;

	if (strcmp(req->name, "+CREG") == 0)
		n = &sim->creg_n;
	else if (strcmp(req->name, "+CGREG") == 0)
		n = &sim->cgreg_n;
	else {
		if (!sim->profile->has_cereg)
			return (AT_ERROR);
		n = &sim->cereg_n;
	}
	switch (req->type) {
	case AT_TYPE_READ:
		urc_reg_text(sim, line, sizeof line, req->name, *n,
		    sim_reg_stat(sim), 1);
		at_info(out, "%s", line);
		return (AT_OK);
	case AT_TYPE_TEST:
		at_info(out, "%s: (0-2)", req->name);
		return (AT_OK);
	case AT_TYPE_SET:
		if (sim_parse_int(&p, 0, 2, &v) != 0 || !at_args_end(p))
			return (AT_CME(CME_INVALID_PARAM));
		*n = v;
		return (AT_OK);
	default:
		return (AT_ERROR);
	}
}

static int
at_cmd_cops(struct sim *sim, struct at_req *req, struct evbuffer *out)
{
	const struct profile	*pr = sim->profile;
	const char		*p = req->args;
	int			 mode, fmt, stat;

	switch (req->type) {
	case AT_TYPE_READ:
		stat = sim_reg_stat(sim);
		if (stat != 1 && stat != 5)
			at_info(out, "+COPS: 0");
		else if (sim->cops_format == 2)
			at_info(out, "+COPS: 0,2,\"%s\",%d",
			    pr->operator_numeric, sim->act);
		else
			at_info(out, "+COPS: 0,%d,\"%s\",%d", sim->cops_format,
			    sim->operator_name, sim->act);
		return (AT_OK);
	case AT_TYPE_TEST:
		at_info(out, "+COPS: (2,\"%s\",\"%s\",\"%s\",%d),,(0-4),(0-2)",
		    sim->operator_name, sim->operator_name,
		    pr->operator_numeric, sim->act);
		return (AT_OK);
	case AT_TYPE_SET:
		break;
	default:
		return (AT_ERROR);
	}
	/* Only the format is kept; manual selection is accepted as-is. */
	if (sim_parse_int(&p, 0, 4, &mode) != 0)
		return (AT_CME(CME_INVALID_PARAM));
	if (at_comma(&p)) {
		if (sim_parse_int(&p, 0, 2, &fmt) != 0)
			return (AT_CME(CME_INVALID_PARAM));
		if (mode == 3)
			sim->cops_format = fmt;
		if (at_comma(&p)) {
			while (*p != '\0')
				p++;
		}
	} else if (mode == 3)
		return (AT_CME(CME_INVALID_PARAM));
	if (!at_args_end(p))
		return (AT_CME(CME_INVALID_PARAM));
	return (AT_OK);
}

static int
at_cmd_csq(struct sim *sim, struct at_req *req, struct evbuffer *out)
{
	if (req->type == AT_TYPE_TEST) {
		at_info(out, "+CSQ: (0-31,99),(0-7,99)");
		return (AT_OK);
	}
	if (req->type != AT_TYPE_EXEC)
		return (AT_ERROR);
	if (sim->cfun != 1)
		at_info(out, "+CSQ: 99,99");
	else
		at_info(out, "+CSQ: %d,%d", sim->rssi, sim->ber);
	return (AT_OK);
}

/* +CESQ (27.007 8.69): RSRP and RSRQ on LTE, "unknown" on the other
 * fields; a 2G modem has no such command. */
static int
at_cmd_cesq(struct sim *sim, struct at_req *req, struct evbuffer *out)
{
	int	lte;

	if (!sim->profile->has_cereg)
		return (AT_ERROR);
	if (req->type == AT_TYPE_TEST) {
		at_info(out, "+CESQ: (0-63,99),(0-7,99),(0-96,255),(0-49,255),"
		    "(0-34,255),(0-97,255)");
		return (AT_OK);
	}
	if (req->type != AT_TYPE_EXEC)
		return (AT_ERROR);
	lte = sim->cfun == 1 && sim->act == 7 && sim_reg_stat(sim) != 0 &&
	    sim->rssi != 99;
	at_info(out, "+CESQ: 99,99,255,255,%d,%d", lte ? sim->rsrq : 255,
	    lte ? sim->rsrp : 255);
	return (AT_OK);
}

static int
at_cmd_clip(struct sim *sim, struct at_req *req, struct evbuffer *out)
{
	const char	*p = req->args;
	int		 v;

	switch (req->type) {
	case AT_TYPE_READ:
		at_info(out, "+CLIP: %d,1", sim->clip);
		return (AT_OK);
	case AT_TYPE_TEST:
		at_info(out, "+CLIP: (0,1)");
		return (AT_OK);
	case AT_TYPE_SET:
		if (sim_parse_int(&p, 0, 1, &v) != 0 || !at_args_end(p))
			return (AT_ERROR);
		sim->clip = v;
		return (AT_OK);
	default:
		return (AT_ERROR);
	}
}

static int
at_cmd_crc(struct sim *sim, struct at_req *req, struct evbuffer *out)
{
	const char	*p = req->args;
	int		 v;

	switch (req->type) {
	case AT_TYPE_READ:
		at_info(out, "+CRC: %d", sim->crc);
		return (AT_OK);
	case AT_TYPE_TEST:
		at_info(out, "+CRC: (0,1)");
		return (AT_OK);
	case AT_TYPE_SET:
		if (sim_parse_int(&p, 0, 1, &v) != 0 || !at_args_end(p))
			return (AT_ERROR);
		sim->crc = v;
		return (AT_OK);
	default:
		return (AT_ERROR);
	}
}

static int
at_cmd_answer(struct sim *sim, struct at_req *req, struct evbuffer *out)
{
	if (sim->call != SIM_CALL_RINGING)
		return (AT_NOCARRIER);
	urc_call_end(sim, 0);
	sim->call = SIM_CALL_ACTIVE;
	sim->call_mt = 1;
	return (AT_OK);
}

static int
at_cmd_hangup(struct sim *sim, struct at_req *req, struct evbuffer *out)
{
	if (req->type == AT_TYPE_TEST)
		return (AT_OK);
	if (req->type == AT_TYPE_READ)
		return (AT_ERROR);
	at_calls_hangup(sim, req->name);
	urc_call_end(sim, 0);
	return (AT_OK);
}

/* ATD<number>; : a voice call that stays "dialing" until ATH. */
static int
at_cmd_dial(struct sim *sim, struct at_req *req, struct evbuffer *out)
{
	const char	*p = req->args;
	size_t		 n = 0;
	int		 stat;

	while (*p == ' ')
		p++;
	if (*p == '+')
		sim->call_number[n++] = *p++;
	while (isdigit((unsigned char)*p) || *p == '*' || *p == '#') {
		if (n + 1 >= sizeof sim->call_number)
			return (AT_ERROR);
		sim->call_number[n++] = *p++;
	}
	sim->call_number[n] = '\0';
	if (*p == ';')
		p++;
	if (n == 0 || !at_args_end(p))
		return (AT_ERROR);
	if (sim->call != SIM_CALL_IDLE)
		return (AT_ERROR);
	stat = sim_reg_stat(sim);
	if (stat != 1 && stat != 5)
		return (AT_NOCARRIER);
	sim->call = SIM_CALL_DIALING;
	sim->call_mt = 0;
	return (at_calls_dialled(sim));
}

static int
at_cmd_clcc(struct sim *sim, struct at_req *req, struct evbuffer *out)
{
	static const int	 stats[SIM_CALL_MAX] = { 0, 4, 0, 2 };

	if (req->type == AT_TYPE_TEST)
		return (AT_OK);
	if (req->type != AT_TYPE_EXEC)
		return (AT_ERROR);
	if (sim->call != SIM_CALL_IDLE)
		at_info(out, "+CLCC: 1,%d,%d,0,0,\"%s\",%d", sim->call_mt,
		    stats[sim->call], sim->call_number,
		    sim->call_number[0] == '+' ? 145 : 129);
	if (sim->waiting[0] != '\0')
		at_info(out, "+CLCC: 2,1,5,0,0,\"%s\",%d", sim->waiting,
		    sim->waiting[0] == '+' ? 145 : 129);
	return (AT_OK);
}

/* AT+CCWA=<n>[,<mode>[,<class>]]: +CCWA URCs for waiting calls. */
static int
at_cmd_ccwa(struct sim *sim, struct at_req *req, struct evbuffer *out)
{
	const char	*p = req->args;
	int		 n, mode, cls;

	if (req->type == AT_TYPE_TEST) {
		at_info(out, "+CCWA: (0,1)");
		return (AT_OK);
	}
	if (req->type == AT_TYPE_READ) {
		at_info(out, "+CCWA: %d", sim->ccwa);
		return (AT_OK);
	}
	if (req->type != AT_TYPE_SET || sim_parse_int(&p, 0, 1, &n) != 0 ||
	    (at_comma(&p) && (sim_parse_int(&p, 0, 2, &mode) != 0 ||
	    (at_comma(&p) && sim_parse_int(&p, 1, 255, &cls) != 0))) ||
	    !at_args_end(p))
		return (AT_CME(CME_INVALID_PARAM));
	sim->ccwa = n;
	return (AT_OK);
}

/* AT+CHLD=0: release the waiting call (the only one simulated). */
static int
at_cmd_chld(struct sim *sim, struct at_req *req, struct evbuffer *out)
{
	const char	*p = req->args;
	int		 n;

	if (req->type == AT_TYPE_TEST) {
		at_info(out, "+CHLD: (0,1,2)");
		return (AT_OK);
	}
	if (req->type != AT_TYPE_SET || sim_parse_int(&p, 0, 2, &n) != 0 ||
	    !at_args_end(p))
		return (AT_CME(CME_INVALID_PARAM));
	if (n == 0)
		sim->waiting[0] = '\0';
	return (AT_OK);
}

/*
 * AT+CCLK?: the network's time (the host's clock moved by the control
 * socket's "nettime" offset) in the network's zone once registered;
 * before that the modem's unset clock, as real modems answer.
 */
static int
at_cmd_cclk(struct sim *sim, struct at_req *req, struct evbuffer *out)
{
	char	buf[40];
	int	tz = sim->tz;

	if (req->type == AT_TYPE_TEST)
		return (AT_OK);
	if (req->type != AT_TYPE_READ)
		return (AT_ERROR);
	if (sim_reg_stat(sim) != 1 && sim_reg_stat(sim) != 5) {
		at_info(out, "+CCLK: \"80/01/06,00:00:05+00\"");
		return (AT_OK);
	}
	sim_nettime(sim, buf, sizeof buf, 0);
	at_info(out, "+CCLK: \"%s%c%02d\"", buf, tz < 0 ? '-' : '+',
	    tz < 0 ? -tz : tz);
	return (AT_OK);
}

/*
 * AT+CRSM=176,12258,0,0,10: READ BINARY of EF_ICCID (27.007 8.18):
 * "144,0" and the ICCID in the SIM's BCD digit order (pairs swapped, F
 * padded).  Other files: 106,130 (6A 82, file not found).
 */
static int
at_cmd_crsm(struct sim *sim, struct at_req *req, struct evbuffer *out)
{
	const char	*p = req->args, *id = sim->profile->iccid;
	char		 bcd[24];
	int		 cmd, file, p1, p2, n;
	size_t		 i, len = strlen(id);

	if (req->type == AT_TYPE_TEST)
		return (AT_OK);
	if (req->type != AT_TYPE_SET || sim_parse_int(&p, 0, 255, &cmd) != 0 ||
	    !at_comma(&p) || sim_parse_int(&p, 0, 65535, &file) != 0 ||
	    !at_comma(&p) || sim_parse_int(&p, 0, 255, &p1) != 0 ||
	    !at_comma(&p) || sim_parse_int(&p, 0, 255, &p2) != 0 ||
	    !at_comma(&p) || sim_parse_int(&p, 0, 255, &n) != 0 ||
	    !at_args_end(p))
		return (AT_CME(CME_INVALID_PARAM));
	if (cmd != 176 || file != 12258 || len > 20) {
		at_info(out, "+CRSM: 106,130,\"\"");
		return (AT_OK);
	}
	for (i = 0; i < 20; i += 2) {
		bcd[i] = i + 1 < len ? id[i + 1] : 'F';
		bcd[i + 1] = i < len ? id[i] : 'F';
	}
	bcd[20] = '\0';
	at_info(out, "+CRSM: 144,0,\"%s\"", bcd);
	return (AT_OK);
}

/* AT+CTZR=<n>: 1 +CTZV, 2 +CTZE zone reports (27.007 8.41). */
static int
at_cmd_ctzr(struct sim *sim, struct at_req *req, struct evbuffer *out)
{
	const char	*p = req->args;
	int		 n;

	if (req->type == AT_TYPE_TEST) {
		at_info(out, "+CTZR: (0-2)");
		return (AT_OK);
	}
	if (req->type == AT_TYPE_READ) {
		at_info(out, "+CTZR: %d", sim->ctzr);
		return (AT_OK);
	}
	if (req->type != AT_TYPE_SET || sim_parse_int(&p, 0, 2, &n) != 0 ||
	    !at_args_end(p))
		return (AT_CME(CME_INVALID_PARAM));
	sim->ctzr = n;
	return (AT_OK);
}

static int
at_cmd_cpas(struct sim *sim, struct at_req *req, struct evbuffer *out)
{
	static const int	 pas[SIM_CALL_MAX] = { 0, 3, 4, 4 };

	if (req->type == AT_TYPE_TEST) {
		at_info(out, "+CPAS: (0-5)");
		return (AT_OK);
	}
	if (req->type != AT_TYPE_EXEC)
		return (AT_ERROR);
	at_info(out, "+CPAS: %d", pas[sim->call]);
	return (AT_OK);
}

/* AT+CUSD=n[,"str"[,dcs]]: OK now, the +CUSD URC just after. */
static int
at_cmd_cusd(struct sim *sim, struct at_req *req, struct evbuffer *out)
{
	const char	*p = req->args;
	char		 str[161];
	int		 n, dcs, stat;

	switch (req->type) {
	case AT_TYPE_READ:
		at_info(out, "+CUSD: %d", sim->cusd);
		return (AT_OK);
	case AT_TYPE_TEST:
		at_info(out, "+CUSD: (0-2)");
		return (AT_OK);
	case AT_TYPE_SET:
		break;
	default:
		return (AT_ERROR);
	}
	if (sim_parse_int(&p, 0, 2, &n) != 0)
		return (AT_CME(CME_INVALID_PARAM));
	str[0] = '\0';
	if (at_comma(&p)) {
		if (sim_parse_str(&p, str, sizeof str) != 0)
			return (AT_CME(CME_INVALID_PARAM));
		if (at_comma(&p) && sim_parse_int(&p, 0, 255, &dcs) != 0)
			return (AT_CME(CME_INVALID_PARAM));
	}
	if (!at_args_end(p))
		return (AT_CME(CME_INVALID_PARAM));
	if (n != 2)
		sim->cusd = n;
	if (n == 2 || str[0] == '\0')
		return (AT_OK);
	stat = sim_reg_stat(sim);
	if (stat != 1 && stat != 5)
		return (AT_CME(CME_NO_NETWORK));
	if (sim->cusd == 1)
		urc_defer(sim, URC_DEFER_USSD);
	return (AT_OK);
}

static int
at_cmd_cscs(struct sim *sim, struct at_req *req, struct evbuffer *out)
{
	static const char *const sets[] = { "GSM", "IRA", "UCS2", "HEX",
	    NULL };
	const char	*p = req->args;
	char		 cs[16];
	int		 i;

	switch (req->type) {
	case AT_TYPE_READ:
		at_info(out, "+CSCS: \"%s\"", sim->cscs);
		return (AT_OK);
	case AT_TYPE_TEST:
		at_info(out, "+CSCS: (\"GSM\",\"IRA\",\"UCS2\",\"HEX\")");
		return (AT_OK);
	case AT_TYPE_SET:
		break;
	default:
		return (AT_ERROR);
	}
	if (sim_parse_str(&p, cs, sizeof cs) != 0 || !at_args_end(p))
		return (AT_CME(CME_INVALID_PARAM));
	for (i = 0; sets[i] != NULL; i++) {
		if (strcasecmp(sets[i], cs) == 0) {
			snprintf(sim->cscs, sizeof sim->cscs, "%s", sets[i]);
			return (AT_OK);
		}
	}
	return (AT_CME(CME_INVALID_PARAM));
}

const struct at_entry at_cmds_table[] = {
	{ "E", 0, at_cmd_echo },
	{ "V", 0, at_cmd_verbose },
	{ "Q", 0, at_cmd_quiet },
	{ "Z", 0, at_cmd_reset },
	{ "&F", 0, at_cmd_reset },
	{ "&W", 0, at_cmd_accept },
	{ "&D", 0, at_cmd_accept },
	{ "&C", 0, at_cmd_accept },
	{ "I", 0, at_cmd_ati },
	{ "A", 0, at_cmd_answer },
	{ "H", 0, at_cmd_hangup },
	{ "D", 0, at_cmd_dial },
	{ "+CGMI", 0, at_cmd_cgmi },
	{ "+GMI", 0, at_cmd_cgmi },
	{ "+CGMM", 0, at_cmd_cgmm },
	{ "+GMM", 0, at_cmd_cgmm },
	{ "+CGMR", 0, at_cmd_cgmr },
	{ "+GMR", 0, at_cmd_cgmr },
	{ "+CGSN", 0, at_cmd_cgsn },
	{ "+GSN", 0, at_cmd_cgsn },
	{ "+GCAP", 0, at_cmd_gcap },
	{ "+CIMI", AT_F_SIM_CME, at_cmd_cimi },
	{ "+CNUM", AT_F_SIM_CME, at_cmd_cnum },
	{ "+CMEE", 0, at_cmd_cmee },
	{ "+CPIN", 0, at_cmd_cpin },
	{ "+CFUN", 0, at_cmd_cfun },
	{ "+CREG", 0, at_cmd_reg },
	{ "+CGREG", 0, at_cmd_reg },
	{ "+CEREG", 0, at_cmd_reg },
	{ "+COPS", 0, at_cmd_cops },
	{ "+CSQ", 0, at_cmd_csq },
	{ "+CESQ", 0, at_cmd_cesq },
	{ "+CLIP", 0, at_cmd_clip },
	{ "+CRC", 0, at_cmd_crc },
	{ "+CHUP", 0, at_cmd_hangup },
	{ "+CLCC", 0, at_cmd_clcc },
	{ "+CCWA", 0, at_cmd_ccwa },
	{ "+CHLD", 0, at_cmd_chld },
	{ "+CPAS", 0, at_cmd_cpas },
	{ "+CCLK", 0, at_cmd_cclk },
	{ "+CRSM", AT_F_SIM_CME, at_cmd_crsm },
	{ "+CTZR", 0, at_cmd_ctzr },
	{ "+CUSD", AT_F_SIM_CME, at_cmd_cusd },
	{ "+CSCS", 0, at_cmd_cscs },
	{ NULL, 0, NULL }
};
