/*
 * events.c: fans published events out to the registered sinks, and keeps
 * the last EVENTS_HISTORY of them (log lines excepted) for `cellgatectl
 * events`.  Events are built once and handed to every sink; a sink that
 * wants to keep one takes its own reference.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "events.h"
#include "util.h"

#define EVENTS_MAX_SINKS 8
#define EVENTS_HISTORY	 200	/* kept for `cellgatectl events` */

static struct {
	events_sink_fn	*fn;
	void		*arg;
} events_sinks[EVENTS_MAX_SINKS];

static struct json_object *events_history[EVENTS_HISTORY];
static size_t events_next;	/* slot of the next event */

int
events_add_sink(events_sink_fn *fn, void *arg)
{
	for (size_t i = 0; i < nitems(events_sinks); i++) {
		if (events_sinks[i].fn == NULL) {
			events_sinks[i].fn = fn;
			events_sinks[i].arg = arg;
			return 0;
		}
	}
	return -1;
}

void
events_remove_sink(events_sink_fn *fn, void *arg)
{
	for (size_t i = 0; i < nitems(events_sinks); i++)
		if (events_sinks[i].fn == fn && events_sinks[i].arg == arg)
			events_sinks[i].fn = NULL;
}

void
events_publish(const char *name, struct json_object *fields)
{
	struct json_object *ev = json_object_new_object();
	struct timespec ts;
	char stamp[UTIL_RFC3339_LEN];
	int any = 0;

	for (size_t i = 0; i < nitems(events_sinks); i++)
		any |= events_sinks[i].fn != NULL;
	/* debug log lines are only streamed, not kept */
	if (ev == NULL || (!any && strcmp(name, "log") == 0)) {
		json_object_put(fields);
		json_object_put(ev);
		return;
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	util_rfc3339(stamp, sizeof stamp, (long long)ts.tv_sec,
	    (int)(ts.tv_nsec / 1000000));
	json_object_object_add(ev, "event", json_object_new_string(name));
	json_object_object_add(ev, "time", json_object_new_string(stamp));
	if (fields != NULL) {
		json_object_object_foreach(fields, k, v)
			json_object_object_add(ev, k, json_object_get(v));
		json_object_put(fields);
	}
	for (size_t i = 0; i < nitems(events_sinks); i++)
		if (events_sinks[i].fn != NULL)
			events_sinks[i].fn(ev, events_sinks[i].arg);
	if (strcmp(name, "log") != 0) {
		json_object_put(events_history[events_next]);
		events_history[events_next] = ev;	/* keeps our reference */
		events_next = (events_next + 1) % EVENTS_HISTORY;
	} else
		json_object_put(ev);
}

struct json_object *
events_recent(size_t max)
{
	struct json_object *a = json_object_new_array();
	size_t n = 0, i;

	for (i = 0; i < EVENTS_HISTORY; i++)
		if (events_history[i] != NULL)
			n++;
	if (max > n)
		max = n;
	for (i = 0; i < max; i++) {
		size_t k = (events_next + EVENTS_HISTORY - max + i) %
		    EVENTS_HISTORY;

		json_object_array_add(a, json_object_get(events_history[k]));
	}
	return a;
}

void
events_clear(void)
{
	for (size_t i = 0; i < EVENTS_HISTORY; i++) {
		json_object_put(events_history[i]);
		events_history[i] = NULL;
	}
	events_next = 0;
}
