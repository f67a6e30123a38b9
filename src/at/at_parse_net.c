/*
 * at_parse_net.c: network responses: registration (+CREG, +CGREG,
 * +CEREG, +C5GREG in both their solicited and unsolicited shapes),
 * signal (+CSQ, Huawei ^RSSI and ^HCSQ), operator (+COPS?), and the
 * one-integer helper.  Strict and bounded; output untouched on error.
 */
#include <string.h>

#include "at_parse.h"
#include "at_int.h"

#define NITEMS(a)	(sizeof (a) / sizeof (a)[0])

static const struct {
	const char		*prefix;
	enum at_reg_cmd		 cmd;
} at_reg_prefixes[] = {
	{ "+CREG:",	AT_REG_CREG },
	{ "+CGREG:",	AT_REG_CGREG },
	{ "+CEREG:",	AT_REG_CEREG },
	{ "+C5GREG:",	AT_REG_C5GREG },
};

/* Split a registration line; sets *cmd. */
static int
at_reg_split(const char *line, size_t len, enum at_reg_cmd *cmd,
    struct at_params *pp, const char **cause)
{
	const char	*rest = NULL;
	size_t		 rlen = 0, i;

	for (i = 0; i < NITEMS(at_reg_prefixes); i++) {
		rest = at_parse_prefix(line, len, at_reg_prefixes[i].prefix,
		    &rlen);
		if (rest != NULL) {
			*cmd = at_reg_prefixes[i].cmd;
			break;
		}
	}
	if (rest == NULL)
		return at_fail(cause, "not a registration line");
	/*
	 * An unclosed last quote is accepted: gammu
	 * tests/at-creg-corner/single-quote.dump (+CREG: 2,1,"5E25).
	 */
	if (at_params_split(rest, rlen, AT_PARAMS_OPEN_QUOTE, pp, cause) != 0)
		return -1;
	if (pp->n == 0)
		return at_fail(cause, "no parameters");
	return 0;
}

/* An empty field, quoted or not: lac/ci not known (gammu empty-lac.dump). */
static int
at_reg_absent(const struct at_param *p)
{
	return p->len == 0 && !p->list;
}

/* How well fields fit a reading of a registration line. */
#define AT_REG_FIT_NONE		0
#define AT_REG_FIT_LOOSE	1	/* something was ignored */
#define AT_REG_FIT_EXACT	2

/*
 * The first word of a field: "0 5" is read as "0" and the rest ignored
 * (ModemManager test-modem-helpers.c, Qualcomm Gobi 1000:
 * "+CREG: 2,1,  0 5, 2715").  *fit drops to LOOSE when a word is cut.
 */
static struct at_param
at_reg_word(const struct at_param *p, int *fit)
{
	struct at_param	w = *p;
	size_t		i;

	for (i = 0; i < w.len; i++)
		if (w.s[i] == ' ' || w.s[i] == '\t') {
			w.len = i;
			*fit = AT_REG_FIT_LOOSE;
			break;
		}
	return w;
}

/* A hex lac/ci of at most max digits, read into *v. */
static int
at_reg_hex(const struct at_param *p, size_t max, int *fit,
    unsigned long long *v)
{
	struct at_param	w = at_reg_word(p, fit);

	return p->list ? -1 : at_param_hex(&w, max, v);
}

/* A field in the AcT place that holds an AcT: bare decimal 0..15. */
static int
at_reg_is_act(const struct at_param *p)
{
	long	v;

	return !p->quoted && !p->list && at_param_int(p, 0, 15, &v) == 0;
}

/* Decimal digits (a number, maybe out of range). */
static int
at_reg_decimal(const struct at_param *p)
{
	size_t	i;

	if (p->len == 0)
		return 0;
	for (i = 0; i < p->len; i++)
		if (p->s[i] < '0' || p->s[i] > '9')
			return 0;
	return 1;
}

/*
 * Read the fields as solicited ("n,stat[,lac[,ci[,act[,...]]]]") or as a
 * URC ("stat[,lac,ci[,act[,...]]]") into r: how well they fit that shape.
 * - Some modems put a RAC-like field between the lac (TAC) and the cell
 *   id, as some +CGREG do: "1F00, 20 ,79D903 ,7" (ModemManager, Novatel
 *   E362 +CEREG).  Told apart from the 27.007 order (ci, AcT) by the
 *   third field after the lac: not an AcT there but one after it, or
 *   three quoted ids in a row; a RAC is one octet (two hex digits).
 * - A bare word where the AcT goes ("B, C2816", ModemManager, Samsung
 *   S8500) is ignored with all after it; a number out of range or a
 *   quoted string there is not.
 */
