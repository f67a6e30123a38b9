/*
 * test_at_newparsers.c: the parsers of LTE signal (+CESQ), the data
 * call (+CGEV, +CGACT, +CGPADDR, +CGDCONT? and =?), calls (+CLCC,
 * +CCWA) and network time (+CCLK, +CTZV, +CTZE), each from a named
 * source (ModemManager src/tests/test-modem-helpers.c, python-gsmmodem
 * test/fakemodems.py, 3GPP TS 27.007 and the vendors' AT manuals), and
 * malformed input that must fail and leave the output untouched.  Lines
 * are parsed from buffers of exactly their length.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "at_parse.h"
#include "at_exact.h"

static void
test_cesq(void **state)
{
	struct at_cesq	c;
	int		v;

	(void)state;
	/* u-blox SARA-R5 / Nordic nRF9160 AT manuals, +CESQ on LTE */
	assert_int_equal(at_parse_cesq(X("+CESQ: 99,99,255,255,15,39"), &c,
	    NULL), 0);
	assert_int_equal(c.rxlev, 99);
	assert_int_equal(c.rsrq, 15);
	assert_int_equal(c.rsrp, 39);
	assert_int_equal(at_cesq_rsrp_dbm(c.rsrp, &v), 0);
	assert_int_equal(v, -102);
	assert_int_equal(at_cesq_rsrq_db10(c.rsrq, &v), 0);
	assert_int_equal(v, -125);
	/* Fibocom FM350: nine fields, the NR ones after the sixth */
	assert_int_equal(at_parse_cesq(X("+CESQ: 17,99,255,255,4,55,75,52,57"),
	    &c, NULL), 0);
	assert_int_equal(c.rxlev, 17);
	assert_int_equal(c.rsrp, 55);
	/* 27.007 8.69 ends of the scales, and unknown */
	assert_int_equal(at_cesq_rsrp_dbm(0, &v), 0);
	assert_int_equal(v, -141);
	assert_int_equal(at_cesq_rsrp_dbm(97, &v), 0);
	assert_int_equal(v, -44);
	assert_int_equal(at_cesq_rsrq_db10(34, &v), 0);
	assert_int_equal(v, -30);
	assert_int_equal(at_cesq_rsrp_dbm(255, &v), -1);
	assert_int_equal(at_cesq_rsrq_db10(255, &v), -1);
	/* mmcli's percent of +CSQ (ModemManager mm-broadband-modem.c) */
	assert_int_equal(at_csq_quality(31), 100);
	assert_int_equal(at_csq_quality(18), 58);
	assert_int_equal(at_csq_quality(0), 0);
	assert_int_equal(at_csq_quality(99), -1);
	POISON(c);
	assert_int_equal(at_parse_cesq(X("+CESQ: 99,99,255,255,15"), &c, NULL),
	    -1);
	assert_int_equal(at_parse_cesq(X("+CESQ: 99,99,255,255,35,39"), &c,
	    NULL), -1);
	assert_int_equal(at_parse_cesq(X("+CESQ: 99,99,255,255,15,98"), &c,
	    NULL), -1);
	assert_int_equal(at_parse_cesq(X("+CESQ: 64,99,255,255,15,39"), &c,
	    NULL), -1);
	assert_int_equal(at_parse_cesq(X("+CESQ: \"99\",99,255,255,15,39"),
	    &c, NULL), -1);
	assert_int_equal(at_parse_cesq(X("+CSQ: 99,99,255,255,15,39"), &c,
	    NULL), -1);
	assert_int_equal(at_parse_cesq("+CESQ: 99,99,255,255,15,39", 20, &c,
	    NULL), -1);
	UNTOUCHED(c);
}

