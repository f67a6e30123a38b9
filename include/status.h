/*
 * status.h: the `status` report: one JSON object built from each module's
 * section (daemon, modem, sms, bridge), the shape fixed by SPEC.
 */
#ifndef CG_STATUS_H
#define CG_STATUS_H

struct json_object;

struct json_object *status_json(void);

#endif
