/*
 * bridge_sock.c: sockets A and B of the NET work mode (seed §3.2.1,
 * §4.2.1.25-38): TCP or UDP clients with an enable flag, long or short
 * connections, asynchronous resolution, reconnect with exponential
 * backoff, the cache (CACHEN) of serial data while a socket is down, the
 * register packet (on link, as head of every packet, or both), the
 * network heartbeat (three failed sends force a reconnect) and the
 * no-data timeout for half-open connections.  TCP goes through
 * bufferevents with a write watermark, so a slow server only ever fills
 * its own buffer (see bridge_sock_blocked() for the backpressure rule).
 */
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <json-c/json.h>

#include "bridge_int.h"
#include "dns.h"
#include "cmd.h"
#include "ctl.h"
#include "modem.h"
#include "log.h"
#include "settings.h"
#include "util.h"

enum bridge_sock_state {
	BSOCK_DISABLED,		/* not enabled, or not in NET mode */
	BSOCK_IDLE,		/* short connection, nothing to send */
	BSOCK_RESOLVING,
	BSOCK_CONNECTING,
	BSOCK_CONNECTED,
	BSOCK_WAITING,		/* backoff before the next attempt */
	BSOCK_STATE_MAX
};

static const char *const bridge_sock_state_names[BSOCK_STATE_MAX] = {
	"disabled", "idle", "resolving", "connecting", "connected", "waiting"
};

#define BRIDGE_UDP_MAX		65507
#define BRIDGE_UDP_PAYLOAD	1472	/* serial bytes per datagram */
#define BRIDGE_HB_FAILS		3

struct bridge_sock {
	int			 id;		/* 0 = A, 1 = B */
	char			 letter;
	enum bridge_sock_state	 state;

	/* configuration in effect */
	char			 conf_key[SETTING_VALUE_MAX + 64];
	int			 udp;
	char			 host[256];
	char			 port[8];
	int			 is_short;
	int			 short_timeout;

	struct dns_req	*dns;
	struct bufferevent	*bev;		/* TCP: connect, output queue */
	int			 ufd;		/* UDP */
	struct event		*rev;		/* readable (TCP and UDP) */
	struct event		*retry_ev;
	struct event		*tick_ev;	/* heartbeat, idle, no-data */
	struct evbuffer		*cache;
	unsigned		 backoff_ms;
	int			 hb_fails;
	int			 congested;
	int			 drop_logged;
	uint64_t		 last_tx, last_rx, connected_at;

	uint64_t		 tx_bytes, rx_bytes, connects, cache_dropped,
				 dropped;
	char			 last_error[128];
};

static struct bridge_sock bridge_socks[BRIDGE_NSOCK] = {
	{ .id = 0, .letter = 'A', .ufd = -1 },
	{ .id = 1, .letter = 'B', .ufd = -1 },
};
static int bridge_sock_held;
static int bridge_sock_started;

static void bridge_sock_connect(struct bridge_sock *);
static void bridge_sock_schedule(struct bridge_sock *);

static void
bridge_sock_set_state(struct bridge_sock *s, enum bridge_sock_state st)
{
	if (s->state == st)
		return;
	log_debug("bridge: socket %c %s -> %s", s->letter,
	    bridge_sock_state_names[s->state], bridge_sock_state_names[st]);
	s->state = st;
}

const char *
bridge_sock_state_name(int id)
{
	return bridge_sock_state_names[bridge_socks[id].state];
}

int
bridge_sock_connected(int id)
{
	return bridge_socks[id].state == BSOCK_CONNECTED;
}

static void
bridge_sock_publish(struct bridge_sock *s, const char *what,
    const char *reason)
{
	struct json_object *o = json_object_new_object();
	char l[2] = { s->letter, '\0' };

	json_object_object_add(o, "socket", json_object_new_string(l));
	json_object_object_add(o, "protocol",
	    json_object_new_string(s->udp ? "UDP" : "TCP"));
	json_object_object_add(o, "host", json_object_new_string(s->host));
	json_object_object_add(o, "port", json_object_new_string(s->port));
	json_object_object_add(o, "tx_bytes",
	    json_object_new_int64((int64_t)s->tx_bytes));
	json_object_object_add(o, "rx_bytes",
	    json_object_new_int64((int64_t)s->rx_bytes));
	if (reason != NULL)
		json_object_object_add(o, "reason",
		    json_object_new_string(reason));
	bridge_event(what, o);
}