static void
test_cgev(void **state)
{
	struct at_cgev_ev	e;

	(void)state;
	/* 3GPP TS 27.007 10.1.19 (Rel-8 forms), as the EC25 sends them */
	assert_int_equal(at_parse_cgev(X("+CGEV: NW PDN DEACT 1"), &e, NULL),
	    0);
	assert_int_equal(e.kind, AT_CGEV_DEACT);
	assert_int_equal(e.by_network, 1);
	assert_int_equal(e.cid, 1);
	assert_int_equal(at_parse_cgev(X("+CGEV: ME PDN ACT 1,0"), &e, NULL),
	    0);
	assert_int_equal(e.kind, AT_CGEV_ACT);
	assert_int_equal(e.by_network, 0);
	assert_int_equal(e.cid, 1);
	assert_int_equal(at_parse_cgev(X("+CGEV: NW DETACH"), &e, NULL), 0);
	assert_int_equal(e.kind, AT_CGEV_DETACH);
	assert_int_equal(e.cid, -1);
	/* the older form: <PDP_type>,<PDP_addr>[,<cid>] */
	assert_int_equal(at_parse_cgev(X("+CGEV: NW DEACT \"IP\",\"10.0.0.1\","
	    "2"), &e, NULL), 0);
	assert_int_equal(e.kind, AT_CGEV_DEACT);
	assert_int_equal(e.cid, 2);
	assert_int_equal(at_parse_cgev(X("+CGEV: ME DEACT \"IP\",\"10.0.0.1\""),
	    &e, NULL), 0);
	assert_int_equal(e.cid, -1);
	assert_int_equal(at_parse_cgev(X("+CGEV: NW CLASS \"B\""), &e, NULL),
	    0);
	assert_int_equal(e.kind, AT_CGEV_OTHER);
	assert_int_equal(at_parse_cgev(X("+CGEV: REJECT \"IP\",\"10.0.0.1\""),
	    &e, NULL), 0);
	assert_int_equal(e.kind, AT_CGEV_OTHER);
	POISON(e);
	assert_int_equal(at_parse_cgev(X("+CGEV: "), &e, NULL), -1);
	assert_int_equal(at_parse_cgev(X("+CGEV: 1"), &e, NULL), -1);
	assert_int_equal(at_parse_cgev(X("+CGEV: NW PDN DEACT x"), &e, NULL),
	    -1);
	assert_int_equal(at_parse_cgev(X("+CGEV: NW PDN DEACT 999"), &e, NULL),
	    -1);
	assert_int_equal(at_parse_cgev(X("+CGEV: NW DEACT \"IP"), &e, NULL),
	    -1);
	assert_int_equal(at_parse_cgev(X("+CGREG: 1"), &e, NULL), -1);
	UNTOUCHED(e);
}

static void
test_cgact_cgpaddr(void **state)
{
	struct at_cgact		a;
	struct at_cgpaddr	p;

	(void)state;
	assert_int_equal(at_parse_cgact(X("+CGACT: 1,1"), &a, NULL), 0);
	assert_int_equal(a.cid, 1);
	assert_int_equal(a.state, 1);
	assert_int_equal(at_parse_cgact(X("+CGACT: 2, 0"), &a, NULL), 0);
	assert_int_equal(a.cid, 2);
	assert_int_equal(a.state, 0);
	/* 27.007 10.1.14: one or two addresses; IPv6 in dotted form too */
	assert_int_equal(at_parse_cgpaddr(X("+CGPADDR: 1,\"10.1.2.3\""), &p,
	    NULL), 0);
	assert_int_equal(p.cid, 1);
	assert_string_equal(p.addr, "10.1.2.3");
	assert_int_equal(at_parse_cgpaddr(X("+CGPADDR: 1,100.64.0.9"), &p,
	    NULL), 0);
	assert_string_equal(p.addr, "100.64.0.9");
	assert_int_equal(at_parse_cgpaddr(X("+CGPADDR: 1,\"10.1.2.3\","
	    "\"32.1.13.184.0.0.0.0.0.0.0.0.0.0.0.1\""), &p, NULL), 0);
	assert_string_equal(p.addr2, "32.1.13.184.0.0.0.0.0.0.0.0.0.0.0.1");
	assert_int_equal(at_parse_cgpaddr(X("+CGPADDR: 1,\"0.0.0.0\""), &p,
	    NULL), 0);
	assert_string_equal(p.addr, "");
	assert_int_equal(at_parse_cgpaddr(X("+CGPADDR: 1,"), &p, NULL), 0);
	assert_string_equal(p.addr, "");
	assert_int_equal(at_parse_cgpaddr(X("+CGPADDR: 2"), &p, NULL), 0);
	assert_int_equal(p.cid, 2);
	POISON(a);
	POISON(p);
	assert_int_equal(at_parse_cgact(X("+CGACT: 1,2"), &a, NULL), -1);
	assert_int_equal(at_parse_cgact(X("+CGACT: 1,"), &a, NULL), -1);
	assert_int_equal(at_parse_cgact(X("+CGACT: 1"), &a, NULL), -1);
	assert_int_equal(at_parse_cgact(X("+CGACT: \"1\",1"), &a, NULL), -1);
	assert_int_equal(at_parse_cgpaddr(X("+CGPADDR: 1,\"10;rm\""), &p,
	    NULL), -1);
	assert_int_equal(at_parse_cgpaddr(X("+CGPADDR: x,\"10.0.0.1\""), &p,
	    NULL), -1);
	assert_int_equal(at_parse_cgpaddr(X("+CGPADDR: 1,\"10.0.0.1"), &p,
	    NULL), -1);
	assert_int_equal(at_parse_cgpaddr(X("+CGPADDR: 1,\"0123456789012345678"
	    "90123456789012345678901234567890123456789012345\""), &p, NULL),
	    -1);
	UNTOUCHED(a);
	UNTOUCHED(p);
}

