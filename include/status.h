/*
 * status.h: the `status` report: one JSON object, the daemon's section
 * followed by each module's (modules.c), the shape cellgatectl(1) documents.
 */
#ifndef CG_STATUS_H
#define CG_STATUS_H

struct json_object;

struct json_object *status_json(void);

#endif
