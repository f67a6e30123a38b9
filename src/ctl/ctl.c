/*
 * ctl.c: the control socket server.  Owns the listening socket (stale
 * socket removed only when nobody answers on it), accepting with the
 * peer-credential check and the connection cap, reading frames through
 * ctl_proto, dispatching requests, and the event stream to `monitor`
 * clients.  No client can grow the daemon's memory or hold a slot for
 * nothing: a client that stops reading its answers is no longer read
 * (above CTL_OUT_HIGH pending) and is dropped if that lasts
 * CTL_STALL_TIMEOUT seconds, a monitor client once its backlog passes
 * CTL_MONITOR_BACKLOG; a frame must arrive whole within CTL_FRAME_TIMEOUT
 * seconds (also the first one after connecting); connections are capped
 * in all and per peer uid.
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <errno.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/listener.h>
#include <json-c/json.h>

#include "ctl.h"
#include "ctl_proto.h"
#include "events.h"
#include "log.h"
#include "util.h"

#define CTL_MONITOR_BACKLOG	(1024 * 1024)
#define CTL_OUT_HIGH		(256 * 1024)	/* stop reading above this */
#define CTL_STALL_TIMEOUT	10	/* seconds not reading answers */
#define CTL_FRAME_TIMEOUT	5	/* seconds for a whole frame */

struct ctl_pending {
	struct ctl_conn		*conn;		/* NULL once the client left */
	int64_t			 id;
	struct ctl_pending	*next;
};

struct ctl_conn {
	struct bufferevent	*bev;
	int64_t			 cur_id;	/* request being dispatched */
	struct ctl_pending	*pending;
	enum auth_role		 role;
	char			 origin[48];
	uid_t			 uid;
	int			 monitor;
	int			 closing;
	int			 throttled;	/* output above CTL_OUT_HIGH */
	int			 served;	/* a request was dispatched */
	struct event		*tmo;		/* stall or frame timeout */
	struct ctl_conn		*next;
};

static struct evconnlistener *ctl_listener;
static struct ctl_conn *ctl_conns;
static int ctl_nconns, ctl_max_conns, ctl_max_per_uid;
static char ctl_path[108];
static int (*ctl_reload)(ctl_reload_done_fn *, void *);
static char ctl_group[64];

static void ctl_event_sink(struct json_object *, void *);
static void ctl_conn_arm(struct ctl_conn *);

enum auth_role
ctl_conn_role(const struct ctl_conn *c)
{
	return c->role;
}

const char *
ctl_conn_origin(const struct ctl_conn *c)
{
	return c->origin;
}

void
ctl_conn_monitor(struct ctl_conn *c, int on)
{
	c->monitor = on;
}

static void
ctl_conn_free(struct ctl_conn *c)
{
	struct ctl_conn **pp;
	struct ctl_pending *p;

	for (p = c->pending; p != NULL; p = p->next)
		p->conn = NULL;		/* its answer will be dropped */
	for (pp = &ctl_conns; *pp != NULL; pp = &(*pp)->next)
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	ctl_nconns--;
	if (c->tmo != NULL)
		event_free(c->tmo);
	bufferevent_free(c->bev);
	log_debug("control: %s disconnected", c->origin);
	free(c);
}

static void
ctl_send(struct ctl_conn *c, enum ctl_type t, struct json_object *obj)
{
	uint8_t *frame;
	size_t len;

	if ((frame = ctl_frame_build(t, obj, &len)) == NULL) {
		/* a reply too large for a frame: say so instead */
		struct json_object *e = json_object_new_object();

		json_object_object_add(e, "id", json_object_get(
		    json_object_object_get(obj, "id")));
		json_object_object_add(e, "ok", json_object_new_boolean(0));
		json_object_object_add(e, "error",
		    json_object_new_string("reply too large"));
		frame = ctl_frame_build(t, e, &len);
		json_object_put(e);
		if (frame == NULL)
			return;
	}
	bufferevent_write(c->bev, frame, len);
	free(frame);
}

