/*
 * test_at_vectors.c: the AT layer fed with real modem transcripts from
 * other projects' test suites (tests/vectors/at_*.json: python-gsmmodem
 * test_modem.py and fakemodems.py, gammu tests/), through the lexer, the
 * classifiers and the parsers, asserting the fields those suites assert.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <json-c/json.h>

#include "at_lexer.h"
#include "at_parse.h"

#define MAXTOK	512

struct toks {
	int		 n;
	enum at_token_type type[MAXTOK];
	char		*data[MAXTOK];
	size_t		 len[MAXTOK];
};

static void
toks_emit(const struct at_token *t, void *arg)
{
	struct toks	*k = arg;

	assert_true(k->n < MAXTOK);
	k->type[k->n] = t->type;
	k->data[k->n] = malloc(t->len + 1);
	assert_non_null(k->data[k->n]);
	memcpy(k->data[k->n], t->data, t->len + 1);
	k->len[k->n] = t->len;
	k->n++;
}

static void
toks_clear(struct toks *k)
{
	int	i;

	for (i = 0; i < k->n; i++)
		free(k->data[i]);
	memset(k, 0, sizeof *k);
}

static struct toks	T;

static struct json_object *
load(const char *name)
{
	const char		*srcdir = getenv("srcdir");
	char			 path[1024];
	struct json_object	*o;

	if (srcdir == NULL)
		srcdir = ".";
	snprintf(path, sizeof path, "%s/tests/vectors/%s", srcdir, name);
	o = json_object_from_file(path);
	if (o == NULL)
		fail_msg("cannot load %s", path);
	return o;
}

static struct json_object *
get(struct json_object *o, const char *key)
{
	struct json_object	*v;

	if (!json_object_object_get_ex(o, key, &v))
		fail_msg("missing key %s", key);
	return v;
}

static const char *
gets(struct json_object *o, const char *key)
{
	return json_object_get_string(get(o, key));
}

static void
feed(struct at_lexer *lx, const char *s, size_t len)
{
	at_lexer_feed(lx, (const uint8_t *)s, len, toks_emit, &T);
}

static void
feeds(struct at_lexer *lx, const char *s)
{
	feed(lx, s, strlen(s));
}

/* Send cmd (as the engine does) and feed its echo and rx lines. */
static void
exchange(struct at_lexer *lx, const char *cmd, struct json_object *rx)
{
	size_t	i, n;

	if (cmd != NULL) {
		at_lexer_set_echo(lx, cmd, strlen(cmd));
		feeds(lx, cmd);
		if (cmd[strlen(cmd) - 1] != '\r')
			feeds(lx, "\r");
	}
	n = json_object_array_length(rx);
	for (i = 0; i < n; i++) {
		struct json_object *e = json_object_array_get_idx(rx, i);

		if (json_object_is_type(e, json_type_string))
			feeds(lx, json_object_get_string(e));
	}
}

static int
is_final(int i)
{
	struct at_result	r;

	return T.type[i] == AT_TOK_LINE &&
	    at_result_classify(T.data[i], T.len[i], 0, &r);
}

static int
find_line(const char *prefix, int from)
{
	int	i;

	for (i = from; i < T.n; i++) {
		if (T.type[i] == AT_TOK_LINE &&
		    strncmp(T.data[i], prefix, strlen(prefix)) == 0)
			return i;
	}
	return -1;
}

/* "13/03/08,15:02:16+08" against "2013-03-08T15:02:16+02:00" */
static void
check_scts(const char *scts, const char *iso)
{
	char	buf[32];

	assert_true(strlen(scts) >= 17);
	snprintf(buf, sizeof buf, "20%.2s-%.2s-%.2sT%.8s", scts, scts + 3,
	    scts + 6, scts + 9);
	assert_memory_equal(buf, iso, 19);
}

/*
 * Text-mode reading as the engine would do it: the body is the PDU token
 * plus following lines that are neither final, URC nor header.
 */
static int
text_body(int hdr, char *out, size_t outsz)
{
	int	i = hdr + 1;

	out[0] = '\0';
	if (i >= T.n || T.type[i] != AT_TOK_PDU)
		return -1;
	snprintf(out, outsz, "%s", T.data[i]);
	for (i++; i < T.n && T.type[i] == AT_TOK_LINE && !is_final(i) &&
	    strncmp(T.data[i], "+CMGL:", 6) != 0 &&
	    at_urc_classify(T.data[i], T.len[i], NULL) == AT_URC_NONE; i++) {
		strncat(out, "\n", outsz - strlen(out) - 1);
		strncat(out, T.data[i], outsz - strlen(out) - 1);
	}
	return 0;
}

