/*
 * test_bridge_settings.c: the bridge's rows of the settings registry:
 * every custom value check (UART, SOCKASL, REGDT/HEARTDT, HTPHD, HTPURL,
 * HTPSV, RSTIM, DSTNUM) accepts the seed's forms, writes the canonical
 * text and refuses malformed values with a reason; and the canonical text
 * reads back to itself.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>

#include "bridge.h"
#include "settings.h"
#include "util.h"

static char out[SETTING_VALUE_MAX + 1], err[256];

static int
check(const char *name, const char *text)
{
	const struct setting_def *d = settings_find(name);

	assert_non_null(d);
	out[0] = '\0';
	return settings_check_text(d, text, out, sizeof out, err, sizeof err);
}

static void
ok(const char *name, const char *text, const char *canon)
{
	char again[SETTING_VALUE_MAX + 1];

	assert_int_equal(check(name, text), 0);
	assert_string_equal(out, canon);
	util_strlcpy(again, out, sizeof again);
	assert_int_equal(check(name, again), 0);	/* stable */
	assert_string_equal(out, canon);
}

static void
bad(const char *name, const char *text)
{
	assert_int_equal(check(name, text), -1);
	assert_true(err[0] != '\0');
}

static void
test_values(void **state)
{
	ok("UART", "9600,even,7,2,crts", "9600,EVEN,7,2,CRTS");
	bad("UART", "9600,even,7,2");
	bad("UART", "9601,NONE,8,1,NONE");
	ok("SOCKASL", "long", "long");
	ok("SOCKBSL", "short", "short");	/* the seed's reply */
	ok("SOCKBSL", "short,10", "short");
	ok("SOCKASL", "short,255", "short,255");
	bad("SOCKASL", "short,256");
	bad("SOCKASL", "");
	ok("REGDT", "7777772e7573722e636e", "7777772E7573722E636E");
	ok("HEARTDT", "", "");
	bad("HEARTDT", "7");
	bad("REGDT", "7777772E7573722E636G");
	ok("HTPHD", "Accept:text/html[0D][0A]Accept-Language:zh-CN,en[0D][0A]",
	    "Accept:text/html[0D][0A]Accept-Language:zh-CN,en[0D][0A]");
	bad("HTPHD", "X: [zz]");
	bad("HTPHD", "NoColon[0D][0A]");
	ok("HTPURL", "/1.php?a=1,b=2", "/1.php?a=1,b=2");
	bad("HTPURL", "1.php");
	bad("HTPURL", "/a b");
	ok("HTPSV", "www.usr.cn,80", "www.usr.cn,80");
	bad("HTPSV", "www.usr.cn,0");
	bad("HTPSV", "www usr,80");
	ok("RSTIM", "0", "0");
	ok("RSTIM", "1800", "1800");
	bad("RSTIM", "59");
	bad("RSTIM", "65536");
	ok("DSTNUM", "+391234567", "+391234567");
	ok("DSTNUM", "", "");
	bad("DSTNUM", "+");
	bad("DSTNUM", "123456789012345678901");
	ok("REGSND", "LINK&DATA", "link&data");
	bad("REGTP", "REGID");
	ok("HEARTTP", "com", "COM");
	bad("bridge.high_water", "100");
}

static void
test_tables(void **state)
{
	/* every row has a help text, a role, and a default that passes */
	for (size_t i = 0; i < bridge_settings_table_len; i++) {
		const struct setting_def *d = &bridge_settings_table[i];

		assert_non_null(d->help);
		assert_int_equal(d->group, GROUP_NET);
		assert_int_equal(settings_check_text(d, d->def, out,
		    sizeof out, err, sizeof err), 0);
		assert_string_equal(out, d->def);
	}
	assert_string_equal(settings_find("SOCKAEN")->def, "off");
	assert_string_equal(settings_find("SOCKBEN")->def, "off");
	assert_non_null(cmd_find("SOCKALK"));
	assert_non_null(cmd_find("ENTM"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_tables),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
