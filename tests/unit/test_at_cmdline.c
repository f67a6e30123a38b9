/*
 * test_at_cmdline.c: naming the commands of an AT command line as the
 * modem reads it: chains, spaces, case, quoted ';', basic commands before
 * extended ones, dial strings, and malformed lines refused.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>

#include "at_cmdline.h"

static struct at_cmdline cl;
static const char *err;
static char names[256];

static int
parse(const char *s)
{
	err = NULL;
	names[0] = '\0';
	if (at_cmdline_parse(s, strlen(s), &cl, &err) == -1)
		return -1;
	for (int i = 0; i < cl.ncmds; i++) {
		strcat(names, i ? " " : "");
		strcat(names, cl.cmds[i].name);
	}
	return 0;
}

static void
test_names(void **state)
{
	static const char *const prompt[] = { "+CMGS", "+CMGW", NULL };

	assert_int_equal(parse("AT+CMGS =14"), 0);
	assert_string_equal(names, "+CMGS");
	assert_int_equal(at_cmdline_find(&cl, prompt), 0);
	assert_int_equal(parse("at+c mgs=14"), 0);
	assert_string_equal(names, "+CMGS");
	assert_int_equal(parse("AT+COPS?;+CPIN=\"1234\""), 0);
	assert_string_equal(names, "+COPS +CPIN");
	assert_int_equal(cl.cmds[1].args_len, 7);
	assert_int_equal(parse("AT+STMSG=\"a;+CMGS=1\";+CSQ"), 0);
	assert_string_equal(names, "+STMSG +CSQ");
	assert_int_equal(at_cmdline_find(&cl, prompt), -1);
	assert_int_equal(parse("ATE0V1&FS0=1+CMEE=1;^NDISDUP=1,1"), 0);
	assert_string_equal(names, "E V &F S +CMEE ^NDISDUP");
	assert_int_equal(parse("ATD+491701234567;"), 0);
	assert_string_equal(names, "D");
	assert_int_equal(parse("AT"), 0);
	assert_int_equal(cl.ncmds, 0);
	assert_int_equal(parse("  AT ;; +CSQ ; "), 0);
	assert_string_equal(names, "+CSQ");
}

static void
test_malformed(void **state)
{
	static const char *const bad[] = {
		"", "A", "+CSQ", "AT+", "AT+CPIN=\"12", "AT@", "AT&",
		"AT+ABCDEFGHIJKLMNOPQRSTUVWXYZ",
		"AT+A;+A;+A;+A;+A;+A;+A;+A;+A;+A;+A;+A;+A;+A;+A;+A;+A",
	};

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		assert_int_equal(parse(bad[i]), -1);
		assert_non_null(err);
	}
	/* a NUL byte starts no command and is in no name (libFuzzer) */
	assert_int_equal(at_cmdline_parse("AT\0+CSQ", 7, &cl, &err), -1);
	assert_int_equal(at_cmdline_parse("AT+C\0Q", 7, &cl, &err), 0);
	assert_string_equal(cl.cmds[0].name, "+C");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_malformed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
