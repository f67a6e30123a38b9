/*
 * test_at_parse.c: unit tests of the final-result table, the URC table,
 * the parameter splitter and every response parser, including malformed
 * input (truncated, missing quotes, non-numeric, overflowing numbers),
 * which must fail and leave the output untouched.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "at_parse.h"

#define L(s)	(s), strlen(s)

/* Fill with a pattern; after a failed parse it must still be there. */
#define POISON(x)	memset(&(x), 0xa5, sizeof (x))
static int
untouched(const void *p, size_t n)
{
	const unsigned char	*c = p;
	size_t			 i;

	for (i = 0; i < n; i++) {
		if (c[i] != 0xa5)
			return 0;
	}
	return 1;
}
#define UNTOUCHED(x)	assert_true(untouched(&(x), sizeof (x)))

static void
test_result(void **state)
{
	struct at_result	r;

	(void)state;
	assert_int_equal(at_result_classify(L("OK"), 0, &r), 1);
	assert_int_equal(r.kind, AT_RESULT_OK);
	assert_true(r.ok);
	assert_int_equal(at_result_classify(L("OK  "), 0, &r), 1);
	assert_int_equal(at_result_classify(L("OKAY"), 0, &r), 0);
	assert_int_equal(r.kind, AT_RESULT_NONE);
	assert_int_equal(at_result_classify(L("ERROR"), 0, &r), 1);
	assert_false(r.ok);
	assert_int_equal(at_result_classify(L("+CME ERROR: 10"), 0, &r), 1);
	assert_int_equal(r.kind, AT_RESULT_CME_ERROR);
	assert_int_equal(r.code, 10);
	assert_string_equal(r.text, "SIM not inserted");
	assert_int_equal(at_result_classify(L("+CME ERROR: SIM PIN required"),
	    0, &r), 1);
	assert_int_equal(r.code, AT_CME_SIM_PIN_REQUIRED);
	assert_string_equal(r.text, "SIM PIN required");
	assert_int_equal(at_result_classify(L("+CME ERROR: weird thing"), 0,
	    &r), 1);
	assert_int_equal(r.code, -1);
	assert_string_equal(r.text, "weird thing");
	assert_int_equal(at_result_classify(L("+CME ERROR: 99999999999"), 0,
	    &r), 1);
	assert_int_equal(r.code, -1);
	assert_int_equal(at_result_classify(L("+CMS ERROR: 322"), 0, &r), 1);
	assert_int_equal(r.kind, AT_RESULT_CMS_ERROR);
	assert_string_equal(r.text, "memory full");
	assert_int_equal(at_result_classify(L("+CMS ERROR: 330"), 0, &r), 1);
	assert_string_equal(r.text, "SMSC address unknown");
	assert_int_equal(at_result_classify(L("CONNECT"), 0, &r), 1);
	assert_int_equal(r.kind, AT_RESULT_CONNECT);
	assert_true(r.ok);
	assert_int_equal(at_result_classify(L("CONNECT 115200"), 0, &r), 1);
	assert_int_equal(r.code, 115200);
	assert_int_equal(at_result_classify(L("CONNECTED"), 0, &r), 0);
	assert_int_equal(at_result_classify(L("NO CARRIER"), 0, &r), 1);
	assert_int_equal(r.kind, AT_RESULT_NO_CARRIER);
	assert_int_equal(at_result_classify(L("BUSY"), 0, &r), 1);
	assert_int_equal(at_result_classify(L("NO ANSWER"), 0, &r), 1);
	assert_int_equal(at_result_classify(L("NO DIALTONE"), 0, &r), 1);
	assert_int_equal(r.kind, AT_RESULT_NO_DIALTONE);
	assert_int_equal(at_result_classify(L("COMMAND NOT SUPPORT"), 0, &r),
	    1);
	assert_int_equal(r.kind, AT_RESULT_ERROR);
	assert_int_equal(at_result_classify(L("+CREG: 0,1"), 0, &r), 0);
	assert_int_equal(at_result_classify(L("RING"), 0, &r), 0);
	/* V0 */
	assert_int_equal(at_result_classify(L("0"), 0, &r), 0);
	assert_int_equal(at_result_classify(L("0"), AT_RESULT_V0, &r), 1);
	assert_int_equal(r.kind, AT_RESULT_OK);
	assert_int_equal(at_result_classify(L("4"), AT_RESULT_V0, &r), 1);
	assert_int_equal(r.kind, AT_RESULT_ERROR);
	assert_int_equal(at_result_classify(L("3"), AT_RESULT_V0, &r), 1);
	assert_int_equal(r.kind, AT_RESULT_NO_CARRIER);
	assert_int_equal(at_result_classify(L("7"), AT_RESULT_V0, &r), 1);
	assert_int_equal(r.kind, AT_RESULT_BUSY);
	assert_int_equal(at_result_classify(L("8"), AT_RESULT_V0, &r), 1);
	assert_int_equal(r.kind, AT_RESULT_NO_ANSWER);
	assert_int_equal(at_result_classify(L("1"), AT_RESULT_V0, &r), 1);
	assert_int_equal(r.kind, AT_RESULT_CONNECT);
	assert_int_equal(at_result_classify(L("2"), AT_RESULT_V0, &r), 0);
	assert_int_equal(at_result_classify(L("12"), AT_RESULT_V0, &r), 0);
	assert_string_equal(at_result_kind_name(AT_RESULT_BUSY), "BUSY");
	assert_null(at_cme_error_text(9999));
	assert_string_equal(at_cme_error_text(AT_CME_SIM_BUSY), "SIM busy");
	assert_string_equal(at_cme_error_text(16), "incorrect password");
	assert_string_equal(at_cme_error_text(21), "invalid index");
	assert_int_equal(at_cme_error_code(L("sim puk required")), 12);
}

