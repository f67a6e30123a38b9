/*
 * test_bridge_proto.c: the bridge's pure parsers: UART fields, the
 * "similar RFC2217" frame (the seed's two examples, bad checksums,
 * unsupported values, frames inside data), the `+++` escape with right
 * and wrong timing, inline `password#AT+` frames, HTPHD escapes, hex
 * data and long/short values, each with malformed input.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "bridge_proto.h"
#include "util.h"

static char err[256];

static int
uart(const char *a, const char *b, const char *c, const char *d,
    const char *e, struct bridge_uart *u)
{
	char *argv[5] = { (char *)a, (char *)b, (char *)c, (char *)d,
	    (char *)e };

	return bridge_uart_parse(5, argv, u, err, sizeof err);
}

static void
test_uart(void **state)
{
	struct bridge_uart u;
	char out[64];
	char *two[2] = { "9600", "NONE" };

	assert_int_equal(uart("115200", "none", "8", "1", "none", &u), 0);
	assert_int_equal(bridge_uart_format(&u, out, sizeof out), 0);
	assert_string_equal(out, "115200,NONE,8,1,NONE");
	assert_int_equal(uart("9600", "EVEN", "7", "2", "RS485", &u), 0);
	assert_int_equal(u.flow, BRIDGE_FLOW_RS485);
	assert_int_equal(uart("1234", "NONE", "8", "1", "NONE", &u), -1);
	assert_int_equal(uart("9600", "MARK", "8", "1", "NONE", &u), -1);
	assert_int_equal(uart("9600", "NONE", "9", "1", "NONE", &u), -1);
	assert_int_equal(uart("9600", "NONE", "8", "3", "NONE", &u), -1);
	assert_int_equal(uart("9600", "NONE", "8", "1", "XON", &u), -1);
	assert_int_equal(uart("", "NONE", "8", "1", "NONE", &u), -1);
	assert_int_equal(uart("-9600", "NONE", "8", "1", "NONE", &u), -1);
	assert_int_equal(bridge_uart_parse(2, two, &u, err, sizeof err), -1);
	assert_int_equal(bridge_uart_format(&u, out, 4), -1);
}

static void
test_rfc_examples(void **state)
{
	static const uint8_t ex1[8] = { 0x55, 0xaa, 0x55, 0x01, 0xc2, 0x00,
	    0x83, 0x46 };
	static const uint8_t ex2[8] = { 0x55, 0xaa, 0x55, 0x00, 0x25, 0x80,
	    0x83, 0x28 };
	struct bridge_uart u;
	uint8_t f[8], bad[8];

	assert_int_equal(bridge_rfc_decode(ex1, &u), BRIDGE_RFC_OK);
	assert_int_equal(u.baud, 115200);
	assert_int_equal(u.data_bits, 8);
	assert_int_equal(u.stop_bits, 1);
	assert_int_equal(u.parity, BRIDGE_PARITY_NONE);
	assert_int_equal(bridge_rfc_decode(ex2, &u), BRIDGE_RFC_OK);
	assert_int_equal(u.baud, 9600);
	/* encode round trip (bit 7 aside, which the examples set) */
	u.parity = BRIDGE_PARITY_EVEN;
	u.data_bits = 7;
	u.stop_bits = 2;
	bridge_rfc_encode(&u, f);
	assert_int_equal(f[6], 0x1e);
	assert_int_equal(bridge_rfc_decode(f, &u), BRIDGE_RFC_OK);
	assert_int_equal(u.parity, BRIDGE_PARITY_EVEN);
	memcpy(bad, ex1, 8);
	bad[7] ^= 0xff;
	assert_int_equal(bridge_rfc_decode(bad, &u), BRIDGE_RFC_BADSUM);
	memcpy(bad, ex1, 8);
	bad[0] = 0x54;
	assert_int_equal(bridge_rfc_decode(bad, &u), BRIDGE_RFC_BADSUM);
	/* unsupported baud (14400 has no termios rate), parity type 11 */
	u.baud = 14400;
	u.parity = BRIDGE_PARITY_NONE;
	bridge_rfc_encode(&u, f);
	assert_int_equal(bridge_rfc_decode(f, &u), BRIDGE_RFC_BADPARAM);
	memcpy(bad, ex2, 8);
	bad[6] = 0x3b;
	bad[7] = (uint8_t)(bad[3] + bad[4] + bad[5] + bad[6]);
	assert_int_equal(bridge_rfc_decode(bad, &u), BRIDGE_RFC_BADPARAM);
}

