/*
 * test_io_gpio.c: the real gpio backend of this build (libgpiod 1.6 or
 * 2.x) without GPIO hardware: chip lookup by name, label and path fails
 * cleanly for chips that do not exist, malformed specs are refused, and
 * opening an item on a missing chip is an error (not a crash) that
 * leaves nothing to close.  With hardware, test_io_gpiosim.py does the
 * rest.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "../../src/io/io_backend.h"
#include "../../src/io/io_gpio.h"

static void
test_probe(void **state)
{
	char err[256];

	assert_int_equal(io_gpio_probe("cgtest-nochip:17", err, sizeof err),
	    -1);
	assert_non_null(strstr(err, "unknown chip"));
	assert_int_equal(io_gpio_probe("/dev/cgtest-nochip:0", err,
	    sizeof err), -1);
	assert_non_null(strstr(err, "unknown chip"));
	/* a path that is not a GPIO chip */
	assert_int_equal(io_gpio_probe("/dev/null:0", err, sizeof err), -1);
	assert_int_equal(io_gpio_probe("nocolon", err, sizeof err), -1);
	assert_non_null(strstr(err, "CHIP:LINE"));
	assert_int_equal(io_gpio_probe("gpiochip0:", err, sizeof err), -1);
}

static void
test_open_missing(void **state)
{
	struct io_item it;
	char err[256];

	assert_non_null(io_backend_gpio);
	memset(&it, 0, sizeof it);
	it.c.kind = IO_INPUT;
	it.c.debounce_ms = 20;
	snprintf(it.c.target, sizeof it.c.target, "cgtest-nochip:GPIO17");
	assert_int_equal(io_backend_gpio->open(&it, 0, err, sizeof err), -1);
	assert_int_equal(it.fd, -1);
	assert_int_equal(it.hw_debounce, 0);
	io_backend_gpio->close(&it);
	assert_null(it.priv);
	it.c.kind = IO_OUTPUT;
	assert_int_equal(io_backend_gpio->open(&it, 1, err, sizeof err), -1);
	io_backend_gpio->close(&it);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_probe),
		cmocka_unit_test(test_open_missing),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
