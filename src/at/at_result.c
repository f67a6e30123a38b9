/*
 * at_result.c: final result codes.  A line is a final result code when it
 * matches a row of at_result_table (exact, or prefix), as in oFono's
 * gatchat.c; the numeric (ATV0) forms map through at_result_v0.  Also the
 * +CME ERROR / +CMS ERROR code tables (3GPP TS 27.007 9.2, 27.005 3.2.5).
 */
#include <string.h>

#include "at_parse.h"

struct at_result_row {
	const char		*prefix;
	int			 exact;	/* whole line, else prefix */
	enum at_result_kind	 kind;
};

static const struct at_result_row at_result_table[] = {
	{ "OK",			1, AT_RESULT_OK },
	{ "ERROR",		1, AT_RESULT_ERROR },
	{ "+CME ERROR:",	0, AT_RESULT_CME_ERROR },
	{ "+CMS ERROR:",	0, AT_RESULT_CMS_ERROR },
	{ "+EXT ERROR:",	0, AT_RESULT_EXT_ERROR },
	{ "CONNECT",		0, AT_RESULT_CONNECT },	/* CONNECT[ <rate>] */
	{ "NO CARRIER",		1, AT_RESULT_NO_CARRIER },
	{ "BUSY",		1, AT_RESULT_BUSY },
	{ "NO ANSWER",		1, AT_RESULT_NO_ANSWER },
	{ "NO DIALTONE",	1, AT_RESULT_NO_DIALTONE },
	{ "NO DIAL TONE",	1, AT_RESULT_NO_DIALTONE },
	/* Huawei E1752 (python-gsmmodem fakemodems.py): instead of ERROR */
	{ "COMMAND NOT SUPPORT", 1, AT_RESULT_ERROR },
	/* some ZTE firmware (as handled by oFono gatchat.c) */
	{ "TOO MANY PARAMETERS", 1, AT_RESULT_ERROR },
};

/* ITU-T V.250 numeric result codes (ATV0); 2 is RING, a URC. */
static const struct {
	char			 digit;
	enum at_result_kind	 kind;
} at_result_v0[] = {
	{ '0', AT_RESULT_OK },
	{ '1', AT_RESULT_CONNECT },
	{ '3', AT_RESULT_NO_CARRIER },
	{ '4', AT_RESULT_ERROR },
	{ '6', AT_RESULT_NO_DIALTONE },
	{ '7', AT_RESULT_BUSY },
	{ '8', AT_RESULT_NO_ANSWER },
};

static const char *at_result_kind_names[AT_RESULT_MAX] = {
	"none", "OK", "CONNECT", "ERROR", "CME ERROR", "CMS ERROR",
	"EXT ERROR", "NO CARRIER", "BUSY", "NO ANSWER", "NO DIALTONE"
};

struct at_error_row {
	long		 code;
	const char	*text;
};

static const struct at_error_row at_cme_errors[] = {
	{ 0, "phone failure" },
	{ 1, "no connection to phone" },
	{ 2, "phone-adaptor link reserved" },
	{ 3, "operation not allowed" },
	{ 4, "operation not supported" },
	{ 5, "PH-SIM PIN required" },
	{ 6, "PH-FSIM PIN required" },
	{ 7, "PH-FSIM PUK required" },
	{ 10, "SIM not inserted" },
	{ 11, "SIM PIN required" },
	{ 12, "SIM PUK required" },
	{ 13, "SIM failure" },
	{ 14, "SIM busy" },
	{ 15, "SIM wrong" },
	{ 16, "incorrect password" },
	{ 17, "SIM PIN2 required" },
	{ 18, "SIM PUK2 required" },
	{ 20, "memory full" },
	{ 21, "invalid index" },
	{ 22, "not found" },
	{ 23, "memory failure" },
	{ 24, "text string too long" },
	{ 25, "invalid characters in text string" },
	{ 26, "dial string too long" },
	{ 27, "invalid characters in dial string" },
	{ 30, "no network service" },
	{ 31, "network timeout" },
	{ 32, "network not allowed - emergency calls only" },
	{ 40, "network personalization PIN required" },
	{ 41, "network personalization PUK required" },
	{ 42, "network subset personalization PIN required" },
	{ 43, "network subset personalization PUK required" },
	{ 44, "service provider personalization PIN required" },
	{ 45, "service provider personalization PUK required" },
	{ 46, "corporate personalization PIN required" },
	{ 47, "corporate personalization PUK required" },
	{ 50, "incorrect parameters" },
	{ 100, "unknown" },
	{ 103, "illegal MS" },
	{ 106, "illegal ME" },
	{ 107, "GPRS services not allowed" },
	{ 111, "PLMN not allowed" },
	{ 112, "location area not allowed" },
	{ 113, "roaming not allowed in this location area" },
	{ 132, "service option not supported" },
	{ 133, "requested service option not subscribed" },
	{ 134, "service option temporarily out of order" },
	{ 148, "unspecified GPRS error" },
	{ 149, "PDP authentication failure" },
	{ 150, "invalid mobile class" },
	/* vendor: Wavecom/Sierra, python-gsmmodem fakemodems.py */
	{ 515, "device busy" },
};