static void
test_urc(void **state)
{
	(void)state;
	assert_int_equal(at_urc_classify(L("RING"), NULL), AT_URC_RING);
	assert_int_equal(at_urc_classify(L("RINGING"), NULL), AT_URC_NONE);
	assert_int_equal(at_urc_classify(L("+CMTI: \"SM\",3"), "+CMGR:"),
	    AT_URC_CMTI);
	assert_int_equal(at_urc_classify(L("+CMT: ,24"), NULL), AT_URC_CMT);
	assert_true(at_urc_flags(AT_URC_CMT) & AT_URCF_PDU);
	assert_int_equal(at_urc_classify(L("+CREG: 1"), NULL), AT_URC_CREG);
	assert_int_equal(at_urc_classify(L("+CREG: 1"), "+CREG:"),
	    AT_URC_CREG);
	assert_int_equal(at_urc_classify(L("+CREG: 0,1"), "+CREG:"),
	    AT_URC_NONE);
	assert_int_equal(at_urc_classify(L("+CGREG: 0,1"), "+CREG:"),
	    AT_URC_CGREG);
	assert_int_equal(at_urc_classify(L("+CEREG: 5,\"1A2B\",\"01A2B3C4\",7"),
	    "+CEREG:"), AT_URC_CEREG);
	assert_int_equal(at_urc_classify(L("+CPIN: READY"), NULL),
	    AT_URC_CPIN);
	assert_true(at_urc_flags(AT_URC_CPIN) & AT_URCF_BOOT);
	assert_int_equal(at_urc_classify(L("+CPIN: READY"), "+CPIN:"),
	    AT_URC_NONE);
	assert_int_equal(at_urc_classify(L("+CSQ: 18,99"), NULL), AT_URC_NONE);
	assert_int_equal(at_urc_classify(L("+CUSD: 0,\"x\",15"), NULL),
	    AT_URC_CUSD);
	assert_int_equal(at_urc_classify(L("RDY"), NULL), AT_URC_RDY);
	assert_true(at_urc_flags(AT_URC_RDY) & AT_URCF_BOOT);
	assert_int_equal(at_urc_classify(L("Call Ready"), NULL),
	    AT_URC_CALL_READY);
	assert_int_equal(at_urc_classify(L("SMS Ready"), NULL),
	    AT_URC_SMS_READY);
	assert_int_equal(at_urc_classify(L("UNDER-VOLTAGE WARNING"), NULL),
	    AT_URC_UNDER_VOLTAGE_WARNING);
	assert_true(at_urc_flags(AT_URC_UNDER_VOLTAGE_POWER_DOWN) &
	    AT_URCF_POWER);
	assert_int_equal(at_urc_classify(L("^RSSI:14"), NULL),
	    AT_URC_HW_RSSI);
	assert_int_equal(at_urc_classify(L("^HCSQ:\"LTE\",50,40,100,20"),
	    NULL), AT_URC_HW_HCSQ);
	assert_int_equal(at_urc_classify(L("^MODE:5,4"), NULL),
	    AT_URC_HW_MODE);
	assert_int_equal(at_urc_classify(L("^BOOT:1,0,0,0,23"), NULL),
	    AT_URC_HW_BOOT);
	assert_int_equal(at_urc_classify(L("^SRVST:2"), NULL),
	    AT_URC_HW_SRVST);
	assert_int_equal(at_urc_classify(L("^SIMST:1"), NULL),
	    AT_URC_HW_SIMST);
	assert_int_equal(at_urc_classify(L("^DSFLOWRPT:1,2,3,4,5,6,7"), NULL),
	    AT_URC_HW_DSFLOWRPT);
	assert_int_equal(at_urc_classify(L("+QIND: SMS DONE"), NULL),
	    AT_URC_QIND);
	assert_int_equal(at_urc_classify(L("+QUSIM: 1"), NULL), AT_URC_QUSIM);
	assert_int_equal(at_urc_classify(L("POWERED DOWN"), NULL),
	    AT_URC_POWERED_DOWN);
	assert_int_equal(at_urc_classify(L("+UUSORD: 0,12"), NULL),
	    AT_URC_UUSORD);
	assert_int_equal(at_urc_classify(L("+CFUN: 1"), NULL), AT_URC_CFUN);
	assert_int_equal(at_urc_classify(L("OK"), NULL), AT_URC_NONE);
	assert_string_equal(at_urc_name(AT_URC_HW_CEND), "^CEND");
	assert_string_equal(at_urc_name(AT_URC_ZTE_HANGUP), "HANGUP");
	assert_string_equal(at_urc_name(AT_URC_MAX), "?");
}

