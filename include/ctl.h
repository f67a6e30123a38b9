/*
 * ctl.h: the control socket server (cellgatectl(1)).  A Unix stream socket, mode
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

/* The reload's outcome: rc 0 or -1 with why, called from the loop. */
typedef void ctl_reload_done_fn(int rc, const char *why, void *arg);

/* What the daemon hands the control socket at start: where to listen,
 * the caps (max_clients connections in all, max_per_uid from one peer
 * uid) and how to ask for a reload (-1 if it cannot be queued; else
 * done() follows once it ran). */
struct ctl_params {
	const char	*path;
	const char	*group;
	int		 max_clients;
	int		 max_per_uid;
	int		(*reload)(ctl_reload_done_fn *done, void *arg);
};

int ctl_init(struct event_base *, const struct ctl_params *, char *err,
    size_t errlen);
void ctl_shutdown(void);
/* Serve requests on an already connected bufferevent (taken over, freed
 * with the connection) for a peer of the given role: what an accepted
 * connection gets once its credentials are checked.  -1 without memory. */
struct bufferevent;
int ctl_serve(struct event_base *, struct bufferevent *, enum auth_role,
    const char *origin);
/* Write out whatever replies are pending (before a restart). */
void ctl_flush_all(void);

/* For request handlers. */
/* Ask the daemon for a reload (ctl_params.reload). */
int ctl_request_reload(ctl_reload_done_fn *, void *arg);
enum auth_role ctl_conn_role(const struct ctl_conn *);
const char *ctl_conn_origin(const struct ctl_conn *);
void ctl_conn_monitor(struct ctl_conn *, int on);

/*
 * A request handler returns 0 with *result set, -1 with err set, or
 * CTL_DEFERRED after taking a ctl_pending with ctl_defer(): the answer is
 * then sent later by ctl_pending_done() (e.g. when the modem answered).
 * If the client has gone by then, the answer is dropped.
 */
#define CTL_DEFERRED	1

struct ctl_request {
	const char	*name;
	enum auth_role	 role;
	int		(*fn)(struct ctl_conn *, struct json_object *args,
			    struct json_object **result, char *err,
			    size_t errlen);
};
/* A string argument of a request, or NULL with err set. */
const char *ctl_arg_string(struct json_object *args, const char *key,
    char *err, size_t errlen);

/* Apply the string members of a phonebook request's args (all but "pos":
 * number, name, role, password, call, alarm_sms, alarm_call) to e; 0, or
 * -1 with err at the first bad one.  Nothing is stored. */
struct phonebook_entry;
int ctl_phonebook_fields(struct json_object *args, struct phonebook_entry *e,
    char *err, size_t errlen);

struct ctl_pending;
struct ctl_pending *ctl_defer(struct ctl_conn *);
/* Send the result (consumed) or, if error is not NULL, the error. */
void ctl_pending_done(struct ctl_pending *, struct json_object *result,
    const char *error);

/* ctl_requests.c: the core requests; each module names its table in
 * its row of modules.c. */
extern const struct ctl_request ctl_core_requests[];
extern const size_t ctl_core_requests_len;
const struct ctl_request *ctl_request_find(const char *name);

#endif
