/*
 * at_parse_data.c: the packet-data answers and events the modem's own
 * data call reads: +CGEV URCs (27.007 10.1.19, both the 3GPP Rel-8
 * "NW PDN DEACT <cid>" forms and the older "NW DEACT <type>,<addr>,<cid>"
 * ones), +CGACT? lines, +CGPADDR, and +CGDCONT? / +CGDCONT=? lines.
 * Strict and bounded; output untouched on error.
 */
#include <string.h>

#include "at_parse.h"
#include "at_int.h"

#define NITEMS(a)	(sizeof (a) / sizeof (a)[0])

/*
 * +CGEV: the event name is the words before the first parameter
 * ("NW PDN DEACT", "ME DETACH", "NW DEACT", "REJECT", "NW CLASS", ...);
 * a cid follows the Rel-8 names, the older ones carry it third.
 */
int
at_parse_cgev(const char *line, size_t len, struct at_cgev_ev *out,
    const char **cause)
{
	static const struct {
		const char	*name;
		enum at_cgev	 kind;
		int		 nw;
	} names[] = {
		{ "NW PDN ACT", AT_CGEV_ACT, 1 },
		{ "ME PDN ACT", AT_CGEV_ACT, 0 },
		{ "NW ACT", AT_CGEV_ACT, 1 },
		{ "ME ACT", AT_CGEV_ACT, 0 },
		{ "NW PDN DEACT", AT_CGEV_DEACT, 1 },
		{ "ME PDN DEACT", AT_CGEV_DEACT, 0 },
		{ "NW DEACT", AT_CGEV_DEACT, 1 },
		{ "ME DEACT", AT_CGEV_DEACT, 0 },
		{ "NW DETACH", AT_CGEV_DETACH, 1 },
		{ "ME DETACH", AT_CGEV_DETACH, 0 },
	};
	struct at_params	 pp;
	struct at_cgev_ev	 e;
	const char		*rest;
	size_t			 rlen, n, i, nl;
	long			 v;

	if ((rest = at_parse_prefix(line, len, "+CGEV:", &rlen)) == NULL)
		return at_fail(cause, "wrong prefix");
	/* the name: capitals and single blanks */
	for (n = 0; n < rlen && ((rest[n] >= 'A' && rest[n] <= 'Z') ||
	    (rest[n] == ' ' && n + 1 < rlen && rest[n + 1] >= 'A' &&
	    rest[n + 1] <= 'Z')); n++)
		;
	if (n == 0)
		return at_fail(cause, "no +CGEV event name");
	memset(&e, 0, sizeof e);
	e.kind = AT_CGEV_OTHER;
	e.cid = -1;
	for (i = 0; i < NITEMS(names); i++) {
		nl = strlen(names[i].name);
		if (nl == n && memcmp(rest, names[i].name, n) == 0) {
			e.kind = names[i].kind;
			e.by_network = names[i].nw;
			break;
		}
	}
	if (at_params_split(rest + n, rlen - n, 0, &pp, cause) != 0)
		return -1;
	if (e.kind != AT_CGEV_OTHER && e.kind != AT_CGEV_DETACH &&
	    pp.n > 0) {
		/* Rel-8: <cid>[,...]; older: <PDP_type>,<PDP_addr>[,<cid>] */
		if (pp.v[0].quoted) {
			if (pp.n >= 3 && at_param_int(&pp.v[2], 0, 255,
			    &v) == 0)
				e.cid = (int)v;
		} else if (at_param_int(&pp.v[0], 0, 255, &v) == 0)
			e.cid = (int)v;
		else
			return at_fail(cause, "bad +CGEV cid");
	}
	*out = e;
	return 0;
}

/* +CGACT: <cid>,<state> */
int
at_parse_cgact(const char *line, size_t len, struct at_cgact *out,
    const char **cause)
{
	struct at_params	pp;
	long			cid, st;

	if (at_split_after(line, len, "+CGACT:", &pp, cause) != 0)
		return -1;
	if (pp.n < 2)
		return at_fail(cause, "+CGACT needs 2 fields");
	if (pp.v[0].quoted || at_param_int(&pp.v[0], 0, 255, &cid) != 0)
		return at_fail(cause, "bad cid");
	if (pp.v[1].quoted || at_param_int(&pp.v[1], 0, 1, &st) != 0)
		return at_fail(cause, "bad state");
	out->cid = (int)cid;
	out->state = (int)st;
	return 0;
}

/* An address as a modem prints it: hex digits, dots, colons; "" when
 * absent or all-zero (0.0.0.0, 0:0:...). */
static int
at_addr(const struct at_param *p, char *out, size_t outsz)
{
	size_t	i;
	int	zero = 1;

	if (p->list || p->len >= outsz)
		return -1;
	for (i = 0; i < p->len; i++) {
		char	c = p->s[i];

		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
		    (c >= 'A' && c <= 'F') || c == '.' || c == ':'))
			return -1;
		if (c != '0' && c != '.' && c != ':')
			zero = 0;
	}
	if (zero) {
		out[0] = '\0';
		return 0;
	}
	memcpy(out, p->s, p->len);
	out[p->len] = '\0';
	return 0;
}

