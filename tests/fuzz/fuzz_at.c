/*
 * fuzz_at.c: libFuzzer harness for the AT layer.  The input is fed to the
 * lexer whole, then again cut into chunks whose sizes come from the input
 * itself; both runs must give the same tokens (else abort).  A third run
 * drives the lexer as the modem module does between chunks (a PDU
 * awaited, the echo cleared, the port reopened).  Every token, and the
 * raw input, goes through the classifiers and all parsers, and what is
 * classified has a name for the log.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "at_lexer.h"
#include "at_parse.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

struct fuzz_sum {
	uint64_t	hash;
	unsigned long	count;
};

static void
fuzz_parsers(const char *s, size_t len)
{
	struct at_result	 res;
	struct at_reg		 reg;
	struct at_csq		 csq;
	struct at_hcsq		 hcsq;
	struct at_cops		 cops;
	struct at_cpms		 cpms;
	struct at_cpms_test	 cpmst;
	struct at_cnmi_test	 cnmi;
	struct at_msgind	 ind;
	struct at_sms_hdr	 hdr;
	struct at_clip		 clip;
	static struct at_cusd	 cusd;
	struct at_cnum		 cnum;
	struct at_csca		 csca;
	struct at_params	 pp;
	struct at_cesq		 cesq;
	struct at_cgev_ev	 cgev;
	struct at_cgact		 cgact;
	struct at_cgpaddr	 cgpaddr;
	struct at_cgdcont	 cgdcont;
	struct at_cgdcont_test	 cgdcontt;
	struct at_clcc		 clcc;
	struct at_ccwa		 ccwa;
	struct at_nettime	 nt;
	enum at_cpin		 pin;
	char			 id[AT_IDENT_LEN_MAX], info[AT_INFO_MAX];
	int			 i, dbm;
	long			 v;

	enum at_urc_id		 urc;

	memset(&res, 0, sizeof res);
	(void)at_result_classify(s, len, 0, &res);
	(void)at_result_classify(s, len, AT_RESULT_V0, &res);
	/* what the log says of them */
	if (at_result_kind_name(res.kind) == NULL)
		abort();
	(void)at_cme_error_text(res.code);
	(void)at_cms_error_text(res.code);
	(void)at_urc_classify(s, len, NULL);
	urc = at_urc_classify(s, len, "+CREG:");
	if (at_urc_name(urc) == NULL)
		abort();
	(void)at_urc_flags(urc);
	(void)at_parse_reg_shape(s, len);
	(void)at_parse_reg(s, len, AT_REG_ANY, &reg, NULL);
	(void)at_parse_reg(s, len, AT_REG_SOLICITED, &reg, NULL);
	(void)at_parse_reg(s, len, AT_REG_UNSOLICITED, &reg, NULL);
	if (at_parse_csq(s, len, &csq, NULL) == 0)
		(void)at_csq_rssi_dbm(csq.rssi, &dbm);
	(void)at_parse_hw_rssi(s, len, &i, NULL);
	(void)at_parse_hcsq(s, len, &hcsq, NULL);
	(void)at_parse_cops(s, len, &cops, NULL);
	(void)at_parse_cpms(s, len, &cpms, NULL);
	(void)at_parse_cpms_test(s, len, &cpmst, NULL);
	(void)at_parse_cnmi_test(s, len, &cnmi, NULL);
	(void)at_parse_msgind(s, len, &ind, NULL);
	(void)at_parse_cmgs(s, len, &i, NULL);
	(void)at_parse_cmgw(s, len, &i, NULL);
	(void)at_parse_sms_hdr(s, len, 0, &hdr, NULL);
	(void)at_parse_sms_hdr(s, len, 1, &hdr, NULL);
	(void)at_parse_clip(s, len, &clip, NULL);
	(void)at_parse_cusd(s, len, &cusd, NULL);
	if (at_parse_cpin(s, len, &pin, NULL) == 0 && at_cpin_name(pin) == NULL)
		abort();
	(void)at_parse_cnum(s, len, &cnum, NULL);
	(void)at_parse_csca(s, len, &csca, NULL);
	for (i = 0; i < AT_IDENT_MAX; i++)
		(void)at_parse_ident(s, len, (enum at_ident)i, id, sizeof id,
		    NULL);
	(void)at_parse_info(s, len, info, sizeof info, NULL);
	(void)at_parse_int_line(s, len, "+CFUN:", 0, 127, &v, NULL);
	(void)at_parse_cfun(s, len, &i, NULL);
	if (at_parse_crsm_iccid(s, len, id, sizeof id, NULL) == 0 &&
	    (strlen(id) < 18 || id[0] != '8' || id[1] != '9'))
		abort();
	if (at_parse_cesq(s, len, &cesq, NULL) == 0) {
		(void)at_cesq_rsrp_dbm(cesq.rsrp, &dbm);
		(void)at_cesq_rsrq_db10(cesq.rsrq, &dbm);
	}
	(void)at_csq_quality(len > 0 ? (unsigned char)s[0] : 99);
	(void)at_parse_cgev(s, len, &cgev, NULL);
	(void)at_parse_cgact(s, len, &cgact, NULL);
	if (at_parse_cgpaddr(s, len, &cgpaddr, NULL) == 0 &&
	    (strlen(cgpaddr.addr) >= AT_ADDR_MAX ||
	    strlen(cgpaddr.addr2) >= AT_ADDR_MAX))
		abort();
	(void)at_parse_cgdcont(s, len, &cgdcont, NULL);
	(void)at_parse_cgdcont_test(s, len, &cgdcontt, NULL);
	(void)at_parse_clcc(s, len, &clcc, NULL);
	(void)at_parse_ccwa(s, len, &ccwa, NULL);
	if (at_parse_cclk(s, len, &nt, NULL) == 0)
		(void)at_nettime_epoch(&nt);
	(void)at_parse_ctzv(s, len, &nt, NULL);
	if (at_parse_ctze(s, len, &nt, NULL) == 0)
		(void)at_nettime_epoch(&nt);
	if (at_parse_sms_hdr(s, len, 0, &hdr, NULL) == 0 && hdr.pdu_len > 0 &&
	    hdr.pdu_off + hdr.pdu_len > len)
		abort();
	if (at_params_split(s, len, AT_PARAMS_OPEN_QUOTE, &pp, NULL) == 0) {
		unsigned long		m;
		unsigned long long	h;

		for (i = 0; i < (int)pp.n; i++) {
			(void)at_param_int(&pp.v[i], -1000, 1000, &v);
			(void)at_param_hex(&pp.v[i], 16, &h);
			(void)at_param_range_mask(&pp.v[i], &m);
			(void)at_param_str(&pp.v[i], info, sizeof info);
		}
	}
}

