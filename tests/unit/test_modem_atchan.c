/*
 * test_modem_atchan.c: the AT engine fed with byte streams (transcripts
 * in the shape of tests/vectors/at_*.json: python-gsmmodem's fake modems
 * and gammu dumps): one command in flight, echo dropped, URCs arriving
 * between echo and OK kept out of the response, +CME/+CMS codes, the
 * "> " prompt flow, PDU URCs, timeouts, flush, overlong lines, chunking.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <event2/event.h>

#include "at_parse.h"
#include "modem_atchan.h"
#include "util.h"

static struct event_base *base;
static struct atchan *ch;
static struct buf written;
static char urcs[8][256], urc_pdus[8][512];
static int nurcs, echo_backs;

struct result {
	int			 called;
	enum modem_final	 final;
	long			 code;
	char			 lines[8][256];
	size_t			 nlines;
	char			 final_line[64];
	enum modem_stage	 stage;
};

static int
t_write(const void *p, size_t n, void *arg)
{
	return buf_add(&written, p, n);
}

static void
t_urc(int id, const char *line, const char *pdu, void *arg)
{
	if (nurcs < 8) {
		util_strlcpy(urcs[nurcs], line, sizeof urcs[0]);
		util_strlcpy(urc_pdus[nurcs], pdu ? pdu : "", sizeof urc_pdus[0]);
		nurcs++;
	}
}

static int
t_is_urc(const char *line, size_t len, void *arg)
{
	return len >= 9 && memcmp(line, "^SYSSTART", 9) == 0;
}

static void
t_echo_back(void *arg)
{
	echo_backs++;
}

static const struct atchan_ops ops = {
	t_write, t_urc, t_is_urc, t_echo_back
};

static void
t_done(const struct modem_response *r, void *arg)
{
	struct result *res = arg;

	res->called++;
	res->final = r->final;
	res->code = r->code;
	res->nlines = r->nlines;
	res->stage = r->stage;
	for (size_t i = 0; i < r->nlines && i < 8; i++)
		util_strlcpy(res->lines[i], r->lines[i], sizeof res->lines[0]);
	util_strlcpy(res->final_line, r->final_line, sizeof res->final_line);
}

static int
setup(void **state)
{
	base = event_base_new();
	ch = atchan_new(base, &ops, NULL);
	buf_init(&written, 65536);
	nurcs = echo_backs = 0;
	return 0;
}

static int
teardown(void **state)
{
	atchan_free(ch);
	event_base_free(base);
	buf_free(&written);
	return 0;
}

static void
run(void)
{
	event_base_loop(base, EVLOOP_NONBLOCK);
}

static void
feed(const char *s)
{
	atchan_feed(ch, (const uint8_t *)s, strlen(s));
	run();
}

static void
test_prefix(void **state)
{
	char p[32];

	atchan_response_prefix("AT+CREG?", p, sizeof p);
	assert_string_equal(p, "+CREG:");
	atchan_response_prefix("at+cgmi", p, sizeof p);
	assert_string_equal(p, "+CGMI:");
	atchan_response_prefix("AT^ICCID?", p, sizeof p);
	assert_string_equal(p, "^ICCID:");
	atchan_response_prefix("AT+CMGS=23", p, sizeof p);
	assert_string_equal(p, "+CMGS:");
	atchan_response_prefix("ATE0", p, sizeof p);
	assert_string_equal(p, "");
	atchan_response_prefix("AT+CUSD=1,\"*100#\",15", p, sizeof p);
	assert_string_equal(p, "");
}

/* python-gsmmodem fakemodems: echo on, then the answer */
static void
test_simple_echo(void **state)
{
	struct result r = { 0 };

	assert_int_equal(atchan_send(ch, "AT+CGMI", NULL, 1000, 0, t_done, &r),
	    0);
	assert_int_equal(r.called, 0);	/* never from inside send */
	run();
	assert_string_equal(buf_str(&written), "AT+CGMI\r");
	feed("AT+CGMI\r\r\nhuawei\r\n\r\nOK\r\n");
	assert_int_equal(r.called, 1);
	assert_int_equal(r.final, MODEM_OK);
	assert_int_equal(r.nlines, 1);
	assert_string_equal(r.lines[0], "huawei");
}

