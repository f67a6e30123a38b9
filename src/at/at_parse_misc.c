/*
 * at_parse_misc.c: calls, USSD, SIM and identity responses: +CLIP,
 * +CUSD, +CPIN, +CNUM, +CSCA, IMEI/IMSI/ICCID lines (+CGSN, +CIMI,
 * +CCID, +ICCID, +QCCID, ^ICCID) and manufacturer/model/revision lines.
 * Strict and bounded; output untouched on error.
 */
#include <string.h>

#include "at_parse.h"
#include "at_int.h"
#include "hex.h"

#define NITEMS(a)	(sizeof (a) / sizeof (a)[0])

static int
at_dial_char(int c)
{
	return (c >= '0' && c <= '9') || c == '+' || c == '*' || c == '#' ||
	    (c >= 'A' && c <= 'D') || (c >= 'a' && c <= 'd') ||
	    c == 'p' || c == 'P' || c == 'w' || c == 'W' || c == ',';
}

/*
 * A phone number field into dst.  With AT+CSCS="UCS2" modems send numbers
 * as UCS2 hex (gammu tests/at-smsc/01.dump and 05.dump:
 * 002B0039...); such a field (8 or more hex digits, every group 00XX
 * with XX a dialling character) is decoded.  Otherwise the field must be
 * made of dialling characters.  Empty is allowed (number withheld).
 */
int
at_number_copy(const struct at_param *p, char *dst, size_t dstsz)
{
	size_t	i, n;
	int	hi, lo, ucs2;

	if (p->list)
		return -1;
	ucs2 = p->len >= 8 && p->len % 4 == 0;
	for (i = 0; ucs2 && i < p->len; i += 4) {
		hi = hex_val((unsigned char)p->s[i + 2]);
		lo = hex_val((unsigned char)p->s[i + 3]);
		if (p->s[i] != '0' || p->s[i + 1] != '0' || hi < 0 || lo < 0 ||
		    !at_dial_char(hi * 16 + lo) || hi * 16 + lo == ',')
			ucs2 = 0;
	}
	if (ucs2) {
		n = p->len / 4;
		if (n >= dstsz)
			return -1;
		for (i = 0; i < n; i++)
			dst[i] = (char)(hex_val((unsigned char)p->s[4 * i + 2])
			    * 16 + hex_val((unsigned char)p->s[4 * i + 3]));
		dst[n] = '\0';
		return 0;
	}
	for (i = 0; i < p->len; i++) {
		if (!at_dial_char((unsigned char)p->s[i]))
			return -1;
	}
	return at_param_str(p, dst, dstsz);
}

int
at_text_copy(const struct at_param *p, char *dst, size_t dstsz)
{
	size_t	i;

	if (p->list)
		return -1;
	for (i = 0; i < p->len; i++) {
		if ((unsigned char)p->s[i] < 0x20)
			return -1;
	}
	return at_param_str(p, dst, dstsz);
}

/* +CLIP: "<number>",<type>[,<subaddr>,<satype>[,<alpha>[,<validity>]]] */
int
at_parse_clip(const char *line, size_t len, struct at_clip *out,
    const char **cause)
{
	struct at_params	pp;
	struct at_clip		c;
	long			v;

	if (at_split_after(line, len, "+CLIP:", &pp, cause) != 0)
		return -1;
	memset(&c, 0, sizeof c);
	c.type = -1;
	c.validity = -1;
	if (pp.n < 1 || pp.n > 7)
		return at_fail(cause, "bad +CLIP field count");
	if (!pp.v[0].quoted && pp.v[0].len > 0)
		return at_fail(cause, "number not quoted");
	if (at_number_copy(&pp.v[0], c.number, sizeof c.number) != 0)
		return at_fail(cause, "bad number");
	if (pp.n >= 2 && !at_param_empty(&pp.v[1])) {
		if (at_param_int(&pp.v[1], 0, 255, &v) != 0)
			return at_fail(cause, "bad type");
		c.type = (int)v;
	}
	if (pp.n >= 5 && at_text_copy(&pp.v[4], c.alpha, sizeof c.alpha) != 0)
		return at_fail(cause, "bad alpha");
	if (pp.n >= 6 && !at_param_empty(&pp.v[5])) {
		if (at_param_int(&pp.v[5], 0, 4, &v) != 0)
			return at_fail(cause, "bad validity");
		c.validity = (int)v;
	}
	*out = c;
	return 0;
}

