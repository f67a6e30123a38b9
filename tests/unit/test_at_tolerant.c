/*
 * test_at_tolerant.c: the AT parsers against what real modems send where
 * it strays from 27.007, each line from a named public source
 * (ModemManager src/tests/test-modem-helpers.c, python-gsmmodem
 * test/fakemodems.py via tests/vectors/at_fakemodems.json, modem
 * manuals).  Every line is parsed from a buffer of exactly its length
 * (no NUL after it), so a parser reading past its line is caught by the
 * sanitizers; malformed lines fail and leave the output untouched.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "at_parse.h"
#include "at_exact.h"

struct regcase {
	const char	*src;	/* ModemManager test name */
	const char	*line;
	enum at_reg_hint hint;
	int		 stat;
	unsigned long	 lac;
	unsigned long long ci;
	int		 act;
};

/*
 * ModemManager src/tests/test-modem-helpers.c, "Test CREG/CGREG
 * responses and unsolicited messages": the line, how it arrived, and the
 * state, lac, ci and AcT that suite asserts (AcT -1: not given).
 */
static const struct regcase regcases[] = {
	{ "test_creg1_solicited", "+CREG: 1,3", AT_REG_SOLICITED, 3, 0, 0,
	    -1 },
	{ "test_creg1_unsolicited", "+CREG: 3", AT_REG_UNSOLICITED, 3, 0, 0,
	    -1 },
	{ "test_creg2_mercury_solicited", "+CREG: 0,1,84CD,00D30173",
	    AT_REG_SOLICITED, 1, 0x84cd, 0xd30173, -1 },
	{ "test_creg2_mercury_unsolicited", "+CREG: 1,84CD,00D30156",
	    AT_REG_UNSOLICITED, 1, 0x84cd, 0xd30156, -1 },
	{ "test_creg2_sek850i_unsolicited", "+CREG: 1,\"CE00\",\"00005449\"",
	    AT_REG_UNSOLICITED, 1, 0xce00, 0x5449, -1 },
	{ "test_creg2_e160g_solicited_unregistered", "+CREG: 2,0,00,0",
	    AT_REG_SOLICITED, 0, 0, 0, -1 },
	{ "test_creg2_e160g_unsolicited", "+CREG: 2,8BE3,2BAF",
	    AT_REG_UNSOLICITED, 2, 0x8be3, 0x2baf, -1 },
	{ "test_creg2_xu870_unsolicited_unregistered", "+CREG: 2,,",
	    AT_REG_UNSOLICITED, 2, 0, 0, -1 },
	{ "test_creg2_iridium_solicited", "+CREG:002,001,\"18d8\",\"ffff\"",
	    AT_REG_SOLICITED, 1, 0x18d8, 0xffff, -1 },
	{ "test_creg2_no_leading_zeros_unsolicited", "+CREG: 1,0001,0010,0",
	    AT_REG_UNSOLICITED, 1, 1, 0x10, 0 },
	{ "test_creg2_leading_zeros_unsolicited",
	    "+CREG: 001,\"0001\",\"0010\",000", AT_REG_UNSOLICITED, 1, 1, 0x10,
	    0 },
	{ "test_cgreg2_f3607gw_unsolicited",
	    "+CGREG: 1,\"8BE3\",\"00002B5D\",3", AT_REG_UNSOLICITED, 1, 0x8be3,
	    0x2b5d, 3 },
	{ "test_cgreg2_unsolicited_with_rac",
	    "+CGREG: 1,\"1422\",\"00000142\",3,\"00\"", AT_REG_UNSOLICITED, 1,
	    0x1422, 0x142, 3 },
	/* the solicited shape arriving unsolicited */
	{ "test_creg2_md400_unsolicited",
	    "+CREG: 2,5,\"0502\",\"0404736D\"", AT_REG_UNSOLICITED, 5, 0x502,
	    0x404736d, -1 },
	{ "test_cgreg2_x220_unsolicited", "+CGREG: 2,1, 81ED, 1A9CEB",
	    AT_REG_UNSOLICITED, 1, 0x81ed, 0x1a9ceb, -1 },
	{ "test_cereg2_altair_lte_solicited",
	    "+CEREG: 1, 2, 0001, 00000100, 7", AT_REG_UNSOLICITED, 2, 1, 0x100,
	    7 },
	{ "test_cereg2_unsolicited", "+CEREG: 1, 1F00, 79D903 ,7",
	    AT_REG_UNSOLICITED, 1, 0x1f00, 0x79d903, 7 },
	/* non-numeric trailing fields */
	{ "test_creg2_s8500_wave_unsolicited",
	    "+CREG: 2,1,000B,2816, B, C2816", AT_REG_UNSOLICITED, 1, 0xb,
	    0x2816, -1 },
	/* blanks inside a field */
	{ "test_creg2_gobi_weird_solicited", "+CREG: 2,1,  0 5, 2715",
	    AT_REG_SOLICITED, 1, 0, 0x2715, -1 },
	/* an extra field between the TAC and the cell id */
	{ "test_cereg2_novatel_lte_solicited",
	    "+CEREG: 2,1, 1F00, 20 ,79D903 ,7", AT_REG_SOLICITED, 1, 0x1f00,
	    0x79d903, 7 },
	{ "test_cereg2_novatel_lte_unsolicited",
	    "+CEREG: 1, 1F00, 20 ,79D903 ,7", AT_REG_UNSOLICITED, 1, 0x1f00,
	    0x79d903, 7 },
};