static void
test_pygsm_receive(void **state)
{
	struct json_object	*root = load("at_pygsmmodem_scenarios.json");
	struct json_object	*list = get(root, "receive_sms");
	struct at_lexer		 lx;
	struct at_msgind	 m;
	struct at_sms_hdr	 h;
	char			 body[1024], cmd[32], mem[8];
	size_t			 i, v;
	int			 idx, hdr;

	(void)state;
	for (i = 0; i < json_object_array_length(list); i++) {
		struct json_object *c = json_object_array_get_idx(list, i);
		struct json_object *tm = get(c, "text_mode");
		struct json_object *ex = get(tm, "expect");
		struct json_object *tx = get(tm, "tx");
		struct json_object *pm;
		const char *urc = gets(c, "urc");

		/* the +CMTI URC: storage and index as the library uses them */
		assert_int_equal(sscanf(json_object_get_string(
		    json_object_array_get_idx(tx, 0)), "AT+CPMS=\"%7[A-Z]\"",
		    mem), 1);
		assert_int_equal(sscanf(json_object_get_string(
		    json_object_array_get_idx(tx, 1)), "AT+CMGR=%d", &idx), 1);
		assert_int_equal(at_urc_classify(urc, strlen(urc) - 2, NULL),
		    AT_URC_CMTI);
		assert_int_equal(at_parse_msgind(urc, strlen(urc) - 2, &m,
		    NULL), 0);
		assert_string_equal(m.mem, mem);
		assert_int_equal(m.index, idx);

		/* text mode */
		snprintf(cmd, sizeof cmd, "AT+CMGR=%d\r", idx);
		at_lexer_init(&lx);
		at_lexer_set_text_mode(&lx, 1);
		exchange(&lx, cmd, get(tm, "rx_cmgr"));
		assert_int_equal(T.type[0], AT_TOK_ECHO);
		hdr = find_line("+CMGR:", 0);
		assert_true(hdr > 0);
		assert_int_equal(at_parse_sms_hdr(T.data[hdr], T.len[hdr], 1,
		    &h, NULL), 0);
		assert_string_equal(h.addr, gets(ex, "number"));
		assert_int_equal(h.stat, at_sms_stat_from_text(gets(ex,
		    "status"), strlen(gets(ex, "status"))));
		check_scts(h.scts, gets(ex, "time"));
		assert_int_equal(text_body(hdr, body, sizeof body), 0);
		assert_string_equal(body, gets(ex, "text"));
		assert_true(is_final(T.n - 1));
		toks_clear(&T);

		/* PDU mode, all the +CMGR header variants */
		if (!json_object_object_get_ex(c, "pdu_mode", &pm))
			continue;
		for (v = 0; v < json_object_array_length(get(pm,
		    "rx_cmgr_variants")); v++) {
			at_lexer_init(&lx);
			exchange(&lx, cmd, json_object_array_get_idx(get(pm,
			    "rx_cmgr_variants"), v));
			assert_int_equal(T.n, 4);
			assert_int_equal(T.type[0], AT_TOK_ECHO);
			assert_int_equal(at_parse_sms_hdr(T.data[1], T.len[1],
			    0, &h, NULL), 0);
			assert_int_equal(h.stat, AT_SMS_REC_UNREAD);
			assert_int_equal(h.length, json_object_get_int(get(pm,
			    "tpdu_length")));
			assert_int_equal(T.type[2], AT_TOK_PDU);
			assert_string_equal(T.data[2], gets(pm, "pdu_hex"));
			assert_true(is_final(3));
			toks_clear(&T);
		}
	}
	json_object_put(root);
}

/* "<modem: \"> \\r\\n\",\"OK\\r\\n\">" -> the bytes the modem sent */
static void
feed_modem(struct at_lexer *lx, const char *s)
{
	char	buf[512];
	size_t	n = 0;
	int	inq = 0;

	for (s += strlen("<modem: "); *s != '\0'; s++) {
		if (!inq) {
			if (*s == '"')
				inq = 1;
			continue;
		}
		if (*s == '"') {
			inq = 0;
			continue;
		}
		if (s[0] == '\\' && s[1] == 'r') {
			buf[n++] = '\r';
			s++;
		} else if (s[0] == '\\' && s[1] == 'n') {
			buf[n++] = '\n';
			s++;
		} else
			buf[n++] = *s;
		assert_true(n < sizeof buf);
	}
	feed(lx, buf, n);
}