/* +CUSD: <m>[,<str>[,<dcs>]] (str quoted, or bare as on a Huawei E160) */
int
at_parse_cusd(const char *line, size_t len, struct at_cusd *out,
    const char **cause)
{
	struct at_params	 pp;
	static struct at_cusd	 zero;
	struct at_cusd		 c;
	long			 v;

	if (at_split_after(line, len, "+CUSD:", &pp, cause) != 0)
		return -1;
	c = zero;
	c.dcs = -1;
	if (pp.n < 1 || pp.n > 3)
		return at_fail(cause, "bad +CUSD field count");
	if (pp.v[0].quoted || at_param_int(&pp.v[0], 0, 5, &v) != 0)
		return at_fail(cause, "bad <m>");
	c.m = (int)v;
	if (pp.n >= 2 && !at_param_empty(&pp.v[1])) {
		if (pp.v[1].list ||
		    at_param_str(&pp.v[1], c.str, sizeof c.str) != 0)
			return at_fail(cause, "bad or overlong string");
		c.has_str = 1;
	}
	if (pp.n >= 3 && !at_param_empty(&pp.v[2])) {
		if (pp.v[2].quoted || at_param_int(&pp.v[2], 0, 255, &v) != 0)
			return at_fail(cause, "bad dcs");
		c.dcs = (int)v;
	}
	*out = c;
	return 0;
}

static const char *at_cpin_names[AT_CPIN_MAX] = {
	"READY", "SIM PIN", "SIM PUK", "SIM PIN2", "SIM PUK2", "PH-SIM PIN",
	"PH-FSIM PIN", "PH-FSIM PUK", "PH-NET PIN", "PH-NET PUK",
	"PH-NETSUB PIN", "PH-NETSUB PUK", "PH-SP PIN", "PH-SP PUK",
	"PH-CORP PIN", "PH-CORP PUK", "NOT READY", "NOT INSERTED"
};

const char *
at_cpin_name(enum at_cpin c)
{
	if ((unsigned)c >= AT_CPIN_MAX)
		return "?";
	return at_cpin_names[c];
}

/* +CPIN: <code> */
int
at_parse_cpin(const char *line, size_t len, enum at_cpin *out,
    const char **cause)
{
	struct at_params	pp;
	size_t			i;

	if (at_split_after(line, len, "+CPIN:", &pp, cause) != 0)
		return -1;
	if (pp.n != 1)
		return at_fail(cause, "bad +CPIN field count");
	for (i = 0; i < AT_CPIN_MAX; i++) {
		if (at_param_eq(&pp.v[0], at_cpin_names[i])) {
			*out = (enum at_cpin)i;
			return 0;
		}
	}
	return at_fail(cause, "unknown +CPIN code");
}

/* +CNUM: [<alpha>],<number>,<type>[,<speed>,<service>[,<itc>]] */
int
at_parse_cnum(const char *line, size_t len, struct at_cnum *out,
    const char **cause)
{
	struct at_params	pp;
	struct at_cnum		c;
	long			v;

	if (at_split_after(line, len, "+CNUM:", &pp, cause) != 0)
		return -1;
	memset(&c, 0, sizeof c);
	if (pp.n < 3 || pp.n > 6)
		return at_fail(cause, "bad +CNUM field count");
	if (at_text_copy(&pp.v[0], c.alpha, sizeof c.alpha) != 0)
		return at_fail(cause, "bad alpha");
	if (pp.v[1].len == 0 ||
	    at_number_copy(&pp.v[1], c.number, sizeof c.number) != 0)
		return at_fail(cause, "bad number");
	if (at_param_int(&pp.v[2], 0, 255, &v) != 0)
		return at_fail(cause, "bad type");
	c.type = (int)v;
	*out = c;
	return 0;
}