static void
test_registration(void **state)
{
	struct at_reg	r;
	size_t		i;

	(void)state;
	for (i = 0; i < sizeof regcases / sizeof regcases[0]; i++) {
		const struct regcase *c = &regcases[i];

		print_message("%s: %s\n", c->src, c->line);
		assert_int_equal(at_parse_reg(X(c->line), c->hint, &r, NULL),
		    0);
		assert_int_equal(r.stat, c->stat);
		assert_true(r.lac == c->lac);
		assert_true(r.ci == c->ci);
		assert_int_equal(r.act, c->act);
		/* read the same with no hint */
		assert_int_equal(at_parse_reg(X(c->line), AT_REG_ANY, &r,
		    NULL), 0);
		assert_int_equal(r.stat, c->stat);
	}
	/* +CEREG with the RAC quoted, as the +CGREG of some firmwares */
	assert_int_equal(at_parse_reg(X("+CEREG: 2,1,\"1A2B\",\"01\","
	    "\"01A2B3C4\",7"), AT_REG_SOLICITED, &r, NULL), 0);
	assert_true(r.lac == 0x1a2b && r.ci == 0x01a2b3c4 && r.act == 7);
	assert_int_equal(at_parse_reg(X("+CEREG: 1,\"1A2B\",\"01\","
	    "\"01A2B3C4\",7"), AT_REG_UNSOLICITED, &r, NULL), 0);
	assert_true(r.stat == 1 && r.ci == 0x01a2b3c4 && r.act == 7);
	/* the 27.007 mode-4 line keeps its meaning (ci, AcT, extras) */
	assert_int_equal(at_parse_reg(X("+CEREG: 4,1,\"1A2B\",\"01A2B3C4\",7,,,"
	    "\"00000001\",\"00100100\""), AT_REG_SOLICITED, &r, NULL), 0);
	assert_true(r.ci == 0x01a2b3c4 && r.act == 7);
}

static void
test_registration_malformed(void **state)
{
	static const char *const bad[] = {
		"+CREG: ", "+CREG: a", "+CREG: 99", "+CREG: 1,\"XYZ\",\"1\"",
		"+CREG: 2,1,\"00AB\",\"CDEF\",99",	/* AcT out of range */
		"+CREG: 1,\"00AB\",\"CDEF\",\"7\"",	/* quoted AcT */
		"+CREG: 2,1,\"0B,\"0100701\",7",	/* broken quotes */
		"+CEREG: 1,1F00,20",			/* URC: ci is 20? no act */
		"+CREG: 1,\"00AB\",\"123456789AB\"",
		"+CGREG: (1),1",
	};
	struct at_reg	r;
	size_t		i;

	(void)state;
	POISON(r);
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		print_message("%s\n", bad[i]);
		if (i == 7) {
			/* a lac and a ci: a URC, not an error */
			assert_int_equal(at_parse_reg(X(bad[i]),
			    AT_REG_UNSOLICITED, &r, NULL), 0);
			assert_true(r.ci == 0x20);
			POISON(r);
			continue;
		}
		assert_int_equal(at_parse_reg(X(bad[i]), AT_REG_ANY, &r,
		    NULL), -1);
		assert_int_equal(at_parse_reg(X(bad[i]), AT_REG_UNSOLICITED,
		    &r, NULL), -1);
		UNTOUCHED(r);
	}
	/* the line ends where len says, whatever follows in memory */
	assert_int_equal(at_parse_reg("+CREG: 1,\"00AB\",\"CDEF\",7", 13,
	    AT_REG_UNSOLICITED, &r, NULL), -1);
	UNTOUCHED(r);
	assert_int_equal(at_parse_reg("+CREG: 5,9,9", 8, AT_REG_ANY, &r,
	    NULL), 0);
	assert_int_equal(r.stat, 5);
}

