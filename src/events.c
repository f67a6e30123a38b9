/*
 * events.c: fans published events out to the registered sinks.  Events
 * are built once and handed to every sink; a sink that wants to keep one
 * takes its own reference.
 */
#include <stdio.h>
#include <time.h>

#include <json-c/json.h>

#include "events.h"
#include "util.h"

#define EVENTS_MAX_SINKS 8

static struct {
	events_sink_fn	*fn;
	void		*arg;
} events_sinks[EVENTS_MAX_SINKS];

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
	struct tm tm;
	char stamp[64], zone[8];
	int any = 0;

	for (size_t i = 0; i < nitems(events_sinks); i++)
		any |= events_sinks[i].fn != NULL;
	if (!any || ev == NULL) {
		json_object_put(fields);
		json_object_put(ev);
		return;
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	localtime_r(&ts.tv_sec, &tm);
	strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &tm);
	strftime(zone, sizeof zone, "%z", &tm);
	snprintf(stamp + 19, sizeof stamp - 19, ".%03d%.3s:%.2s",
	    (int)(ts.tv_nsec / 1000000), zone, zone + 3);
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
	json_object_put(ev);
}