/* +CSCA: "<sca>"[,<tosca>] */
int
at_parse_csca(const char *line, size_t len, struct at_csca *out,
    const char **cause)
{
	struct at_params	pp;
	struct at_csca		c;
	long			v;

	if (at_split_after(line, len, "+CSCA:", &pp, cause) != 0)
		return -1;
	memset(&c, 0, sizeof c);
	c.type = -1;
	if (pp.n < 1 || pp.n > 2)
		return at_fail(cause, "bad +CSCA field count");
	if (at_number_copy(&pp.v[0], c.number, sizeof c.number) != 0)
		return at_fail(cause, "bad number");
	if (pp.n == 2 && !at_param_empty(&pp.v[1])) {
		if (at_param_int(&pp.v[1], 0, 255, &v) != 0)
			return at_fail(cause, "bad type");
		c.type = (int)v;
	}
	*out = c;
	return 0;
}

/* Drop one of prefixes (and blanks), trim, drop surrounding quotes. */
static void
at_strip(const char **s, size_t *len, const char *const *prefixes,
    size_t nprefixes)
{
	const char	*r;
	size_t		 i, rlen;

	for (i = 0; i < nprefixes; i++) {
		if ((r = at_parse_prefix(*s, *len, prefixes[i], &rlen))
		    != NULL) {
			*s = r;
			*len = rlen;
			break;
		}
	}
	while (*len > 0 && ((*s)[0] == ' ' || (*s)[0] == '\t')) {
		(*s)++;
		(*len)--;
	}
	while (*len > 0 && ((*s)[*len - 1] == ' ' || (*s)[*len - 1] == '\t'))
		(*len)--;
	if (*len >= 2 && (*s)[0] == '"' && (*s)[*len - 1] == '"') {
		(*s)++;
		*len -= 2;
	}
}

/*
 * An ICCID in the SIM's own digit order (EF_ICCID is BCD, low nibble
 * first): "98" where an ICCID starts "89" (ISO/IEC 7812 MII 89, telecom)
 * gives it away (ModemManager test-modem-helpers.c,
 * test_iccid_parse_quoted_swap_19_digit: "984402003576012594F9" is
 * 8944200053671052499).  Swap each pair in place.
 */
static void
at_iccid_unswap(char *s, size_t len)
{
	size_t	i;
	char	c;

	if (len < 2 || len % 2 != 0 || s[0] != '9' || s[1] != '8')
		return;
	for (i = 0; i + 1 < len; i += 2) {
		c = s[i];
		s[i] = s[i + 1];
		s[i + 1] = c;
	}
}

/*
 * IMEI, IMSI or ICCID line, with any of the known prefixes and quotes
 * removed.  ICCIDs are upper-cased, un-swapped when in BCD order, their
 * F padding dropped, and must start with 89; some SIMs have hex digits
 * in them, so A-F are accepted.
 */
int
at_parse_ident(const char *line, size_t len, enum at_ident kind, char *out,
    size_t outsz, const char **cause)
{
	static const char *const prefixes[] = {
		"+CGSN:", "+GSN:", "+CIMI:", "+CCID:", "+ICCID:", "+QCCID:",
		"^ICCID:", "+CICCID:", "ICCID:", "IMEI:", "IMSI:"
	};
	char	buf[AT_IDENT_LEN_MAX + 3];
	size_t	i, min, max;
	int	c;

	at_strip(&line, &len, prefixes, NITEMS(prefixes));
	switch (kind) {
	case AT_IDENT_IMEI:
		min = 14;
		max = 17;
		break;
	case AT_IDENT_IMSI:
		min = 6;
		max = 15;
		break;
	case AT_IDENT_ICCID:
		min = 18;
		max = 22;
		break;
	default:
		return at_fail(cause, "bad identity kind");
	}
	if (len < min || len > max + 2)
		return at_fail(cause, "bad identity length");
	for (i = 0; i < len; i++) {
		c = (unsigned char)line[i];
		if (kind == AT_IDENT_ICCID && hex_val(c) >= 0) {
			if (c >= 'a' && c <= 'f')
				c -= 'a' - 'A';
		} else if (c < '0' || c > '9')
			return at_fail(cause, "bad identity digit");
		buf[i] = (char)c;
	}
	if (kind == AT_IDENT_ICCID) {
		at_iccid_unswap(buf, len);
		while (len > 0 && buf[len - 1] == 'F')
			len--;
		if (len < 2 || buf[0] != '8' || buf[1] != '9')
			return at_fail(cause, "not an ICCID (no 89)");
	}
	if (len < min || len > max)
		return at_fail(cause, "bad identity length");
	buf[len] = '\0';
	if (len >= outsz)
		return at_fail(cause, "output too small");
	memcpy(out, buf, len + 1);
	return 0;
}