static void
test_cpms(void **state)
{
	struct at_cpms_test	t;

	(void)state;
	/* ModemManager test_cpms_response_empty_fields */
	assert_int_equal(at_parse_cpms_test(X("+CPMS: (),,(  )"), &t, NULL), 0);
	assert_int_equal(t.nslot, 3);
	assert_true(t.mask[0] == 0 && t.mask[1] == 0 && t.mask[2] == 0);
	/* ModemManager test_cpms_response_mixed_spaces */
	assert_int_equal(at_parse_cpms_test(X("+CPMS:     (  \"ME\"  ,  \"MT\"  )"
	    "   ,  \"ME\" ,   (  \"SM\"  )"), &t, NULL), 0);
	assert_int_equal(t.mask[0], (1u << AT_MEM_ME) | (1u << AT_MEM_MT));
	assert_int_equal(t.mask[1], 1u << AT_MEM_ME);
	assert_int_equal(t.mask[2], 1u << AT_MEM_SM);
	/* ModemManager test_cpms_response_huawei_mu609 */
	assert_int_equal(at_parse_cpms_test(X("+CPMS: \"ME\",\"MT\",\"SM\""),
	    &t, NULL), 0);
	assert_int_equal(t.mask[2], 1u << AT_MEM_SM);
	/* python-gsmmodem fakemodems.py NokiaN79: "+CPMS: (),(),()" */
	assert_int_equal(at_parse_cpms_test(X("+CPMS: (),(),()"), &t, NULL), 0);
	POISON(t);
	assert_int_equal(at_parse_cpms_test(X("+CPMS: (),,,()"), &t, NULL), -1);
	assert_int_equal(at_parse_cpms_test(X("+CPMS: ((),"), &t, NULL), -1);
	assert_int_equal(at_parse_cpms_test(X("+CPMS: ,\"S M\""), &t, NULL),
	    -1);
	UNTOUCHED(t);
}

static void
test_cmgr_pdu_on_header_line(void **state)
{
	/* python-gsmmodem test_modem.py (tests/vectors/
	 * at_pygsmmodem_scenarios.json, rx_cmgr_variants): its +CMGR header
	 * and PDU, joined by a blank as some modems send them */
	static const char pdu[] = "06917228195339040A9110325476980000313080"
	    "512061800CC8329BFD06DDDF72363904";
	char			 line[256];
	struct at_sms_hdr	 h;

	(void)state;
	snprintf(line, sizeof line, "+CMGR: 0,,29 %s", pdu);
	assert_int_equal(at_parse_sms_hdr(X(line), 0, &h, NULL), 0);
	assert_int_equal(h.stat, 0);
	assert_int_equal(h.length, 29);
	assert_int_equal(h.pdu_len, strlen(pdu));
	assert_memory_equal(line + h.pdu_off, pdu, strlen(pdu));
	snprintf(line, sizeof line, "+CMGL: 3,1,,29  %s", pdu);
	assert_int_equal(at_parse_sms_hdr(X(line), 0, &h, NULL), 0);
	assert_int_equal(h.index, 3);
	assert_memory_equal(line + h.pdu_off, pdu, strlen(pdu));
	/* the usual shape has no PDU on the line */
	assert_int_equal(at_parse_sms_hdr(X("+CMGR: 0,,29"), 0, &h, NULL), 0);
	assert_int_equal(h.pdu_off, 0);
	assert_int_equal(h.pdu_len, 0);
	POISON(h);
	/* odd, not hex, shorter than announced */
	assert_int_equal(at_parse_sms_hdr(X("+CMGR: 0,,24 0791F"), 0, &h,
	    NULL), -1);
	assert_int_equal(at_parse_sms_hdr(X("+CMGR: 0,,2 07Z1"), 0, &h, NULL),
	    -1);
	assert_int_equal(at_parse_sms_hdr(X("+CMGR: 0,,24 0791"), 0, &h,
	    NULL), -1);
	assert_int_equal(at_parse_sms_hdr(X("+CMGR: 0,,x 0791"), 0, &h,
	    NULL), -1);
	UNTOUCHED(h);
}