/* URCs between the echo and OK never join the response */
static void
test_urc_separation(void **state)
{
	struct result r = { 0 };

	atchan_send(ch, "AT+CSQ", NULL, 1000, 0, t_done, &r);
	run();
	feed("AT+CSQ\r\r\n+CMTI: \"SM\",3\r\n\r\n+CSQ: 20,0\r\n\r\nRING\r\n"
	    "\r\nOK\r\n");
	assert_int_equal(r.called, 1);
	assert_int_equal(r.nlines, 1);
	assert_string_equal(r.lines[0], "+CSQ: 20,0");
	assert_int_equal(nurcs, 2);
	assert_string_equal(urcs[0], "+CMTI: \"SM\",3");
	assert_string_equal(urcs[1], "RING");
}

/* +CREG: URC shape during AT+CREG? is a URC; the answer is the response */
static void
test_creg_shapes(void **state)
{
	struct result r = { 0 };

	atchan_send(ch, "AT+CREG?", NULL, 1000, 0, t_done, &r);
	run();
	feed("\r\n+CREG: 5,\"00AB\",\"CDEF\"\r\n\r\n+CREG: 2,1,\"00AB\",\"CDEF\"\r\n"
	    "\r\nOK\r\n");
	assert_int_equal(r.nlines, 1);
	assert_string_equal(r.lines[0], "+CREG: 2,1,\"00AB\",\"CDEF\"");
	assert_int_equal(nurcs, 1);
	assert_string_equal(urcs[0], "+CREG: 5,\"00AB\",\"CDEF\"");
}

static void
test_cme_cms(void **state)
{
	struct result a = { 0 }, b = { 0 };

	atchan_send(ch, "AT+CPIN?", NULL, 1000, 0, t_done, &a);
	atchan_send(ch, "AT+CMGR=1", NULL, 1000, 0, t_done, &b);
	run();
	assert_string_equal(buf_str(&written), "AT+CPIN?\r");	/* one only */
	feed("\r\n+CME ERROR: 10\r\n");
	assert_int_equal(a.final, MODEM_CME_ERROR);
	assert_int_equal(a.code, 10);
	assert_string_equal(buf_str(&written), "AT+CPIN?\rAT+CMGR=1\r");
	feed("\r\n+CMS ERROR: 321\r\n");
	assert_int_equal(b.final, MODEM_CMS_ERROR);
	assert_int_equal(b.code, 321);
}

/* AT+CMGS: "> " then the PDU and Ctrl-Z, echo of the PDU dropped */
static void
test_prompt(void **state)
{
	struct result r = { 0 };
	const char *pdu = "0011000B916407281553F80000AA0AE8329BFD4697D9EC37";

	atchan_send(ch, "AT+CMGS=23", pdu, 5000, 0, t_done, &r);
	run();
	feed("AT+CMGS=23\r\r\n> ");
	assert_string_equal(buf_str(&written),
	    "AT+CMGS=23\r0011000B916407281553F80000AA0AE8329BFD4697D9EC37\x1a");
	feed("0011000B916407281553F80000AA0AE8329BFD4697D9EC37\x1a\r\n"
	    "+CMGS: 5\r\n\r\nOK\r\n");
	assert_int_equal(r.final, MODEM_OK);
	assert_int_equal(r.nlines, 1);
	assert_string_equal(r.lines[0], "+CMGS: 5");
}

/* +CMT with its PDU line goes to the URC handler as one */
static void
test_cmt_pdu(void **state)
{
	feed("\r\n+CMT: ,24\r\n07911326040000F0040B911346610089F60000208062917314"
	    "080CC8F71D14969741F977FD07\r\n");
	assert_int_equal(nurcs, 1);
	assert_string_equal(urcs[0], "+CMT: ,24");
	assert_true(strncmp(urc_pdus[0], "07911326", 8) == 0);
}

/* +CMGL listing: header then PDU lines in order */
static void
test_cmgl(void **state)
{
	struct result r = { 0 };

	atchan_send(ch, "AT+CMGL=4", NULL, 5000, 0, t_done, &r);
	run();
	feed("\r\n+CMGL: 1,0,,24\r\n07911326040000F0040B911346610089F600002080629"
	    "17314080CC8F71D14969741F977FD07\r\n+CMTI: \"SM\",2\r\n\r\nOK\r\n");
	assert_int_equal(r.nlines, 2);
	assert_string_equal(r.lines[0], "+CMGL: 1,0,,24");
	assert_true(strncmp(r.lines[1], "07911326", 8) == 0);
	assert_int_equal(nurcs, 1);
}