/* +CGPADDR: <cid>[,<PDP_addr_1>[,<PDP_addr_2>]] */
int
at_parse_cgpaddr(const char *line, size_t len, struct at_cgpaddr *out,
    const char **cause)
{
	struct at_params	pp;
	struct at_cgpaddr	a;
	long			cid;

	if (at_split_after(line, len, "+CGPADDR:", &pp, cause) != 0)
		return -1;
	memset(&a, 0, sizeof a);
	if (pp.n < 1 || pp.v[0].quoted ||
	    at_param_int(&pp.v[0], 0, 255, &cid) != 0)
		return at_fail(cause, "bad cid");
	a.cid = (int)cid;
	if (pp.n >= 2 && at_addr(&pp.v[1], a.addr, sizeof a.addr) != 0)
		return at_fail(cause, "bad address");
	if (pp.n >= 3 && at_addr(&pp.v[2], a.addr2, sizeof a.addr2) != 0)
		return at_fail(cause, "bad second address");
	*out = a;
	return 0;
}

/* A PDP type: "IP", "IPV6", "IPV4V6", "PPP", "Non-IP" ... */
static int
at_pdp_type(const struct at_param *p, char *out, size_t outsz)
{
	size_t	i;

	if (p->len == 0 || at_param_str(p, out, outsz) != 0)
		return -1;
	for (i = 0; i < p->len; i++)
		if (!((out[i] >= 'A' && out[i] <= 'Z') ||
		    (out[i] >= 'a' && out[i] <= 'z') ||
		    (out[i] >= '0' && out[i] <= '9') || out[i] == '-'))
			return -1;
	return 0;
}

/* +CGDCONT: <cid>,<PDP_type>,<APN>[,<PDP_addr>,...] */
int
at_parse_cgdcont(const char *line, size_t len, struct at_cgdcont *out,
    const char **cause)
{
	struct at_params	pp;
	struct at_cgdcont	c;
	long			cid;
	size_t			i;

	if (at_split_after(line, len, "+CGDCONT:", &pp, cause) != 0)
		return -1;
	memset(&c, 0, sizeof c);
	if (pp.n < 2 || pp.v[0].quoted || pp.v[0].list ||
	    at_param_int(&pp.v[0], 0, 255, &cid) != 0)
		return at_fail(cause, "bad cid");
	c.cid = (int)cid;
	if (at_pdp_type(&pp.v[1], c.type, sizeof c.type) != 0)
		return at_fail(cause, "bad PDP type");
	if (pp.n >= 3 && !at_param_empty(&pp.v[2])) {
		if (at_param_str(&pp.v[2], c.apn, sizeof c.apn) != 0)
			return at_fail(cause, "bad APN");
		for (i = 0; c.apn[i] != '\0'; i++)
			if ((unsigned char)c.apn[i] < 0x20 ||
			    (unsigned char)c.apn[i] >= 0x7f)
				return at_fail(cause, "bad APN");
	}
	*out = c;
	return 0;
}

/* A number of at most 3 digits at s[*i], blanks around skipped. */
static int
at_cid_num(const char *s, size_t len, size_t *i, long *v)
{
	int	have = 0;

	while (*i < len && s[*i] == ' ')
		(*i)++;
	*v = 0;
	while (*i < len && s[*i] >= '0' && s[*i] <= '9' && have < 3) {
		*v = *v * 10 + (s[(*i)++] - '0');
		have++;
	}
	while (*i < len && s[*i] == ' ')
		(*i)++;
	return have ? 0 : -1;
}

/*
 * +CGDCONT: (1-16),"IP",,,(0-2),(0-4): the first range of the cid list
 * ("(1-17,101-116)" is 1..17, ModemManager's reading of the Cinterion
 * PHS8) and the PDP type.
 */
int
at_parse_cgdcont_test(const char *line, size_t len,
    struct at_cgdcont_test *out, const char **cause)
{
	struct at_params	pp;
	struct at_cgdcont_test	t;
	size_t			i = 0;
	long			a, b;

	if (at_split_after(line, len, "+CGDCONT:", &pp, cause) != 0)
		return -1;
	memset(&t, 0, sizeof t);
	t.min_cid = t.max_cid = -1;
	if (pp.n < 2 || pp.v[0].quoted)
		return at_fail(cause, "bad +CGDCONT=? line");
	if (pp.v[0].len > 0) {
		if (at_cid_num(pp.v[0].s, pp.v[0].len, &i, &a) != 0)
			return at_fail(cause, "bad cid range");
		b = a;
		if (i < pp.v[0].len && pp.v[0].s[i] == '-') {
			i++;
			if (at_cid_num(pp.v[0].s, pp.v[0].len, &i, &b) != 0 ||
			    b < a)
				return at_fail(cause, "bad cid range");
		}
		if (i < pp.v[0].len && pp.v[0].s[i] != ',')
			return at_fail(cause, "bad cid range");
		t.min_cid = (int)a;
		t.max_cid = (int)b;
	}
	if (at_pdp_type(&pp.v[1], t.type, sizeof t.type) != 0)
		return at_fail(cause, "bad PDP type");
	*out = t;
	return 0;
}