static void
test_params(void **state)
{
	struct at_params	p;
	const char		*cause = NULL;
	long			v;
	unsigned long long	h;
	unsigned long		m;
	char			buf[8];

	(void)state;
	assert_int_equal(at_params_split(L(" \"a,b\" , 12,,(0-2),(\"SM\",\"ME\") ,x y "),
	    0, &p, &cause), 0);
	assert_int_equal(p.n, 6);
	assert_true(p.v[0].quoted);
	assert_int_equal(p.v[0].len, 3);
	assert_memory_equal(p.v[0].s, "a,b", 3);
	assert_int_equal(at_param_int(&p.v[1], 0, 100, &v), 0);
	assert_int_equal(v, 12);
	assert_true(at_param_empty(&p.v[2]));
	assert_true(p.v[3].list);
	assert_int_equal(at_param_range_mask(&p.v[3], &m), 0);
	assert_int_equal(m, 7);
	assert_true(p.v[4].list);
	assert_memory_equal(p.v[5].s, "x y", 3);
	assert_int_equal(p.v[5].len, 3);
	assert_int_equal(at_params_split(L(""), 0, &p, &cause), 0);
	assert_int_equal(p.n, 0);
	assert_int_equal(at_params_split(L("1,"), 0, &p, &cause), 0);
	assert_int_equal(p.n, 2);
	/* malformed */
	assert_int_equal(at_params_split(L("\"abc"), 0, &p, &cause), -1);
	assert_string_equal(cause, "unterminated string");
	assert_int_equal(at_params_split(L("\"abc"), AT_PARAMS_OPEN_QUOTE, &p,
	    &cause), 0);
	assert_int_equal(at_params_split(L("\"ab\"c"), 0, &p, &cause), -1);
	assert_int_equal(at_params_split(L("(0-2"), 0, &p, &cause), -1);
	assert_int_equal(at_params_split(L("ab\"c"), 0, &p, &cause), -1);
	assert_int_equal(at_params_split(L("a\x01"), 0, &p, &cause), -1);
	assert_int_equal(at_params_split(L("1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,"
	    "1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1"), 0, &p, &cause), -1);
	assert_string_equal(cause, "too many parameters");
	/* numbers */
	assert_int_equal(at_params_split(L("99999999999,-1,1x,,0x10,FFFFFFFFF"),
	    0, &p, NULL), 0);
	v = 42;
	assert_int_equal(at_param_int(&p.v[0], 0, 2147483647L, &v), -1);
	assert_int_equal(at_param_int(&p.v[1], 0, 10, &v), -1);
	assert_int_equal(at_param_int(&p.v[1], -5, 10, &v), 0);
	assert_int_equal(v, -1);
	assert_int_equal(at_param_int(&p.v[2], 0, 10, &v), -1);
	assert_int_equal(at_param_int(&p.v[3], 0, 10, &v), -1);
	assert_int_equal(at_param_hex(&p.v[4], 8, &h), -1);
	assert_int_equal(at_param_hex(&p.v[5], 8, &h), -1);
	assert_int_equal(at_param_hex(&p.v[5], 9, &h), 0);
	assert_true(h == 0xFFFFFFFFFULL);
	assert_int_equal(at_param_str(&p.v[0], buf, sizeof buf), -1);
	assert_int_equal(at_param_str(&p.v[2], buf, sizeof buf), 0);
	assert_string_equal(buf, "1x");
	/* range lists */
	assert_int_equal(at_params_split(L("(0-1,3),(2),(),5,(4-2),(32),(1,)"),
	    0, &p, NULL), 0);
	assert_int_equal(at_param_range_mask(&p.v[0], &m), 0);
	assert_int_equal(m, 0xb);
	assert_int_equal(at_param_range_mask(&p.v[1], &m), 0);
	assert_int_equal(m, 4);
	assert_int_equal(at_param_range_mask(&p.v[2], &m), 0);
	assert_int_equal(m, 0);
	assert_int_equal(at_param_range_mask(&p.v[3], &m), 0);
	assert_int_equal(m, 32);
	assert_int_equal(at_param_range_mask(&p.v[4], &m), -1);
	assert_int_equal(at_param_range_mask(&p.v[5], &m), -1);
	assert_int_equal(at_param_range_mask(&p.v[6], &m), -1);
}

