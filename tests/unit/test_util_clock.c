/*
 * test_util_clock.c: util_wall_time(), the clock messages are stamped
 * with: the system clock while it is plausible (not before the build
 * date), else, once the network gave its time, that time running on
 * the monotonic clock; never the network's when the system clock is
 * right (NTP synced).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "util.h"

static void
test_build_time(void **state)
{
	time_t b = util_build_time();

	(void)state;
	/* after the first release of this code, and a midnight (UTC) */
	assert_true(b > 1767225600);		/* 2026-01-01 */
	assert_int_equal(b % 86400, 0);
}

static void
test_fallback(void **state)
{
	time_t b = util_build_time(), net = b + 86400 * 30;
	uint64_t ms = 1000000;

	(void)state;
	/* no network time yet: the system clock, however wrong */
	assert_int_equal(util_wall_time_from(86400, ms), 86400);
	util_wall_time_hint(net);
	/* a board without RTC before NTP: the network's time, running on */
	assert_int_equal(util_wall_time_from(86400, util_now_ms()), net);
	assert_int_equal(util_wall_time_from(86400, util_now_ms() + 5000),
	    net + 5);
	/* once the clock is set, the clock */
	assert_int_equal(util_wall_time_from(b + 10, util_now_ms()), b + 10);
	assert_int_equal(util_wall_time_from(b, util_now_ms()), b);
	assert_int_equal(util_wall_time_from(b - 1, util_now_ms()), net);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_build_time),
		cmocka_unit_test(test_fallback),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
