/*
 * cloud_fixture.h: the cloud module started on a fresh store, its broker
 * a closed loopback port (never reached), for the cloud module's unit
 * tests; cloud_fixture.c.
 */
#ifndef CG_TEST_CLOUD_FIXTURE_H
#define CG_TEST_CLOUD_FIXTURE_H

struct event_base;

extern struct event_base *base;

/* cmocka group setup and teardown. */
int cloud_fixture_setup(void **state);
int cloud_fixture_teardown(void **state);
/* A runtime setting set, asserted to succeed. */
void cloud_fixture_set(const char *name, const char *value);

#endif