/* --- register and heartbeat packets --------------------------------- */

/*
 * The register packet (REGEN is checked by the caller): its bytes in *p
 * and their count, 0 when there is none to send.  REGDT was decoded
 * when the settings were loaded; the modem's ICCID or IMEI is asked
 * for each time, as it becomes known after the bridge starts.
 */
static size_t
bridge_sock_reg(const uint8_t **p)
{
	static int warned;
	const char *id;

	if (bridge_cfg.reg_identity == NULL) {
		*p = bridge_cfg.reg;
		return bridge_cfg.reg_len;
	}
	if ((id = modem_identity(bridge_cfg.reg_identity)) == NULL) {
		const char *type = strcmp(bridge_cfg.reg_identity, "iccid") ==
		    0 ? "ICCID" : "IMEI";

		if (!warned)
			log_warnx("bridge: register packet of type %s not "
			    "sent: the modem's %s is not known yet", type,
			    type);
		warned = 1;
		return 0;
	}
	warned = 0;
	*p = (const uint8_t *)id;
	return strnlen(id, BRIDGE_REG_MAX);
}

/* --- sending -------------------------------------------------------- */

/* One write of the pieces in iov: one datagram (UDP), or through the
 * connection's queue (TCP, see bridge_bev_writev()). */
static int
bridge_sock_writev(struct bridge_sock *s, const struct iovec *iov, int cnt)
{
	struct msghdr m = { .msg_iov = (struct iovec *)iov,
	    .msg_iovlen = (size_t)cnt };
	size_t n = 0;

	for (int i = 0; i < cnt; i++)
		n += iov[i].iov_len;
	if (s->udp) {
		if (sendmsg(s->ufd, &m, MSG_DONTWAIT) == -1) {
			snprintf(s->last_error, sizeof s->last_error,
			    "send: %s", strerror(errno));
			return -1;
		}
	} else if (bridge_bev_writev(s->bev, iov, cnt) == -1)
		return -1;
	s->tx_bytes += n;
	s->last_tx = util_now_ms();
	return 0;
}

static int
bridge_sock_write(struct bridge_sock *s, const uint8_t *p, size_t n)
{
	struct iovec iov = { (void *)p, n };

	return bridge_sock_writev(s, &iov, 1);
}

/* One serial packet: the register head when configured, then the data,
 * in one write; over UDP one datagram per BRIDGE_UDP_PAYLOAD bytes, each
 * with the head. */
static void
bridge_sock_packet(struct bridge_sock *s, const uint8_t *p, size_t n)
{
	const uint8_t *reg = NULL;
	size_t rn = bridge_cfg.reg_data ? bridge_sock_reg(&reg) : 0;
	struct iovec iov[2] = { { (void *)reg, rn }, { NULL, 0 } };

	if (n == 0)
		return;
	do {
		size_t k = s->udp && n > BRIDGE_UDP_PAYLOAD ?
		    BRIDGE_UDP_PAYLOAD : n;

		iov[1].iov_base = (void *)p;
		iov[1].iov_len = k;
		if (bridge_sock_writev(s, iov, 2) == -1 && s->udp)
			s->dropped += k;
		p += k;
		n -= k;
	} while (n > 0);
}

static void
bridge_sock_cache_add(struct bridge_sock *s, const uint8_t *p, size_t n)
{
	size_t max = bridge_cfg.cache_size;
	size_t have = evbuffer_get_length(s->cache);
	size_t room = have < max ? max - have : 0;

	if (n > room) {
		if (s->cache_dropped == 0 || !s->drop_logged)
			log_warnx("bridge: socket %c: cache full (%zu bytes), "
			    "dropping data", s->letter, max);
		s->drop_logged = 1;
		s->cache_dropped += n - room;
		n = room;
	}
	if (n > 0)
		evbuffer_add(s->cache, p, n);
}

