/*
 * events.h: the daemon's event stream.  Modules publish named events
 * (setting changed, log line, later: SMS received, modem state, bridge
 * connects); sinks such as the control socket's monitor clients receive
 * each one as a JSON object {"event": NAME, "time": ISO-8601, ...}.  The
 * latest ones are kept in memory for `cellgatectl events`.
 */
#ifndef CG_EVENTS_H
#define CG_EVENTS_H

struct json_object;

typedef void events_sink_fn(struct json_object *ev, void *arg);

int events_add_sink(events_sink_fn *, void *arg);
void events_remove_sink(events_sink_fn *, void *arg);
/* Publish; `fields` (an object, may be NULL) is consumed. */
void events_publish(const char *name, struct json_object *fields);

/* The most recent events (oldest first, at most max; log lines are not
 * kept), as a new JSON array. */
struct json_object *events_recent(size_t max);
void events_clear(void);

#endif