static void
test_pygsm_send(void **state)
{
	struct json_object	*root = load("at_pygsmmodem_scenarios.json");
	struct json_object	*list = get(root, "send_sms");
	struct at_lexer		 lx;
	char			 tx[1024], *p;
	size_t			 i, j;
	int			 k, ncmgs, nprompt, necho, ntx, mr, nmr;

	(void)state;
	for (i = 0; i < json_object_array_length(list); i++) {
		struct json_object *c = json_object_array_get_idx(list, i);
		struct json_object *tr = get(c, "transcript");
		struct json_object *pdus, *ex;

		at_lexer_init(&lx);
		ncmgs = ntx = 0;
		for (j = 0; j < json_object_array_length(tr); j++) {
			const char *e = json_object_get_string(
			    json_object_array_get_idx(tr, j));

			if (strncmp(e, "<modem:", 7) == 0) {
				feed_modem(&lx, e);
				continue;
			}
			/* the engine writes e; the modem echoes it */
			snprintf(tx, sizeof tx, "%s", e);
			if ((p = strstr(tx, "\\x1a")) != NULL) {
				p[0] = 0x1a;
				p[1] = '\0';
			}
			if (strncmp(tx, "AT+CMGS=", 8) == 0)
				ncmgs++;
			/*
			 * A text-mode body with a line feed in it comes back
			 * as two lines; the engine cannot match such an echo
			 * (and uses PDU mode); feed it as if echo were off.
			 */
			if (strchr(tx, '\n') != NULL)
				continue;
			ntx++;
			at_lexer_set_echo(&lx, tx, strlen(tx));
			feeds(&lx, tx);
			if (tx[strlen(tx) - 1] != '\r')
				feeds(&lx, "\r");
		}
		nprompt = necho = nmr = 0;
		for (k = 0; k < T.n; k++) {
			if (T.type[k] == AT_TOK_PROMPT)
				nprompt++;
			else if (T.type[k] == AT_TOK_ECHO)
				necho++;
			else if (T.type[k] == AT_TOK_LINE &&
			    strncmp(T.data[k], "+CMGS:", 6) == 0) {
				assert_int_equal(at_parse_cmgs(T.data[k],
				    T.len[k], &mr, NULL), 0);
				if (json_object_object_get_ex(c, "pdus",
				    &pdus))
					assert_int_equal(mr, json_object_get_int(
					    get(json_object_array_get_idx(pdus,
					    (size_t)nmr), "mr_reference")));
				else {
					ex = get(c, "expect");
					assert_int_equal(mr, json_object_get_int(
					    get(ex, "reference")));
				}
				nmr++;
			} else
				assert_true(is_final(k));
		}
		assert_int_equal(nprompt, ncmgs);
		assert_int_equal(nmr, ncmgs);
		assert_int_equal(necho, ntx);
		toks_clear(&T);
	}
	json_object_put(root);
}

static void
test_pygsm_list(void **state)
{
	struct json_object	*root = load("at_pygsmmodem_scenarios.json");
	struct json_object	*sl = get(root, "stored_sms_list");
	struct json_object	*pdu = get(sl, "pdu_mode");
	struct json_object	*txt = get(sl, "text_mode");
	struct json_object	*exp = get(sl, "expected_messages_in_order");
	struct json_object	*rx, *all;
	struct at_lexer		 lx;
	struct at_sms_hdr	 h;
	char			 body[1024];
	int			 k, n, pass, hdr;

	(void)state;
	all = get(pdu, "AT+CMGL=4\r");
	for (pass = 0; pass < 2; pass++) {
		at_lexer_init(&lx);
		at_lexer_set_echo(&lx, "AT+CMGL=4", 9);
		feeds(&lx, "AT+CMGL=4\r");
		for (k = 0; k < (int)json_object_array_length(all); k++) {
			feeds(&lx, json_object_get_string(
			    json_object_array_get_idx(all, (size_t)k)));
			/* python-gsmmodem: garbage after the 1st header */
			if (pass == 1 && k == 0)
				feeds(&lx, "AFSDLF SDKFJSKDLFJLKSDJF SJDLKFSKLDJFKSDFS\r\n");
		}
		n = 0;
		for (k = 0; k < T.n; k++) {
			const char *want;

			if (T.type[k] != AT_TOK_PDU)
				continue;
			want = json_object_get_string(
			    json_object_array_get_idx(all, (size_t)(2 * n + 1)));
			assert_int_equal(T.len[k], strcspn(want, "\r\n"));
			assert_memory_equal(T.data[k], want, T.len[k]);
			n++;
		}
		assert_int_equal(n, 3);
		assert_true(is_final(T.n - 1));
		toks_clear(&T);
	}
	/* +CMGL headers in PDU mode, each filter */
	at_lexer_init(&lx);
	exchange(&lx, "AT+CMGL=1\r", get(pdu, "AT+CMGL=1\r"));
	for (k = 0, n = 0; k < T.n; k++) {
		if (T.type[k] == AT_TOK_LINE && !is_final(k)) {
			assert_int_equal(at_parse_sms_hdr(T.data[k], T.len[k],
			    0, &h, NULL), 0);
			assert_int_equal(h.stat, AT_SMS_REC_READ);
			assert_int_equal(h.index, n + 1);
			assert_int_equal(T.type[k + 1], AT_TOK_PDU);
			assert_int_equal(strlen(T.data[k + 1]) / 2 -
			    1 - 7, h.length);	/* SMSC is 7 octets here */
			n++;
		}
	}
	assert_int_equal(n, 2);
	toks_clear(&T);

	/* text mode list */
	at_lexer_init(&lx);
	at_lexer_set_text_mode(&lx, 1);
	rx = get(txt, "AT+CMGL=\"ALL\"\r");
	exchange(&lx, "AT+CMGL=\"ALL\"\r", rx);
	for (n = 0, hdr = 0; (hdr = find_line("+CMGL:", hdr)) >= 0; hdr++) {
		struct json_object *e = json_object_array_get_idx(exp,
		    (size_t)n);

		assert_int_equal(at_parse_sms_hdr(T.data[hdr], T.len[hdr], 1,
		    &h, NULL), 0);
		assert_int_equal(h.index, n);
		assert_string_equal(h.addr, gets(e, "number"));
		assert_int_equal(h.stat, at_sms_stat_from_text(gets(e,
		    "status"), strlen(gets(e, "status"))));
		check_scts(h.scts, gets(e, "time"));
		assert_int_equal(text_body(hdr, body, sizeof body), 0);
		assert_string_equal(body, gets(e, "text"));
		n++;
	}
	assert_int_equal(n, 3);
	toks_clear(&T);
	json_object_put(root);
}

