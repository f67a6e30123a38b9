/*
 * io_ctl.c: the io module's control-socket requests: io.list (every item
 * with backend, state or value, last change and last error) and io.set
 * {name, value: "on"|"off"} for an output.
 */
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "ctl.h"
#include "io.h"
#include "io_int.h"
#include "util.h"

static int
io_req_list(struct ctl_conn *c, struct json_object *args,
    struct json_object **res, char *err, size_t errlen)
{
	*res = io_status();
	return 0;
}

static int
io_req_set(struct ctl_conn *c, struct json_object *args,
    struct json_object **res, char *err, size_t errlen)
{
	const char *name, *value;
	struct io_item *it;
	int on;

	if ((name = ctl_arg_string(args, "name", err, errlen)) == NULL ||
	    (value = ctl_arg_string(args, "value", err, errlen)) == NULL)
		return -1;
	if (util_strcaseeq(value, "on") || strcmp(value, "1") == 0)
		on = 1;
	else if (util_strcaseeq(value, "off") || strcmp(value, "0") == 0)
		on = 0;
	else {
		snprintf(err, errlen, "value is on or off");
		return -1;
	}
	if ((it = io_find(name)) == NULL || it->c.kind != IO_OUTPUT) {
		snprintf(err, errlen, "no output named \"%.40s\"", name);
		return -1;
	}
	if (io_output_set(it, on, "cellgatectl", err, errlen) == -1)
		return -1;
	*res = io_item_json(it);
	return 0;
}

const struct ctl_request io_ctl_requests[] = {
	{ "io.list", ROLE_USER, io_req_list },
	{ "io.set", ROLE_ADMIN, io_req_set },
};
const size_t io_ctl_requests_len = nitems(io_ctl_requests);