static void
test_cgdcont(void **state)
{
	struct at_cgdcont	c;
	struct at_cgdcont_test	t;

	(void)state;
	/* ModemManager test_cgdcont_read_response_nokia and _samsung */
	assert_int_equal(at_parse_cgdcont(X("+CGDCONT: 1,\"IP\",,,0,0"), &c,
	    NULL), 0);
	assert_int_equal(c.cid, 1);
	assert_string_equal(c.type, "IP");
	assert_string_equal(c.apn, "");
	assert_int_equal(at_parse_cgdcont(X("+CGDCONT: 2,\"IP\","
	    "\"epc.tmobile.com\",\"\",0,0"), &c, NULL), 0);
	assert_int_equal(c.cid, 2);
	assert_string_equal(c.apn, "epc.tmobile.com");
	/* ModemManager test_cgdcont_test_response_single, _thuraya,
	 * _cinterion_phs8 */
	assert_int_equal(at_parse_cgdcont_test(X("+CGDCONT: (1-10),\"IP\",,,"
	    "(0,1),(0,1)"), &t, NULL), 0);
	assert_int_equal(t.min_cid, 1);
	assert_int_equal(t.max_cid, 10);
	assert_string_equal(t.type, "IP");
	assert_int_equal(at_parse_cgdcont_test(X("+CGDCONT: ( 1 ) , \"IP\" ,,, "
	    "(0-2),(0-3)"), &t, NULL), 0);
	assert_int_equal(t.min_cid, 1);
	assert_int_equal(t.max_cid, 1);
	assert_int_equal(at_parse_cgdcont_test(X("+CGDCONT: , \"PPP\" ,,, "
	    "(0-2),(0-3)"), &t, NULL), 0);
	assert_int_equal(t.min_cid, -1);
	assert_string_equal(t.type, "PPP");
	assert_int_equal(at_parse_cgdcont_test(X("+CGDCONT: (1-17,101-116),"
	    "\"IP\",,,(0),(0-4)"), &t, NULL), 0);
	assert_int_equal(t.min_cid, 1);
	assert_int_equal(t.max_cid, 17);
	POISON(c);
	POISON(t);
	assert_int_equal(at_parse_cgdcont(X("+CGDCONT: 1"), &c, NULL), -1);
	assert_int_equal(at_parse_cgdcont(X("+CGDCONT: 1,\"I P\",\"x\""), &c,
	    NULL), -1);
	assert_int_equal(at_parse_cgdcont(X("+CGDCONT: 1,\"IP\",\"a\tb\""), &c,
	    NULL), -1);
	assert_int_equal(at_parse_cgdcont(X("+CGDCONT: (1-10),\"IP\""), &c,
	    NULL), -1);
	assert_int_equal(at_parse_cgdcont_test(X("+CGDCONT: (10-1),\"IP\""),
	    &t, NULL), -1);
	assert_int_equal(at_parse_cgdcont_test(X("+CGDCONT: (1-x),\"IP\""),
	    &t, NULL), -1);
	assert_int_equal(at_parse_cgdcont_test(X("+CGDCONT: (1-10),"), &t,
	    NULL), -1);
	UNTOUCHED(c);
	UNTOUCHED(t);
}