static int
at_reg_read(const struct at_params *pp, int solicited, struct at_reg *r)
{
	const struct at_param	*f = pp->v;
	size_t			 k = 0, rest;
	long			 v;
	unsigned long long	 h;
	int			 fit = AT_REG_FIT_EXACT;

	memset(r, 0, sizeof *r);
	r->n = -1;
	r->act = -1;
	r->solicited = solicited;
	if (solicited) {
		if (pp->n < 2 || f[0].quoted ||
		    at_param_int(&f[0], 0, 5, &v) != 0)
			return AT_REG_FIT_NONE;
		r->n = (int)v;
		k = 1;
	}
	if (k >= pp->n || f[k].quoted || at_param_int(&f[k], 0, 11, &v) != 0)
		return AT_REG_FIT_NONE;
	r->stat = (int)v;
	k++;
	rest = pp->n - k;
	/* a URC has lac and ci together; solicited may lack ci (gammu) */
	if (rest > 10 || (!solicited && rest == 1))
		return AT_REG_FIT_NONE;
	if (rest >= 1 && !at_reg_absent(&f[k])) {
		if (at_reg_hex(&f[k], 8, &fit, &h) != 0)
			return AT_REG_FIT_NONE;
		r->has_lac = 1;
		r->lac = (unsigned long)h;
	}
	if (rest >= 3 && !at_reg_absent(&f[k + 1]) &&
	    !at_reg_absent(&f[k + 2]) && !at_reg_is_act(&f[k + 2]) &&
	    at_reg_hex(&f[k + 1], 2, &fit, &h) == 0 &&
	    at_reg_hex(&f[k + 2], 10, &fit, &h) == 0 &&
	    ((f[k].quoted && f[k + 1].quoted && f[k + 2].quoted) ||
	    (rest >= 4 && at_reg_is_act(&f[k + 3])))) {
		k++;			/* the RAC */
		rest--;
	}
	if (rest >= 2 && !at_reg_absent(&f[k + 1])) {
		if (at_reg_hex(&f[k + 1], 10, &fit, &h) != 0)
			return AT_REG_FIT_NONE;
		r->has_ci = 1;
		r->ci = h;
	}
	if (rest >= 3 && !at_param_empty(&f[k + 2])) {
		if (f[k + 2].quoted || f[k + 2].list)
			return AT_REG_FIT_NONE;
		if (!at_reg_decimal(&f[k + 2]))
			return AT_REG_FIT_LOOSE;
		if (at_param_int(&f[k + 2], 0, 15, &v) != 0)
			return AT_REG_FIT_NONE;
		r->act = (int)v;
	}
	return fit;
}

enum at_reg_shape
at_parse_reg_shape(const char *line, size_t len)
{
	struct at_params	pp;
	struct at_reg		r;
	enum at_reg_cmd		cmd;
	int			sol, urc;

	if (at_reg_split(line, len, &cmd, &pp, NULL) != 0)
		return AT_REG_SHAPE_INVALID;
	sol = at_reg_read(&pp, 1, &r);
	urc = at_reg_read(&pp, 0, &r);
	if (sol == AT_REG_FIT_NONE && urc == AT_REG_FIT_NONE)
		return AT_REG_SHAPE_INVALID;
	if (sol == urc)
		return AT_REG_SHAPE_AMBIGUOUS;
	return sol > urc ? AT_REG_SHAPE_SOLICITED : AT_REG_SHAPE_UNSOLICITED;
}

/*
 * The hint says what is expected; a line in the other shape is still
 * taken when it fits that shape better (field count and types): some
 * modems send the solicited shape unsolicited after AT+CREG=2.  An
 * answer to AT+CREG? is always read as solicited.
 */
int
at_parse_reg(const char *line, size_t len, enum at_reg_hint hint,
    struct at_reg *out, const char **cause)
{
	struct at_params	pp;
	struct at_reg		rs, ru;
	enum at_reg_cmd		cmd;
	int			sol, urc;

