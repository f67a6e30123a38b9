/*
 * ctl_proto.c: building and checking control socket frames (see
 * ctl_proto.h).  Checks run in a fixed order, as chrony's cmdmon does:
 * magic, version, type, length, then the JSON payload and its fields.
 */
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "ctl_proto.h"

static const char *const ctl_status_names[CTL_STATUS_MAX] = {
	"ok",
	"incomplete frame",
	"bad frame magic",
	"unsupported protocol version",
	"bad frame type",
	"frame too large",
	"payload is not a JSON object",
	"malformed request",
};

const char *
ctl_status_str(enum ctl_status s)
{
	return s < CTL_STATUS_MAX ? ctl_status_names[s] : "?";
}

enum ctl_status
ctl_hdr_parse(const uint8_t *p, size_t n, struct ctl_hdr *h)
{
	if (n >= 1 && p[0] != 'C')
		return CTL_ERR_MAGIC;
	if (n >= 2 && p[1] != 'G')
		return CTL_ERR_MAGIC;
	if (n >= 3 && p[2] != CTL_VERSION)
		return CTL_ERR_VERSION;
	if (n >= 4 && (p[3] == 0 || p[3] >= CTL_T_MAX))
		return CTL_ERR_TYPE;
	if (n < CTL_HDR_LEN)
		return CTL_NEED_MORE;
	h->version = p[2];
	h->type = p[3];
	h->len = (uint32_t)p[4] << 24 | (uint32_t)p[5] << 16 |
	    (uint32_t)p[6] << 8 | p[7];
	if (h->len > CTL_MAX_PAYLOAD)
		return CTL_ERR_LENGTH;
	return CTL_OK;
}

void
ctl_hdr_write(uint8_t out[CTL_HDR_LEN], enum ctl_type t, uint32_t len)
{
	out[0] = 'C';
	out[1] = 'G';
	out[2] = CTL_VERSION;
	out[3] = (uint8_t)t;
	out[4] = (uint8_t)(len >> 24);
	out[5] = (uint8_t)(len >> 16);
	out[6] = (uint8_t)(len >> 8);
	out[7] = (uint8_t)len;
}

enum ctl_status
ctl_request_parse(const char *payload, size_t len, struct json_object **reqp,
    int64_t *id, const char **cmd, struct json_object **args,
    const char **err)
{
	struct json_tokener *tok;
	struct json_object *req, *v;

	*reqp = NULL;
	*err = NULL;
	if (len == 0 || memchr(payload, '\0', len) != NULL) {
		*err = "empty payload or NUL byte in payload";
		return CTL_ERR_JSON;
	}
	if ((tok = json_tokener_new_ex(16)) == NULL) {
		*err = "out of memory";
		return CTL_ERR_JSON;
	}
	req = json_tokener_parse_ex(tok, payload, (int)len);
	if (req == NULL || json_tokener_get_error(tok) != json_tokener_success ||
	    (size_t)json_tokener_get_parse_end(tok) != len) {
		json_tokener_free(tok);
		json_object_put(req);
		*err = "payload is not valid JSON (or has trailing bytes)";
		return CTL_ERR_JSON;
	}
	json_tokener_free(tok);
	if (!json_object_is_type(req, json_type_object)) {
		json_object_put(req);
		*err = "payload is not a JSON object";
		return CTL_ERR_JSON;
	}
	if (!json_object_object_get_ex(req, "id", &v) ||
	    !json_object_is_type(v, json_type_int) ||
	    json_object_get_int64(v) < 0) {
		*err = "request needs an integer \"id\" >= 0";
		goto bad;
	}
	*id = json_object_get_int64(v);
	if (!json_object_object_get_ex(req, "cmd", &v) ||
	    !json_object_is_type(v, json_type_string) ||
	    json_object_get_string_len(v) == 0 ||
	    json_object_get_string_len(v) > CTL_CMD_MAX) {
		*err = "request needs a string \"cmd\"";
		goto bad;
	}
	*cmd = json_object_get_string(v);
	*args = NULL;
	if (json_object_object_get_ex(req, "args", &v) && v != NULL) {
		if (!json_object_is_type(v, json_type_object)) {
			*err = "\"args\" must be an object";
			goto bad;
		}
		*args = v;
	}
	*reqp = req;
	return CTL_OK;
bad:
	json_object_put(req);
	return CTL_ERR_REQUEST;
}

uint8_t *
ctl_frame_build(enum ctl_type t, struct json_object *obj, size_t *lenp)
{
	size_t n;
	const char *s = json_object_to_json_string_length(obj,
	    JSON_C_TO_STRING_PLAIN, &n);
	uint8_t *f;

	if (s == NULL || n > CTL_MAX_PAYLOAD)
		return NULL;
	if ((f = malloc(CTL_HDR_LEN + n)) == NULL)
		return NULL;
	ctl_hdr_write(f, t, (uint32_t)n);
	memcpy(f + CTL_HDR_LEN, s, n);
	*lenp = CTL_HDR_LEN + n;
	return f;
}