static void
test_timeout_then_next(void **state)
{
	struct result a = { 0 }, b = { 0 };

	atchan_send(ch, "AT", NULL, 30, 0, t_done, &a);
	atchan_send(ch, "ATI", NULL, 1000, 0, t_done, &b);
	while (a.called == 0)
		event_base_loop(base, EVLOOP_ONCE);
	assert_int_equal(a.final, MODEM_TIMEOUT);
	assert_string_equal(a.final_line, "TIMEOUT");
	assert_int_equal(atchan_timeout_count(ch), 1);
	run();
	assert_string_equal(buf_str(&written), "AT\rATI\r");
	feed("\r\nOK\r\n");
	assert_int_equal(b.final, MODEM_OK);
}

/* a command timing out at the prompt is cancelled with ESC */
static void
test_prompt_timeout_esc(void **state)
{
	struct result r = { 0 };

	atchan_send(ch, "AT+CMGS=2", "0011", 30, 0, t_done, &r);
	while (r.called == 0)
		event_base_loop(base, EVLOOP_ONCE);
	assert_int_equal(r.final, MODEM_TIMEOUT);
	assert_memory_equal(written.data + written.len - 1, "\x1b", 1);
}

/* how far a command got: never written, line written, PDU written */
static void
test_stage(void **state)
{
	struct result a = { 0 }, b = { 0 }, c = { 0 };

	atchan_send(ch, "AT+CMGS=2", "0011", 1000, 0, t_done, &a);
	atchan_send(ch, "AT+CMGS=2", "0011", 1000, 0, t_done, &b);
	run();
	feed("\r\n> ");
	atchan_flush(ch, MODEM_GONE);
	run();
	assert_int_equal(a.stage, MODEM_STAGE_PDU);
	assert_int_equal(b.stage, MODEM_STAGE_QUEUED);
	atchan_send(ch, "AT+CMGS=2", "0011", 1000, 0, t_done, &c);
	run();
	atchan_flush(ch, MODEM_GONE);
	run();
	assert_int_equal(c.final, MODEM_GONE);
	assert_int_equal(c.stage, MODEM_STAGE_WRITTEN);
}

static int prompt_calls, prompt_answer;
static size_t prompt_written;

static int
t_prompt(void *arg)
{
	prompt_calls++;
	prompt_written = written.len;
	return prompt_answer;
}

/* the prompt hook runs before the PDU is written; -1 sends ESC instead
 * and the modem's answer to ESC is not taken as the message's */
static void
test_prompt_hook(void **state)
{
	struct result a = { 0 }, b = { 0 };
	uint64_t id;

	prompt_calls = 0;
	prompt_answer = 0;
	id = atchan_submit(ch, "AT+CMGS=2", "0011", 1000, 0, t_done, &a);
	assert_int_equal(atchan_set_prompt_hook(ch, id, t_prompt, NULL), 0);
	run();
	feed("\r\n> ");
	assert_int_equal(prompt_calls, 1);
	assert_int_equal(prompt_written, strlen("AT+CMGS=2\r"));
	assert_string_equal(buf_str(&written), "AT+CMGS=2\r0011\x1a");
	feed("\r\n+CMGS: 7\r\n\r\nOK\r\n");
	assert_int_equal(a.final, MODEM_OK);
	assert_int_equal(a.stage, MODEM_STAGE_PDU);
	/* no longer queued */
	assert_int_equal(atchan_set_prompt_hook(ch, id, t_prompt, NULL), -1);

	buf_reset(&written);
	prompt_answer = -1;
	id = atchan_submit(ch, "AT+CMGS=2", "0011", 1000, 0, t_done, &b);
	atchan_set_prompt_hook(ch, id, t_prompt, NULL);
	run();
	feed("\r\n> ");
	assert_string_equal(buf_str(&written), "AT+CMGS=2\r\x1b");
	feed("\r\nOK\r\n");
	assert_int_equal(b.final, MODEM_ERROR);
	assert_string_equal(b.final_line, "ABORTED");
	assert_int_equal(b.stage, MODEM_STAGE_WRITTEN);
}

