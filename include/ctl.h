/*
 * ctl.h: the control socket server (SPEC §8).  A Unix stream socket, mode
 * 0660, group `control.group`; every peer is checked by SO_PEERCRED;
 * connections are capped; frames are checked by ctl_proto before any
 * request runs.  Requests are served by the table in ctl_requests.c.
 */
#ifndef CG_CTL_H
#define CG_CTL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "auth.h"

struct json_object;
struct event_base;
struct ctl_conn;

int ctl_init(struct event_base *, const char *path, const char *group,
    int max_clients, char *err, size_t errlen);
void ctl_shutdown(void);
/* Write out whatever replies are pending (before a restart). */
void ctl_flush_all(void);

/* For request handlers. */
enum auth_role ctl_conn_role(const struct ctl_conn *);
const char *ctl_conn_origin(const struct ctl_conn *);
void ctl_conn_monitor(struct ctl_conn *, int on);

/* ctl_requests.c */
struct ctl_request {
	const char	*name;
	enum auth_role	 role;
	int		(*fn)(struct ctl_conn *, struct json_object *args,
			    struct json_object **result, char *err,
			    size_t errlen);
};
const struct ctl_request *ctl_request_find(const char *name);

#endif
