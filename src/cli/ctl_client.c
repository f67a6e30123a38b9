/*
 * ctl_client.c: blocking client of the control socket (cellgatectl is a
 * one-shot program, so plain poll() with deadlines is the whole loop).
 */
#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "ctl_client.h"
#include "util.h"

int
ctl_client_connect(const char *path, char *err, size_t errlen)
{
	struct sockaddr_un sun;
	int fd;

	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	if (util_strlcpy(sun.sun_path, path, sizeof sun.sun_path) >=
	    sizeof sun.sun_path) {
		snprintf(err, errlen, "%s: socket path too long", path);
		return -1;
	}
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1) {
		snprintf(err, errlen, "socket: %s", strerror(errno));
		return -1;
	}
	if (connect(fd, (struct sockaddr *)&sun, sizeof sun) == -1) {
		snprintf(err, errlen, "cannot connect to %s: %s%s", path,
		    strerror(errno), errno == ENOENT || errno == ECONNREFUSED ?
		    " (is cellgated running?)" : "");
		close(fd);
		return -1;
	}
	return fd;
}

static int
ctl_client_readn(int fd, void *p, size_t n, int timeout_ms, char *err,
    size_t errlen)
{
	size_t got = 0;
	uint64_t deadline = util_now_ms() + (uint64_t)timeout_ms;

	while (got < n) {
		struct pollfd pfd = { fd, POLLIN, 0 };
		int wait = -1;
		ssize_t r;

		if (timeout_ms >= 0) {
			uint64_t now = util_now_ms();
			wait = now >= deadline ? 0 : (int)(deadline - now);
		}
		r = poll(&pfd, 1, wait);
		if (r == -1 && errno == EINTR)
			continue;
		if (r == 0) {
			snprintf(err, errlen, "timed out waiting for cellgated");
			return -1;
		}
		r = read(fd, (char *)p + got, n - got);
		if (r == 0) {
			snprintf(err, errlen, "cellgated closed the connection");
			return -1;
		}
		if (r == -1) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			snprintf(err, errlen, "read: %s", strerror(errno));
			return -1;
		}
		got += (size_t)r;
	}
	return 0;
}

int
ctl_client_read(int fd, int timeout_ms, enum ctl_type *type,
    struct json_object **obj, char *err, size_t errlen)
{
	uint8_t hdr[CTL_HDR_LEN];
	struct ctl_hdr h;
	enum ctl_status st;
	char *payload;

	if (ctl_client_readn(fd, hdr, sizeof hdr, timeout_ms, err,
	    errlen) == -1)
		return -1;
	if ((st = ctl_hdr_parse(hdr, sizeof hdr, &h)) != CTL_OK) {
		snprintf(err, errlen, "bad reply from cellgated: %s",
		    ctl_status_str(st));
		return -1;
	}
	if ((payload = malloc(h.len + 1)) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (ctl_client_readn(fd, payload, h.len, timeout_ms, err,
	    errlen) == -1) {
		free(payload);
		return -1;
	}
	payload[h.len] = '\0';
	*obj = json_tokener_parse(payload);
	free(payload);
	if (*obj == NULL || !json_object_is_type(*obj, json_type_object)) {
		json_object_put(*obj);
		snprintf(err, errlen, "bad reply from cellgated: not JSON");
		return -1;
	}
	*type = (enum ctl_type)h.type;
	return 0;
}

static int
ctl_client_write(int fd, const uint8_t *p, size_t n, char *err,
    size_t errlen)
{
	while (n > 0) {
		ssize_t w = send(fd, p, n, MSG_NOSIGNAL);

		if (w == -1) {
			if (errno == EINTR)
				continue;
			snprintf(err, errlen, "write: %s", strerror(errno));
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

int
ctl_client_call(int fd, const char *cmd, struct json_object *args,
    struct json_object **result, char *err, size_t errlen)
{
	static int64_t next_id = 1;
	int64_t id = next_id++;
	struct json_object *req = json_object_new_object(), *resp, *v;
	enum ctl_type t;
	uint8_t *frame;
	char junk[256];
	size_t len;
	int rc;

	json_object_object_add(req, "id", json_object_new_int64(id));
	json_object_object_add(req, "cmd", json_object_new_string(cmd));
	if (args != NULL)
		json_object_object_add(req, "args", args);
	frame = ctl_frame_build(CTL_T_REQUEST, req, &len);
	json_object_put(req);
	if (frame == NULL) {
		snprintf(err, errlen, "request too large");
		return -1;
	}
	rc = ctl_client_write(fd, frame, len, err, errlen);
	free(frame);
	for (;;) {
		/* after a failed write the daemon may still have said why it
		 * refused us (permission, too many clients): read that */
		if (ctl_client_read(fd, rc == -1 ? 1000 : 30000, &t, &resp,
		    rc == -1 ? junk : err, rc == -1 ? sizeof junk : errlen) == -1)
			return -1;
		if (t == CTL_T_RESPONSE)
			break;
		json_object_put(resp);	/* an event: not ours to print */
	}
	if (json_object_object_get_ex(resp, "ok", &v) &&
	    json_object_get_boolean(v)) {
		*result = json_object_get(json_object_object_get(resp,
		    "result"));
		json_object_put(resp);
		return 0;
	}
	if (json_object_object_get_ex(resp, "error", &v) && v != NULL &&
	    json_object_get_string(v)[0] != '\0') {
		const char *why = json_object_get_string(v);

		/* shown on a terminal: it may quote what a stranger wrote */
		util_escape_text(err, errlen, why, strlen(why), 0);
	} else
		snprintf(err, errlen, "request failed");
	json_object_put(resp);
	return -1;
}