	if (at_reg_split(line, len, &cmd, &pp, cause) != 0)
		return -1;
	sol = at_reg_read(&pp, 1, &rs);
	urc = hint == AT_REG_SOLICITED ? AT_REG_FIT_NONE :
	    at_reg_read(&pp, 0, &ru);
	if (sol == AT_REG_FIT_NONE && urc == AT_REG_FIT_NONE)
		return at_fail(cause, hint == AT_REG_SOLICITED ?
		    "bad solicited registration" : "bad registration");
	if (urc > sol || (urc == sol && hint == AT_REG_UNSOLICITED))
		rs = ru;
	rs.cmd = cmd;
	*out = rs;
	return 0;
}

/* +CSQ: <rssi>,<ber> (99: not known) */
int
at_parse_csq(const char *line, size_t len, struct at_csq *out,
    const char **cause)
{
	struct at_params	pp;
	long			rssi, ber;

	if (at_split_after(line, len, "+CSQ:", &pp, cause) != 0)
		return -1;
	if (pp.n != 2)
		return at_fail(cause, "+CSQ needs 2 fields");
	if (at_param_int(&pp.v[0], 0, 199, &rssi) != 0 ||
	    (rssi > 31 && rssi < 99) || (rssi > 191 && rssi < 199))
		return at_fail(cause, "bad rssi");
	if (at_param_int(&pp.v[1], 0, 99, &ber) != 0 ||
	    (ber > 7 && ber != 99))
		return at_fail(cause, "bad ber");
	out->rssi = (int)rssi;
	out->ber = (int)ber;
	return 0;
}

/*
 * dBm of a +CSQ/^RSSI <rssi>: 0..31 is -113..-51 dBm in 2 dB steps;
 * 100..191 (TD-SCDMA) is -116..-25 dBm.  -1 when unknown (99, 199).
 */
int
at_csq_rssi_dbm(int rssi, int *dbm)
{
	if (rssi >= 0 && rssi <= 31) {
		*dbm = -113 + 2 * rssi;
		return 0;
	}
	if (rssi >= 100 && rssi <= 191) {
		*dbm = -116 + (rssi - 100);
		return 0;
	}
	return -1;
}

/* Huawei ^RSSI: <rssi> (same scale as +CSQ). */
int
at_parse_hw_rssi(const char *line, size_t len, int *out,
    const char **cause)
{
	long	v;

	if (at_parse_int_line(line, len, "^RSSI:", 0, 99, &v, cause) != 0)
		return -1;
	if (v > 31 && v != 99)
		return at_fail(cause, "bad rssi");
	*out = (int)v;
	return 0;
}

/*
 * Huawei ^HCSQ: "<sysmode>"[,<v1>[,<v2>[,<v3>[,<v4>]]]] with raw values
 * 0..255 (LTE: rssi, rsrp, sinr, rsrq; WCDMA: rssi, rscp, ecio; GSM: rssi).
 */
int
at_parse_hcsq(const char *line, size_t len, struct at_hcsq *out,
    const char **cause)
{
	struct at_params	pp;
	struct at_hcsq		h;
	size_t			i;
	long			v;

	if (at_split_after(line, len, "^HCSQ:", &pp, cause) != 0)
		return -1;
	memset(&h, 0, sizeof h);
	if (pp.n < 1 || pp.n > 5 || pp.v[0].len == 0)
		return at_fail(cause, "bad ^HCSQ field count");
	if (at_param_str(&pp.v[0], h.sysmode, sizeof h.sysmode) != 0)
		return at_fail(cause, "bad sysmode");
	for (i = 0; i < pp.v[0].len; i++) {
		if (!((h.sysmode[i] >= 'A' && h.sysmode[i] <= 'Z') ||
		    (h.sysmode[i] >= '0' && h.sysmode[i] <= '9') ||
		    h.sysmode[i] == '-'))
			return at_fail(cause, "bad sysmode");
	}
	for (i = 1; i < pp.n; i++) {
		if (at_param_int(&pp.v[i], 0, 255, &v) != 0)
			return at_fail(cause, "bad ^HCSQ value");
		h.val[h.nval++] = (int)v;
	}
	*out = h;
	return 0;
}