static void
test_reg(void **state)
{
	struct at_reg	r;
	const char	*cause;

	(void)state;
	assert_int_equal(at_parse_reg(L("+CREG: 1"), AT_REG_ANY, &r, NULL), 0);
	assert_false(r.solicited);
	assert_int_equal(r.stat, 1);
	assert_int_equal(r.n, -1);
	assert_false(r.has_lac);
	assert_int_equal(at_parse_reg(L("+CREG: 1,\"00AB\",\"0000CDEF\",7"),
	    AT_REG_ANY, &r, NULL), 0);
	assert_false(r.solicited);
	assert_int_equal(r.lac, 0xab);
	assert_true(r.ci == 0xcdef);
	assert_int_equal(r.act, 7);
	assert_int_equal(at_parse_reg(L("+CREG: 2,1,\"00AB\",\"CDEF\""),
	    AT_REG_ANY, &r, NULL), 0);
	assert_true(r.solicited);
	assert_int_equal(r.n, 2);
	assert_int_equal(r.stat, 1);
	assert_int_equal(r.act, -1);
	assert_int_equal(at_parse_reg(L("+CGREG: 0,5"), AT_REG_ANY, &r, NULL),
	    0);
	assert_int_equal(r.cmd, AT_REG_CGREG);
	assert_int_equal(r.stat, AT_REG_ROAMING);
	assert_int_equal(at_parse_reg(L("+CEREG: 4,1,\"1A2B\",\"01A2B3C4\",7,,,"
	    "\"00000001\",\"00100100\""), AT_REG_SOLICITED, &r, NULL), 0);
	assert_int_equal(r.cmd, AT_REG_CEREG);
	assert_int_equal(r.lac, 0x1a2b);
	assert_true(r.ci == 0x01a2b3c4);
	assert_int_equal(at_parse_reg(L("+C5GREG: 1,\"00AB01\",\"123456789\",11"),
	    AT_REG_ANY, &r, NULL), 0);
	assert_true(r.ci == 0x123456789ULL);
	assert_int_equal(at_parse_reg_shape(L("+CREG: 0,1")),
	    AT_REG_SHAPE_SOLICITED);
	assert_int_equal(at_parse_reg_shape(L("+CREG: 5")),
	    AT_REG_SHAPE_UNSOLICITED);
	assert_int_equal(at_parse_reg_shape(L("+CREG: x")),
	    AT_REG_SHAPE_INVALID);
	/* malformed */
	POISON(r);
	assert_int_equal(at_parse_reg(L("+CREG: "), AT_REG_ANY, &r, &cause),
	    -1);
	assert_int_equal(at_parse_reg(L("+CREG: a"), AT_REG_ANY, &r, &cause),
	    -1);
	assert_int_equal(at_parse_reg(L("+CREG: 99"), AT_REG_ANY, &r, &cause),
	    -1);
	assert_int_equal(at_parse_reg(L("+CREG: 2,1,\"0B,\"0100701\",7"),
	    AT_REG_ANY, &r, &cause), -1);
	assert_int_equal(at_parse_reg(L("+CREG: 1,\"XYZ\",\"1\""), AT_REG_ANY,
	    &r, &cause), -1);
	assert_int_equal(at_parse_reg(L("+CREG: 1,\"00AB\",\"123456789AB\""),
	    AT_REG_ANY, &r, &cause), -1);
	assert_int_equal(at_parse_reg(L("+CREG: 2,1,\"00AB\",\"CDEF\",99"),
	    AT_REG_ANY, &r, &cause), -1);
	assert_int_equal(at_parse_reg(L("+CREG: 99999999999999999999,1"),
	    AT_REG_ANY, &r, &cause), -1);
	assert_int_equal(at_parse_reg(L("+CSQ: 0,1"), AT_REG_ANY, &r, &cause),
	    -1);
	UNTOUCHED(r);
}

static void
test_signal(void **state)
{
	struct at_csq	c;
	struct at_hcsq	h;
	int		dbm, rssi;

	(void)state;
	assert_int_equal(at_parse_csq(L("+CSQ: 18,99"), &c, NULL), 0);
	assert_int_equal(c.rssi, 18);
	assert_int_equal(c.ber, 99);
	assert_int_equal(at_csq_rssi_dbm(c.rssi, &dbm), 0);
	assert_int_equal(dbm, -77);
	assert_int_equal(at_csq_rssi_dbm(0, &dbm), 0);
	assert_int_equal(dbm, -113);
	assert_int_equal(at_csq_rssi_dbm(31, &dbm), 0);
	assert_int_equal(dbm, -51);
	assert_int_equal(at_csq_rssi_dbm(99, &dbm), -1);
	assert_int_equal(at_csq_rssi_dbm(191, &dbm), 0);
	assert_int_equal(dbm, -25);
	assert_int_equal(at_parse_csq(L("+CSQ:4,0"), &c, NULL), 0);
	assert_int_equal(c.rssi, 4);
	POISON(c);
	assert_int_equal(at_parse_csq(L("+CSQ: 18"), &c, NULL), -1);
	assert_int_equal(at_parse_csq(L("+CSQ: 32,0"), &c, NULL), -1);
	assert_int_equal(at_parse_csq(L("+CSQ: 18,8"), &c, NULL), -1);
	assert_int_equal(at_parse_csq(L("+CSQ: x,0"), &c, NULL), -1);
	assert_int_equal(at_parse_csq(L("+CSQ: 1,2,3"), &c, NULL), -1);
	assert_int_equal(at_parse_csq(L("+CSQ: \"18,99"), &c, NULL), -1);
	UNTOUCHED(c);

	assert_int_equal(at_parse_hw_rssi(L("^RSSI:14"), &rssi, NULL), 0);
	assert_int_equal(rssi, 14);
	assert_int_equal(at_parse_hw_rssi(L("^RSSI: 50"), &rssi, NULL), -1);
	assert_int_equal(at_parse_hcsq(L("^HCSQ:\"LTE\",50,40,100,20"), &h,
	    NULL), 0);
	assert_string_equal(h.sysmode, "LTE");
	assert_int_equal(h.nval, 4);
	assert_int_equal(h.val[2], 100);
	assert_int_equal(at_parse_hcsq(L("^HCSQ: \"NOSERVICE\""), &h, NULL),
	    0);
	assert_int_equal(h.nval, 0);
	POISON(h);
	assert_int_equal(at_parse_hcsq(L("^HCSQ:\"LTE\",50,40,100,20,1"), &h,
	    NULL), -1);
	assert_int_equal(at_parse_hcsq(L("^HCSQ:\"LTE\",256"), &h, NULL), -1);
	assert_int_equal(at_parse_hcsq(L("^HCSQ:\"LTE"), &h, NULL), -1);
	assert_int_equal(at_parse_hcsq(L("^HCSQ:\"a b\""), &h, NULL), -1);
	UNTOUCHED(h);
}

