/*
 * fuzz_ctl.c: the control socket's frame header and request parsers, fed
 * arbitrary bytes: header first, then the rest as a request payload.
 */
#include <stdint.h>
#include <stdlib.h>

#include <json-c/json.h>

#include "ctl_proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ctl_hdr h;
	struct json_object *req, *args;
	const char *cmd, *err;
	int64_t id;
	enum ctl_status st;

	for (size_t n = 0; n <= size && n <= CTL_HDR_LEN; n++)
		st = ctl_hdr_parse(data, n, &h);
	if (size >= CTL_HDR_LEN) {
		st = ctl_hdr_parse(data, size, &h);
		if (st == CTL_OK && h.len > CTL_MAX_PAYLOAD)
			abort();
	}
	st = ctl_request_parse((const char *)data, size, &req, &id, &cmd,
	    &args, &err);
	if (st == CTL_OK) {
		if (req == NULL || cmd == NULL || id < 0)
			abort();
		json_object_put(req);
	} else if (err == NULL || req != NULL)
		abort();
	return 0;
}
