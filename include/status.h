/*
 * status.h: the `status` report: one JSON object, the daemon's section
 * followed by each module's (modules.c), the shape fixed by SPEC.
 */
#ifndef CG_STATUS_H
#define CG_STATUS_H

struct json_object;

struct json_object *status_json(void);

/* Sections for modules this build does not run yet: their SPEC keys with
 * a state saying so. */
struct json_object *status_modem_absent(void);
struct json_object *status_sms_absent(void);
struct json_object *status_bridge_absent(void);

#endif
