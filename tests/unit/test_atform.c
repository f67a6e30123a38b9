/*
 * test_atform.c: the AT-form command parser: every operation, quoting,
 * the seed's examples, and malformed or overlong input refused with a
 * reason.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>

#include "atform.h"

static struct atform f;
static const char *err;

static int
parse(const char *s)
{
	err = NULL;
	return atform_parse(s, strlen(s), &f, &err);
}

static void
test_ops(void **state)
{
	assert_int_equal(parse("AT+VER"), 0);
	assert_string_equal(f.name, "VER");
	assert_int_equal(f.op, ATFORM_EXEC);
	assert_int_equal(parse("at+ver?\r\n"), 0);
	assert_string_equal(f.name, "VER");
	assert_int_equal(f.op, ATFORM_QUERY);
	assert_int_equal(parse("AT+E=?"), 0);
	assert_int_equal(f.op, ATFORM_TEST);
	assert_int_equal(parse("AT+E=on"), 0);
	assert_int_equal(f.op, ATFORM_SET);
	assert_int_equal(f.argc, 1);
	assert_string_equal(f.argv[0], "on");
	assert_int_equal(parse("AT+auth.remote_lock=3"), 0);
	assert_string_equal(f.name, "AUTH.REMOTE_LOCK");
}

static void
test_args(void **state)
{
	/* the seed's example: AT+SOCKA="TCP","test.usr.cn",10000 */
	assert_int_equal(parse("AT+SOCKA=\"TCP\",\"test.usr.cn\",10000"), 0);
	assert_int_equal(f.argc, 3);
	assert_string_equal(f.argv[0], "TCP");
	assert_string_equal(f.argv[1], "test.usr.cn");
	assert_string_equal(f.argv[2], "10000");
	assert_string_equal(f.raw, "\"TCP\",\"test.usr.cn\",10000");
	/* one quoted string keeps its commas, raw is its content */
	assert_int_equal(parse("AT+STMSG=\"Hello, world\""), 0);
	assert_int_equal(f.argc, 1);
	assert_string_equal(f.argv[0], "Hello, world");
	assert_string_equal(f.raw, "Hello, world");
	/* unquoted text: raw keeps the commas, argv splits */
	assert_int_equal(parse("AT+STMSG=Hello, world"), 0);
	assert_int_equal(f.argc, 2);
	assert_string_equal(f.argv[1], "world");
	assert_string_equal(f.raw, "Hello, world");
	/* empty fields and an empty value */
	assert_int_equal(parse("AT+X=,,"), 0);
	assert_int_equal(f.argc, 3);
	assert_string_equal(f.argv[2], "");
	assert_int_equal(parse("AT+STMSG="), 0);
	assert_int_equal(f.argc, 1);
	assert_string_equal(f.raw, "");
}

static void
test_malformed(void **state)
{
	char big[ATFORM_MAX_LEN + 16];

	assert_int_equal(parse(""), -1);
	assert_int_equal(parse("VER"), -1);
	assert_string_equal(err, "command must start with AT+");
	assert_int_equal(parse("AT+"), -1);
	assert_int_equal(parse("AT+VER?x"), -1);
	assert_int_equal(parse("AT+E=\"on"), -1);
	assert_string_equal(err, "unterminated quoted string");
	assert_int_equal(parse("AT+E=\"on\"x"), -1);
	assert_int_equal(parse("AT+E=o\"n"), -1);
	assert_int_equal(parse("AT+STMSG=a\x1a" "b"), -1);
	assert_string_equal(err, "control character in command");
	assert_int_equal(parse("AT+STMSG=a\x1b" "b"), -1);
	assert_int_equal(parse("AT+STMSG=a\rAT+CLEAR"), -1);
	assert_int_equal(parse("AT+X=1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17"),
	    -1);
	assert_string_equal(err, "too many arguments");
	memset(big, 'A', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	memcpy(big, "AT+STMSG=", 9);
	assert_int_equal(parse(big), -1);
	assert_string_equal(err, "command too long");
	assert_int_equal(parse("AT+AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"),
	    -1);
	assert_string_equal(err, "command name too long");
	/* a NUL inside the given length is a control character */
	err = NULL;
	assert_int_equal(atform_parse("AT+E\0=on", 8, &f, &err), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ops),
		cmocka_unit_test(test_args),
		cmocka_unit_test(test_malformed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
