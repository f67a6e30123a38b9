/*
 * test_uplink.c: the uplink meeting point (src/uplink.c): the initial
 * state without a provider, a published state reaching every subscriber
 * once per change and none after it unsubscribed, and the demand: the
 * provider hears only the changes between "nobody" and "somebody".
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "uplink.h"
#include "util.h"

struct seen {
	int			n;
	struct uplink_info	last;
};

static void
on_change(const struct uplink_info *u, void *arg)
{
	struct seen *s = arg;

	s->n++;
	s->last = *u;
}

static int demand_calls, demand_last = -1;

static void
on_demand(int wanted, void *arg)
{
	demand_calls++;
	demand_last = wanted;
	assert_ptr_equal(arg, &demand_calls);
}

static int
reset(void **state)
{
	uplink_reset();
	demand_calls = 0;
	demand_last = -1;
	return 0;
}

static void
test_initial(void **state)
{
	const struct uplink_info *u = uplink_current();

	assert_int_equal(u->state, UPLINK_UP);
	assert_string_equal(u->mode, "os");
	assert_string_equal(u->reason, "");
	assert_string_equal(uplink_state_name(UPLINK_DOWN), "down");
	assert_string_equal(uplink_state_name(UPLINK_FAILED), "failed");
	assert_string_equal(uplink_state_name(UPLINK_STATE_MAX), "?");
	assert_int_equal(uplink_wanted(), 0);
}

static void
test_publish_subscribe(void **state)
{
	struct seen a = { 0 }, b = { 0 };
	struct uplink_info in;

	assert_int_equal(uplink_subscribe(on_change, &a), 0);
	assert_int_equal(uplink_subscribe(on_change, &b), 0);
	memset(&in, 0, sizeof in);
	in.state = UPLINK_CONNECTING;
	util_strlcpy(in.mode, "modem", sizeof in.mode);
	util_strlcpy(in.reason, "dialling", sizeof in.reason);
	uplink_publish(&in);
	assert_int_equal(a.n, 1);
	assert_int_equal(b.n, 1);
	assert_int_equal(a.last.state, UPLINK_CONNECTING);
	assert_string_equal(a.last.reason, "dialling");
	assert_int_equal(uplink_current()->state, UPLINK_CONNECTING);
	/* the same state again: nobody hears it */
	uplink_publish(&in);
	assert_int_equal(a.n, 1);
	/* b leaves: only a hears the next change */
	uplink_unsubscribe(on_change, &b);
	in.state = UPLINK_UP;
	util_strlcpy(in.address, "10.0.0.2", sizeof in.address);
	uplink_publish(&in);
	assert_int_equal(a.n, 2);
	assert_int_equal(b.n, 1);
	assert_string_equal(a.last.address, "10.0.0.2");
	/* a full table is refused, not overwritten */
	for (int i = 0; uplink_subscribe(on_change, &b) == 0; i++)
		assert_true(i < 1000);
	uplink_reset();
	assert_int_equal(uplink_current()->state, UPLINK_UP);
	assert_string_equal(uplink_current()->mode, "os");
	in.state = UPLINK_DOWN;
	uplink_publish(&in);
	assert_int_equal(a.n, 2);	/* reset dropped every subscriber */
}

static void
test_demand(void **state)
{
	assert_int_equal(uplink_demand_subscribe(on_demand, &demand_calls), 0);
	uplink_want("cloud", 1);
	assert_int_equal(demand_calls, 1);
	assert_int_equal(demand_last, 1);
	assert_int_equal(uplink_wanted(), 1);
	/* a second user, and the first again: no change of demand */
	uplink_want("io", 1);
	uplink_want("cloud", 1);
	assert_int_equal(demand_calls, 1);
	uplink_want("cloud", 0);
	assert_int_equal(demand_calls, 1);
	assert_int_equal(uplink_wanted(), 1);
	/* someone who never wanted it lets go: nothing */
	uplink_want("bridge", 0);
	assert_int_equal(demand_calls, 1);
	uplink_want("io", 0);
	assert_int_equal(demand_calls, 2);
	assert_int_equal(demand_last, 0);
	assert_int_equal(uplink_wanted(), 0);
	/* after unsubscribing, the provider hears nothing more */
	uplink_demand_unsubscribe(on_demand, &demand_calls);
	uplink_want("cloud", 1);
	assert_int_equal(demand_calls, 2);
	assert_int_equal(uplink_wanted(), 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_initial, reset),
		cmocka_unit_test_setup(test_publish_subscribe, reset),
		cmocka_unit_test_setup(test_demand, reset),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