static struct buf scan_data;
static int scan_frames, scan_bad;

static void
scan_data_cb(void *arg, const uint8_t *p, size_t n)
{
	buf_add(&scan_data, p, n);
}

static void
scan_frame_cb(void *arg, const struct bridge_uart *u)
{
	scan_frames++;
}

static void
scan_bad_cb(void *arg, enum bridge_rfc_result r)
{
	scan_bad++;
}

static const struct bridge_rfc_cb scan_cb = { scan_data_cb, scan_frame_cb,
    scan_bad_cb, NULL };

static void
scan(const void *p, size_t n)
{
	buf_reset(&scan_data);
	scan_frames = scan_bad = 0;
	bridge_rfc_scan(p, n, &scan_cb);
}

static void
test_rfc_scan(void **state)
{
	static const uint8_t in[] = { 'a', 'b', 0x55, 0xaa, 0x55, 0x00, 0x25,
	    0x80, 0x83, 0x28, 'c', 0x55, 0xaa, 0x55, 0x00, 0x25, 0x80, 0x83,
	    0x29, 0x55, 0xaa };

	buf_init(&scan_data, 1024);
	scan(in, sizeof in);
	assert_int_equal(scan_frames, 1);
	assert_int_equal(scan_bad, 1);
	/* the bad-checksum frame and the partial header stay data */
	assert_int_equal(scan_data.len, 3 + 8 + 2);
	assert_memory_equal(scan_data.data, "abc", 3);
	assert_memory_equal(scan_data.data + 3, in + 11, 10);
	scan("", 0);
	assert_int_equal(scan_data.len, 0);
	scan(in + 2, 8);
	assert_int_equal(scan_frames, 1);
	assert_int_equal(scan_data.len, 0);
	buf_free(&scan_data);
}

/* --- +++ ---------------------------------------------------------- */

static struct buf esc_data;
static int esc_a, esc_enter;
static size_t esc_rest;

static void
esc_data_cb(void *arg, const uint8_t *p, size_t n)
{
	buf_add(&esc_data, p, n);
}

static void
esc_a_cb(void *arg)
{
	esc_a++;
}

static void
esc_enter_cb(void *arg, const uint8_t *rest, size_t n)
{
	esc_enter++;
	esc_rest = n;
}

static const struct bridge_esc_cb esc_cb = { esc_data_cb, esc_a_cb,
    esc_enter_cb, NULL };

static void
esc_setup(struct bridge_esc *e)
{
	bridge_esc_reset(e);
	buf_reset(&esc_data);
	esc_a = esc_enter = 0;
	esc_rest = 0;
}

static void
feed(struct bridge_esc *e, const char *s, uint64_t now)
{
	bridge_esc_feed(e, (const uint8_t *)s, strlen(s), now, &esc_cb);
}

