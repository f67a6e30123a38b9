/*
 * ctl_proto.h: the control socket's wire format, shared by cellgated and
 * cellgatectl.  A frame is an 8-byte header followed by a JSON payload:
 *
 *   0  'C'  1  'G'  2  version (CTL_VERSION)  3  type (enum ctl_type)
 *   4..7 payload length, big-endian, at most CTL_MAX_PAYLOAD
 *
 * A request is an object {"id": N, "cmd": "name", "args": {...}}; a
 * response {"id": N, "ok": true, "result": ...} or {"id": N, "ok": false,
 * "error": "reason"}; an event {"event": "name", "time": T, ...}.  Any
 * framing error is answered with an error response (id 0) and the
 * connection is closed, since the stream cannot be resynchronised.
 */
#ifndef CG_CTL_PROTO_H
#define CG_CTL_PROTO_H

#include <stddef.h>
#include <stdint.h>

struct json_object;

#define CTL_VERSION	 1
#define CTL_HDR_LEN	 8
#define CTL_MAX_PAYLOAD	 (64 * 1024)
#define CTL_CMD_MAX	 64

enum ctl_type {
	CTL_T_REQUEST = 1,
	CTL_T_RESPONSE = 2,
	CTL_T_EVENT = 3,
	CTL_T_MAX
};

enum ctl_status {
	CTL_OK = 0,
	CTL_NEED_MORE,		/* not an error: read more bytes */
	CTL_ERR_MAGIC,
	CTL_ERR_VERSION,
	CTL_ERR_TYPE,
	CTL_ERR_LENGTH,
	CTL_ERR_JSON,
	CTL_ERR_REQUEST,
	CTL_STATUS_MAX
};

struct ctl_hdr {
	uint8_t		version;
	uint8_t		type;
	uint32_t	len;
};

/* Check the header at the start of `p` (n bytes available). */
enum ctl_status ctl_hdr_parse(const uint8_t *p, size_t n, struct ctl_hdr *);
void ctl_hdr_write(uint8_t out[CTL_HDR_LEN], enum ctl_type, uint32_t len);
const char *ctl_status_str(enum ctl_status);

/* Validate a request payload: a JSON object with an integer "id" >= 0, a
 * string "cmd" of at most CTL_CMD_MAX bytes and, if present, an object
 * "args".  On success *req holds a reference the caller must put. */
enum ctl_status ctl_request_parse(const char *payload, size_t len,
    struct json_object **req, int64_t *id, const char **cmd,
    struct json_object **args, const char **err);

/* Serialize `obj` into a freshly malloc'ed frame; NULL if too large. */
uint8_t *ctl_frame_build(enum ctl_type, struct json_object *obj,
    size_t *lenp);

#endif