static void
test_cops(void **state)
{
	struct at_cops	c;

	(void)state;
	assert_int_equal(at_parse_cops(L("+COPS: 0,0,\"MTN\",2"), &c, NULL), 0);
	assert_int_equal(c.mode, 0);
	assert_int_equal(c.format, 0);
	assert_string_equal(c.oper, "MTN");
	assert_int_equal(c.act, 2);
	assert_int_equal(at_parse_cops(L("+COPS: 0,0,\"I OMNITEL\""), &c,
	    NULL), 0);
	assert_string_equal(c.oper, "I OMNITEL");
	assert_int_equal(c.act, -1);
	assert_int_equal(at_parse_cops(L("+COPS: 2"), &c, NULL), 0);
	assert_int_equal(c.mode, 2);
	assert_int_equal(c.format, -1);
	POISON(c);
	assert_int_equal(at_parse_cops(L("SOME RANDOM RESPONSE"), &c, NULL),
	    -1);
	assert_int_equal(at_parse_cops(L("+COPS: 0,0,MTN,2"), &c, NULL), -1);
	assert_int_equal(at_parse_cops(L("+COPS: 0,0,\"MTN"), &c, NULL), -1);
	assert_int_equal(at_parse_cops(L("+COPS: 9,0,\"MTN\""), &c, NULL), -1);
	assert_int_equal(at_parse_cops(L("+COPS: (2,\"A\",\"B\",\"1\",7),,(0-4)"),
	    &c, NULL), -1);
	assert_int_equal(at_parse_cops(L("+COPS: 0,0,\"0123456789012345678901"
	    "234567890123456789012345678901234567890123\""), &c, NULL), -1);
	UNTOUCHED(c);
}

