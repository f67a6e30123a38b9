/*
 * status.h: the `status` report: one JSON object, the daemon's section
 * followed by each module's (modules.c), the shape cellgatectl(1) documents.
 */
#ifndef CG_STATUS_H
#define CG_STATUS_H

#include <time.h>

struct json_object;

/* The daemon's own section: handed over by the daemon at start, kept
 * current by it (a reload replaces the config, a restart in place the
 * start time); the status keeps the pointer and reaches no further. */
struct status_daemon {
	const char	*config;	/* path of the config file */
	const char	*database;
	const char	*serial;
	time_t		 started;
	long long	 started_ms;	/* wall clock, tells two starts apart */
};

void status_init(const struct status_daemon *);
struct json_object *status_json(void);

#endif
