/*
 * test_ctl_proto.c: control frame headers and request payloads: good
 * frames round-trip, every malformed or oversized one is named.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <json-c/json.h>

#include "ctl_proto.h"

static void
test_header(void **state)
{
	uint8_t h[CTL_HDR_LEN];
	struct ctl_hdr hd;

	ctl_hdr_write(h, CTL_T_REQUEST, 1234);
	assert_int_equal(ctl_hdr_parse(h, sizeof h, &hd), CTL_OK);
	assert_int_equal(hd.type, CTL_T_REQUEST);
	assert_int_equal(hd.len, 1234);
	for (size_t n = 0; n < CTL_HDR_LEN; n++)
		assert_int_equal(ctl_hdr_parse(h, n, &hd), CTL_NEED_MORE);
	h[0] = 'X';
	assert_int_equal(ctl_hdr_parse(h, 1, &hd), CTL_ERR_MAGIC);
	ctl_hdr_write(h, CTL_T_REQUEST, 0);
	h[2] = CTL_VERSION + 1;
	assert_int_equal(ctl_hdr_parse(h, 3, &hd), CTL_ERR_VERSION);
	ctl_hdr_write(h, CTL_T_REQUEST, 0);
	h[3] = 9;
	assert_int_equal(ctl_hdr_parse(h, sizeof h, &hd), CTL_ERR_TYPE);
	ctl_hdr_write(h, CTL_T_REQUEST, CTL_MAX_PAYLOAD + 1);
	assert_int_equal(ctl_hdr_parse(h, sizeof h, &hd), CTL_ERR_LENGTH);
	ctl_hdr_write(h, CTL_T_REQUEST, 0xffffffffu);
	assert_int_equal(ctl_hdr_parse(h, sizeof h, &hd), CTL_ERR_LENGTH);
}

static enum ctl_status
req(const char *s, const char **cmd, int64_t *id)
{
	struct json_object *r, *args;
	const char *err;
	enum ctl_status st;

	st = ctl_request_parse(s, strlen(s), &r, id, cmd, &args, &err);
	if (st == CTL_OK)
		json_object_put(r);
	else
		assert_non_null(err);
	return st;
}

static void
test_request(void **state)
{
	const char *cmd;
	int64_t id;
	char big[CTL_CMD_MAX + 64];

	assert_int_equal(req("{\"id\":7,\"cmd\":\"status\"}", &cmd, &id),
	    CTL_OK);
	assert_int_equal(id, 7);
	assert_int_equal(req("{\"id\":1,\"cmd\":\"x\",\"args\":{}}", &cmd,
	    &id), CTL_OK);
	assert_int_equal(req("", &cmd, &id), CTL_ERR_JSON);
	assert_int_equal(req("[1,2]", &cmd, &id), CTL_ERR_JSON);
	assert_int_equal(req("{\"id\":1,\"cmd\":\"x\"} trailing", &cmd, &id),
	    CTL_ERR_JSON);
	assert_int_equal(req("{\"id\":1,", &cmd, &id), CTL_ERR_JSON);
	assert_int_equal(req("{\"cmd\":\"x\"}", &cmd, &id), CTL_ERR_REQUEST);
	assert_int_equal(req("{\"id\":-1,\"cmd\":\"x\"}", &cmd, &id),
	    CTL_ERR_REQUEST);
	assert_int_equal(req("{\"id\":\"1\",\"cmd\":\"x\"}", &cmd, &id),
	    CTL_ERR_REQUEST);
	assert_int_equal(req("{\"id\":1,\"cmd\":5}", &cmd, &id),
	    CTL_ERR_REQUEST);
	assert_int_equal(req("{\"id\":1,\"cmd\":\"\"}", &cmd, &id),
	    CTL_ERR_REQUEST);
	assert_int_equal(req("{\"id\":1,\"cmd\":\"x\",\"args\":[]}", &cmd,
	    &id), CTL_ERR_REQUEST);
	snprintf(big, sizeof big, "{\"id\":1,\"cmd\":\"%0*d\"}",
	    CTL_CMD_MAX + 1, 0);
	assert_int_equal(req(big, &cmd, &id), CTL_ERR_REQUEST);
	{
		struct json_object *r, *args;
		const char *err;

		assert_int_equal(ctl_request_parse("{\"id\":1}\0x", 10, &r,
		    &id, &cmd, &args, &err), CTL_ERR_JSON);
	}
}

static void
test_build(void **state)
{
	struct json_object *o = json_object_new_object();
	struct ctl_hdr h;
	uint8_t *f;
	size_t len;
	char *big;

	json_object_object_add(o, "id", json_object_new_int(3));
	f = ctl_frame_build(CTL_T_RESPONSE, o, &len);
	assert_non_null(f);
	assert_int_equal(ctl_hdr_parse(f, len, &h), CTL_OK);
	assert_int_equal(h.len + CTL_HDR_LEN, len);
	assert_memory_equal(f + CTL_HDR_LEN, "{\"id\":3}", h.len);
	free(f);
	big = malloc(CTL_MAX_PAYLOAD + 1);
	memset(big, 'a', CTL_MAX_PAYLOAD);
	big[CTL_MAX_PAYLOAD] = '\0';
	json_object_object_add(o, "big", json_object_new_string(big));
	assert_null(ctl_frame_build(CTL_T_RESPONSE, o, &len));
	free(big);
	json_object_put(o);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_header),
		cmocka_unit_test(test_request),
		cmocka_unit_test(test_build),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