static void
test_sms(void **state)
{
	struct at_cpms		c;
	struct at_cpms_test	t;
	struct at_cnmi_test	n;
	struct at_msgind	m;
	struct at_sms_hdr	h;
	int			mr;

	(void)state;
	assert_int_equal(at_parse_cpms(L("+CPMS: \"SM\",5,30,\"ME\",0,100,"
	    "\"SM\",5,30"), &c, NULL), 0);
	assert_int_equal(c.nmem, 3);
	assert_true(c.has_names);
	assert_string_equal(c.mem[1].name, "ME");
	assert_int_equal(c.mem[1].total, 100);
	assert_int_equal(c.mem[2].used, 5);
	assert_int_equal(at_parse_cpms(L("+CPMS: 14,50,14,50"), &c, NULL), 0);
	assert_int_equal(c.nmem, 2);
	assert_false(c.has_names);
	assert_int_equal(c.mem[0].used, 14);
	POISON(c);
	assert_int_equal(at_parse_cpms(L("+CPMS: ,,,,,,,,"), &c, NULL), -1);
	assert_int_equal(at_parse_cpms(L("+CPMS: \"SM\",5"), &c, NULL), -1);
	assert_int_equal(at_parse_cpms(L("+CPMS: \"sm\",5,30"), &c, NULL), -1);
	assert_int_equal(at_parse_cpms(L("+CPMS: \"SM\",5,99999"), &c, NULL),
	    -1);
	assert_int_equal(at_parse_cpms(L("+CPMS: 1,2,3,4,5,6,7,8"), &c, NULL),
	    -1);
	UNTOUCHED(c);

	assert_int_equal(at_parse_cpms_test(L("+CPMS: ((\"SM\",\"BM\",\"SR\"),"
	    "(\"SM\"))"), &t, NULL), 0);
	assert_int_equal(t.nslot, 2);
	assert_int_equal(t.mask[0], (1 << AT_MEM_SM) | (1 << AT_MEM_BM) |
	    (1 << AT_MEM_SR));
	assert_int_equal(t.mask[1], 1 << AT_MEM_SM);
	assert_int_equal(at_parse_cpms_test(L("+CPMS: (),(),()"), &t, NULL), 0);
	assert_int_equal(t.nslot, 3);
	assert_int_equal(t.mask[0], 0);
	POISON(t);
	assert_int_equal(at_parse_cpms_test(L("+CPMS: (\"SM\",\"ME\""), &t,
	    NULL), -1);
	assert_int_equal(at_parse_cpms_test(L("+CPMS: (\"S M\")"), &t, NULL),
	    -1);
	assert_int_equal(at_parse_cpms_test(L("+CPMS: (),(),(),()"), &t, NULL),
	    -1);
	UNTOUCHED(t);

	POISON(n);
	assert_int_equal(at_parse_cnmi_test(L("+CNMI: (0-2),(0-99)"), &n,
	    NULL), -1);
	assert_int_equal(at_parse_cnmi_test(L("+CNMI: 0,1,2,3,4,5"), &n, NULL),
	    -1);
	UNTOUCHED(n);

	assert_int_equal(at_parse_msgind(L("+CMTI: \"SM\",3"), &m, NULL), 0);
	assert_string_equal(m.mem, "SM");
	assert_int_equal(m.index, 3);
	assert_int_equal(at_parse_msgind(L("+CDSI: \"SR\",57"), &m, NULL), 0);
	assert_string_equal(m.mem, "SR");
	assert_int_equal(m.index, 57);
	POISON(m);
	assert_int_equal(at_parse_msgind(L("+CMTI: \"SM\""), &m, NULL), -1);
	assert_int_equal(at_parse_msgind(L("+CMTI: \"SM,3"), &m, NULL), -1);
	assert_int_equal(at_parse_msgind(L("+CMTI: \"SM\",x"), &m, NULL), -1);
	assert_int_equal(at_parse_msgind(L("+CMTI: \"SM\",70000"), &m, NULL),
	    -1);
	assert_int_equal(at_parse_msgind(L("+CMTI: \"TOOLONGNAME\",1"), &m,
	    NULL), -1);
	assert_int_equal(at_parse_msgind(L("+CMGS: 1"), &m, NULL), -1);
	UNTOUCHED(m);

	assert_int_equal(at_parse_cmgs(L("+CMGS: 141"), &mr, NULL), 0);
	assert_int_equal(mr, 141);
	assert_int_equal(at_parse_cmgs(L("+CMSS: 7,\"13/04/29,19:58:00+04\""),
	    &mr, NULL), 0);
	assert_int_equal(mr, 7);
	mr = 5;
	assert_int_equal(at_parse_cmgs(L("+CMGS: 256"), &mr, NULL), -1);
	assert_int_equal(at_parse_cmgs(L("+CMGS:"), &mr, NULL), -1);
	assert_int_equal(mr, 5);

	assert_int_equal(at_parse_cmgw(L("+CMGW: 12"), &mr, NULL), 0);
	assert_int_equal(mr, 12);
	mr = 5;
	assert_int_equal(at_parse_cmgw(L("+CMGW:"), &mr, NULL), -1);
	assert_int_equal(at_parse_cmgw(L("+CMGW: 70000"), &mr, NULL), -1);
	assert_int_equal(at_parse_cmgw(L("+CMGW: \"3\""), &mr, NULL), -1);
	assert_int_equal(at_parse_cmgw(L("+CMGW: 3,4"), &mr, NULL), -1);
	assert_int_equal(at_parse_cmgw(L("+CMGW: -1"), &mr, NULL), -1);
	assert_int_equal(at_parse_cmgw(L("+CMGS: 3"), &mr, NULL), -1);
	assert_int_equal(mr, 5);

	/* headers, PDU mode */
	assert_int_equal(at_parse_sms_hdr(L("+CMGL: 2,1,,159"), 0, &h, NULL),
	    0);
	assert_int_equal(h.kind, AT_SMS_CMGL);
	assert_int_equal(h.index, 2);
	assert_int_equal(h.stat, AT_SMS_REC_READ);
	assert_int_equal(h.length, 159);
	assert_int_equal(at_parse_sms_hdr(L("+CMGR: 0,\"abc123\",29"), 0, &h,
	    NULL), 0);
	assert_string_equal(h.alpha, "abc123");
	assert_int_equal(h.index, -1);
	assert_int_equal(at_parse_sms_hdr(L("+CMT: ,24"), 0, &h, NULL), 0);
	assert_int_equal(h.kind, AT_SMS_CMT);
	assert_int_equal(h.length, 24);
	assert_int_equal(at_parse_sms_hdr(L("+CDS: 24"), 0, &h, NULL), 0);
	assert_int_equal(h.kind, AT_SMS_CDS);
	POISON(h);
	assert_int_equal(at_parse_sms_hdr(L("+CMGL: 2,1,,"), 0, &h, NULL), -1);
	assert_int_equal(at_parse_sms_hdr(L("+CMGL: 2,9,,20"), 0, &h, NULL),
	    -1);
	assert_int_equal(at_parse_sms_hdr(L("+CMGL: x,1,,20"), 0, &h, NULL),
	    -1);
	assert_int_equal(at_parse_sms_hdr(L("+CMGR: 0,,256"), 0, &h, NULL),
	    -1);
	assert_int_equal(at_parse_sms_hdr(L("+CMGR: 0,\"abc,29"), 0, &h, NULL),
	    -1);
	assert_int_equal(at_parse_sms_hdr(L("+CMGR: 0,1,2,3,4"), 0, &h, NULL),
	    -1);
	assert_int_equal(at_parse_sms_hdr(L("+CDS: 1,2"), 0, &h, NULL), -1);
	assert_int_equal(at_parse_sms_hdr(L("+CMGS: 1"), 0, &h, NULL), -1);
	assert_int_equal(at_parse_sms_hdr(L("+CMGR: \"REC READ\",\"1\",,\"x\""),
	    0, &h, NULL), -1);
	UNTOUCHED(h);

	/* headers, text mode */
	assert_int_equal(at_parse_sms_hdr(L("+CMT: \"+27123\",,\"13/03/08,"
	    "15:02:16+08\""), 1, &h, NULL), 0);
	assert_string_equal(h.addr, "+27123");
	assert_string_equal(h.scts, "13/03/08,15:02:16+08");
	assert_int_equal(at_parse_sms_hdr(L("+CDS: 6,20,\"0870\",129,"
	    "\"13/04/29,19:58:00+04\",\"13/04/29,19:59:00+04\",0"), 1, &h,
	    NULL), 0);
	assert_true(h.is_report);
	assert_int_equal(h.mr, 20);
	assert_int_equal(h.st, 0);
	assert_string_equal(h.dt, "13/04/29,19:59:00+04");
	POISON(h);
	assert_int_equal(at_parse_sms_hdr(L("+CMGR: \"REC NEW\",\"1\""), 1, &h,
	    NULL), -1);
	assert_int_equal(at_parse_sms_hdr(L("+CMGL: 1"), 1, &h, NULL), -1);
	assert_int_equal(at_parse_sms_hdr(L("+CMGR: \"REC READ\""), 1, &h,
	    NULL), -1);
	assert_int_equal(at_parse_sms_hdr(L("+CDS: 6,20,\"0870\""), 1, &h,
	    NULL), -1);
	assert_int_equal(at_parse_sms_hdr(L("+CMT: \"+27\x01\",,\"a\""), 1, &h,
	    NULL), -1);
	UNTOUCHED(h);
}