static void
ctl_send_error(struct ctl_conn *c, int64_t id, const char *why)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "id", json_object_new_int64(id));
	json_object_object_add(o, "ok", json_object_new_boolean(0));
	json_object_object_add(o, "error", json_object_new_string(why));
	ctl_send(c, CTL_T_RESPONSE, o);
	json_object_put(o);
}

static void
ctl_send_result(struct ctl_conn *c, int64_t id, struct json_object *result)
{
	struct json_object *resp = json_object_new_object();

	json_object_object_add(resp, "id", json_object_new_int64(id));
	json_object_object_add(resp, "ok", json_object_new_boolean(1));
	json_object_object_add(resp, "result", result);
	ctl_send(c, CTL_T_RESPONSE, resp);
	json_object_put(resp);
}

struct ctl_pending *
ctl_defer(struct ctl_conn *c)
{
	struct ctl_pending *p = calloc(1, sizeof *p);

	if (p == NULL)
		fatal("calloc");
	p->conn = c;
	p->id = c->cur_id;
	p->next = c->pending;
	c->pending = p;
	return p;
}

void
ctl_pending_done(struct ctl_pending *p, struct json_object *result,
    const char *error)
{
	struct ctl_conn *c = p->conn;
	struct ctl_pending **pp;

	if (c != NULL) {
		for (pp = &c->pending; *pp != NULL; pp = &(*pp)->next)
			if (*pp == p) {
				*pp = p->next;
				break;
			}
		if (error != NULL) {
			ctl_send_error(c, p->id, error);
			json_object_put(result);
		} else
			ctl_send_result(c, p->id, result);
	} else
		json_object_put(result);
	free(p);
}

/* Send the error, then close once it is written. */
static void
ctl_fail(struct ctl_conn *c, const char *why)
{
	log_warnx("control: %s: %s; closing", c->origin, why);
	ctl_send_error(c, 0, why);
	c->closing = 1;
	c->monitor = 0;
	bufferevent_disable(c->bev, EV_READ);
	evtimer_del(c->tmo);
	ctl_conn_arm(c);
}

static void
ctl_dispatch(struct ctl_conn *c, const char *payload, size_t len)
{
	struct json_object *req, *args, *result = NULL;
	const struct ctl_request *r;
	const char *cmd, *why;
	char err[512];
	int64_t id;
	enum ctl_status st;

	st = ctl_request_parse(payload, len, &req, &id, &cmd, &args, &why);
	if (st != CTL_OK) {
		ctl_fail(c, why);
		return;
	}
	if ((r = ctl_request_find(cmd)) == NULL) {
		char esc[CTL_CMD_MAX * 4 + 1];

		util_escape(esc, sizeof esc, cmd, strlen(cmd));
		snprintf(err, sizeof err, "unknown request \"%s\"", esc);
		ctl_send_error(c, id, err);
		goto out;
	}
	if (c->role < r->role) {
		ctl_send_error(c, id, "permission denied");
		goto out;
	}
	err[0] = '\0';
	c->cur_id = id;
	switch (r->fn(c, args, &result, err, sizeof err)) {
	case CTL_DEFERRED:
		break;
	case 0:
		ctl_send_result(c, id, result);
		break;
	default:
		ctl_send_error(c, id, err[0] ? err : "failed");
		json_object_put(result);
	}
out:
	json_object_put(req);
}

static void
ctl_timeout_cb(evutil_socket_t fd, short what, void *arg)
{
	struct ctl_conn *c = arg;

	log_warnx("control: %s: %s; dropped", c->origin,
	    c->throttled || c->closing ? "does not read its answers" :
	    "no complete request in time");
	ctl_conn_free(c);
}

/* Arm the connection's one timer for what it is waiting on: its reader
 * while throttled, the rest of a frame (or a first request), or nothing. */