static void
fuzz_emit(const struct at_token *t, void *arg)
{
	struct fuzz_sum	*sum = arg;
	size_t		 i;
	char		 esc[256];

	if (t->data[t->len] != '\0' || t->len > AT_LINE_MAX)
		abort();
	sum->hash = (sum->hash ^ (uint64_t)t->type) * 1099511628211ULL;
	sum->hash = (sum->hash ^ t->flags) * 1099511628211ULL;
	for (i = 0; i < t->len; i++)
		sum->hash = (sum->hash ^ (uint8_t)t->data[i]) *
		    1099511628211ULL;
	sum->count++;
	if (at_token_type_name(t->type) == NULL)
		abort();
	(void)at_lexer_escape(t->data, t->len, esc, sizeof esc);
	if (t->type == AT_TOK_LINE)
		fuzz_parsers(t->data, t->len);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct at_lexer	lx;
	struct fuzz_sum		whole, split;
	size_t			off, n, k = 0;
	int			text = size > 0 && (data[0] & 1);

	memset(&whole, 0, sizeof whole);
	memset(&split, 0, sizeof split);

	at_lexer_init(&lx);
	at_lexer_set_text_mode(&lx, text);
	at_lexer_set_echo(&lx, "AT+CMGL=4", 9);
	at_lexer_feed(&lx, data, size, fuzz_emit, &whole);

	at_lexer_init(&lx);
	at_lexer_set_text_mode(&lx, text);
	at_lexer_set_echo(&lx, "AT+CMGL=4", 9);
	for (off = 0; off < size; off += n) {
		n = 1 + data[k++ % size] % 17;
		if (n > size - off)
			n = size - off;
		at_lexer_feed(&lx, data + off, n, fuzz_emit, &split);
	}
	if (whole.hash != split.hash || whole.count != split.count)
		abort();
	if (at_lexer_state_name(lx.state) == NULL)
		abort();

	/* as the modem module drives it: a PDU awaited after some bytes,
	 * the echo cleared after others, the port reopened after a third */
	at_lexer_init(&lx);
	at_lexer_set_text_mode(&lx, text);
	at_lexer_set_echo(&lx, "AT+CMGR=1", 9);
	for (off = 0, k = 0; off < size; off += n) {
		n = 1 + data[k++ % size] % 29;
		if (n > size - off)
			n = size - off;
		switch (data[off] % 8) {
		case 0:
			at_lexer_expect_pdu(&lx);
			break;
		case 1:
			at_lexer_clear_echo(&lx);
			break;
		case 2:
			at_lexer_reset(&lx);
			break;
		}
		at_lexer_feed(&lx, data + off, n, fuzz_emit, &split);
	}

	fuzz_parsers((const char *)data, size);
	return 0;
}