static void
test_pygsm_reports(void **state)
{
	struct json_object	*root = load("at_pygsmmodem_scenarios.json");
	struct json_object	*list = get(root, "status_reports");
	struct at_lexer		 lx;
	struct at_sms_hdr	 h;
	struct at_msgind	 m;
	size_t			 i;
	int			 text, hdr;

	(void)state;
	for (i = 0; i < json_object_array_length(list); i++) {
		struct json_object *c = json_object_array_get_idx(list, i);
		struct json_object *ex = get(c, "expect");
		const char *urc = gets(c, "urc");

		assert_int_equal(at_urc_classify(urc, strlen(urc) - 2, NULL),
		    AT_URC_CDSI);
		assert_int_equal(at_parse_msgind(urc, strlen(urc) - 2, &m,
		    NULL), 0);
		text = strcmp(gets(c, "mode"), "text") == 0;
		at_lexer_init(&lx);
		at_lexer_set_text_mode(&lx, text);
		exchange(&lx, NULL, get(c, "rx"));
		hdr = find_line("+CMGR:", 0);
		assert_int_equal(hdr, 0);
		assert_int_equal(at_parse_sms_hdr(T.data[0], T.len[0], text,
		    &h, NULL), 0);
		if (text) {
			assert_true(h.is_report);
			assert_int_equal(h.mr, json_object_get_int(get(ex,
			    "reference")));
			assert_string_equal(h.addr, gets(ex, "number"));
			assert_int_equal(h.st, 0);	/* DELIVERED */
			assert_int_equal(T.n, 2);
		} else {
			assert_int_equal(T.type[1], AT_TOK_PDU);
			assert_true(h.length > 0);
			assert_int_equal(T.n, 3);
		}
		assert_true(is_final(T.n - 1));
		toks_clear(&T);
	}
	json_object_put(root);
}

static void
test_pygsm_ussd(void **state)
{
	struct json_object	*root = load("at_pygsmmodem_scenarios.json");
	struct json_object	*list = get(root, "ussd");
	struct json_object	*seqs, *ex, *errs;
	struct at_lexer		 lx;
	struct at_cusd		 u, last;
	struct at_result	 r;
	size_t			 i, s, nseq;
	int			 k, ncusd;

	(void)state;
	for (i = 0; i < json_object_array_length(list); i++) {
		struct json_object *c = json_object_array_get_idx(list, i);

		if (json_object_object_get_ex(c, "rx_variants_expect_error",
		    &errs)) {
			json_object_object_foreach(errs, line, kind) {
				assert_int_equal(at_result_classify(line,
				    strlen(line) - 2, 0, &r), 1);
				if (strcmp(json_object_get_string(kind),
				    "CmeError") == 0) {
					assert_int_equal(r.kind,
					    AT_RESULT_CME_ERROR);
					assert_int_equal(r.code, 30);
				} else if (strcmp(json_object_get_string(kind),
				    "CmsError") == 0) {
					assert_int_equal(r.kind,
					    AT_RESULT_CMS_ERROR);
					assert_int_equal(r.code, 500);
				} else
					assert_int_equal(r.kind,
					    AT_RESULT_ERROR);
			}
			continue;
		}
		ex = get(c, "expect");
		if (json_object_object_get_ex(c, "rx_sequences_tested", &seqs))
			nseq = json_object_array_length(seqs);
		else {
			seqs = NULL;
			nseq = 1;
		}
		for (s = 0; s < nseq; s++) {
			at_lexer_init(&lx);
			if (seqs != NULL)
				exchange(&lx, gets(c, "tx"),
				    json_object_array_get_idx(seqs, s));
			else
				exchange(&lx, NULL, get(c, "rx"));
			ncusd = 0;
			for (k = 0; k < T.n; k++) {
				if (T.type[k] != AT_TOK_LINE ||
				    at_urc_classify(T.data[k], T.len[k], NULL)
				    != AT_URC_CUSD)
					continue;
				assert_int_equal(at_parse_cusd(T.data[k],
				    T.len[k], &u, NULL), 0);
				assert_int_equal(u.dcs, 15);
				last = u;
				ncusd++;
			}
			assert_true(ncusd >= 1);
			assert_string_equal(last.str, gets(ex, "message"));
			if (json_object_object_get_ex(ex, "sessionActive",
			    NULL))
				assert_int_equal(last.m == 1,
				    json_object_get_boolean(get(ex,
				    "sessionActive")));
			toks_clear(&T);
		}
	}
	json_object_put(root);
}