static void
ctl_conn_arm(struct ctl_conn *c)
{
	struct evbuffer *in = bufferevent_get_input(c->bev);
	struct timeval tv = { 0, 0 };

	if (c->closing || c->throttled)
		tv.tv_sec = CTL_STALL_TIMEOUT;
	else if (evbuffer_get_length(in) > 0 || !c->served)
		tv.tv_sec = CTL_FRAME_TIMEOUT;
	if (tv.tv_sec == 0) {
		evtimer_del(c->tmo);
		return;
	}
	/* a partial frame's clock starts at its first byte: keep a timer
	 * that is already running for the same reason */
	if (!c->throttled && !c->closing && evtimer_pending(c->tmo, NULL))
		return;
	evtimer_add(c->tmo, &tv);
}

/* Stop reading a client whose answers pile up; read it again once they
 * drained to half (ctl_write_cb). */
static int
ctl_throttle(struct ctl_conn *c)
{
	if (evbuffer_get_length(bufferevent_get_output(c->bev)) <
	    CTL_OUT_HIGH)
		return 0;
	if (!c->throttled) {
		c->throttled = 1;
		bufferevent_disable(c->bev, EV_READ);
		bufferevent_setwatermark(c->bev, EV_WRITE, CTL_OUT_HIGH / 2, 0);
		evtimer_del(c->tmo);
		ctl_conn_arm(c);
	}
	return 1;
}

static void
ctl_read_cb(struct bufferevent *bev, void *arg)
{
	struct ctl_conn *c = arg;
	struct evbuffer *in = bufferevent_get_input(bev);
	struct ctl_hdr h;
	uint8_t hdr[CTL_HDR_LEN];
	enum ctl_status st;

	while (!c->closing && !ctl_throttle(c)) {
		size_t avail = evbuffer_get_length(in);
		size_t n = avail < CTL_HDR_LEN ? avail : CTL_HDR_LEN;
		char *payload;

		if (n == 0)
			break;
		evbuffer_copyout(in, hdr, n);
		st = ctl_hdr_parse(hdr, n, &h);
		if (st == CTL_NEED_MORE)
			break;
		if (st != CTL_OK) {
			ctl_fail(c, ctl_status_str(st));
			return;
		}
		if (h.type != CTL_T_REQUEST) {
			ctl_fail(c, "only requests may be sent to the daemon");
			return;
		}
		if (avail < CTL_HDR_LEN + h.len) {
			/* wait for the rest, but no longer than it needs */
			bufferevent_setwatermark(bev, EV_READ,
			    CTL_HDR_LEN + h.len, 0);
			break;
		}
		bufferevent_setwatermark(bev, EV_READ, 0, 0);
		evbuffer_drain(in, CTL_HDR_LEN);
		payload = (char *)evbuffer_pullup(in, h.len);
		/* a new frame: the frame clock starts again */
		c->served = 1;
		evtimer_del(c->tmo);
		ctl_dispatch(c, payload, h.len);
		evbuffer_drain(in, h.len);
	}
	ctl_conn_arm(c);
}

static void
ctl_write_cb(struct bufferevent *bev, void *arg)
{
	struct ctl_conn *c = arg;

	if (c->closing) {
		ctl_conn_free(c);
		return;
	}
	if (c->throttled && evbuffer_get_length(bufferevent_get_output(bev)) <=
	    CTL_OUT_HIGH / 2) {
		c->throttled = 0;
		bufferevent_setwatermark(bev, EV_WRITE, 0, 0);
		evtimer_del(c->tmo);
		bufferevent_enable(bev, EV_READ);
		ctl_read_cb(bev, c);	/* what was already buffered */
	}
}

static void
ctl_event_cb(struct bufferevent *bev, short what, void *arg)
{
	struct ctl_conn *c = arg;

	if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR))
		ctl_conn_free(c);
}

static int
ctl_uid_conns(uid_t uid)
{
	int n = 0;

	for (struct ctl_conn *c = ctl_conns; c != NULL; c = c->next)
		if (c->uid == uid && !c->closing)
			n++;
	return n;
}