static void
test_esc(void **state)
{
	struct bridge_esc e;

	buf_init(&esc_data, 1024);
	/* right: silence, +++ in one burst, 'a' within 3 s */
	esc_setup(&e);
	feed(&e, "x", 1000);
	feed(&e, "+++", 1300);
	assert_int_equal(esc_a, 1);
	assert_int_equal(e.state, BRIDGE_ESC_WAIT_A);
	assert_int_equal(bridge_esc_deadline(&e), 1300 + 3000);
	feed(&e, "aAT", 2000);
	assert_int_equal(esc_enter, 1);
	assert_int_equal(esc_rest, 2);
	assert_int_equal(esc_data.len, 1);
	/* right: '+' one at a time, 40 ms apart */
	esc_setup(&e);
	feed(&e, "+", 5000);
	feed(&e, "+", 5040);
	feed(&e, "+", 5080);
	assert_int_equal(esc_a, 1);
	feed(&e, "a", 5100);
	assert_int_equal(esc_enter, 1);
	assert_int_equal(esc_data.len, 0);
	/* wrong: no silence before */
	esc_setup(&e);
	feed(&e, "x", 1000);
	feed(&e, "+++", 1100);
	assert_int_equal(esc_a, 0);
	assert_int_equal(esc_data.len, 4);
	/* wrong: 60 ms between '+' */
	esc_setup(&e);
	feed(&e, "+", 5000);
	feed(&e, "+", 5060);
	assert_int_equal(e.state, BRIDGE_ESC_IDLE);
	assert_int_equal(esc_data.len, 2);
	/* wrong: the timer flushes a lone '+' after T2 */
	esc_setup(&e);
	feed(&e, "+", 5000);
	bridge_esc_tick(&e, 5020, &esc_cb);
	assert_int_equal(esc_data.len, 0);
	bridge_esc_tick(&e, 5050, &esc_cb);
	assert_int_equal(esc_data.len, 1);
	/* wrong: 'a' after 3 s, or another byte */
	esc_setup(&e);
	feed(&e, "+++", 5000);
	feed(&e, "a", 8001);
	assert_int_equal(esc_enter, 0);
	assert_int_equal(esc_data.len, 4);
	assert_memory_equal(esc_data.data, "+++a", 4);
	esc_setup(&e);
	feed(&e, "+++", 5000);
	feed(&e, "b", 5100);
	assert_int_equal(esc_enter, 0);
	assert_memory_equal(esc_data.data, "+++b", 4);
	esc_setup(&e);
	feed(&e, "+++", 5000);
	bridge_esc_tick(&e, 8000, &esc_cb);
	assert_memory_equal(esc_data.data, "+++", 3);
	/* wrong: +++ followed by data in the same burst, and ++++ */
	esc_setup(&e);
	feed(&e, "+++x", 5000);
	assert_int_equal(esc_a, 0);
	assert_memory_equal(esc_data.data, "+++x", 4);
	esc_setup(&e);
	feed(&e, "++++", 5000);
	assert_int_equal(esc_a, 0);
	assert_int_equal(esc_data.len, 4);
	/* bulk reads: '+' past a read's first byte is data, in order */
	esc_setup(&e);
	feed(&e, "ab+++cd", 5000);
	assert_int_equal(esc_a, 0);
	assert_int_equal(esc_data.len, 7);
	assert_memory_equal(esc_data.data, "ab+++cd", 7);
	esc_setup(&e);
	feed(&e, "++x+++", 5000);
	assert_int_equal(esc_a, 0);
	assert_int_equal(e.state, BRIDGE_ESC_IDLE);
	assert_int_equal(esc_data.len, 6);
	assert_memory_equal(esc_data.data, "++x+++", 6);
	assert_string_equal(bridge_esc_state_name(BRIDGE_ESC_WAIT_A),
	    "wait-a");
	buf_free(&esc_data);
}

/* --- inline, HTPHD, hex, link ------------------------------------- */

static int
inl(const char *s, char *pw, char *cmd)
{
	return bridge_inline_parse((const uint8_t *)s, strlen(s), pw,
	    BRIDGE_PW_MAX + 1, cmd, 513);
}