static void
test_iccid(void **state)
{
	char	id[AT_IDENT_LEN_MAX + 1];

	(void)state;
	/* ModemManager test_iccid_parse_quoted_swap_19_digit */
	assert_int_equal(at_parse_ident(X("\"984402003576012594F9\""),
	    AT_IDENT_ICCID, id, sizeof id, NULL), 0);
	assert_string_equal(id, "8944200053671052499");
	/* ModemManager test_iccid_parse_unquoted_swap_20_digit */
	assert_int_equal(at_parse_ident(X("98231420326409614067"),
	    AT_IDENT_ICCID, id, sizeof id, NULL), 0);
	assert_string_equal(id, "89324102234690160476");
	/* ModemManager test_iccid_parse_unquoted_unswapped_19_digit */
	assert_int_equal(at_parse_ident(X("8944200053671052499F"),
	    AT_IDENT_ICCID, id, sizeof id, NULL), 0);
	assert_string_equal(id, "8944200053671052499");
	/* AT+CRSM=176,12258,0,0,10 (3GPP TS 27.007 8.18, EF_ICCID of
	 * 31.102): SW 144,0 and the BCD digits */
	assert_int_equal(at_parse_crsm_iccid(X("+CRSM: 144,0,"
	    "\"98231420326409614067\""), id, sizeof id, NULL), 0);
	assert_string_equal(id, "89324102234690160476");
	assert_int_equal(at_parse_crsm_iccid(X("+CRSM: 144,0,"
	    "\"984402003576012594F9\""), id, sizeof id, NULL), 0);
	assert_string_equal(id, "8944200053671052499");
	memset(id, 'z', sizeof id);
	/* ModemManager test_iccid_parse_short, _quoted/_unquoted_invalid_mii */
	assert_int_equal(at_parse_ident(X("982314203264096"), AT_IDENT_ICCID,
	    id, sizeof id, NULL), -1);
	assert_int_equal(at_parse_ident(X("\"0044200053671052499\""),
	    AT_IDENT_ICCID, id, sizeof id, NULL), -1);
	assert_int_equal(at_parse_ident(X("0044200053671052499"),
	    AT_IDENT_ICCID, id, sizeof id, NULL), -1);
	/* the SIM refused the read (6A 82: file not found), odd digits */
	assert_int_equal(at_parse_crsm_iccid(X("+CRSM: 106,130,\"\""), id,
	    sizeof id, NULL), -1);
	assert_int_equal(at_parse_crsm_iccid(X("+CRSM: 144,0,"
	    "\"9823142032640961406\""), id, sizeof id, NULL), -1);
	assert_int_equal(at_parse_crsm_iccid(X("+CRSM: 144,0"), id, sizeof id,
	    NULL), -1);
	assert_int_equal(at_parse_crsm_iccid(X("+CRSM: 144,0,\"0044200053671"
	    "0524990\""), id, sizeof id, NULL), -1);
	assert_int_equal(id[0], 'z');
}

static void
test_cfun(void **state)
{
	int	fun;

	(void)state;
	/* SIMCom SIM7600 and u-blox answer AT+CFUN? with "+CFUN: 1,0" (the
	 * <rst>/STK mode after the level, as in their AT manuals) */
	assert_int_equal(at_parse_cfun(X("+CFUN: 1,0"), &fun, NULL), 0);
	assert_int_equal(fun, 1);
	assert_int_equal(at_parse_cfun(X("+CFUN: 4"), &fun, NULL), 0);
	assert_int_equal(fun, 4);
	fun = 77;
	assert_int_equal(at_parse_cfun(X("+CFUN: "), &fun, NULL), -1);
	assert_int_equal(at_parse_cfun(X("+CFUN: \"1\",0"), &fun, NULL), -1);
	assert_int_equal(at_parse_cfun(X("+CFUN: 128"), &fun, NULL), -1);
	assert_int_equal(at_parse_cfun(X("+CFUN: x,1"), &fun, NULL), -1);
	assert_int_equal(fun, 77);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_registration),
		cmocka_unit_test(test_registration_malformed),
		cmocka_unit_test(test_cpms),
		cmocka_unit_test(test_cmgr_pdu_on_header_line),
		cmocka_unit_test(test_iccid),
		cmocka_unit_test(test_cfun),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