/* A connection on bev (taken over), linked and read from; NULL (bev
 * freed) without memory. */
static struct ctl_conn *
ctl_conn_new(struct event_base *base, struct bufferevent *bev)
{
	struct ctl_conn *c;

	if ((c = calloc(1, sizeof *c)) == NULL) {
		bufferevent_free(bev);
		return NULL;
	}
	c->bev = bev;
	c->tmo = evtimer_new(base, ctl_timeout_cb, c);
	if (c->tmo == NULL) {
		bufferevent_free(c->bev);
		free(c);
		return NULL;
	}
	c->next = ctl_conns;
	ctl_conns = c;
	ctl_nconns++;
	bufferevent_setcb(c->bev, ctl_read_cb, ctl_write_cb, ctl_event_cb, c);
	bufferevent_enable(c->bev, EV_READ | EV_WRITE);
	return c;
}

int
ctl_serve(struct event_base *base, struct bufferevent *bev,
    enum auth_role role, const char *origin)
{
	struct ctl_conn *c;

	if ((c = ctl_conn_new(base, bev)) == NULL)
		return -1;
	util_strlcpy(c->origin, origin, sizeof c->origin);
	c->role = role;
	ctl_conn_arm(c);
	return 0;
}

static void
ctl_accept_cb(struct evconnlistener *l, evutil_socket_t fd,
    struct sockaddr *sa, int salen, void *arg)
{
	struct ucred cred;
	socklen_t len = sizeof cred;
	struct bufferevent *bev;
	struct ctl_conn *c;

	bev = bufferevent_socket_new(evconnlistener_get_base(l), fd,
	    BEV_OPT_CLOSE_ON_FREE);
	if (bev == NULL) {
		close(fd);
		return;
	}
	if ((c = ctl_conn_new(evconnlistener_get_base(l), bev)) == NULL)
		return;
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == -1) {
		snprintf(c->origin, sizeof c->origin, "unknown peer");
		ctl_fail(c, "cannot read peer credentials");
		return;
	}
	snprintf(c->origin, sizeof c->origin, "uid %u pid %d",
	    (unsigned)cred.uid, (int)cred.pid);
	c->role = auth_peer_role(cred.uid, cred.gid, ctl_group);
	if (c->role == ROLE_NONE) {
		ctl_fail(c, "permission denied: not root and not in the "
		    "control group");
		return;
	}
	c->uid = cred.uid;
	if (ctl_nconns > ctl_max_conns) {
		ctl_fail(c, "too many control connections");
		return;
	}
	if (ctl_uid_conns(cred.uid) > ctl_max_per_uid) {
		ctl_fail(c, "too many control connections for this user");
		return;
	}
	ctl_conn_arm(c);
	log_debug("control: %s connected as %s", c->origin,
	    auth_role_name(c->role));
}

static void
ctl_event_sink(struct json_object *ev, void *arg)
{
	struct ctl_conn *c, *next;

	for (c = ctl_conns; c != NULL; c = next) {
		next = c->next;
		if (!c->monitor || c->closing)
			continue;
		if (evbuffer_get_length(bufferevent_get_output(c->bev)) >
		    CTL_MONITOR_BACKLOG) {
			c->monitor = 0;
			c->closing = 1;
			bufferevent_disable(c->bev, EV_READ);
			evtimer_del(c->tmo);
			ctl_conn_arm(c);
			continue;
		}
		ctl_send(c, CTL_T_EVENT, ev);
	}
}

/* A socket file that nobody accepts on is stale; one that answers means
 * another daemon owns it. */
