/*
 * at_parse_call.c: the call list and call waiting: +CLCC lines (27.007
 * 7.18, the answer to AT+CLCC, also sent unsolicited by some modems
 * after AT^DSCI/AT+CLCC=1) and the +CCWA URC (7.12).  Strict on the
 * fields the calls module uses, tolerant of vendor extras after them.
 */
#include <string.h>

#include "at_parse.h"
#include "at_int.h"

/* +CLCC: <id>,<dir>,<stat>,<mode>,<mpty>[,<number>,<type>[,<alpha>...]] */
int
at_parse_clcc(const char *line, size_t len, struct at_clcc *out,
    const char **cause)
{
	static const long	max[5] = { 255, 1, 7, 9, 1 };
	struct at_params	pp;
	struct at_clcc		c;
	long			v[5], t;
	size_t			i;

	if (at_split_after(line, len, "+CLCC:", &pp, cause) != 0)
		return -1;
	if (pp.n < 5)
		return at_fail(cause, "+CLCC needs 5 fields");
	memset(&c, 0, sizeof c);
	c.type = -1;
	for (i = 0; i < 5; i++)
		if (pp.v[i].quoted || at_param_int(&pp.v[i], 0, max[i],
		    &v[i]) != 0)
			return at_fail(cause, "bad +CLCC value");
	c.id = (int)v[0];
	c.dir = (int)v[1];
	c.stat = (int)v[2];
	c.mode = (int)v[3];
	c.mpty = (int)v[4];
	if (pp.n >= 6) {
		if (!pp.v[5].quoted && pp.v[5].len > 0)
			return at_fail(cause, "number not quoted");
		if (at_number_copy(&pp.v[5], c.number, sizeof c.number) != 0)
			return at_fail(cause, "bad number");
	}
	if (pp.n >= 7 && !at_param_empty(&pp.v[6])) {
		if (at_param_int(&pp.v[6], 0, 255, &t) != 0)
			return at_fail(cause, "bad type");
		c.type = (int)t;
	}
	if (pp.n >= 8 && pp.v[7].quoted &&
	    at_text_copy(&pp.v[7], c.alpha, sizeof c.alpha) != 0)
		return at_fail(cause, "bad alpha");
	*out = c;
	return 0;
}

/* +CCWA: <number>,<type>,<class>[,<alpha>][,<CLI validity>...] */
int
at_parse_ccwa(const char *line, size_t len, struct at_ccwa *out,
    const char **cause)
{
	struct at_params	pp;
	struct at_ccwa		w;
	long			v;

	if (at_split_after(line, len, "+CCWA:", &pp, cause) != 0)
		return -1;
	memset(&w, 0, sizeof w);
	w.clip.type = -1;
	w.clip.validity = -1;
	w.cls = -1;
	/* "+CCWA: <status>,<class>" answers AT+CCWA=1,2: not a call */
	if (pp.n < 2 || (!pp.v[0].quoted && pp.v[0].len > 0))
		return at_fail(cause, "not a waiting call");
	if (at_number_copy(&pp.v[0], w.clip.number,
	    sizeof w.clip.number) != 0)
		return at_fail(cause, "bad number");
	if (!at_param_empty(&pp.v[1])) {
		if (at_param_int(&pp.v[1], 0, 255, &v) != 0)
			return at_fail(cause, "bad type");
		w.clip.type = (int)v;
	}
	if (pp.n >= 3 && !at_param_empty(&pp.v[2])) {
		if (at_param_int(&pp.v[2], 0, 255, &v) != 0)
			return at_fail(cause, "bad class");
		w.cls = (int)v;
	}
	if (pp.n >= 4 && pp.v[3].quoted &&
	    at_text_copy(&pp.v[3], w.clip.alpha, sizeof w.clip.alpha) != 0)
		return at_fail(cause, "bad alpha");
	if (pp.n >= 5 && !pp.v[4].quoted && !at_param_empty(&pp.v[4]) &&
	    at_param_int(&pp.v[4], 0, 4, &v) == 0)
		w.clip.validity = (int)v;
	*out = w;
	return 0;
}