void
bridge_sock_send(const uint8_t *p, size_t n)
{
	size_t bmax = bridge_cfg.buffer_max, hw = bridge_cfg.high_water;

	for (int i = 0; i < BRIDGE_NSOCK; i++) {
		struct bridge_sock *s = &bridge_socks[i];

		switch (s->state) {
		case BSOCK_DISABLED:
			break;
		case BSOCK_CONNECTED:
			if (!s->udp && evbuffer_get_length(
			    bufferevent_get_output(s->bev)) >= bmax) {
				/* this server does not read: its share goes */
				if (!s->drop_logged)
					log_warnx("bridge: socket %c: server "
					    "not reading, %zu bytes queued: "
					    "dropping data", s->letter, bmax);
				s->drop_logged = 1;
				s->dropped += n;
				break;
			}
			bridge_sock_packet(s, p, n);
			if (!s->udp && evbuffer_get_length(
			    bufferevent_get_output(s->bev)) >= hw)
				s->congested = 1;
			break;
		case BSOCK_IDLE:
			/* short connection: data opens it */
			bridge_sock_cache_add(s, p, n);
			bridge_sock_connect(s);
			break;
		default:
			if (s->is_short || bridge_cfg.cache)
				bridge_sock_cache_add(s, p, n);
			else
				s->dropped += n;
			break;
		}
	}
}

void
bridge_sock_reply(int id, const void *p, size_t n)
{
	struct bridge_sock *s = &bridge_socks[id];

	if (s->state == BSOCK_CONNECTED && n > 0)
		bridge_sock_write(s, p, n);
}

int
bridge_sock_blocked(void)
{
	int live = 0, full = 0;

	for (int i = 0; i < BRIDGE_NSOCK; i++) {
		struct bridge_sock *s = &bridge_socks[i];

		if (s->state != BSOCK_CONNECTED || s->udp)
			continue;
		live++;
		if (s->congested)
			full++;
	}
	/* pause only when no connected socket could take more; a lone
	 * slow server is then true backpressure, and a slow one never
	 * stops the other */
	return live > 0 && full == live;
}

/* --- connection life cycle ------------------------------------------ */

static void
bridge_sock_close(struct bridge_sock *s, int keep_unsent)
{
	if (s->dns != NULL) {
		dns_cancel(s->dns);
		s->dns = NULL;
	}
	if (s->rev != NULL) {
		event_free(s->rev);
		s->rev = NULL;
	}
	if (s->bev != NULL) {
		struct evbuffer *out = bufferevent_get_output(s->bev);

		/* unsent data goes back to the front of the cache */
		if (keep_unsent && evbuffer_get_length(out) > 0 &&
		    settings_bool(bridge_set.cache)) {
			struct evbuffer *tmp = evbuffer_new();
			size_t max = (size_t)settings_int(bridge_set.cache_size);

			evbuffer_add_buffer(tmp, out);
			evbuffer_add_buffer(tmp, s->cache);
			if (evbuffer_get_length(tmp) > max) {
				s->cache_dropped +=
				    evbuffer_get_length(tmp) - max;
				/* keep the oldest: drop the tail */
				struct evbuffer *keep = evbuffer_new();

				evbuffer_remove_buffer(tmp, keep, max);
				evbuffer_free(tmp);
				tmp = keep;
			}
			evbuffer_add_buffer(s->cache, tmp);
			evbuffer_free(tmp);
		}
		bufferevent_free(s->bev);
		s->bev = NULL;
	}
	if (s->ufd != -1) {
		close(s->ufd);
		s->ufd = -1;
	}
	if (s->retry_ev != NULL)
		event_del(s->retry_ev);
	if (s->tick_ev != NULL)
		event_del(s->tick_ev);
	s->congested = 0;
	s->hb_fails = 0;
}

/* A connection ended or could not be made: wait, then try again. */
static void
bridge_sock_fail(struct bridge_sock *s, const char *why)
{
	int was = s->state == BSOCK_CONNECTED;
	unsigned lo = (unsigned)settings_int(bridge_set.reconnect_min);
	unsigned hi = (unsigned)settings_int(bridge_set.reconnect_max);
	struct timeval tv;

	util_strlcpy(s->last_error, why, sizeof s->last_error);
	bridge_sock_close(s, 1);
	if (was) {
		log_info("bridge: socket %c disconnected from %s:%s: %s",
		    s->letter, s->host, s->port, why);
		bridge_sock_publish(s, "disconnected", why);
	} else
		log_info("bridge: socket %c: cannot connect to %s:%s: %s",
		    s->letter, s->host, s->port, why);
	bridge_net_drained();	/* re-evaluate backpressure */
	if (s->is_short && evbuffer_get_length(s->cache) == 0) {
		bridge_sock_set_state(s, BSOCK_IDLE);
		return;
	}
	if (s->backoff_ms < lo)
		s->backoff_ms = lo;
	if (s->backoff_ms > hi)
		s->backoff_ms = hi;
	tv.tv_sec = s->backoff_ms / 1000;
	tv.tv_usec = (s->backoff_ms % 1000) * 1000;
	bridge_sock_set_state(s, BSOCK_WAITING);
	event_add(s->retry_ev, &tv);
	s->backoff_ms = s->backoff_ms > hi / 2 ? hi : s->backoff_ms * 2;
}