static void
test_misc(void **state)
{
	struct at_clip	c;
	struct at_cusd	u;
	struct at_cnum	n;
	struct at_csca	s;
	enum at_cpin	p;
	char		id[AT_IDENT_LEN_MAX], info[32];
	long		v;

	(void)state;
	assert_int_equal(at_parse_clip(L("+CLIP: \"+27821231234\",145,,,,0"),
	    &c, NULL), 0);
	assert_string_equal(c.number, "+27821231234");
	assert_int_equal(c.type, 145);
	assert_int_equal(c.validity, 0);
	assert_int_equal(at_parse_clip(L("+CLIP: \"\",128,,,,1"), &c, NULL), 0);
	assert_string_equal(c.number, "");
	assert_int_equal(c.validity, 1);
	assert_int_equal(at_parse_clip(L("+CLIP: \"123\",129,\"\",,\"Bob\",0"),
	    &c, NULL), 0);
	assert_string_equal(c.alpha, "Bob");
	POISON(c);
	assert_int_equal(at_parse_clip(L("+CLIP: \"+2782x\",145"), &c, NULL),
	    -1);
	assert_int_equal(at_parse_clip(L("+CLIP: +2782,145"), &c, NULL), -1);
	assert_int_equal(at_parse_clip(L("+CLIP: \"+2782,145"), &c, NULL), -1);
	assert_int_equal(at_parse_clip(L("+CLIP: \"+2782\",1450"), &c, NULL),
	    -1);
	assert_int_equal(at_parse_clip(L("+CLIP: \"+2782123123123123123123123"
	    "12312312312312312312312312312312312312312\",145"), &c, NULL), -1);
	UNTOUCHED(c);

	assert_int_equal(at_parse_cusd(L("+CUSD: 0,\"Available Balance: R "
	    "96.45 .\",15"), &u, NULL), 0);
	assert_int_equal(u.m, 0);
	assert_true(u.has_str);
	assert_string_equal(u.str, "Available Balance: R 96.45 .");
	assert_int_equal(u.dcs, 15);
	assert_int_equal(at_parse_cusd(L("+CUSD: 2"), &u, NULL), 0);
	assert_false(u.has_str);
	assert_int_equal(u.dcs, -1);
	POISON(u);
	assert_int_equal(at_parse_cusd(L("+CUSD: 6,\"x\",15"), &u, NULL), -1);
	assert_int_equal(at_parse_cusd(L("+CUSD: 1,\"x,15"), &u, NULL), -1);
	assert_int_equal(at_parse_cusd(L("+CUSD: 1,\"x\",15,1"), &u, NULL),
	    -1);
	assert_int_equal(at_parse_cusd(L("+CUSD: 1,\"x\",\"15\""), &u, NULL),
	    -1);
	assert_int_equal(at_parse_cusd(L("+CUSD: "), &u, NULL), -1);
	UNTOUCHED(u);

	assert_int_equal(at_parse_cpin(L("+CPIN: READY"), &p, NULL), 0);
	assert_int_equal(p, AT_CPIN_READY);
	assert_int_equal(at_parse_cpin(L("+CPIN: SIM PIN"), &p, NULL), 0);
	assert_int_equal(p, AT_CPIN_SIM_PIN);
	assert_int_equal(at_parse_cpin(L("+CPIN: SIM PUK"), &p, NULL), 0);
	assert_int_equal(p, AT_CPIN_SIM_PUK);
	assert_int_equal(at_parse_cpin(L("+CPIN: PH-NET PIN"), &p, NULL), 0);
	assert_int_equal(p, AT_CPIN_PH_NET_PIN);
	assert_int_equal(at_parse_cpin(L("+CPIN: NOT INSERTED"), &p, NULL), 0);
	assert_int_equal(p, AT_CPIN_NOT_INSERTED);
	assert_string_equal(at_cpin_name(AT_CPIN_SIM_PUK2), "SIM PUK2");
	p = AT_CPIN_MAX;
	assert_int_equal(at_parse_cpin(L("+CPIN: SIM PINK"), &p, NULL), -1);
	assert_int_equal(at_parse_cpin(L("+CPIN: READY,1"), &p, NULL), -1);
	assert_int_equal(at_parse_cpin(L("+CPIN:"), &p, NULL), -1);
	assert_int_equal(p, AT_CPIN_MAX);

	assert_int_equal(at_parse_cnum(L("+CNUM: \"Own\",\"+4912345\",145"), &n,
	    NULL), 0);
	assert_string_equal(n.alpha, "Own");
	assert_string_equal(n.number, "+4912345");
	assert_int_equal(n.type, 145);
	assert_int_equal(at_parse_cnum(L("+CNUM: ,\"0171\",129,,4"), &n, NULL),
	    0);
	assert_string_equal(n.number, "0171");
	POISON(n);
	assert_int_equal(at_parse_cnum(L("+CNUM: ,\"\",129"), &n, NULL), -1);
	assert_int_equal(at_parse_cnum(L("+CNUM: \"+49\",145"), &n, NULL), -1);
	assert_int_equal(at_parse_cnum(L("+CNUM: ,\"+49\",x"), &n, NULL), -1);
	UNTOUCHED(n);

	assert_int_equal(at_parse_csca(L("+CSCA: \"+12345678\",145"), &s, NULL),
	    0);
	assert_string_equal(s.number, "+12345678");
	assert_int_equal(s.type, 145);
	POISON(s);
	assert_int_equal(at_parse_csca(L("+CSCA: \"+1234\"5678\",145"), &s,
	    NULL), -1);
	assert_int_equal(at_parse_csca(L("+CSCA: \"SMSC\",145"), &s, NULL), -1);
	UNTOUCHED(s);

	assert_int_equal(at_parse_ident(L("351234567890123"), AT_IDENT_IMEI,
	    id, sizeof id, NULL), 0);
	assert_string_equal(id, "351234567890123");
	assert_int_equal(at_parse_ident(L("+CGSN: \"351234567890123\""),
	    AT_IDENT_IMEI, id, sizeof id, NULL), 0);
	assert_string_equal(id, "351234567890123");
	assert_int_equal(at_parse_ident(L("262011234567890"), AT_IDENT_IMSI,
	    id, sizeof id, NULL), 0);
	assert_int_equal(at_parse_ident(L("+CCID: \"8949226000123456789F\""),
	    AT_IDENT_ICCID, id, sizeof id, NULL), 0);
	assert_string_equal(id, "8949226000123456789");
	assert_int_equal(at_parse_ident(L("+QCCID: 89860318740206843210"),
	    AT_IDENT_ICCID, id, sizeof id, NULL), 0);
	assert_int_equal(at_parse_ident(L("^ICCID: \"98940462000000000fa1\""),
	    AT_IDENT_ICCID, id, sizeof id, NULL), 0);
	/* Huawei ^ICCID answers in the SIM's BCD digit order */
	assert_string_equal(id, "8949402600000000F01A");
	assert_int_equal(at_parse_ident(L("+ICCID: 8944110068254289734"),
	    AT_IDENT_ICCID, id, sizeof id, NULL), 0);
	memset(id, 'z', sizeof id);
	assert_int_equal(at_parse_ident(L("35123456789012A"), AT_IDENT_IMEI,
	    id, sizeof id, NULL), -1);
	assert_int_equal(at_parse_ident(L("3512345"), AT_IDENT_IMEI, id,
	    sizeof id, NULL), -1);
	assert_int_equal(at_parse_ident(L("3512345678901234567"),
	    AT_IDENT_IMEI, id, sizeof id, NULL), -1);
	assert_int_equal(at_parse_ident(L("ERROR"), AT_IDENT_IMSI, id,
	    sizeof id, NULL), -1);
	assert_int_equal(at_parse_ident(L("+CCID: \"8949 226000123456789\""),
	    AT_IDENT_ICCID, id, sizeof id, NULL), -1);
	assert_int_equal(at_parse_ident(L("351234567890123"), AT_IDENT_IMEI,
	    id, 10, NULL), -1);
	assert_int_equal(id[0], 'z');

	assert_int_equal(at_parse_info(L(" WAVECOM MODEM"), info, sizeof info,
	    NULL), 0);
	assert_string_equal(info, "WAVECOM MODEM");
	assert_int_equal(at_parse_info(L("+CGMR: \"EC25EFAR06A06M4G\""), info,
	    sizeof info, NULL), 0);
	assert_string_equal(info, "EC25EFAR06A06M4G");
	assert_int_equal(at_parse_info(L("   "), info, sizeof info, NULL), -1);
	assert_int_equal(at_parse_info(L("0123456789012345678901234567890123"
	    "456789"), info, sizeof info, NULL), -1);

	assert_int_equal(at_parse_int_line(L("+CFUN: 1"), "+CFUN:", 0, 127, &v,
	    NULL), 0);
	assert_int_equal(v, 1);
	assert_int_equal(at_parse_int_line(L("+CFUN: 1,0"), "+CFUN:", 0, 127,
	    &v, NULL), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_result),
		cmocka_unit_test(test_urc),
		cmocka_unit_test(test_params),
		cmocka_unit_test(test_reg),
		cmocka_unit_test(test_signal),
		cmocka_unit_test(test_cops),
		cmocka_unit_test(test_sms),
		cmocka_unit_test(test_misc),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
