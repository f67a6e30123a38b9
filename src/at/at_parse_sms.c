/*
 * at_parse_sms.c: SMS responses (3GPP TS 27.005): +CPMS answers and test
 * answers, +CNMI=? ranges, +CMTI/+CDSI/+CBMI indications, +CMGS/+CMSS
 * references, and the +CMGL/+CMGR/+CMT/+CDS/+CBM headers in PDU and text
 * mode.  Strict and bounded; output untouched on error.
 */
#include <string.h>

#include "at_parse.h"
#include "at_int.h"
#include "hex.h"

#define NITEMS(a)	(sizeof (a) / sizeof (a)[0])

/* A storage name: 1..7 of A-Z 0-9 _ */
static int
at_mem_valid(const char *s, size_t len)
{
	size_t	i;

	if (len == 0 || len >= AT_MEM_MAX)
		return 0;
	for (i = 0; i < len; i++) {
		if (!((s[i] >= 'A' && s[i] <= 'Z') ||
		    (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
			return 0;
	}
	return 1;
}

static int
at_mem_copy(const struct at_param *p, char *dst)
{
	if (p->list || !at_mem_valid(p->s, p->len))
		return -1;
	return at_param_str(p, dst, AT_MEM_MAX);
}

enum at_mem
at_mem_from_name(const char *s, size_t len)
{
	static const char	*names[] = { "SM", "ME", "MT", "SR", "BM", "TA" };
	size_t			 i;

	for (i = 0; i < NITEMS(names); i++) {
		if (len == strlen(names[i]) && memcmp(s, names[i], len) == 0)
			return (enum at_mem)i;
	}
	return AT_MEM_OTHER;
}

/*
 * +CPMS: "SM",5,30,"SM",5,30,"SM",5,30   (AT+CPMS?)
 * +CPMS: 14,50,14,50                     (AT+CPMS="SM","SM")
 */
int
at_parse_cpms(const char *line, size_t len, struct at_cpms *out,
    const char **cause)
{
	struct at_params	 pp;
	struct at_cpms		 c;
	size_t			 i, step;
	long			 used, total;

	if (at_split_after(line, len, "+CPMS:", &pp, cause) != 0)
		return -1;
	memset(&c, 0, sizeof c);
	if (pp.n == 0)
		return at_fail(cause, "empty +CPMS");
	c.has_names = pp.v[0].quoted;
	step = c.has_names ? 3 : 2;
	if (pp.n % step != 0 || pp.n / step > 3)
		return at_fail(cause, "bad +CPMS field count");
	for (i = 0; i < pp.n; i += step) {
		if (c.has_names && at_mem_copy(&pp.v[i], c.mem[c.nmem].name))
			return at_fail(cause, "bad storage name");
		if (at_param_int(&pp.v[i + step - 2], 0, 65535, &used) != 0 ||
		    at_param_int(&pp.v[i + step - 1], 0, 65535, &total) != 0)
			return at_fail(cause, "bad storage counts");
		c.mem[c.nmem].used = used;
		c.mem[c.nmem].total = total;
		c.nmem++;
	}
	*out = c;
	return 0;
}

/*
 * One slot of a +CPMS=? answer: a list of names, read leniently (gammu
 * tests/at-cpms-sr/generic.dump has (ME", "SR")): split on commas, strip
 * blanks and quotes.
 */
static int
at_cpms_slot(const struct at_param *p, unsigned int *mask)
{
	size_t	i = 0, s, e;

	*mask = 0;
	/* ModemManager test-modem-helpers.c, test_cpms_response_empty_fields:
	 * "+CPMS: (),,(  )" */
	if (at_param_empty(p))
		return 0;
	if (!p->list) {
		if (!at_mem_valid(p->s, p->len))
			return -1;
		*mask = 1u << at_mem_from_name(p->s, p->len);
		return 0;
	}
	while (i < p->len) {
		s = i;
		while (i < p->len && p->s[i] != ',')
			i++;
		e = i;
		while (s < e && (p->s[s] == ' ' || p->s[s] == '"'))
			s++;
		while (e > s && (p->s[e - 1] == ' ' || p->s[e - 1] == '"'))
			e--;
		if (!at_mem_valid(p->s + s, e - s))
			return -1;
		*mask |= 1u << at_mem_from_name(p->s + s, e - s);
		if (i < p->len)
			i++;
	}
	return 0;
}

int
at_parse_cpms_test(const char *line, size_t len, struct at_cpms_test *out,
    const char **cause)
{
	struct at_params	 pp, inner;
	struct at_cpms_test	 t;
	const struct at_params	*use = &pp;
	const char		*rest;
	size_t			 i, rlen;

	/* gammu tests/at-cpms-sr/generic.dump: (ME", "SR") */
	if ((rest = at_parse_prefix(line, len, "+CPMS:", &rlen)) == NULL)
		return at_fail(cause, "wrong prefix");
	if (at_params_split(rest, rlen, AT_PARAMS_LIST_RAW, &pp, cause) != 0)
		return -1;
	memset(&t, 0, sizeof t);
	/* Wavecom: ((\"SM\",\"BM\",\"SR\"),(\"SM\")), one list of lists */
	if (pp.n == 1 && pp.v[0].list && memchr(pp.v[0].s, '(',
	    pp.v[0].len) != NULL) {
		if (at_params_split(pp.v[0].s, pp.v[0].len,
		    AT_PARAMS_LIST_RAW, &inner, cause) != 0)
			return -1;
		use = &inner;
	}
	if (use->n > 3)
		return at_fail(cause, "too many storage lists");
	for (i = 0; i < use->n; i++) {
		if (use->v[i].list && memchr(use->v[i].s, '(',
		    use->v[i].len) != NULL)
			return at_fail(cause, "nested storage list");
		if (at_cpms_slot(&use->v[i], &t.mask[i]) != 0)
			return at_fail(cause, "bad storage name");
	}
	t.nslot = (int)use->n;
	*out = t;
	return 0;
}

/* +CNMI: (0-2),(0,1,3),(0),(0,1),(0,1) */
int
at_parse_cnmi_test(const char *line, size_t len, struct at_cnmi_test *out,
    const char **cause)
{
	struct at_params	pp;
	struct at_cnmi_test	t;
	size_t			i;

	if (at_split_after(line, len, "+CNMI:", &pp, cause) != 0)
		return -1;
	memset(&t, 0, sizeof t);
	if (pp.n == 0 || pp.n > 5)
		return at_fail(cause, "bad +CNMI field count");
	for (i = 0; i < pp.n; i++) {
		if (at_param_range_mask(&pp.v[i], &t.mask[i]) != 0)
			return at_fail(cause, "bad range list");
	}
	t.n = (int)pp.n;
	*out = t;
	return 0;
}

/* +CMTI: "SM",3  +CDSI: "SR",57  +CBMI: "BM",2 */
int
at_parse_msgind(const char *line, size_t len, struct at_msgind *out,
    const char **cause)
{
	static const char	*prefixes[] = { "+CMTI:", "+CDSI:", "+CBMI:" };
	struct at_params	 pp;
	struct at_msgind	 m;
	size_t			 i, rlen;

	for (i = 0; i < NITEMS(prefixes); i++) {
		if (at_parse_prefix(line, len, prefixes[i], &rlen) != NULL)
			break;
	}
	if (i == NITEMS(prefixes))
		return at_fail(cause, "not a message indication");
	if (at_split_after(line, len, prefixes[i], &pp, cause) != 0)
		return -1;
	memset(&m, 0, sizeof m);
	if (pp.n != 2)
		return at_fail(cause, "expected storage and index");
	if (at_mem_copy(&pp.v[0], m.mem) != 0)
		return at_fail(cause, "bad storage name");
	if (pp.v[1].quoted || at_param_int(&pp.v[1], 0, 65535, &m.index) != 0)
		return at_fail(cause, "bad index");
	*out = m;
	return 0;
}

/* +CMGS: <mr>[,"<scts>"] or +CMSS: <mr>[,...] */
int
at_parse_cmgs(const char *line, size_t len, int *mr, const char **cause)
{
	struct at_params	pp;
	long			v;

	if (at_split_after(line, len, "+CMGS:", &pp, NULL) != 0 &&
	    at_split_after(line, len, "+CMSS:", &pp, cause) != 0)
		return -1;
	if (pp.n < 1 || pp.n > 2)
		return at_fail(cause, "bad field count");
	if (pp.v[0].quoted || at_param_int(&pp.v[0], 0, 255, &v) != 0)
		return at_fail(cause, "bad message reference");
	*mr = (int)v;
	return 0;
}

/* +CMGW: <index> (the slot a written message was stored in) */
int
at_parse_cmgw(const char *line, size_t len, int *index, const char **cause)
{
	struct at_params	pp;
	long			v;

	if (at_split_after(line, len, "+CMGW:", &pp, cause) != 0)
		return -1;
	if (pp.n != 1)
		return at_fail(cause, "bad field count");
	if (pp.v[0].quoted || at_param_int(&pp.v[0], 0, 65535, &v) != 0)
		return at_fail(cause, "bad index");
	*index = (int)v;
	return 0;
}

int
at_sms_stat_from_text(const char *s, size_t len)
{
	static const char	*names[] = {
		"REC UNREAD", "REC READ", "STO UNSENT", "STO SENT", "ALL"
	};
	size_t			 i;

	for (i = 0; i < NITEMS(names); i++) {
		if (len == strlen(names[i]) && memcmp(s, names[i], len) == 0)
			return (int)i;
	}
	return -1;
}

/* Printable text (no control bytes) into dst, bounded. */
static int
at_copy_text(const struct at_param *p, char *dst, size_t dstsz)
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

static int
at_is_timestamp(const struct at_param *p)
{
	return p->quoted && memchr(p->s, '/', p->len) != NULL &&
	    memchr(p->s, ':', p->len) != NULL;
}

static int
at_hdr_stat(const struct at_param *p, int *stat)
{
	long	v;

	if (p->len == 0 && !p->list) {
		*stat = -1;	/* ZTE: +CMGR: ,,27 (python-gsmmodem) */
		return 0;
	}
	if (p->quoted) {
		if ((v = at_sms_stat_from_text(p->s, p->len)) < 0)
			return -1;
	} else if (at_param_int(p, 0, 4, &v) != 0)
		return -1;
	*stat = (int)v;
	return 0;
}

/* Status report fields: fo,mr,[ra],[tora],scts,dt,st starting at f. */
static int
at_hdr_report(const struct at_param *f, size_t n, struct at_sms_hdr *h)
{
	long	v;

	if (n < 7)
		return -1;
	if (at_param_int(&f[0], 0, 255, &v) != 0 ||
	    at_param_int(&f[1], 0, 255, &h->mr) != 0)
		return -1;
	if (at_copy_text(&f[2], h->addr, sizeof h->addr) != 0)
		return -1;
	if (!at_param_empty(&f[3]) && at_param_int(&f[3], 0, 255, &v) != 0)
		return -1;
	if (at_copy_text(&f[4], h->scts, sizeof h->scts) != 0 ||
	    at_copy_text(&f[5], h->dt, sizeof h->dt) != 0)
		return -1;
	if (at_param_int(&f[6], 0, 255, &h->st) != 0)
		return -1;
	h->is_report = 1;
	return 0;
}

/* Text-mode message: <addr>,[<alpha>],[<scts>][,<details>...] */
static int
at_hdr_text_msg(const struct at_param *f, size_t n, struct at_sms_hdr *h)
{
	size_t	k;

	if (n < 1 || f[0].list)
		return -1;
	if (at_copy_text(&f[0], h->addr, sizeof h->addr) != 0)
		return -1;
	/* alpha and scts are optional; motorola-l7.dump omits alpha */
	for (k = 1; k < n && k <= 2; k++) {
		if (at_is_timestamp(&f[k])) {
			if (at_copy_text(&f[k], h->scts, sizeof h->scts) != 0)
				return -1;
			break;
		}
		if (k == 1 && at_copy_text(&f[k], h->alpha,
		    sizeof h->alpha) != 0)
			return -1;
	}
	return 0;
}

/*
 * <length> of a PDU-mode header; some modems put the PDU on the same
 * line after a blank ("+CMGR: 0,,24 0791...": even hex, at least the
 * TPDU octets announced): its place in the line goes to h.
 */
static int
at_hdr_length(const char *line, const struct at_param *p,
    struct at_sms_hdr *h)
{
	struct at_param	w = *p;
	size_t		i, b;

	for (b = 0; b < p->len && p->s[b] != ' '; b++)
		;
	w.len = b;
	if (at_param_int(&w, 1, 255, &h->length) != 0)
		return -1;
	if (b == p->len)
		return 0;
	while (b < p->len && p->s[b] == ' ')
		b++;
	for (i = b; i < p->len; i++)
		if (hex_val((unsigned char)p->s[i]) < 0)
			return -1;
	if ((p->len - b) % 2 != 0 || (p->len - b) / 2 < (size_t)h->length)
		return -1;
	h->pdu_off = (size_t)(p->s + b - line);
	h->pdu_len = p->len - b;
	return 0;
}

/*
 * PDU mode:  +CMGL: <index>,<stat>,[<alpha>],<length>
 *            +CMGR: <stat>,[<alpha>],<length>
 *            +CMT: [<alpha>],<length>   +CDS: <length>   +CBM: <length>
 * Text mode: the 27.005 text forms (message or status report).
 */
int
at_parse_sms_hdr(const char *line, size_t len, int text_mode,
    struct at_sms_hdr *out, const char **cause)
{
	static const struct {
		const char		*prefix;
		enum at_sms_hdr_kind	 kind;
	} kinds[] = {
		{ "+CMGL:", AT_SMS_CMGL },
		{ "+CMGR:", AT_SMS_CMGR },
		{ "+CMT:", AT_SMS_CMT },
		{ "+CDS:", AT_SMS_CDS },
		{ "+CBM:", AT_SMS_CBM },
	};
	struct at_params	 pp;
	struct at_sms_hdr	 h;
	const struct at_param	*f;
	const char		*rest = NULL;
	size_t			 i, n, rlen = 0;
	long			 v;

	memset(&h, 0, sizeof h);
	for (i = 0; i < NITEMS(kinds); i++) {
		rest = at_parse_prefix(line, len, kinds[i].prefix, &rlen);
		if (rest != NULL) {
			h.kind = kinds[i].kind;
			break;
		}
	}
	if (rest == NULL)
		return at_fail(cause, "not an SMS header");
	if (at_params_split(rest, rlen, 0, &pp, cause) != 0)
		return -1;
	h.text_mode = text_mode ? 1 : 0;
	h.index = -1;
	h.stat = -1;
	h.length = -1;
	h.mr = -1;
	h.st = -1;
	f = pp.v;
	n = pp.n;
	if (n == 0)
		return at_fail(cause, "no parameters");

	if (h.kind == AT_SMS_CMGL) {
		if (f[0].quoted || at_param_int(&f[0], 0, 65535, &h.index) != 0)
			return at_fail(cause, "bad index");
		f++;
		n--;
	}
	if (!text_mode) {
		/*
		 * Phones in gammu's tests/at-sms answer AT+CMGR with
		 * "+CMGR: 24" (38.dump: length only) and with the +CMGL shape
		 * "+CMGR: 4,1,,151" (26.dump, 27.dump: index first).
		 */
		if (h.kind == AT_SMS_CMGR && n == 1) {
			if (f[0].quoted || at_hdr_length(line, &f[0], &h) != 0)
				return at_fail(cause, "bad length");
			*out = h;
			return 0;
		}
		if (h.kind == AT_SMS_CMGR && n == 4) {
			if (f[0].quoted ||
			    at_param_int(&f[0], 0, 65535, &h.index) != 0)
				return at_fail(cause, "bad index");
			f++;
			n--;
		}
		switch (h.kind) {
		case AT_SMS_CMGL:
		case AT_SMS_CMGR:
			if (n < 2 || n > 3)
				return at_fail(cause, "bad field count");
			if (at_hdr_stat(&f[0], &h.stat) != 0 ||
			    (h.kind == AT_SMS_CMGL && h.stat < 0))
				return at_fail(cause, "bad stat");
			f++;
			n--;
			break;
		case AT_SMS_CMT:
			if (n > 2)
				return at_fail(cause, "bad field count");
			break;
		default:
			if (n != 1)
				return at_fail(cause, "bad field count");
			break;
		}
		if (n == 2 && at_copy_text(&f[0], h.alpha, sizeof h.alpha) != 0)
			return at_fail(cause, "bad alpha");
		if (f[n - 1].quoted || at_hdr_length(line, &f[n - 1], &h) != 0)
			return at_fail(cause, "bad length");
		*out = h;
		return 0;
	}

	switch (h.kind) {
	case AT_SMS_CMGL:
	case AT_SMS_CMGR:
		if (n < 2 || at_hdr_stat(&f[0], &h.stat) != 0)
			return at_fail(cause, "bad stat");
		f++;
		n--;
		if (n >= 1 && !f[0].quoted && f[0].len > 0 &&
		    at_param_int(&f[0], 0, 255, &v) == 0) {
			if (at_hdr_report(f, n, &h) != 0)
				return at_fail(cause, "bad status report");
		} else if (at_hdr_text_msg(f, n, &h) != 0)
			return at_fail(cause, "bad message header");
		break;
	case AT_SMS_CMT:
		if (at_hdr_text_msg(f, n, &h) != 0)
			return at_fail(cause, "bad message header");
		break;
	case AT_SMS_CDS:
		if (at_hdr_report(f, n, &h) != 0)
			return at_fail(cause, "bad status report");
		break;
	case AT_SMS_CBM:
		if (n != 5)
			return at_fail(cause, "bad field count");
		for (i = 0; i < n; i++) {
			if (at_param_int(&f[i], 0, 65535, &v) != 0)
				return at_fail(cause, "bad cell broadcast");
		}
		break;
	default:
		return at_fail(cause, "bad header");
	}
	*out = h;
	return 0;
}
