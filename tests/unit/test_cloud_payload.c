/*
 * test_cloud_payload.c: the cloud downlink's checks (cloud_payload.c):
 * command payload text, the sms/send JSON object, cloud.server values;
 * malformed input is refused with a reason and fills nothing.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>

#include <cmocka.h>

#include "cloud.h"

static const char *err;
static struct cloud_sms_send m;

static int
text_ok(const char *s, size_t n)
{
	err = NULL;
	return cloud_payload_text_ok(s, n, &err);
}

static int
sms_send(const char *s)
{
	err = NULL;
	return cloud_payload_sms_send(s, strlen(s), &m, &err);
}

static void
test_text(void **state)
{
	char big[CLOUD_PAYLOAD_MAX + 2];

	assert_int_equal(text_ok("STATUS#", 7), 0);
	assert_int_equal(text_ok("a\tb\r\nc", 6), 0);
	assert_int_equal(text_ok("\xc3\xa4\xe2\x82\xac\xf0\x9f\x98\x80", 9), 0);
	assert_int_equal(text_ok("", 0), -1);
	assert_int_equal(text_ok("a\0b", 3), -1);
	assert_string_equal(err, "control character in payload");
	assert_int_equal(text_ok("\x1b[2J", 4), -1);
	assert_int_equal(text_ok("\x7f", 1), -1);
	assert_int_equal(text_ok("\xc3\x28", 2), -1);
	assert_string_equal(err, "payload is not UTF-8");
	assert_int_equal(text_ok("\xc3", 1), -1);		/* cut */
	assert_int_equal(text_ok("\xe2\x82", 2), -1);
	assert_int_equal(text_ok("\xc0\xaf", 2), -1);		/* overlong */
	assert_int_equal(text_ok("\xe0\x80\xaf", 3), -1);
	assert_int_equal(text_ok("\xed\xa0\x80", 3), -1);	/* surrogate */
	assert_int_equal(text_ok("\xf4\x90\x80\x80", 4), -1);	/* > U+10FFFF */
	assert_int_equal(text_ok("\xff", 1), -1);
	memset(big, 'a', sizeof big);
	assert_int_equal(text_ok(big, CLOUD_PAYLOAD_MAX), 0);
	assert_int_equal(text_ok(big, CLOUD_PAYLOAD_MAX + 1), -1);
	assert_string_equal(err, "payload too long");
}

static void
test_sms_send(void **state)
{
	assert_int_equal(sms_send("{\"to\":\"+491701234567\",\"text\":\"hi\","
	    "\"password\":\"pw\"}"), 0);
	assert_string_equal(m.to, "+491701234567");
	assert_string_equal(m.text, "hi");
	assert_int_equal(m.text_len, 2);
	assert_int_equal(m.has_password, 1);
	assert_string_equal(m.password, "pw");
	assert_int_equal(sms_send("{\"text\":\"\\u00e4\",\"to\":\"12345\"}"), 0);
	assert_string_equal(m.text, "\xc3\xa4");
	assert_int_equal(m.has_password, 0);
	/* malformed: each refused with a reason, nothing kept */
	assert_int_equal(sms_send("{not json"), -1);
	assert_string_equal(err, "not a JSON object");
	assert_int_equal(sms_send("[1,2]"), -1);
	assert_int_equal(sms_send("\"text\""), -1);
	assert_int_equal(sms_send("{\"to\":\"+1\",\"text\":\"a\"} x"), -1);
	assert_int_equal(sms_send("{\"to\":\"+1\",\"text\":\"a\"}{}"), -1);
	assert_int_equal(sms_send("{\"to\":1,\"text\":\"a\"}"), -1);
	assert_int_equal(sms_send("{\"to\":\"+1\",\"text\":5}"), -1);
	assert_int_equal(sms_send("{\"to\":\"+1\",\"text\":\"a\",\"pw\":\"x\"}"),
	    -1);
	assert_string_equal(err, "unknown key (expected to, text, password)");
	assert_int_equal(sms_send("{\"to\":\"+1\"}"), -1);
	assert_string_equal(err, "\"text\" is missing");
	assert_int_equal(sms_send("{\"text\":\"a\"}"), -1);
	assert_string_equal(err, "\"to\" is missing");
	assert_int_equal(sms_send("{\"to\":\"+1;rm\",\"text\":\"a\"}"), -1);
	assert_int_equal(sms_send("{\"to\":\"1+1\",\"text\":\"a\"}"), -1);
	assert_int_equal(sms_send("{\"to\":\"+1\",\"text\":\"\"}"), -1);
	assert_int_equal(sms_send("{\"to\":\"+1\",\"text\":\"a\\u0000b\"}"),
	    -1);
	assert_int_equal(sms_send("{\"to\":\"+1\",\"text\":\"a\",\"password\":"
	    "\"secret\",\"x\":1}"), -1);
	assert_string_equal(m.password, "");	/* wiped on refusal */
	assert_int_equal(sms_send("{\"a\":{\"b\":{\"c\":{\"d\":{\"e\":{\"f\":"
	    "{\"g\":{\"h\":{\"i\":1}}}}}}}}}"), -1);	/* too deep */
	{
		char big[CLOUD_TEXT_MAX + 64];

		memcpy(big, "{\"to\":\"+1\",\"text\":\"", 19);
		memset(big + 19, 'x', CLOUD_TEXT_MAX + 1);
		memcpy(big + 19 + CLOUD_TEXT_MAX + 1, "\"}", 3);
		assert_int_equal(sms_send(big), -1);
	}
}

static void
test_server(void **state)
{
	char h[256];
	int port;

	err = NULL;
	assert_int_equal(cloud_parse_server("broker.example", h, sizeof h,
	    &port, &err), 0);
	assert_string_equal(h, "broker.example");
	assert_int_equal(port, 0);
	assert_int_equal(cloud_parse_server("10.0.0.1:8883", h, sizeof h,
	    &port, &err), 0);
	assert_string_equal(h, "10.0.0.1");
	assert_int_equal(port, 8883);
	assert_int_equal(cloud_parse_server("[::1]:1883", h, sizeof h, &port,
	    &err), 0);
	assert_string_equal(h, "::1");
	assert_int_equal(port, 1883);
	assert_int_equal(cloud_parse_server("::1", h, sizeof h, &port, &err),
	    -1);
	assert_int_equal(cloud_parse_server("[::1", h, sizeof h, &port, &err),
	    -1);
	assert_int_equal(cloud_parse_server("[::1]x", h, sizeof h, &port,
	    &err), -1);
	assert_int_equal(cloud_parse_server("host:0", h, sizeof h, &port,
	    &err), -1);
	assert_int_equal(cloud_parse_server("host:65536", h, sizeof h, &port,
	    &err), -1);
	assert_int_equal(cloud_parse_server("host:", h, sizeof h, &port, &err),
	    -1);
	assert_int_equal(cloud_parse_server(":1883", h, sizeof h, &port, &err),
	    -1);
	assert_int_equal(cloud_parse_server("ho st", h, sizeof h, &port, &err),
	    -1);
	assert_int_equal(cloud_parse_server("a/b", h, sizeof h, &port, &err),
	    -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_text),
		cmocka_unit_test(test_sms_send),
		cmocka_unit_test(test_server),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