/* +COPS: <mode>[,<format>[,"<oper>"[,<AcT>]]] */
int
at_parse_cops(const char *line, size_t len, struct at_cops *out,
    const char **cause)
{
	struct at_params	pp;
	struct at_cops		c;
	long			v;

	if (at_split_after(line, len, "+COPS:", &pp, cause) != 0)
		return -1;
	memset(&c, 0, sizeof c);
	c.format = -1;
	c.act = -1;
	if (pp.n < 1 || pp.n > 4)
		return at_fail(cause, "bad +COPS field count");
	if (pp.v[0].quoted || at_param_int(&pp.v[0], 0, 4, &v) != 0)
		return at_fail(cause, "bad mode");
	c.mode = (int)v;
	if (pp.n >= 2 && !at_param_empty(&pp.v[1])) {
		if (at_param_int(&pp.v[1], 0, 2, &v) != 0)
			return at_fail(cause, "bad format");
		c.format = (int)v;
	}
	if (pp.n >= 3) {
		if (c.format < 0 || !pp.v[2].quoted ||
		    at_param_str(&pp.v[2], c.oper, sizeof c.oper) != 0)
			return at_fail(cause, "bad operator");
	}
	if (pp.n >= 4 && !at_param_empty(&pp.v[3])) {
		if (at_param_int(&pp.v[3], 0, 15, &v) != 0)
			return at_fail(cause, "bad access technology");
		c.act = (int)v;
	}
	*out = c;
	return 0;
}

/* "<prefix> <integer>" with the integer in [min, max]. */
int
at_parse_int_line(const char *line, size_t len, const char *prefix,
    long min, long max, long *out, const char **cause)
{
	struct at_params	pp;
	long			v;

	if (at_split_after(line, len, prefix, &pp, cause) != 0)
		return -1;
	if (pp.n != 1)
		return at_fail(cause, "expected one value");
	if (at_param_int(&pp.v[0], min, max, &v) != 0)
		return at_fail(cause, "bad number");
	*out = v;
	return 0;
}

/*
 * Signal quality in percent as ModemManager (mmcli) shows it:
 * CLAMP(rssi, 0, 31) * 100 / 31 of the +CSQ <rssi>; -1 unknown (99).
 */
int
at_csq_quality(int rssi)
{
	if (rssi < 0 || rssi > 31)
		return -1;
	return rssi * 100 / 31;
}

/*
 * +CESQ: <rxlev>,<ber>,<rscp>,<ecno>,<rsrq>,<rsrp> (27.007 8.69), the
 * raw values; fields after the sixth (a SINR of some firmwares) are
 * ignored.
 */
int
at_parse_cesq(const char *line, size_t len, struct at_cesq *out,
    const char **cause)
{
	static const struct {
		long	max;	/* 0..max, or unknown */
		long	unknown;
	} range[6] = {
		{ 63, 99 }, { 7, 99 }, { 96, 255 }, { 49, 255 }, { 34, 255 },
		{ 97, 255 }
	};
	struct at_params	pp;
	long			v[6];
	size_t			i;

	if (at_split_after(line, len, "+CESQ:", &pp, cause) != 0)
		return -1;
	if (pp.n < 6)
		return at_fail(cause, "+CESQ needs 6 fields");
	for (i = 0; i < 6; i++) {
		if (pp.v[i].quoted ||
		    at_param_int(&pp.v[i], 0, range[i].unknown, &v[i]) != 0 ||
		    (v[i] > range[i].max && v[i] != range[i].unknown))
			return at_fail(cause, "bad +CESQ value");
	}
	out->rxlev = (int)v[0];
	out->ber = (int)v[1];
	out->rscp = (int)v[2];
	out->ecno = (int)v[3];
	out->rsrq = (int)v[4];
	out->rsrp = (int)v[5];
	return 0;
}

/* RSRP in dBm of a +CESQ <rsrp> (0: below -140, 97: -44 or above). */
int
at_cesq_rsrp_dbm(int rsrp, int *dbm)
{
	if (rsrp < 0 || rsrp > 97)
		return -1;
	*dbm = rsrp - 141;
	return 0;
}

/* RSRQ in tenths of a dB of a +CESQ <rsrq> (0: below -19.5, 34: -3). */
int
at_cesq_rsrq_db10(int rsrq, int *db10)
{
	if (rsrq < 0 || rsrq > 34)
		return -1;
	*db10 = -200 + 5 * rsrq;
	return 0;
}