/* storage reads and deletes pass queued sends, keep their own order,
 * and stay behind recovery probes */
static void
test_storage_first(void **state)
{
	struct result r[5];

	memset(r, 0, sizeof r);
	atchan_send(ch, "AT+CSQ", NULL, 1000, 0, t_done, &r[0]);
	run();
	atchan_send(ch, "AT+CMGS=2", "0011", 1000, 0, t_done, &r[1]);
	atchan_send(ch, "AT+CMGR=3", NULL, 1000, ATCHAN_STORAGE, t_done,
	    &r[2]);
	atchan_send(ch, "AT+CMGD=3", NULL, 1000, ATCHAN_STORAGE, t_done,
	    &r[3]);
	atchan_send(ch, "AT", NULL, 1000, ATCHAN_FRONT, t_done, &r[4]);
	run();
	/* AT+CSQ was written at once; the rest in class order */
	for (int i = 0; i < 4; i++)
		feed("\r\nOK\r\n");
	assert_string_equal(buf_str(&written),
	    "AT+CSQ\rAT\rAT+CMGR=3\rAT+CMGD=3\rAT+CMGS=2\r");
}

static void
test_flush(void **state)
{
	struct result a = { 0 }, b = { 0 };

	atchan_send(ch, "AT+COPS=?", NULL, 1000, 0, t_done, &a);
	atchan_send(ch, "AT", NULL, 1000, 0, t_done, &b);
	run();
	atchan_flush(ch, MODEM_GONE);
	assert_int_equal(a.called, 0);
	run();
	assert_int_equal(a.final, MODEM_GONE);
	assert_int_equal(b.final, MODEM_GONE);
	assert_int_equal(atchan_queued(ch), 0);
}

/* chunk boundaries never matter; stray OK with nothing in flight */
static void
test_chunks_and_stray(void **state)
{
	const char *s = "AT+CGSN\r\r\n352099001761481\r\n\r\nOK\r\n";
	struct result r = { 0 };

	feed("\r\nOK\r\n");
	atchan_send(ch, "AT+CGSN", NULL, 1000, 0, t_done, &r);
	run();
	for (size_t i = 0; s[i] != '\0'; i++)
		atchan_feed(ch, (const uint8_t *)s + i, 1);
	run();
	assert_int_equal(r.final, MODEM_OK);
	assert_int_equal(r.nlines, 1);
	assert_string_equal(r.lines[0], "352099001761481");
}

/* an overlong line: the answer is broken, never acted on */
static void
test_overflow(void **state)
{
	struct result r = { 0 };
	char *big = malloc(3000);

	memset(big, 'A', 2999);
	big[2999] = '\0';
	atchan_send(ch, "ATI", NULL, 1000, 0, t_done, &r);
	run();
	feed("\r\n");
	feed(big);
	feed("\r\nOK\r\n");
	free(big);
	assert_int_equal(r.final, MODEM_ERROR);
}

/* vendor lines unknown to the table but claimed by is_urc */
static void
test_vendor_urc_and_echo_back(void **state)
{
	struct result r = { 0 }, s = { 0 };

	atchan_send(ch, "ATE0", NULL, 1000, 0, t_done, &r);
	run();
	feed("ATE0\r\r\nOK\r\n");
	assert_true(atchan_echo_off(ch));
	feed("\r\n^SYSSTART\r\n");
	assert_int_equal(nurcs, 1);
	atchan_send(ch, "AT+CSQ", NULL, 1000, 0, t_done, &s);
	run();
	feed("AT+CSQ\r\r\n+CSQ: 9,99\r\n\r\nOK\r\n");
	assert_int_equal(echo_backs, 1);
	assert_int_equal(s.nlines, 1);
}

/* gammu dump (Huawei): ^RSSI noise inside a +CPMS answer */
static void
test_huawei_noise(void **state)
{
	struct result r = { 0 };

	atchan_send(ch, "AT+CPMS?", NULL, 1000, 0, t_done, &r);
	run();
	feed("\r\n^RSSI:14\r\n\r\n+CPMS: \"SM\",0,50,\"SM\",0,50,\"SM\",0,50\r\n"
	    "\r\n^BOOT:20952743,0,0,0,72\r\n\r\nOK\r\n");
	assert_int_equal(r.nlines, 1);
	assert_int_equal(nurcs, 2);
}