static const struct at_error_row at_cms_errors[] = {
	/* 0..127: 3GPP TS 24.011 RP causes; 128..255: TS 23.040 TP causes */
	{ 1, "unassigned number" },
	{ 8, "operator determined barring" },
	{ 10, "call barred" },
	{ 21, "short message transfer rejected" },
	{ 27, "destination out of service" },
	{ 28, "unidentified subscriber" },
	{ 29, "facility rejected" },
	{ 30, "unknown subscriber" },
	{ 38, "network out of order" },
	{ 41, "temporary failure" },
	{ 42, "congestion" },
	{ 47, "resources unavailable" },
	{ 50, "requested facility not subscribed" },
	{ 69, "requested facility not implemented" },
	{ 81, "invalid short message transfer reference value" },
	{ 95, "invalid message" },
	{ 96, "invalid mandatory information" },
	{ 97, "message type non-existent" },
	{ 111, "protocol error" },
	{ 127, "interworking unspecified" },
	{ 300, "ME failure" },
	{ 301, "SMS service of ME reserved" },
	{ 302, "operation not allowed" },
	{ 303, "operation not supported" },
	{ 304, "invalid PDU mode parameter" },
	{ 305, "invalid text mode parameter" },
	{ 310, "SIM not inserted" },
	{ 311, "SIM PIN required" },
	{ 312, "PH-SIM PIN required" },
	{ 313, "SIM failure" },
	{ 314, "SIM busy" },
	{ 315, "SIM wrong" },
	{ 316, "SIM PUK required" },
	{ 317, "SIM PIN2 required" },
	{ 318, "SIM PUK2 required" },
	{ 320, "memory failure" },
	{ 321, "invalid memory index" },
	{ 322, "memory full" },
	{ 330, "SMSC address unknown" },
	{ 331, "no network service" },
	{ 332, "network timeout" },
	{ 340, "no +CNMA acknowledgement expected" },
	{ 500, "unknown error" },
};

#define NITEMS(a)	(sizeof (a) / sizeof (a)[0])

const char *
at_result_kind_name(enum at_result_kind k)
{
	if ((unsigned)k >= AT_RESULT_MAX)
		return "?";
	return at_result_kind_names[k];
}

static const char *
at_error_lookup(const struct at_error_row *t, size_t n, long code)
{
	size_t	i;

	for (i = 0; i < n; i++) {
		if (t[i].code == code)
			return t[i].text;
	}
	return NULL;
}

const char *
at_cme_error_text(long code)
{
	return at_error_lookup(at_cme_errors, NITEMS(at_cme_errors), code);
}

const char *
at_cms_error_text(long code)
{
	return at_error_lookup(at_cms_errors, NITEMS(at_cms_errors), code);
}

