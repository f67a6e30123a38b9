/*
 * test_buf_cut.c: buf_add_cut() and buf_mark_cut() (util.c), which keep
 * what fits of a long text and mark the cut: nothing
 * cut when it fits, cuts at UTF-8 character boundaries (never half a
 * character), the marker within the limit, and no marker without a cut.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>

#include "util.h"

static void
fits(void **state)
{
	struct buf b;

	buf_init(&b, 10);
	assert_int_equal(buf_add_cut(&b, "hello", 5), 0);
	assert_int_equal(buf_add_cut(&b, "world", 5), 0);
	assert_int_equal(buf_mark_cut(&b, "[cut]"), 0);
	assert_string_equal(buf_str(&b), "helloworld");
	buf_free(&b);
}

static void
cut_ascii(void **state)
{
	struct buf b;

	buf_init(&b, 12);
	assert_int_equal(buf_add_cut(&b, "0123456789", 10), 0);
	assert_int_equal(buf_add_cut(&b, "abcdef", 6), 1);
	assert_string_equal(buf_str(&b), "0123456789ab");
	/* later appends are refused: the cut is at one place */
	assert_int_equal(buf_add_cut(&b, "x", 1), 1);
	assert_int_equal(buf_mark_cut(&b, "[cut]"), 1);
	assert_string_equal(buf_str(&b), "0123456[cut]");
	assert_true(b.len <= b.max);
	buf_free(&b);
}

static void
cut_utf8(void **state)
{
	/* "€" is 3 bytes: a cut never leaves part of one */
	const char *euros = "\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac";
	struct buf b;

	buf_init(&b, 8);
	assert_int_equal(buf_add_cut(&b, euros, 9), 1);
	assert_string_equal(buf_str(&b), "\xe2\x82\xac\xe2\x82\xac");
	assert_int_equal(buf_mark_cut(&b, "[c]"), 1);
	assert_string_equal(buf_str(&b), "\xe2\x82\xac[c]");
	buf_free(&b);

	/* a 4-byte character at the limit */
	buf_init(&b, 6);
	assert_int_equal(buf_add_cut(&b, "ab\xf0\x9f\x98\x80" "cd", 8), 1);
	assert_string_equal(buf_str(&b), "ab\xf0\x9f\x98\x80");
	buf_free(&b);
	buf_init(&b, 5);
	assert_int_equal(buf_add_cut(&b, "ab\xf0\x9f\x98\x80", 6), 1);
	assert_string_equal(buf_str(&b), "ab");
	buf_free(&b);
}

static void
overflow_from_buf_add(void **state)
{
	struct buf b;

	/* a refusal by plain buf_add (the redaction) is marked too */
	buf_init(&b, 6);
	for (int i = 0; i < 10; i++)
		buf_add(&b, "z", 1);
	assert_int_equal(b.len, 6);
	assert_int_equal(buf_mark_cut(&b, "[cut]"), 1);
	assert_string_equal(buf_str(&b), "z[cut]");
	buf_free(&b);

	/* nothing appended at all, then marked */
	buf_init(&b, 5);
	assert_int_equal(buf_add_cut(&b, "toolong", 7), 1);
	assert_int_equal(buf_mark_cut(&b, "[cut]"), 1);
	assert_string_equal(buf_str(&b), "[cut]");
	buf_free(&b);

	/* a marker longer than the limit: the text is left as it is */
	buf_init(&b, 3);
	assert_int_equal(buf_add_cut(&b, "abcd", 4), 1);
	assert_int_equal(buf_mark_cut(&b, "[cut]"), 1);
	assert_string_equal(buf_str(&b), "abc");
	buf_free(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(fits),
		cmocka_unit_test(cut_ascii),
		cmocka_unit_test(cut_utf8),
		cmocka_unit_test(overflow_from_buf_add),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