static void bridge_sock_read_cb(evutil_socket_t, short, void *);

static void
bridge_sock_established(struct bridge_sock *s)
{
	const uint8_t *reg;
	size_t rn;

	s->connects++;
	s->backoff_ms = 0;
	s->hb_fails = 0;
	s->drop_logged = 0;
	s->last_error[0] = '\0';
	s->connected_at = s->last_rx = s->last_tx = util_now_ms();
	s->rev = event_new(bridge_base(), s->udp ? s->ufd :
	    bufferevent_getfd(s->bev), EV_READ | EV_PERSIST,
	    bridge_sock_read_cb, s);
	if (s->rev != NULL && !bridge_sock_held)
		event_add(s->rev, NULL);
	bridge_sock_set_state(s, BSOCK_CONNECTED);
	log_info("bridge: socket %c connected to %s %s:%s", s->letter,
	    s->udp ? "UDP" : "TCP", s->host, s->port);
	bridge_sock_publish(s, "connected", NULL);
	if (bridge_cfg.reg_link && (rn = bridge_sock_reg(&reg)) > 0)
		bridge_sock_write(s, reg, rn);
	/* cached serial data, in order, one packet */
	while (evbuffer_get_length(s->cache) > 0) {
		uint8_t tmp[4096];
		int n = evbuffer_remove(s->cache, tmp, sizeof tmp);

		if (n <= 0)
			break;
		bridge_sock_packet(s, tmp, (size_t)n);
	}
	bridge_sock_schedule(s);
}

static void
bridge_sock_input(struct bridge_sock *s, const uint8_t *p, size_t n)
{
	s->rx_bytes += n;
	s->last_rx = util_now_ms();
	bridge_net_input(s->id, p, n);
}

/*
 * A server's socket is readable.  TCP: one recv() of up to
 * BRIDGE_READ_MAX bytes per wake-up, handed on in place (one copy, the
 * kernel's; the bufferevent is only for connecting and the output
 * queue, its reads are 4096 bytes at most); end of file or an error
 * ends the connection.  UDP: up to 64 datagrams, each one read.
 */
static void
bridge_sock_read_cb(evutil_socket_t fd, short what, void *arg)
{
	static uint8_t buf[BRIDGE_UDP_MAX > BRIDGE_READ_MAX ? BRIDGE_UDP_MAX :
	    BRIDGE_READ_MAX];
	struct bridge_sock *s = arg;
	struct event *ev = s->rev;
	char why[128];
	ssize_t n;

	/* stop when the input closed or replaced the connection */
	for (int i = 0; i < (s->udp ? 64 : 1) && s->rev == ev; i++) {
		n = recv(fd, buf, s->udp ? BRIDGE_UDP_MAX : BRIDGE_READ_MAX, 0);
		if (n > 0 || (n == 0 && s->udp)) {
			bridge_sock_input(s, buf, (size_t)n);
			continue;
		}
		if (n == -1 && (errno == EAGAIN || errno == EINTR))
			return;
		if (s->udp) {
			/* an ICMP error for an earlier datagram */
			log_debug("bridge: socket %c: recv: %s", s->letter,
			    strerror(errno));
			return;
		}
		if (n == 0)
			snprintf(why, sizeof why, "closed by the server");
		else
			snprintf(why, sizeof why, "%s", strerror(errno));
		bridge_sock_fail(s, why);
		return;
	}
}

static void
bridge_sock_write_cb(struct bufferevent *bev, void *arg)
{
	struct bridge_sock *s = arg;

	if (s->congested) {
		s->congested = 0;
		s->drop_logged = 0;
		bridge_net_drained();
	}
}