static void
test_inline(void **state)
{
	char pw[BRIDGE_PW_MAX + 1], cmd[513], big[700];

	assert_int_equal(inl("usr.cn#AT+VER", pw, cmd), 1);
	assert_string_equal(pw, "usr.cn");
	assert_string_equal(cmd, "AT+VER");
	assert_int_equal(inl("pw#at+sockaen=on\r\n", pw, cmd), 1);
	assert_string_equal(cmd, "at+sockaen=on");
	assert_int_equal(inl("#AT+VER", pw, cmd), 0);
	assert_int_equal(inl("pw#AT", pw, cmd), 0);
	assert_int_equal(inl("pw#VER", pw, cmd), 0);
	assert_int_equal(inl("p w#AT+VER", pw, cmd), 0);
	assert_int_equal(inl("pw#AT+VER\r\nAT+Z", pw, cmd), 0);
	assert_int_equal(inl("plain data", pw, cmd), 0);
	assert_int_equal(inl("", pw, cmd), 0);
	memset(big, 'p', sizeof big);
	memcpy(big + 65, "#AT+VER", 8);
	assert_int_equal(inl(big, pw, cmd), 0);	/* password too long */
	memset(big, 'x', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	memcpy(big, "pw#AT+", 6);
	assert_int_equal(inl(big, pw, cmd), 0);	/* command too long */
}

/* The framer's output as one string: data as D[...], commands as
 * C[...]. */
static char framed[1024];

static void
framed_data(void *arg, const uint8_t *p, size_t n)
{
	size_t k = strlen(framed);

	snprintf(framed + k, sizeof framed - k, "D[%.*s]", (int)n,
	    (const char *)p);
}

static void
framed_cmd(void *arg, const uint8_t *p, size_t n)
{
	size_t k = strlen(framed);

	snprintf(framed + k, sizeof framed - k, "C[%.*s]", (int)n,
	    (const char *)p);
}

static const struct bridge_lines_cb framed_cb = { framed_data, framed_cmd,
	NULL };

static int
lfeed(struct bridge_lines *l, const char *s)
{
	return bridge_lines_feed(l, (const uint8_t *)s, strlen(s), &framed_cb);
}

/* Inline commands by line inside a stream: every command line runs, none
 * is passed on as data, a command split across reads is put together. */
static void
test_inline_lines(void **state)
{
	struct bridge_lines l;

	memset(&l, 0, sizeof l);
	framed[0] = '\0';
	/* two commands in one packet: both run, nothing is data */
	assert_int_equal(lfeed(&l, "pw#AT+VER\r\npw#AT+CSQ\r\n"), 0);
	assert_string_equal(framed, "C[pw#AT+VER]C[pw#AT+CSQ]");
	/* data around a command keeps its order and its line ends */
	framed[0] = '\0';
	assert_int_equal(lfeed(&l, "a b\r\npw#AT+VER\nx y\n"), 0);
	assert_string_equal(framed, "D[a b\r\n]C[pw#AT+VER]D[x y\n]");
	/* split across reads, in the password, after '#', in "AT+" */
	framed[0] = '\0';
	assert_int_equal(lfeed(&l, "p"), 1);
	assert_int_equal(lfeed(&l, "w#A"), 1);
	assert_int_equal(lfeed(&l, "T+V"), 1);
	assert_int_equal(lfeed(&l, "ER\r"), 0);
	assert_int_equal(lfeed(&l, "\n"), 0);	/* the command's LF */
	assert_string_equal(framed, "C[pw#AT+VER]");
	/* a held tail with no line end after the gap: a whole frame (the
	 * seed's one command per packet), or data */
	framed[0] = '\0';
	assert_int_equal(lfeed(&l, "x y\npw#AT+VER"), 1);
	bridge_lines_flush(&l, &framed_cb);
	assert_string_equal(framed, "D[x y\n]C[pw#AT+VER]");
	framed[0] = '\0';
	assert_int_equal(lfeed(&l, "12.5"), 1);
	bridge_lines_flush(&l, &framed_cb);
	bridge_lines_flush(&l, &framed_cb);	/* nothing held: nothing */
	assert_string_equal(framed, "D[12.5]");
	/* binary and spaced data passes at once */
	framed[0] = '\0';
	assert_int_equal(lfeed(&l, "hello world"), 0);
	assert_int_equal(lfeed(&l, "pw#VER\r\n"), 0);
	assert_string_equal(framed, "D[hello world]D[pw#VER\r\n]");
	/* a held tail that turns out to be data goes before what follows */
	framed[0] = '\0';
	assert_int_equal(lfeed(&l, "abc"), 1);
	assert_int_equal(lfeed(&l, " def\npw#AT+Z\n"), 0);
	assert_string_equal(framed, "D[abc def\n]C[pw#AT+Z]");
}

static int nlines;

static int
count_line(void *arg, const char *l, size_t n)
{
	nlines++;
	return 0;
}

static void
test_htphd(void **state)
{
	char out[256];
	size_t n;

	assert_int_equal(bridge_htphd_decode("Accept:text/html[0D][0A]"
	    "User-Agent: Mozilla/5.0[0d][0a]", out, sizeof out, &n, err,
	    sizeof err), 0);
	assert_string_equal(out, "Accept:text/html\r\nUser-Agent: "
	    "Mozilla/5.0\r\n");
	nlines = 0;
	assert_int_equal(bridge_htphd_lines(out, n, count_line, NULL, err,
	    sizeof err), 0);
	assert_int_equal(nlines, 2);
	assert_int_equal(bridge_htphd_decode("[20]x[5B]", out, sizeof out,
	    &n, err, sizeof err), 0);
	assert_string_equal(out, " x[");
	assert_int_equal(bridge_htphd_decode("a[0", out, sizeof out, &n, err,
	    sizeof err), -1);
	assert_int_equal(bridge_htphd_decode("a[0G]", out, sizeof out, &n,
	    err, sizeof err), -1);
	assert_int_equal(bridge_htphd_decode("a[00]", out, sizeof out, &n,
	    err, sizeof err), -1);
	assert_int_equal(bridge_htphd_decode("a[01]", out, sizeof out, &n,
	    err, sizeof err), -1);
	assert_int_equal(bridge_htphd_decode("[", out, sizeof out, &n, err,
	    sizeof err), -1);
	assert_int_equal(bridge_htphd_decode("abcdef", out, 4, &n, err,
	    sizeof err), -1);
	assert_int_equal(bridge_htphd_lines("no colon", 8, NULL, NULL, err,
	    sizeof err), -1);
	assert_int_equal(bridge_htphd_lines(": empty name", 12, NULL, NULL,
	    err, sizeof err), -1);
	assert_int_equal(bridge_htphd_lines("Bad Name: x", 11, NULL, NULL,
	    err, sizeof err), -1);
	assert_int_equal(bridge_htphd_lines("", 0, NULL, NULL, err,
	    sizeof err), 0);
}

static void
test_hex_link(void **state)
{
	uint8_t out[80];
	size_t n;
	int s, t;
	char *l1[1] = { "long" }, *s1[1] = { "SHORT" }, *s2[2] = { "short",
	    "30" }, *b1[2] = { "short", "1" }, *b2[1] = { "x" }, *b3[2] = {
	    "long", "3" }, *b4[3] = { "short", "3", "4" };

	assert_int_equal(bridge_hex_decode("7777772E7573722E636E", out,
	    sizeof out, &n, err, sizeof err), 0);
	assert_int_equal(n, 10);
	assert_memory_equal(out, "www.usr.cn", 10);
	assert_int_equal(bridge_hex_decode("", out, sizeof out, &n, err,
	    sizeof err), 0);
	assert_int_equal(n, 0);
	assert_int_equal(bridge_hex_decode("ABC", out, sizeof out, &n, err,
	    sizeof err), -1);
	assert_int_equal(bridge_hex_decode("GG", out, sizeof out, &n, err,
	    sizeof err), -1);
	assert_int_equal(bridge_hex_decode("0011", out, 1, &n, err,
	    sizeof err), -1);
	assert_int_equal(bridge_link_parse(1, l1, &s, &t, err, sizeof err), 0);
	assert_int_equal(s, 0);
	assert_int_equal(bridge_link_parse(1, s1, &s, &t, err, sizeof err), 0);
	assert_int_equal(s, 1);
	assert_int_equal(t, BRIDGE_SHORT_DEF);
	assert_int_equal(bridge_link_parse(2, s2, &s, &t, err, sizeof err), 0);
	assert_int_equal(t, 30);
	assert_int_equal(bridge_link_parse(2, b1, &s, &t, err, sizeof err),
	    -1);
	assert_int_equal(bridge_link_parse(1, b2, &s, &t, err, sizeof err),
	    -1);
	assert_int_equal(bridge_link_parse(2, b3, &s, &t, err, sizeof err),
	    -1);
	assert_int_equal(bridge_link_parse(3, b4, &s, &t, err, sizeof err),
	    -1);
	assert_int_equal(bridge_link_parse(0, NULL, &s, &t, err, sizeof err),
	    -1);
}

static void
test_http_url(void **state)
{
	static const uint8_t data[] = { 'a', ' ', '#', '%', 0x00, 0xff, '/' };
	struct buf b;

	buf_init(&b, 256);
	assert_int_equal(bridge_http_url(&b, "example.com,8080", "/log?d=",
	    data, sizeof data, err, sizeof err), 0);
	assert_string_equal(buf_str(&b),
	    "http://example.com:8080/log?d=a%20%23%%00%FF/");
	buf_reset(&b);
	/* an IPv6 host in brackets; the port is after the last comma */
	assert_int_equal(bridge_http_url(&b, "::1,80", "/", NULL, 5, err,
	    sizeof err), 0);
	assert_string_equal(buf_str(&b), "http://[::1]:80/");
	buf_reset(&b);
	/* POST: no data in the URL */
	assert_int_equal(bridge_http_url(&b, "h,1", "/x", NULL, 0, err,
	    sizeof err), 0);
	assert_string_equal(buf_str(&b), "http://h:1/x");
	buf_free(&b);
	/* malformed server, too long */
	buf_init(&b, 256);
	assert_int_equal(bridge_http_url(&b, "example.com", "/", NULL, 0, err,
	    sizeof err), -1);
	assert_string_equal(err, "bad HTPSV");
	buf_free(&b);
	buf_init(&b, 20);
	assert_int_equal(bridge_http_url(&b, "example.com,80", "/",
	    (const uint8_t *)"\x01\x02\x03", 3, err, sizeof err), -1);
	assert_string_equal(err, "URL too long");
	buf_free(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_uart),
		cmocka_unit_test(test_rfc_examples),
		cmocka_unit_test(test_rfc_scan),
		cmocka_unit_test(test_esc),
		cmocka_unit_test(test_inline),
		cmocka_unit_test(test_inline_lines),
		cmocka_unit_test(test_htphd),
		cmocka_unit_test(test_hex_link),
		cmocka_unit_test(test_http_url),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