static void
test_pygsm_misc(void **state)
{
	struct json_object	*root = load("at_pygsmmodem_scenarios.json");
	struct json_object	*misc = get(root, "misc_responses");
	struct json_object	*list, *e, *ex;
	struct at_lexer		 lx;
	struct at_csq		 q;
	struct at_cops		 o;
	struct at_result	 r;
	struct at_csca		 sc;
	struct at_reg		 reg;
	struct at_clip		 cl;
	const char		*rx;
	size_t			 i, j;
	int			 dbm, k, n;

	(void)state;
	list = get(misc, "CSQ");
	for (i = 0; i < json_object_array_length(list); i++) {
		e = json_object_array_get_idx(list, i);
		rx = gets(e, "rx");
		if (!json_object_object_get_ex(e, "expect_rssi", &ex)) {
			assert_int_equal(at_parse_csq(rx, strlen(rx), &q, NULL),
			    -1);
			continue;
		}
		assert_int_equal(at_parse_csq(rx, strlen(rx), &q, NULL), 0);
		if (json_object_get_int(ex) < 0)
			assert_int_equal(at_csq_rssi_dbm(q.rssi, &dbm), -1);
		else
			assert_int_equal(q.rssi, json_object_get_int(ex));
	}
	list = get(misc, "COPS?_networkName");
	for (i = 0; i < json_object_array_length(list); i++) {
		e = json_object_array_get_idx(list, i);
		rx = gets(e, "rx");
		ex = get(e, "expect");
		if (ex == NULL)
			assert_int_equal(at_parse_cops(rx, strlen(rx), &o,
			    NULL), -1);
		else {
			assert_int_equal(at_parse_cops(rx, strlen(rx), &o,
			    NULL), 0);
			assert_string_equal(o.oper, json_object_get_string(ex));
		}
	}
	/* +CLAC answers: framing ("Q\r\r\n") and finals */
	list = get(misc, "CLAC");
	for (i = 0; i < json_object_array_length(list); i++) {
		struct json_object *lines = get(json_object_array_get_idx(list,
		    i), "rx");

		at_lexer_init(&lx);
		exchange(&lx, "AT+CLAC\r", lines);
		n = (int)json_object_array_length(lines);
		assert_int_equal(T.n, n + 1);
		for (k = 1; k < n; k++) {
			char want[128];

			snprintf(want, sizeof want, "%s",
			    json_object_get_string(json_object_array_get_idx(
			    lines, (size_t)(k - 1))));
			want[strcspn(want, "\r\n")] = '\0';
			assert_int_equal(T.type[k], AT_TOK_LINE);
			assert_string_equal(T.data[k], want);
			assert_false(is_final(k));
		}
		assert_true(is_final(T.n - 1));
		toks_clear(&T);
	}
	list = get(misc, "errors");
	for (i = 0; i < json_object_array_length(list); i++) {
		e = json_object_array_get_idx(list, i);
		rx = gets(e, "rx");
		ex = get(e, "expect");
		assert_int_equal(at_result_classify(rx, strlen(rx) - 2, 0, &r),
		    1);
		if (json_object_get_type(get(ex, "code")) == json_type_null) {
			assert_int_equal(r.kind, AT_RESULT_ERROR);
			continue;
		}
		assert_int_equal(r.code, json_object_get_int(get(ex, "code")));
		assert_int_equal(r.kind, strcmp(gets(ex, "type"), "CME") == 0 ?
		    AT_RESULT_CME_ERROR : AT_RESULT_CMS_ERROR);
	}
	list = get(misc, "CSCA?");
	for (i = 0; i < json_object_array_length(list); i++) {
		e = json_object_array_get_idx(list, i);
		at_lexer_init(&lx);
		exchange(&lx, "AT+CSCA?\r", get(e, "rx"));
		k = find_line("+CSCA:", 0);
		ex = get(e, "expect");
		if (ex == NULL)
			assert_int_equal(k, -1);
		else {
			assert_int_equal(at_parse_csca(T.data[k], T.len[k],
			    &sc, NULL), 0);
			assert_string_equal(sc.number,
			    json_object_get_string(ex));
			assert_int_equal(sc.type, 145);
		}
		assert_true(is_final(T.n - 1));
		toks_clear(&T);
	}
	/* +CREG? polling: stat 1/5 registered, 2 searching, 3/0 fail */
	ex = get(get(misc, "CREG?_waitForNetworkCoverage"),
	    "registered_sequences");
	for (i = 0; i < json_object_array_length(ex); i++) {
		list = json_object_array_get_idx(ex, i);
		for (j = 0; j + 1 < json_object_array_length(list); j++) {
			rx = json_object_get_string(json_object_array_get_idx(
			    list, j));
			assert_int_equal(at_parse_reg(rx, strlen(rx),
			    AT_REG_ANY, &reg, NULL), 0);
			assert_true(reg.solicited);
			assert_int_equal(reg.stat == AT_REG_HOME ||
			    reg.stat == AT_REG_ROAMING,
			    j + 2 == json_object_array_length(list));
		}
	}
	list = get(get(misc, "CREG?_waitForNetworkCoverage"),
	    "raise_InvalidState");
	for (i = 0; i < json_object_array_length(list); i++) {
		rx = json_object_get_string(json_object_array_get_idx(list, i));
		assert_int_equal(at_parse_reg(rx, strlen(rx), AT_REG_ANY, &reg,
		    NULL), 0);
		assert_true(reg.stat == AT_REG_DENIED ||
		    reg.stat == AT_REG_NOT_SEARCHING);
	}
	/* incoming calls */
	list = get(root, "incoming_call");
	for (i = 0; i < json_object_array_length(list); i++) {
		e = json_object_array_get_idx(list, i);
		at_lexer_init(&lx);
		exchange(&lx, NULL, get(e, "rx"));
		assert_int_equal(T.n, 2);
		assert_int_equal(at_urc_classify(T.data[0], T.len[0], NULL),
		    i == 0 ? AT_URC_CRING : AT_URC_RING);
		assert_int_equal(at_urc_classify(T.data[1], T.len[1], NULL),
		    AT_URC_CLIP);
		assert_int_equal(at_parse_clip(T.data[1], T.len[1], &cl, NULL),
		    0);
		assert_string_equal(cl.number, gets(get(e, "expect"),
		    "number"));
		assert_int_equal(cl.type, 145);
		toks_clear(&T);
	}
	json_object_put(root);
}