/* Cancel: a queued command is never written and never answered; one in
 * flight keeps the channel until its answer, without a callback; one
 * finished but not yet delivered is not delivered; a handle already
 * delivered is unknown. */
static void
test_cancel(void **state)
{
	struct result a = { 0 }, b = { 0 }, c = { 0 }, d = { 0 };
	uint64_t ia, ib, ic, id;

	ia = atchan_submit(ch, "AT+CGMI", NULL, 1000, 0, t_done, &a);
	ib = atchan_submit(ch, "AT+CGMM", NULL, 1000, 0, t_done, &b);
	ic = atchan_submit(ch, "AT+CGMR", NULL, 1000, 0, t_done, &c);
	assert_true(ia != 0 && ib != 0 && ic != 0);
	assert_true(ia != ib && ib != ic && ia != ic);
	/* before flight: b is dropped unsent */
	assert_int_equal(atchan_cancel(ch, ib), 1);
	assert_int_equal(atchan_cancel(ch, ib), -1);
	assert_int_equal(atchan_queued(ch), 2);
	run();
	assert_string_equal(buf_str(&written), "AT+CGMI\r");
	/* during flight: a's answer is still taken as its answer */
	assert_int_equal(atchan_cancel(ch, ia), 0);
	assert_int_equal(atchan_unqueue(ch, ia), 0);
	feed("\r\nhuawei\r\n\r\nOK\r\n");
	assert_int_equal(a.called, 0);
	/* the next command went out after a's OK, not b */
	assert_string_equal(buf_str(&written), "AT+CGMI\rAT+CGMR\r");
	assert_null(strstr(buf_str(&written), "CGMM"));
	/* finished, callback due: cancel between the OK and the loop */
	{
		static const char ans[] = "\r\nE3372\r\n\r\nOK\r\n";

		atchan_feed(ch, (const uint8_t *)ans, sizeof ans - 1);
	}
	assert_int_equal(atchan_cancel(ch, ic), 0);
	run();
	assert_int_equal(c.called, 0);
	assert_int_equal(b.called, 0);
	/* an uncancelled one is answered as usual; afterwards it is gone */
	id = atchan_submit(ch, "AT", NULL, 1000, 0, t_done, &d);
	run();
	feed("\r\nOK\r\n");
	assert_int_equal(d.called, 1);
	assert_int_equal(d.final, MODEM_OK);
	assert_int_equal(atchan_cancel(ch, id), -1);
	assert_int_equal(atchan_cancel(ch, 0), -1);
	assert_int_equal(atchan_queued(ch), 0);
}

/* A cancelled command is not completed by a flush either. */
static void
test_cancel_flush(void **state)
{
	struct result a = { 0 }, b = { 0 };
	uint64_t ia;

	ia = atchan_submit(ch, "AT+COPS=?", NULL, 1000, 0, t_done, &a);
	atchan_submit(ch, "AT", NULL, 1000, 0, t_done, &b);
	run();
	assert_int_equal(atchan_cancel(ch, ia), 0);
	atchan_flush(ch, MODEM_GONE);
	run();
	assert_int_equal(a.called, 0);
	assert_int_equal(b.called, 1);
	assert_int_equal(b.final, MODEM_GONE);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_prefix),
		cmocka_unit_test_setup_teardown(test_simple_echo, setup, teardown),
		cmocka_unit_test_setup_teardown(test_urc_separation, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_creg_shapes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cme_cms, setup, teardown),
		cmocka_unit_test_setup_teardown(test_prompt, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cmt_pdu, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cmgl, setup, teardown),
		cmocka_unit_test_setup_teardown(test_timeout_then_next, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_prompt_timeout_esc, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_stage, setup, teardown),
		cmocka_unit_test_setup_teardown(test_prompt_hook, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_storage_first, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_flush, setup, teardown),
		cmocka_unit_test_setup_teardown(test_chunks_and_stray, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_overflow, setup, teardown),
		cmocka_unit_test_setup_teardown(test_vendor_urc_and_echo_back,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_huawei_noise, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cancel, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cancel_flush, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
