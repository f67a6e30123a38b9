/*
 * test_climset.c: the µPanel seed's remote-lock spellings: each form,
 * case and the seed's trailing " |", and malformed ones refused.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>

#include "climset.h"

static struct climset c;
static const char *err;

static int
parse(const char *s)
{
	err = NULL;
	return climset_parse(s, strlen(s), 15, &c, &err);
}

static void
test_forms(void **state)
{
	assert_int_equal(parse("$AP-CLIMSET"), 1);
	assert_int_equal(c.op, CLIMSET_QUERY);
	assert_int_equal(parse("$AP-CLIMSET:9"), 1);
	assert_int_equal(c.op, CLIMSET_SET);
	assert_int_equal(c.sum, 9);
	assert_int_equal(parse("$ap-climset:0 |"), 1);
	assert_int_equal(c.sum, 0);
	assert_int_equal(parse("$APP-CLIM |"), 1);
	assert_int_equal(c.op, CLIMSET_LIM);
	assert_int_equal(c.sum, 1);
	assert_int_equal(parse("$APP-CFULL"), 1);
	assert_int_equal(c.op, CLIMSET_FULL);
	assert_int_equal(c.sum, 0);
	assert_int_equal(parse("AT+VER"), 0);
	assert_int_equal(parse(""), 0);
}

static void
test_malformed(void **state)
{
	static const char *const bad[] = {
		"$AP-CLIMSET:16", "$AP-CLIMSET:-1", "$AP-CLIMSET:", "$AP-CLIMSET=3",
		"$AP-CLIMSET:3x", "$AP-CLIMSET:99999999999", "$APP-CLIMX", "$",
		"$RESET", "$AP-CLIMSETT",
	};

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		assert_int_equal(parse(bad[i]), -1);
		assert_non_null(err);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_forms),
		cmocka_unit_test(test_malformed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