static int
ends_final(struct json_object *rx)
{
	size_t			 n = json_object_array_length(rx);
	const char		*s;
	struct at_result	 r;

	if (n == 0)
		return 0;
	s = json_object_get_string(json_object_array_get_idx(rx, n - 1));
	return at_result_classify(s, strcspn(s, "\r\n"), 0, &r);
}

static void
test_fakemodems(void **state)
{
	struct json_object	*root = load("at_fakemodems.json");
	struct json_object	*modems = get(root, "modems");
	struct at_lexer		 lx;
	struct at_cpms_test	 ct;
	struct at_cpms		 cp;
	struct at_clip		 cl;
	struct at_result	 r;
	enum at_cpin		 pin;
	char			 id[AT_IDENT_LEN_MAX], info[AT_INFO_MAX];
	size_t			 i;
	int			 k, nlines;

	(void)state;
	for (i = 0; i < json_object_array_length(modems); i++) {
		struct json_object *m = json_object_array_get_idx(modems, i);
		struct json_object *dial = get(m, "dial");
		struct json_object *inc = get(m, "incoming_call_notification");
		const char *err;

		json_object_object_foreach(get(m, "responses"), cmd, rx) {
			at_lexer_init(&lx);
			exchange(&lx, cmd, rx);
			nlines = (int)json_object_array_length(rx);
			assert_int_equal(T.n, nlines + 1);
			assert_int_equal(T.type[0], AT_TOK_ECHO);
			for (k = 1; k < T.n; k++)
				assert_int_equal(T.type[k], AT_TOK_LINE);
			if (ends_final(rx))
				assert_true(is_final(T.n - 1));
			for (k = 1; k < T.n - 1; k++)
				assert_false(is_final(k));
			if (strcmp(cmd, "AT+CPMS=?\r") == 0) {
				assert_int_equal(at_parse_cpms_test(T.data[1],
				    T.len[1], &ct, NULL), 0);
				if (ct.nslot > 0 && ct.mask[0] != 0)
					assert_true(ct.mask[0] &
					    (1u << AT_MEM_SM));
			} else if (strncmp(cmd, "AT+CPMS=\"SM\",\"SM\"\r", 17)
			    == 0 && !is_final(1)) {
				assert_int_equal(at_parse_cpms(T.data[1],
				    T.len[1], &cp, NULL), 0);
				assert_int_equal(cp.nmem, 2);
				assert_int_equal(cp.mem[0].used, 14);
				assert_int_equal(cp.mem[0].total, 50);
			} else if (strcmp(cmd, "AT+CPMS?\r") == 0) {
				/* Nokia: no SMS storage at all */
				assert_int_equal(at_parse_cpms(T.data[1],
				    T.len[1], &cp, NULL), -1);
			} else if (strcmp(cmd, "AT+CPIN?\r") == 0) {
				assert_int_equal(at_parse_cpin(T.data[1],
				    T.len[1], &pin, NULL), 0);
				assert_int_equal(pin, AT_CPIN_READY);
			} else if (strcmp(cmd, "AT+CGSN\r") == 0) {
				assert_int_equal(at_parse_ident(T.data[1],
				    T.len[1], AT_IDENT_IMEI, id, sizeof id,
				    NULL), 0);
				assert_string_equal(id, "111111111111111");
			} else if (strcmp(cmd, "AT+CIMI\r") == 0) {
				assert_int_equal(at_parse_ident(T.data[1],
				    T.len[1], AT_IDENT_IMSI, id, sizeof id,
				    NULL), 0);
			} else if (strcmp(cmd, "AT+CGMI\r") == 0 ||
			    strcmp(cmd, "AT+CGMM\r") == 0 ||
			    (strcmp(cmd, "AT+CGMR\r") == 0 && !is_final(1))) {
				assert_int_equal(at_parse_info(T.data[1],
				    T.len[1], info, sizeof info, NULL), 0);
				assert_true(info[0] != ' ');
			}
			toks_clear(&T);
		}
		/* PIN-locked answers */
		err = json_object_get_string(json_object_array_get_idx(get(m,
		    "pinRequiredErrorResponse"), 0));
		assert_int_equal(at_result_classify(err, strcspn(err, "\r"), 0,
		    &r), 1);
		assert_int_equal(r.code, AT_CME_SIM_PIN_REQUIRED);
		err = json_object_get_string(json_object_array_get_idx(get(m,
		    "pin_locked_CPIN_query_response"), 0));
		assert_int_equal(at_parse_cpin(err, strcspn(err, "\r"), &pin,
		    NULL), 0);
		assert_int_equal(pin, AT_CPIN_SIM_PIN);
		/* incoming call: +CRING then +CLIP, both URCs */
		at_lexer_init(&lx);
		exchange(&lx, NULL, inc);
		assert_int_equal(T.n, 2);
		assert_int_equal(at_urc_classify(T.data[0], T.len[0], NULL),
		    AT_URC_CRING);
		assert_int_equal(at_parse_clip(T.data[1], T.len[1], &cl, NULL),
		    0);
		assert_string_equal(cl.number, gets(get(m,
		    "incoming_call_expect"), "number"));
		toks_clear(&T);
		/* call progress: every line is a URC or a final result */
		at_lexer_init(&lx);
		exchange(&lx, NULL, get(dial, "call_init_notification"));
		exchange(&lx, NULL, get(dial, "remote_answered_notification"));
		exchange(&lx, NULL, get(dial, "remote_hangup_notification"));
		for (k = 0; k < T.n; k++)
			assert_true(is_final(k) || at_urc_classify(T.data[k],
			    T.len[k], NULL) != AT_URC_NONE);
		toks_clear(&T);
	}
	json_object_put(root);
}