static void
bridge_sock_event_cb(struct bufferevent *bev, short what, void *arg)
{
	struct bridge_sock *s = arg;
	char why[128];

	if (what & BEV_EVENT_CONNECTED) {
		bridge_sock_established(s);
		return;
	}
	if (what & BEV_EVENT_EOF)
		snprintf(why, sizeof why, "closed by the server");
	else
		snprintf(why, sizeof why, "%s", strerror(errno != 0 ? errno :
		    EIO));
	bridge_sock_fail(s, why);
}

static void
bridge_sock_resolved(int rc, const struct addrinfo *res, void *arg)
{
	struct bridge_sock *s = arg;
	char why[400];
	int fd;

	s->dns = NULL;
	if (rc != 0) {
		snprintf(why, sizeof why, "cannot resolve %s: %s", s->host,
		    gai_strerror(rc));
		bridge_sock_fail(s, why);
		return;
	}
	if (s->udp) {
		fd = socket(res->ai_family, SOCK_DGRAM | SOCK_NONBLOCK |
		    SOCK_CLOEXEC, 0);
		if (fd == -1 || connect(fd, res->ai_addr, res->ai_addrlen) ==
		    -1) {
			snprintf(why, sizeof why, "%s", strerror(errno));
			if (fd != -1)
				close(fd);
			bridge_sock_fail(s, why);
			return;
		}
		s->ufd = fd;
		bridge_sock_established(s);
		return;
	}
	bridge_sock_set_state(s, BSOCK_CONNECTING);
	s->bev = bufferevent_socket_new(bridge_base(), -1,
	    BEV_OPT_CLOSE_ON_FREE);
	if (s->bev == NULL) {
		bridge_sock_fail(s, "out of memory");
		return;
	}
	bufferevent_set_max_single_write(s->bev, BRIDGE_READ_MAX);
	bufferevent_setcb(s->bev, NULL, bridge_sock_write_cb,
	    bridge_sock_event_cb, s);
	bufferevent_setwatermark(s->bev, EV_WRITE, bridge_cfg.high_water / 2,
	    0);
	bufferevent_enable(s->bev, EV_WRITE);
	errno = 0;
	if (bufferevent_socket_connect(s->bev, res->ai_addr,
	    (int)res->ai_addrlen) == -1) {
		snprintf(why, sizeof why, "connect: %s",
		    strerror(errno != 0 ? errno : ECONNREFUSED));
		bridge_sock_fail(s, why);
	}
}

static void
bridge_sock_connect(struct bridge_sock *s)
{
	char err[200];

	if (s->state == BSOCK_RESOLVING || s->state == BSOCK_CONNECTING ||
	    s->state == BSOCK_CONNECTED)
		return;
	event_del(s->retry_ev);
	bridge_sock_set_state(s, BSOCK_RESOLVING);
	s->dns = dns_start(s->host, s->port, s->udp ? SOCK_DGRAM :
	    SOCK_STREAM, bridge_sock_resolved, s, err, sizeof err);
	if (s->dns == NULL)
		bridge_sock_fail(s, err);
}

static void
bridge_sock_retry_cb(evutil_socket_t fd, short what, void *arg)
{
	struct bridge_sock *s = arg;

	if (s->state == BSOCK_WAITING)
		bridge_sock_connect(s);
}

/* --- timers: heartbeat, short idle, no data ------------------------- */

