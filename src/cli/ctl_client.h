/*
 * ctl_client.h: the client side of the control socket, for cellgatectl:
 * connect, send one request, wait for its response (events in between are
 * handed to a callback), with a deadline on every wait.
 */
#ifndef CG_CTL_CLIENT_H
#define CG_CTL_CLIENT_H

#include <stddef.h>

#include "ctl_proto.h"

struct json_object;

int ctl_client_connect(const char *path, char *err, size_t errlen);
/* Read one frame; timeout_ms < 0 waits forever.  0, or -1 with err. */
int ctl_client_read(int fd, int timeout_ms, enum ctl_type *type,
    struct json_object **obj, char *err, size_t errlen);
/* Send `cmd` with `args` (consumed, may be NULL); on success *result is
 * the response's result (a new reference).  A daemon-side error is
 * returned as -1 with its reason in err. */
int ctl_client_call(int fd, const char *cmd, struct json_object *args,
    struct json_object **result, char *err, size_t errlen);

#endif
