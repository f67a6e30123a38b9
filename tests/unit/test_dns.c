/*
 * test_dns.c: the resolver's contract (src/core/dns.c): numeric addresses
 * (IPv4, IPv6) are answered from the loop, never inside dns_start(); a
 * cancelled request is never answered; names too long and a resolver not
 * started are refused at once; the resolver lives while one user does.
 */
#include <sys/socket.h>

#include <netdb.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include <event2/event.h>

#include "dns.h"

static int calls, last_rc, last_family;
static char err[256];

static void
done(int rc, const struct addrinfo *res, void *arg)
{
	calls++;
	last_rc = rc;
	last_family = res != NULL ? res->ai_family : -1;
}

static void
test_numeric_from_the_loop(void **state)
{
	struct event_base *base = event_base_new();

	assert_non_null(base);
	assert_int_equal(dns_init(base, err, sizeof err), 0);
	calls = 0;
	assert_non_null(dns_start("127.0.0.1", "1883", SOCK_STREAM, done,
	    NULL, err, sizeof err));
	assert_int_equal(calls, 0);		/* not inside the caller */
	event_base_loop(base, EVLOOP_NONBLOCK);
	assert_int_equal(calls, 1);
	assert_int_equal(last_rc, 0);
	assert_int_equal(last_family, AF_INET);

	assert_non_null(dns_start("::1", "80", SOCK_DGRAM, done, NULL, err,
	    sizeof err));
	assert_int_equal(calls, 1);
	event_base_loop(base, EVLOOP_NONBLOCK);
	assert_int_equal(calls, 2);
	assert_int_equal(last_family, AF_INET6);
	dns_shutdown();
	event_base_free(base);
}

static void
test_cancel_and_refusals(void **state)
{
	struct event_base *base = event_base_new();
	char longname[400];
	struct dns_req *r;

	assert_null(dns_start("127.0.0.1", "1", SOCK_STREAM, done, NULL, err,
	    sizeof err));			/* not started */
	assert_non_null(strstr(err, "not started"));
	assert_int_equal(dns_init(base, err, sizeof err), 0);
	assert_int_equal(dns_init(base, err, sizeof err), 0);	/* 2 users */
	calls = 0;
	r = dns_start("10.0.0.1", "1", SOCK_STREAM, done, NULL, err,
	    sizeof err);
	assert_non_null(r);
	dns_cancel(r);
	dns_cancel(NULL);
	event_base_loop(base, EVLOOP_NONBLOCK);
	assert_int_equal(calls, 0);		/* cancelled: never answered */

	memset(longname, 'a', sizeof longname - 1);
	longname[sizeof longname - 1] = '\0';
	err[0] = '\0';
	assert_null(dns_start(longname, "1", SOCK_STREAM, done, NULL, err,
	    sizeof err));
	assert_non_null(strstr(err, "too long"));

	dns_shutdown();				/* one user left */
	assert_non_null(dns_start("127.0.0.1", "1", SOCK_STREAM, done, NULL,
	    err, sizeof err));
	dns_shutdown();				/* the pending one is freed */
	assert_null(dns_start("127.0.0.1", "1", SOCK_STREAM, done, NULL, err,
	    sizeof err));
	event_base_free(base);
	assert_int_equal(calls, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_numeric_from_the_loop),
		cmocka_unit_test(test_cancel_and_refusals),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