static void
test_calls(void **state)
{
	struct at_clcc	c;
	struct at_ccwa	w;

	(void)state;
	/* python-gsmmodem fakemodems.py GenericTestModem: a dialled call */
	assert_int_equal(at_parse_clcc(X("+CLCC: 1,0,2,0,0,\"0123456789\",129"),
	    &c, NULL), 0);
	assert_int_equal(c.id, 1);
	assert_int_equal(c.dir, 0);
	assert_int_equal(c.stat, AT_CLCC_DIALING);
	assert_string_equal(c.number, "0123456789");
	assert_int_equal(c.type, 129);
	/* 27.007 7.18: an incoming call, with the alpha some modems add */
	assert_int_equal(at_parse_clcc(X("+CLCC: 1,1,4,0,0,\"+393331234567\","
	    "145,\"\""), &c, NULL), 0);
	assert_int_equal(c.dir, 1);
	assert_int_equal(c.stat, AT_CLCC_INCOMING);
	assert_string_equal(c.number, "+393331234567");
	/* a withheld number: no number fields */
	assert_int_equal(at_parse_clcc(X("+CLCC: 2,1,5,0,0"), &c, NULL), 0);
	assert_int_equal(c.stat, AT_CLCC_WAITING);
	assert_string_equal(c.number, "");
	/* 27.007 7.12 +CCWA URC */
	assert_int_equal(at_parse_ccwa(X("+CCWA: \"+491701234567\",145,1"), &w,
	    NULL), 0);
	assert_string_equal(w.clip.number, "+491701234567");
	assert_int_equal(w.clip.type, 145);
	assert_int_equal(w.cls, 1);
	assert_int_equal(at_parse_ccwa(X("+CCWA: \"\",128,1,,2"), &w, NULL), 0);
	assert_string_equal(w.clip.number, "");
	assert_int_equal(w.clip.validity, 2);
	POISON(c);
	POISON(w);
	assert_int_equal(at_parse_clcc(X("+CLCC: 1,2,4,0,0"), &c, NULL), -1);
	assert_int_equal(at_parse_clcc(X("+CLCC: 1,1,8,0,0"), &c, NULL), -1);
	assert_int_equal(at_parse_clcc(X("+CLCC: 1,1,4,0"), &c, NULL), -1);
	assert_int_equal(at_parse_clcc(X("+CLCC: 1,1,4,0,0,+39333,145"), &c,
	    NULL), -1);
	assert_int_equal(at_parse_clcc(X("+CLCC: 1,1,4,0,0,\"+39;3\",145"), &c,
	    NULL), -1);
	assert_int_equal(at_parse_clcc(X("+CLCC: 1,1,4,0,0,\"+393\",x"), &c,
	    NULL), -1);
	/* the answer to AT+CCWA=1,2 is not a waiting call */
	assert_int_equal(at_parse_ccwa(X("+CCWA: 1,1"), &w, NULL), -1);
	assert_int_equal(at_parse_ccwa(X("+CCWA: \"+49x\",145,1"), &w, NULL),
	    -1);
	assert_int_equal(at_parse_ccwa(X("+CCWA: \"+49\""), &w, NULL), -1);
	UNTOUCHED(c);
	UNTOUCHED(w);
}