static int
ctl_unlink_stale(const struct sockaddr_un *sun, char *err, size_t errlen)
{
	struct stat st;
	int fd, r;

	if (lstat(sun->sun_path, &st) == -1)
		return 0;
	if (!S_ISSOCK(st.st_mode)) {
		snprintf(err, errlen, "%s exists and is not a socket",
		    sun->sun_path);
		return -1;
	}
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1) {
		snprintf(err, errlen, "socket: %s", strerror(errno));
		return -1;
	}
	r = connect(fd, (const struct sockaddr *)sun, sizeof *sun);
	close(fd);
	if (r == 0) {
		snprintf(err, errlen, "%s: another cellgated is running",
		    sun->sun_path);
		return -1;
	}
	if (unlink(sun->sun_path) == -1 && errno != ENOENT) {
		snprintf(err, errlen, "unlink %s: %s", sun->sun_path,
		    strerror(errno));
		return -1;
	}
	return 0;
}

int
ctl_request_reload(ctl_reload_done_fn *done, void *arg)
{
	if (ctl_reload == NULL)
		return -1;
	return ctl_reload(done, arg);
}

int
ctl_init(struct event_base *base, const struct ctl_params *p, char *err,
    size_t errlen)
{
	const char *path = p->path, *group = p->group;
	struct sockaddr_un sun;
	struct group gr, *grp = NULL;
	char grbuf[4096];
	mode_t old;
	int fd;

	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	if (util_strlcpy(sun.sun_path, path, sizeof sun.sun_path) >=
	    sizeof sun.sun_path) {
		snprintf(err, errlen, "%s: socket path too long", path);
		return -1;
	}
	if (ctl_unlink_stale(&sun, err, errlen) == -1)
		return -1;
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0)) == -1) {
		snprintf(err, errlen, "socket: %s", strerror(errno));
		return -1;
	}
	old = umask(0117);
	if (bind(fd, (struct sockaddr *)&sun, sizeof sun) == -1) {
		umask(old);
		snprintf(err, errlen, "bind %s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	umask(old);
	if (chmod(path, 0660) == -1)
		log_warn("chmod %s", path);
	if (getgrnam_r(group, &gr, grbuf, sizeof grbuf, &grp) == 0 &&
	    grp != NULL) {
		if (chown(path, (uid_t)-1, grp->gr_gid) == -1)
			log_warn("control socket: cannot give %s to group %s",
			    path, group);
	} else
		log_info("control group %s does not exist: only root and the "
		    "daemon's user may use %s", group, path);
	ctl_listener = evconnlistener_new(base, ctl_accept_cb, NULL,
	    LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC, 16, fd);
	if (ctl_listener == NULL) {
		snprintf(err, errlen, "listen %s: %s", path, strerror(errno));
		close(fd);
		unlink(path);
		return -1;
	}
	util_strlcpy(ctl_path, path, sizeof ctl_path);
	util_strlcpy(ctl_group, group, sizeof ctl_group);
	ctl_max_conns = p->max_clients;
	ctl_max_per_uid = p->max_per_uid;
	ctl_reload = p->reload;
	events_add_sink(ctl_event_sink, NULL);
	log_info("control socket listening on %s", path);
	return 0;
}

void
ctl_flush_all(void)
{
	/* A bufferevent's output buffer is frozen at its front, so copy the
	 * pending bytes out and write them directly. */
	for (struct ctl_conn *c = ctl_conns; c != NULL; c = c->next) {
		struct evbuffer *out = bufferevent_get_output(c->bev);
		evutil_socket_t fd = bufferevent_getfd(c->bev);
		size_t n = evbuffer_get_length(out), off = 0;
		unsigned char *p = evbuffer_pullup(out, -1);

		while (p != NULL && off < n) {
			ssize_t w = write(fd, p + off, n - off);

			if (w <= 0)
				break;
			off += (size_t)w;
		}
	}
}

void
ctl_shutdown(void)
{
	events_remove_sink(ctl_event_sink, NULL);
	while (ctl_conns != NULL)
		ctl_conn_free(ctl_conns);
	if (ctl_listener != NULL) {
		evconnlistener_free(ctl_listener);
		ctl_listener = NULL;
		unlink(ctl_path);
	}
}