/* gammu dumps: "\n"-separated lines, first line the command echo. */
static void
gammu_feed(struct at_lexer *lx, const char *dump)
{
	size_t	n = strcspn(dump, "\n");

	if (strncmp(dump, "AT", 2) == 0)
		at_lexer_set_echo(lx, dump, n);
	feeds(lx, dump);
}

static void
test_gammu(void **state)
{
	struct json_object	*root = load("at_gammu.json");
	struct json_object	*list, *c, *ex;
	struct at_lexer		 lx;
	struct at_reg		 reg;
	struct at_cpms_test	 ct;
	struct at_cusd		 u;
	struct at_cnmi_test	 cn;
	struct at_csca		 sc;
	struct at_sms_hdr	 h;
	const char		*file, *mem;
	unsigned int		 mask;
	size_t			 i;
	int			 k, ok;

	(void)state;
	list = get(root, "at_creg");
	for (i = 0; i < json_object_array_length(list); i++) {
		c = json_object_array_get_idx(list, i);
		file = gets(c, "file");
		ex = get(c, "expect");
		at_lexer_init(&lx);
		gammu_feed(&lx, gets(c, "transcript"));
		assert_int_equal(T.type[0], AT_TOK_ECHO);
		assert_true(is_final(T.n - 1));
		k = find_line("+CREG:", 0);
		ok = !json_object_object_get_ex(ex, "gammu_error_code", NULL) ||
		    json_object_get_int(get(ex, "gammu_error_code")) == 1;
		if (k < 0) {
			assert_true(strstr(file, "empty") != NULL);
			toks_clear(&T);
			continue;
		}
		assert_int_equal(at_urc_classify(T.data[k], T.len[k],
		    "+CREG:"), AT_URC_NONE);
		assert_int_equal(at_parse_reg(T.data[k], T.len[k],
		    AT_REG_SOLICITED, &reg, NULL), ok ? 0 : -1);
		if (strstr(file, "/huawei.dump")) {
			assert_int_equal(reg.lac, 0x4CA);
			assert_true(reg.ci == 0x81DE445);
		} else if (strstr(file, "sierra312u")) {
			assert_int_equal(reg.stat, AT_REG_ROAMING);
			assert_int_equal(reg.act, 2);
			assert_true(reg.ci == 0x0B88E350);
		} else if (strstr(file, "empty-lac")) {
			assert_false(reg.has_lac);
			assert_true(reg.ci == 0x605F);
		} else if (strstr(file, "single-quote")) {
			assert_int_equal(reg.lac, 0x5E25);
			assert_false(reg.has_ci);
		} else if (strstr(file, "none.dump")) {
			assert_int_equal(reg.stat, AT_REG_NOT_SEARCHING);
		}
		toks_clear(&T);
	}

	list = get(root, "at_cpms");
	for (i = 0; i < json_object_array_length(list); i++) {
		c = json_object_array_get_idx(list, i);
		mem = gets(get(c, "expect"), "memories");
		at_lexer_init(&lx);
		gammu_feed(&lx, gets(c, "transcript"));
		k = find_line("+CPMS:", 0);
		assert_true(k > 0);
		assert_int_equal(at_parse_cpms_test(T.data[k], T.len[k], &ct,
		    NULL), 0);
		/* an empty answer: assume SM and ME, as gammu does */
		mask = ct.nslot == 0 ? (1u << AT_MEM_SM | 1u << AT_MEM_ME) :
		    ct.mask[0];
		assert_int_equal(!!(mask & (1u << AT_MEM_ME)),
		    strstr(mem, "read: ME : ok") != NULL);
		assert_int_equal(!!(mask & (1u << AT_MEM_SM)),
		    strstr(mem, "read: ME : ok, SM : ok") != NULL ||
		    strstr(mem, "read: ME : N/A, SM : ok") != NULL);
		assert_int_equal(!!(mask & (1u << AT_MEM_SR)),
		    strstr(mem, "SR : ok save") != NULL);
		toks_clear(&T);
	}

	list = get(root, "at_ussd");
	for (i = 0; i < json_object_array_length(list); i++) {
		c = json_object_array_get_idx(list, i);
		at_lexer_init(&lx);
		gammu_feed(&lx, gets(c, "transcript"));
		assert_int_equal(at_urc_classify(T.data[0], T.len[0], NULL),
		    AT_URC_CUSD);
		assert_int_equal(at_parse_cusd(T.data[0], T.len[0], &u, NULL),
		    0);
		assert_true(u.has_str);
		assert_true(strlen(u.str) > 20);
		toks_clear(&T);
	}

	list = get(root, "at_cnmi");
	for (i = 0; i < json_object_array_length(list); i++) {
		c = json_object_array_get_idx(list, i);
		at_lexer_init(&lx);
		gammu_feed(&lx, gets(c, "transcript"));
		assert_int_equal(at_parse_cnmi_test(T.data[1], T.len[1], &cn,
		    NULL), 0);
		assert_int_equal(cn.n, 5);
		if (i == 0) {
			assert_int_equal(cn.mask[0], 1 << 2);
			assert_int_equal(cn.mask[1], 0xb);
			assert_int_equal(cn.mask[2], 0x5);
		}
		/* every modem here supports <mt>=1 (+CMTI) */
		assert_true(cn.mask[1] & 2);
		toks_clear(&T);
	}

	list = get(root, "at_smsc");
	for (i = 0; i < json_object_array_length(list); i++) {
		static const char *want[] = { "+97254120032", "+79168999100",
		    "6281100000", "+447802092035" };

		c = json_object_array_get_idx(list, i);
		at_lexer_init(&lx);
		gammu_feed(&lx, gets(c, "transcript"));
		assert_int_equal(at_parse_csca(T.data[1], T.len[1], &sc, NULL),
		    0);
		assert_string_equal(sc.number, want[i]);
		assert_int_equal(sc.type, 145);
		toks_clear(&T);
	}

	list = get(root, "at_sms_pdu_read");
	for (i = 0; i < json_object_array_length(list); i++) {
		c = json_object_array_get_idx(list, i);
		at_lexer_init(&lx);
		gammu_feed(&lx, gets(c, "transcript"));
		assert_int_equal(T.n, 4);
		assert_int_equal(T.type[0], AT_TOK_ECHO);
		assert_int_equal(at_parse_sms_hdr(T.data[1], T.len[1], 0, &h,
		    NULL), 0);
		assert_true(h.length > 0);
		assert_int_equal(T.type[2], AT_TOK_PDU);
		assert_int_equal(strspn(T.data[2], "0123456789ABCDEFabcdef"),
		    T.len[2]);
		assert_true(is_final(3));
		toks_clear(&T);
	}
	/* garbled PDUs: framing holds; non-hex junk is never a PDU */
	list = get(root, "at_sms_pdu_read_must_fail");
	for (i = 0; i < json_object_array_length(list); i++) {
		const char *tr;

		c = json_object_array_get_idx(list, i);
		tr = gets(c, "transcript");
		at_lexer_init(&lx);
		gammu_feed(&lx, tr);
		assert_int_equal(T.n, 4);
		assert_int_equal(at_parse_sms_hdr(T.data[1], T.len[1], 0, &h,
		    NULL), 0);
		assert_int_equal(T.type[2], strspn(T.data[2],
		    "0123456789ABCDEFabcdef") == T.len[2] ? AT_TOK_PDU :
		    AT_TOK_LINE);
		assert_true(is_final(3));
		toks_clear(&T);
	}

	list = get(root, "at_sms_text_read");
	for (i = 0; i < json_object_array_length(list); i++) {
		char body[2048];

		c = json_object_array_get_idx(list, i);
		at_lexer_init(&lx);
		at_lexer_set_text_mode(&lx, 1);
		gammu_feed(&lx, gets(c, "transcript"));
		assert_int_equal(T.type[0], AT_TOK_ECHO);
		assert_int_equal(at_parse_sms_hdr(T.data[1], T.len[1], 1, &h,
		    NULL), 0);
		assert_false(h.is_report);
		assert_true(h.addr[0] == '+' || (h.addr[0] >= '0' &&
		    h.addr[0] <= '9'));
		assert_int_equal(text_body(1, body, sizeof body), 0);
		assert_true(strlen(body) > 5);
		if (strstr(gets(c, "file"), "motorola-l7")) {
			assert_string_equal(h.scts, "2009/8/18,19:11:45");
			assert_string_equal(h.alpha, "");
		}
		if (strstr(gets(c, "file"), "timezone"))
			assert_string_equal(body, "Test message 2");
		assert_true(is_final(T.n - 1));
		toks_clear(&T);
	}
	json_object_put(root);
}

static int
setup(void **state)
{
	(void)state;
	toks_clear(&T);
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_pygsm_receive, setup),
		cmocka_unit_test_setup(test_pygsm_send, setup),
		cmocka_unit_test_setup(test_pygsm_list, setup),
		cmocka_unit_test_setup(test_pygsm_reports, setup),
		cmocka_unit_test_setup(test_pygsm_ussd, setup),
		cmocka_unit_test_setup(test_pygsm_misc, setup),
		cmocka_unit_test_setup(test_fakemodems, setup),
		cmocka_unit_test_setup(test_gammu, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