/*
 * Manufacturer, model or revision line (AT+CGMI/CGMM/CGMR, ATI): an
 * optional prefix, blanks and quotes removed ("  WAVECOM MODEM" from a
 * Wavecom); printable, non-empty, at most outsz - 1 bytes.
 */
int
at_parse_info(const char *line, size_t len, char *out, size_t outsz,
    const char **cause)
{
	static const char *const prefixes[] = {
		"+CGMI:", "+CGMM:", "+CGMR:", "+GMI:", "+GMM:", "+GMR:",
		"Manufacturer:", "Model:", "Revision:"
	};
	size_t	i;

	at_strip(&line, &len, prefixes, NITEMS(prefixes));
	if (len == 0)
		return at_fail(cause, "empty");
	for (i = 0; i < len; i++) {
		if ((unsigned char)line[i] < 0x20 ||
		    (unsigned char)line[i] == 0x7f)
			return at_fail(cause, "control character");
	}
	if (len >= outsz)
		return at_fail(cause, "too long");
	memcpy(out, line, len);
	out[len] = '\0';
	return 0;
}

/*
 * +CRSM: <sw1>,<sw2>,"<response>" to AT+CRSM=176,12258,0,0,10 (READ
 * BINARY of EF_ICCID, 3GPP TS 27.007 8.18, 31.102): status 144,0 (90 00)
 * and the ICCID in BCD order, un-swapped and checked as any ICCID.
 */
int
at_parse_crsm_iccid(const char *line, size_t len, char *out, size_t outsz,
    const char **cause)
{
	struct at_params	pp;
	long			sw1, sw2;
	char			id[AT_IDENT_LEN_MAX + 1];

	if (at_split_after(line, len, "+CRSM:", &pp, cause) != 0)
		return -1;
	if (pp.n < 3 || at_param_int(&pp.v[0], 0, 255, &sw1) != 0 ||
	    at_param_int(&pp.v[1], 0, 255, &sw2) != 0)
		return at_fail(cause, "bad +CRSM status");
	if (sw1 != 144 && sw1 != 145)
		return at_fail(cause, "SIM refused the read");
	if (pp.v[2].list || pp.v[2].len % 2 != 0 ||
	    at_parse_ident(pp.v[2].s, pp.v[2].len, AT_IDENT_ICCID, id,
	    sizeof id, cause) != 0)
		return at_fail(cause, "bad ICCID data");
	if (strlen(id) >= outsz)
		return at_fail(cause, "output too small");
	memcpy(out, id, strlen(id) + 1);
	return 0;
}

/* +CFUN: <fun>[,<...>]: some modems answer AT+CFUN? with two values
 * ("+CFUN: 1,0"); the second is ignored. */
int
at_parse_cfun(const char *line, size_t len, int *fun, const char **cause)
{
	struct at_params	pp;
	long			v;

	if (at_split_after(line, len, "+CFUN:", &pp, cause) != 0)
		return -1;
	if (pp.n < 1 || pp.v[0].quoted ||
	    at_param_int(&pp.v[0], 0, 127, &v) != 0)
		return at_fail(cause, "bad +CFUN value");
	*fun = (int)v;
	return 0;
}