static uint64_t
bridge_sock_next(struct bridge_sock *s, uint64_t now, int fire)
{
	uint64_t next = UINT64_MAX, t;
	long long hb = settings_int(bridge_set.heartbeat_time) * 1000;
	long long nd = settings_int(bridge_set.nodata_timeout) * 1000;

	if (s->state != BSOCK_CONNECTED)
		return UINT64_MAX;
	if (s->is_short) {
		uint64_t last = s->last_tx > s->last_rx ? s->last_tx :
		    s->last_rx;

		t = last + (uint64_t)s->short_timeout * 1000;
		if (fire && now >= t) {
			log_info("bridge: socket %c: short connection idle "
			    "for %d s, closing", s->letter, s->short_timeout);
			bridge_sock_close(s, 0);
			bridge_sock_publish(s, "disconnected", "idle");
			bridge_sock_set_state(s, BSOCK_IDLE);
			bridge_net_drained();
			return UINT64_MAX;
		}
		if (t < next)
			next = t;
	}
	if (nd > 0) {
		t = s->last_rx + (uint64_t)nd;
		if (fire && now >= t) {
			bridge_sock_fail(s, "no data from the server");
			return UINT64_MAX;
		}
		if (t < next)
			next = t;
	}
	if (settings_bool(bridge_set.heartbeat_enable) &&
	    strcmp(settings_value(bridge_set.heartbeat_to), "NET") == 0 && hb > 0) {
		t = s->last_tx + (uint64_t)hb;
		if (fire && now >= t) {
			uint8_t d[BRIDGE_REG_MAX];
			size_t n = 0;
			char err[64];

			if (bridge_hex_decode(settings_value(bridge_set.heartbeat_data), d, sizeof d, &n, err,
			    sizeof err) == -1 || n == 0) {
				s->last_tx = now;	/* nothing to send */
			} else {
				/* a heartbeat still queued is a failed send */
				if ((!s->udp && evbuffer_get_length(
				    bufferevent_get_output(s->bev)) > 0) ||
				    bridge_sock_write(s, d, n) == -1)
					s->hb_fails++;
				else
					s->hb_fails = 0;
				s->last_tx = now;
				if (s->hb_fails >= BRIDGE_HB_FAILS) {
					bridge_sock_fail(s, "3 heartbeats "
					    "failed");
					return UINT64_MAX;
				}
			}
			t = now + (uint64_t)hb;
		}
		if (t < next)
			next = t;
	}
	return next;
}

static void
bridge_sock_schedule(struct bridge_sock *s)
{
	uint64_t now = util_now_ms(), next = bridge_sock_next(s, now, 0);
	struct timeval tv;

	if (next == UINT64_MAX) {
		event_del(s->tick_ev);
		return;
	}
	next = next > now ? next - now : 0;
	tv.tv_sec = (time_t)(next / 1000);
	tv.tv_usec = (suseconds_t)(next % 1000) * 1000;
	event_add(s->tick_ev, &tv);
}

static void
bridge_sock_tick_cb(evutil_socket_t fd, short what, void *arg)
{
	struct bridge_sock *s = arg;

	if (bridge_sock_next(s, util_now_ms(), 1) != UINT64_MAX)
		bridge_sock_schedule(s);
}

void
bridge_sock_heartbeat(void)
{
	for (int i = 0; i < BRIDGE_NSOCK; i++)
		if (bridge_socks[i].state == BSOCK_CONNECTED)
			bridge_sock_schedule(&bridge_socks[i]);
}

/* --- configuration -------------------------------------------------- */

void
bridge_sock_init(void)
{
	for (int i = 0; i < BRIDGE_NSOCK; i++) {
		struct bridge_sock *s = &bridge_socks[i];

		s->cache = evbuffer_new();
		s->retry_ev = evtimer_new(bridge_base(), bridge_sock_retry_cb,
		    s);
		s->tick_ev = evtimer_new(bridge_base(), bridge_sock_tick_cb, s);
		s->state = BSOCK_DISABLED;
		s->conf_key[0] = '\0';
	}
	bridge_sock_started = 1;
}

