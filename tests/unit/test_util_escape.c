/*
 * test_util_escape.c: util_escape_text(), the one escaper for text that
 * reaches a terminal or a log: printable UTF-8 kept, controls (C0, DEL,
 * C1), bidi overrides and invalid UTF-8 escaped, line breaks kept only
 * when asked, truncation marked, the output always terminated.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>

#include "util.h"

static char out[256];

static const char *
esc(const char *s, unsigned flags)
{
	util_escape_text(out, sizeof out, s, strlen(s), flags);
	return out;
}

static void
test_printable_kept(void **state)
{
	assert_string_equal(esc("Grüße 😀 a\\b", 0), "Grüße 😀 a\\b");
}

static void
test_controls_escaped(void **state)
{
	assert_string_equal(esc("a\x1b[2Jb\x07", 0), "a\\x1b[2Jb\\x07");
	assert_string_equal(esc("x\ny\r\t\x7f", 0), "x\\x0ay\\x0d\\x09\\x7f");
	assert_string_equal(esc("x\ny", UTIL_TEXT_NEWLINES), "x\ny");
	assert_string_equal(esc("x\ry", UTIL_TEXT_NEWLINES), "x\\x0dy");
	/* C1 CSI (U+009B) and a right-to-left override (U+202E) */
	assert_string_equal(esc("\xc2\x9b" "31m", 0), "\\u009b31m");
	assert_string_equal(esc("\xe2\x80\xae" "x", 0), "\\u202ex");
}

static void
test_invalid_utf8(void **state)
{
	/* a lone continuation byte, an overlong '/', a surrogate, a cut
	 * sequence at the end */
	assert_string_equal(esc("\x80", 0), "\\x80");
	assert_string_equal(esc("\xc0\xaf", 0), "\\xc0\\xaf");
	assert_string_equal(esc("\xed\xa0\x80", 0), "\\xed\\xa0\\x80");
	assert_string_equal(esc("ok\xe2\x82", 0), "ok\\xe2\\x82");
}

static void
test_truncation(void **state)
{
	char small[8];
	size_t n = util_escape_text(small, sizeof small, "abcdefghij", 10, 0);

	assert_true(n < sizeof small);
	assert_string_equal(small, "abcd...");
	n = util_escape_text(small, sizeof small, "\x01\x02\x03", 3, 0);
	assert_true(strlen(small) == n && n < sizeof small);
	util_escape_text(small, 1, "abc", 3, 0);
	assert_string_equal(small, "");
}

static void
test_rfc3339(void **state)
{
	char b[UTIL_RFC3339_LEN];

	assert_string_equal(util_rfc3339(b, sizeof b, 0, -1),
	    "1970-01-01T00:00:00Z");
	assert_string_equal(util_rfc3339(b, sizeof b, 1796630400LL, 7),
	    "2026-12-07T08:00:00.007Z");
	assert_string_equal(util_rfc3339(b, sizeof b, 951782400LL, -1),
	    "2000-02-29T00:00:00Z");
}

static void
test_suggest(void **state)
{
	const char *const words[] = { "status", "settings", "sms", NULL,
	    "sms.daily_limit" };

	assert_string_equal(util_suggest("stauts", words, 5), "status");
	assert_string_equal(util_suggest("SETINGS", words, 5), "settings");
	assert_string_equal(util_suggest("sms.daly_limit", words, 5),
	    "sms.daily_limit");
	assert_null(util_suggest("xyz", words, 5));	/* too far */
	assert_null(util_suggest("s", words, 5));	/* too short to guess */
	assert_null(util_suggest("", words, 5));
	assert_null(util_suggest("status", words, 0));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_printable_kept),
		cmocka_unit_test(test_controls_escaped),
		cmocka_unit_test(test_invalid_utf8),
		cmocka_unit_test(test_truncation),
		cmocka_unit_test(test_rfc3339),
		cmocka_unit_test(test_suggest),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