static void
test_time(void **state)
{
	struct at_nettime	t;

	(void)state;
	/* 27.007 8.15 example form; Quectel EC25 AT manual 3.x: +CCLK */
	assert_int_equal(at_parse_cclk(X("+CCLK: \"08/01/04,00:19:43+32\""), &t,
	    NULL), 0);
	assert_int_equal(t.year, 2008);
	assert_int_equal(t.mon, 1);
	assert_int_equal(t.day, 4);
	assert_int_equal(t.hour, 0);
	assert_int_equal(t.tz, 32);
	assert_true(at_nettime_epoch(&t) == 1199404800LL + 19 * 60 + 43 -
	    8 * 3600);
	assert_int_equal(at_parse_cclk(X("+CCLK: \"24/02/29,23:59:59-20\""),
	    &t, NULL), 0);
	assert_int_equal(t.tz, -20);
	/* the unset clock of many modems (GPS epoch), a 1980 date */
	assert_int_equal(at_parse_cclk(X("+CCLK: \"80/01/06,00:00:05+00\""),
	    &t, NULL), 0);
	assert_int_equal(t.year, 1980);
	assert_int_equal(at_parse_cclk(X("+CCLK: \"2024/05/17,10:11:12\""), &t,
	    NULL), 0);
	assert_int_equal(t.tz, AT_TZ_NONE);
	assert_true(at_nettime_epoch(&t) == -1);
	/* +CTZV (27.007 8.41, AT+CTZR=1) and +CTZE (AT+CTZR=2, Quectel) */
	assert_int_equal(at_parse_ctzv(X("+CTZV: +08"), &t, NULL), 0);
	assert_int_equal(t.tz, 8);
	assert_int_equal(t.has_time, 0);
	assert_int_equal(at_parse_ctzv(X("+CTZV: -16,1"), &t, NULL), 0);
	assert_int_equal(t.tz, -16);
	assert_int_equal(t.dst, 1);
	assert_int_equal(at_parse_ctze(X("+CTZE: \"+04\",1,"
	    "\"2024/05/17,10:11:12\""), &t, NULL), 0);
	assert_int_equal(t.tz, 4);
	assert_int_equal(t.dst, 1);
	assert_int_equal(t.has_time, 1);
	assert_int_equal(t.sec, 12);
	POISON(t);
	assert_int_equal(at_parse_cclk(X("+CCLK: \"24/13/01,00:00:00+00\""), &t,
	    NULL), -1);
	assert_int_equal(at_parse_cclk(X("+CCLK: \"23/02/29,00:00:00+00\""), &t,
	    NULL), -1);
	assert_int_equal(at_parse_cclk(X("+CCLK: \"24/01/01,24:00:00+00\""), &t,
	    NULL), -1);
	assert_int_equal(at_parse_cclk(X("+CCLK: \"24/01/01,00:00:00+99\""), &t,
	    NULL), -1);
	assert_int_equal(at_parse_cclk(X("+CCLK: 24/01/01"), &t, NULL), -1);
	assert_int_equal(at_parse_cclk(X("+CCLK: \"24/01/01,00:00\""), &t,
	    NULL), -1);
	assert_int_equal(at_parse_cclk(X("+CCLK: \"24/01/01,00:00:00+00x\""),
	    &t, NULL), -1);
	assert_int_equal(at_parse_ctzv(X("+CTZV: "), &t, NULL), -1);
	assert_int_equal(at_parse_ctzv(X("+CTZV: +8x"), &t, NULL), -1);
	assert_int_equal(at_parse_ctze(X("+CTZE: \"+04\""), &t, NULL), -1);
	assert_int_equal(at_parse_ctze(X("+CTZE: \"+04\",1,\"2024/05/17\""), &t,
	    NULL), -1);
	UNTOUCHED(t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cesq),
		cmocka_unit_test(test_cgev),
		cmocka_unit_test(test_cgact_cgpaddr),
		cmocka_unit_test(test_cgdcont),
		cmocka_unit_test(test_calls),
		cmocka_unit_test(test_time),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