static int
at_result_casecmp(const char *a, size_t alen, const char *b)
{
	size_t	i;
	int	ca, cb;

	if (alen != strlen(b))
		return 1;
	for (i = 0; i < alen; i++) {
		ca = (unsigned char)a[i];
		cb = (unsigned char)b[i];
		if (ca >= 'A' && ca <= 'Z')
			ca += 'a' - 'A';
		if (cb >= 'A' && cb <= 'Z')
			cb += 'a' - 'A';
		if (ca != cb)
			return 1;
	}
	return 0;
}

/* Code of a verbose (AT+CMEE=2) +CME ERROR text, or -1. */
long
at_cme_error_code(const char *text, size_t len)
{
	size_t	i;

	for (i = 0; i < NITEMS(at_cme_errors); i++) {
		if (at_result_casecmp(text, len, at_cme_errors[i].text) == 0)
			return at_cme_errors[i].code;
	}
	return -1;
}

/* Decimal 0..99999999 making up all of s[0..len), else -1. */
static long
at_result_number(const char *s, size_t len)
{
	long	v = 0;
	size_t	i;

	if (len == 0 || len > 8)
		return -1;
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

static void
at_result_set_text(struct at_result *res, const char *s, size_t len)
{
	if (len >= sizeof res->text)
		len = sizeof res->text - 1;	/* informational only */
	memcpy(res->text, s, len);
	res->text[len] = '\0';
}

/*
 * Is line a final result code?  Returns 1 and fills res if so, else 0
 * (res->kind = AT_RESULT_NONE).  res->text holds the error text (from the
 * line when verbose, else from the code tables) or the CONNECT suffix.
 */
int
at_result_classify(const char *line, size_t len, unsigned int flags,
    struct at_result *res)
{
	const struct at_result_row	*r = NULL;
	const char			*rest, *t;
	size_t				 i, n = 0, rlen;

	memset(res, 0, sizeof *res);
	res->kind = AT_RESULT_NONE;
	res->code = -1;

	while (len > 0 && (line[len - 1] == ' ' || line[len - 1] == '\t'))
		len--;
	if (flags & AT_RESULT_V0) {
		for (i = 0; len == 1 && i < NITEMS(at_result_v0); i++) {
			if (line[0] == at_result_v0[i].digit) {
				res->kind = at_result_v0[i].kind;
				goto found;
			}
		}
	}
	for (i = 0; i < NITEMS(at_result_table); i++) {
		n = strlen(at_result_table[i].prefix);
		if (len < n || memcmp(line, at_result_table[i].prefix, n) != 0)
			continue;
		if (at_result_table[i].exact && len != n)
			continue;
		/* CONNECT must be alone or followed by a blank */
		if (at_result_table[i].kind == AT_RESULT_CONNECT && len > n &&
		    line[n] != ' ')
			continue;
		r = &at_result_table[i];
		break;
	}
	if (r == NULL)
		return 0;
	res->kind = r->kind;
	rest = line + n;
	rlen = len - n;
	while (rlen > 0 && *rest == ' ') {
		rest++;
		rlen--;
	}
	switch (res->kind) {
	case AT_RESULT_CME_ERROR:
	case AT_RESULT_CMS_ERROR:
	case AT_RESULT_EXT_ERROR:
		res->code = at_result_number(rest, rlen);
		t = NULL;
		if (res->code >= 0 && res->kind == AT_RESULT_CME_ERROR)
			t = at_cme_error_text(res->code);
		else if (res->code >= 0 && res->kind == AT_RESULT_CMS_ERROR)
			t = at_cms_error_text(res->code);
		else if (res->code < 0 && res->kind == AT_RESULT_CME_ERROR)
			res->code = at_cme_error_code(rest, rlen);
		if (t != NULL)
			at_result_set_text(res, t, strlen(t));
		else
			at_result_set_text(res, rest, rlen);
		break;
	case AT_RESULT_CONNECT:
		res->code = at_result_number(rest, rlen);
		at_result_set_text(res, rest, rlen);
		break;
	default:
		break;
	}
found:
	res->ok = res->kind == AT_RESULT_OK || res->kind == AT_RESULT_CONNECT;
	return 1;
}