void
bridge_sock_configure(int active)
{
	if (!bridge_sock_started)
		return;
	for (int i = 0; i < BRIDGE_NSOCK; i++) {
		struct bridge_sock *s = &bridge_socks[i];
		char key[sizeof s->conf_key], copy[SETTING_VALUE_MAX + 1];
		char *f[3], *lf[2], *p, err[128];
		int en = active && settings_bool(bridge_set.socket_enable[s->id]), n = 0;
		int is_short = 0, tmo = 0;

		snprintf(key, sizeof key, "%d|%s|%s", en,
		    settings_value(bridge_set.socket_addr[s->id]),
		    settings_value(bridge_set.socket_link[s->id]));
		if (strcmp(key, s->conf_key) == 0)
			continue;
		util_strlcpy(s->conf_key, key, sizeof s->conf_key);
		if (s->state != BSOCK_DISABLED) {
			if (s->state == BSOCK_CONNECTED)
				bridge_sock_publish(s, "disconnected",
				    "reconfigured");
			bridge_sock_close(s, 1);
			bridge_sock_set_state(s, BSOCK_DISABLED);
		}
		s->backoff_ms = 0;
		if (!en) {
			evbuffer_drain(s->cache, evbuffer_get_length(s->cache));
			continue;
		}
		util_strlcpy(copy, settings_value(bridge_set.socket_addr[s->id]),
		    sizeof copy);
		for (p = copy; n < 3 && p != NULL; n++) {
			f[n] = p;
			if ((p = strchr(p, ',')) != NULL)
				*p++ = '\0';
		}
		if (n != 3)
			continue;	/* checked by the setting's parser */
		s->udp = strcmp(f[0], "UDP") == 0;
		util_strlcpy(s->host, f[1], sizeof s->host);
		util_strlcpy(s->port, f[2], sizeof s->port);
		util_strlcpy(copy, settings_value(bridge_set.socket_link[s->id]),
		    sizeof copy);
		lf[0] = copy;
		n = 1;
		if ((p = strchr(copy, ',')) != NULL) {
			*p++ = '\0';
			lf[n++] = p;
		}
		if (bridge_link_parse(n, lf, &is_short, &tmo, err,
		    sizeof err) == -1)
			is_short = 0;
		s->is_short = is_short;
		s->short_timeout = tmo;
		if (is_short)
			bridge_sock_set_state(s, BSOCK_IDLE);
		else
			bridge_sock_connect(s);
	}
	bridge_net_drained();
}

void
bridge_sock_hold(int hold)
{
	bridge_sock_held = hold;
	for (int i = 0; i < BRIDGE_NSOCK; i++) {
		struct bridge_sock *s = &bridge_socks[i];

		if (s->rev == NULL)
			continue;
		if (hold)
			event_del(s->rev);
		else
			event_add(s->rev, NULL);
	}
}

void
bridge_sock_shutdown(void)
{
	if (!bridge_sock_started)
		return;
	for (int i = 0; i < BRIDGE_NSOCK; i++) {
		struct bridge_sock *s = &bridge_socks[i];

		bridge_sock_close(s, 0);
		if (s->retry_ev != NULL)
			event_free(s->retry_ev);
		if (s->tick_ev != NULL)
			event_free(s->tick_ev);
		if (s->cache != NULL)
			evbuffer_free(s->cache);
		s->retry_ev = s->tick_ev = NULL;
		s->cache = NULL;
		s->state = BSOCK_DISABLED;
		s->conf_key[0] = '\0';
		s->tx_bytes = s->rx_bytes = s->connects = 0;
		s->cache_dropped = s->dropped = 0;
	}
	bridge_sock_started = 0;
	bridge_sock_held = 0;
}

struct json_object *
bridge_sock_status(int id)
{
	struct bridge_sock *s = &bridge_socks[id];
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "state",
	    json_object_new_string(bridge_sock_state_names[s->state]));
	if (s->state != BSOCK_DISABLED) {
		json_object_object_add(o, "protocol",
		    json_object_new_string(s->udp ? "UDP" : "TCP"));
		json_object_object_add(o, "host",
		    json_object_new_string(s->host));
		json_object_object_add(o, "port",
		    json_object_new_int(atoi(s->port)));
		json_object_object_add(o, "link", json_object_new_string(
		    s->is_short ? "short" : "long"));
	}
	json_object_object_add(o, "tx_bytes",
	    json_object_new_int64((int64_t)s->tx_bytes));
	json_object_object_add(o, "rx_bytes",
	    json_object_new_int64((int64_t)s->rx_bytes));
	json_object_object_add(o, "connects",
	    json_object_new_int64((int64_t)s->connects));
	json_object_object_add(o, "cached", json_object_new_int64(
	    s->cache != NULL ? (int64_t)evbuffer_get_length(s->cache) : 0));
	json_object_object_add(o, "cache_dropped",
	    json_object_new_int64((int64_t)s->cache_dropped));
	json_object_object_add(o, "dropped",
	    json_object_new_int64((int64_t)s->dropped));
	json_object_object_add(o, "queued", json_object_new_int64(
	    s->bev != NULL ? (int64_t)evbuffer_get_length(
	    bufferevent_get_output(s->bev)) : 0));
	if (s->last_error[0] != '\0')
		json_object_object_add(o, "last_error",
		    json_object_new_string(s->last_error));
	return o;
}
