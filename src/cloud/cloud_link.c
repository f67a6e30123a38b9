/*
 * cloud_link.c: the MQTT v5 connection to the broker, driven by the one
 * libevent loop (libmosquitto's own loop and threads are never used).
 *
 * idle -> (wait_uplink) -> resolving -> connecting -> up -> backoff -> ...
 *
 * - The broker's name is resolved by src/core/dns.c, then libmosquitto
 *   connects to the numeric address (its own connect would resolve
 *   synchronously).  With TLS the context is ours (MOSQ_OPT_SSL_CTX): the
 *   configured host name is set on its verify parameters, so OpenSSL
 *   checks the certificate against the name, not the address.
 * - A fresh libmosquitto object per connection: its own retransmission
 *   of unacknowledged messages never duplicates the SQLite queue's.
 * - Before every libmosquitto call the socket's event is removed (the
 *   library closes the socket itself on errors), and after it the event
 *   is re-armed: read always, write when the library wants to write; during
 *   the TLS handshake, write only while OpenSSL waits to write (the
 *   library's want-write flag stays set then and would spin).
 * - mosquitto_loop_misc() runs from a timer due when the next PINGREQ is
 *   (keepalive after the last traffic), not from a periodic tick.
 * - TCP_NODELAY on the socket: QoS 1 messages and PUBACKs are small and
 *   must not wait for Nagle's algorithm.
 * - Reconnects come from a timer with exponential backoff.
 * - An on-demand session (cloud.enable=off) ends after cloud.idle_timeout
 *   seconds without traffic.
 */
#include <errno.h>
#include <stdarg.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>
#include <event2/event_struct.h>
#include <mosquitto.h>
#include <mqtt_protocol.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "cloud.h"
#include "cloud_int.h"
#include "dns.h"
#include "log.h"
#include "settings.h"
#include "uplink.h"
#include "util.h"

#define CLOUD_BACKOFF_MIN	1
#define CLOUD_BACKOFF_MAX	120
#define CLOUD_CONNECT_TIMEOUT	30	/* seconds from socket to CONNACK */
#define CLOUD_CLOSE_WAIT	3	/* seconds for a clean DISCONNECT */

static const char *const cloud_state_names[CLOUD_STATE_MAX] = {
	"idle", "wait_uplink", "resolving", "connecting", "up", "backoff"
};

static struct {
	struct event_base	*base;
	enum cloud_state	 state;
	struct mosquitto	*mosq;
	SSL_CTX			*ssl_ctx;
	struct event		 io_ev;
	int			 io_added;
	int			 tcp_pending;	/* non-blocking connect running */
	struct event		*misc_ev, *retry_ev, *idle_ev, *timeout_ev;
	struct event		*close_ev, *update_ev;
	int			 backoff;
	int			 dead;		/* lost inside a callback */
	int			 closing;	/* clean disconnect under way */
	int			 offline_mid;	/* its "offline", not acked yet */
	int			 session;	/* on-demand session */
	int			 wanted;
	int			 in_cb;		/* inside a libmosquitto callback */
	int			 pending_reconnect;
	char			 host[256];
	int			 port;
	int			 tls;
	char			 address[64];
	char			 uplink_if[32];	/* the uplink it started on */
	char			 addrs[4][64];	/* resolved, tried in turn */
	int			 naddr, addr_i;
	char			 error[256];
	long long		 since;
	uint64_t		 last_in, last_out;	/* ms, monotonic */
	cloud_link_fn		*on_change;
	void			*on_change_arg;
} cl;

static void cloud_link_rearm(void);
static void cloud_link_fail(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));
static void cloud_link_destroy(void);
static void cloud_io_cb(evutil_socket_t, short, void *);

/* Why OpenSSL refused the broker's certificate (X509_V_OK: it did not). */
static int cloud_verify_error = X509_V_OK;

static int
cloud_verify_cb(int ok, X509_STORE_CTX *x)
{
	if (!ok && cloud_verify_error == X509_V_OK)
		cloud_verify_error = X509_STORE_CTX_get_error(x);
	return ok;
}

const char *
cloud_state_name(enum cloud_state s)
{
	return s < CLOUD_STATE_MAX ? cloud_state_names[s] : "?";
}

static void
cloud_link_set_state(enum cloud_state s)
{
	if (cl.state == s)
		return;
	log_info("cloud: link %s -> %s", cloud_state_name(cl.state),
	    cloud_state_name(s));
	cl.state = s;
	cl.since = (long long)time(NULL);
	cloud_status_changed();
}

enum cloud_state
cloud_link_state(void)
{
	return cl.state;
}

int
cloud_link_up(void)
{
	return cl.state == CLOUD_UP;
}

const char *
cloud_link_error(void)
{
	return cl.error;
}

const char *
cloud_link_address(void)
{
	return cl.address[0] ? cl.address : cl.host;
}

int
cloud_link_port(void)
{
	return cl.port;
}

long long
cloud_link_since(void)
{
	return cl.since;
}

void
cloud_link_on_change(cloud_link_fn *fn, void *arg)
{
	cl.on_change = fn;
	cl.on_change_arg = arg;
}

/* ---- socket events around every libmosquitto call ---- */

static void
cloud_io_begin(void)
{
	if (cl.io_added) {
		event_del(&cl.io_ev);
		cl.io_added = 0;
	}
}

static int
cloud_rc_fatal(int rc)
{
	return rc != MOSQ_ERR_SUCCESS && rc != MOSQ_ERR_CONN_PENDING &&
	    rc != MOSQ_ERR_AUTH_CONTINUE;
}

/* `what` failed with libmosquitto's rc: the broker's certificate refused,
 * a system error, or libmosquitto's reason with what it logged (an
 * OpenSSL alert: the broker refused our certificate, or wanted one). */
static void
cloud_link_fail_rc(const char *what, int rc)
{
	if (rc == MOSQ_ERR_TLS && cloud_verify_error != X509_V_OK)
		cloud_link_fail("%s: broker certificate refused: %s", what,
		    X509_verify_cert_error_string(cloud_verify_error));
	else if (rc == MOSQ_ERR_ERRNO)
		cloud_link_fail("%s: %s", what, strerror(errno));
	else
		cloud_link_fail("%s: %s%s%s%s", what, mosquitto_strerror(rc),
		    cl.error[0] ? " (" : "", cl.error, cl.error[0] ? ")" : "");
}

/* After a call: a link lost inside a callback is torn down here (never
 * inside libmosquitto's own frame), else the event is re-armed. */
static void
cloud_io_end(int rc, const char *what)
{
	if (cl.mosq == NULL || cl.in_cb)
		return;		/* the outer call re-arms */
	if (cl.closing) {
		if (mosquitto_socket(cl.mosq) == -1)
			cloud_link_destroy();	/* DISCONNECT written */
		else
			cloud_link_rearm();
		return;
	}
	if (!cl.dead && cloud_rc_fatal(rc) && rc != MOSQ_ERR_NO_CONN) {
		cloud_link_fail_rc(what, rc);
		return;
	}
	if (!cl.dead && mosquitto_socket(cl.mosq) == -1 &&
	    (cl.state == CLOUD_CONNECTING || cl.state == CLOUD_UP)) {
		cloud_link_fail("%s: connection closed", what);
		return;
	}
	if (cl.dead) {
		cl.dead = 0;
		cloud_link_fail("%s", cl.error[0] ? cl.error :
		    "connection lost");
		return;
	}
	cloud_link_rearm();
}

static int
cloud_tls_handshaking(void)
{
	SSL *ssl;

	if (!cl.tls || cl.mosq == NULL ||
	    (ssl = mosquitto_ssl_get(cl.mosq)) == NULL)
		return 0;
	return !SSL_is_init_finished(ssl);
}

static void
cloud_misc_schedule(void)
{
	long long k = settings_int(cloud_s_keepalive) * 60;
	uint64_t now = util_now_ms(), base, due;
	struct timeval tv;

	if (k > 65535)
		k = 65535;
	if (cl.state == CLOUD_CONNECTING || k == 0 || cl.mosq == NULL ||
	    cl.closing) {
		event_del(cl.misc_ev);
		return;
	}
	base = cl.last_in < cl.last_out ? cl.last_in : cl.last_out;
	due = base + (uint64_t)k * 1000 + 1000;	/* the library counts
						   whole seconds */
	if (due < now)
		due = now;
	tv.tv_sec = (time_t)((due - now) / 1000);
	tv.tv_usec = (suseconds_t)((due - now) % 1000 * 1000);
	event_add(cl.misc_ev, &tv);
}

static void
cloud_link_rearm(void)
{
	short what = EV_READ;
	int fd;

	if (cl.mosq == NULL || (fd = mosquitto_socket(cl.mosq)) < 0)
		return;
	if (cl.tcp_pending)
		what |= EV_WRITE;
	else if (cloud_tls_handshaking()) {
		if (SSL_want_write(mosquitto_ssl_get(cl.mosq)))
			what |= EV_WRITE;
	} else if (mosquitto_want_write(cl.mosq))
		what |= EV_WRITE;
	event_assign(&cl.io_ev, cl.base, fd, what, cloud_io_cb, NULL);
	if (event_add(&cl.io_ev, NULL) == 0)
		cl.io_added = 1;
	cloud_misc_schedule();
}

static void
cloud_io_cb(evutil_socket_t fd, short what, void *arg)
{
	int rc = MOSQ_ERR_SUCCESS, soerr = 0;
	socklen_t sl = sizeof soerr;

	cl.io_added = 0;	/* not persistent */
	if (cl.mosq == NULL)
		return;
	if (cl.tcp_pending && (what & EV_WRITE)) {
		cl.tcp_pending = 0;
		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) == 0 &&
		    soerr != 0) {
			cloud_link_fail("connect to %s port %d: %s", cl.address,
			    cl.port, strerror(soerr));
			return;
		}
	}
	if (cloud_tls_handshaking()) {
		/* mosquitto_loop_read() drives SSL_connect() */
		cloud_io_begin();
		rc = mosquitto_loop_read(cl.mosq, 1);
		if (cl.mosq != NULL && !cloud_rc_fatal(rc) && !cl.dead &&
		    !cloud_tls_handshaking() && mosquitto_want_write(cl.mosq)) {
			rc = mosquitto_loop_write(cl.mosq, 1);
			cl.last_out = util_now_ms();
		}
		cloud_io_end(rc, "TLS handshake");
		return;
	}
	cloud_io_begin();
	if (what & EV_READ) {
		rc = mosquitto_loop_read(cl.mosq, 1);
		cl.last_in = util_now_ms();
	}
	if (cl.mosq != NULL && !cloud_rc_fatal(rc) && !cl.dead &&
	    (what & EV_WRITE) && mosquitto_socket(cl.mosq) != -1) {
		rc = mosquitto_loop_write(cl.mosq, 1);
		cl.last_out = util_now_ms();
	}
	cloud_io_end(rc, "connection");
}

static void
cloud_misc_cb(evutil_socket_t fd, short what, void *arg)
{
	long long k = settings_int(cloud_s_keepalive) * 60;
	uint64_t now = util_now_ms();
	uint64_t base = cl.last_in < cl.last_out ? cl.last_in : cl.last_out;
	int rc;

	if (cl.mosq == NULL)
		return;
	cloud_io_begin();
	rc = mosquitto_loop_misc(cl.mosq);
	if (now >= base + (uint64_t)k * 1000)
		cl.last_in = cl.last_out = now;	/* PINGREQ sent */
	cloud_io_end(rc, "keepalive");
}

/* ---- libmosquitto callbacks (inside our calls) ---- */

static void
cloud_on_connect(struct mosquitto *m, void *obj, int rc, int flags,
    const mosquitto_property *props)
{
	char topic[CLOUD_TOPIC_MAX];

	if (rc != 0) {
		snprintf(cl.error, sizeof cl.error, "broker refused: %s",
		    mosquitto_reason_string(rc));
		cl.dead = 1;
		return;
	}
	cl.in_cb = 1;
	event_del(cl.timeout_ev);
	cl.backoff = 0;
	cl.error[0] = '\0';
	cloud_link_set_state(CLOUD_UP);
	log_info("cloud: connected to %s (%s) port %d as %s%s", cl.host,
	    cl.address, cl.port, cloud_device_id(), cl.tls ? " with TLS" : "");
	cloud_topic(topic, sizeof topic, "availability");
	mosquitto_publish_v5(m, NULL, topic, 6, "online", 1, true, NULL);
	cloud_down_subscribe();
	cloud_link_touch();
	if (cl.on_change != NULL)
		cl.on_change(1, cl.on_change_arg);
	cl.in_cb = 0;
}

static void
cloud_on_disconnect(struct mosquitto *m, void *obj, int rc,
    const mosquitto_property *props)
{
	if (cl.closing)
		return;
	if (cl.error[0] == '\0' || cl.state == CLOUD_UP)
		snprintf(cl.error, sizeof cl.error, "connection lost%s: %s",
		    cl.state == CLOUD_CONNECTING && cl.tls ? " before the "
		    "broker accepted the TLS session (a client certificate "
		    "missing or not trusted?)" : "",
		    rc > 0 && rc < 128 ? mosquitto_strerror(rc) :
		    mosquitto_reason_string(rc));
	cl.dead = 1;
}

static void
cloud_on_publish(struct mosquitto *m, void *obj, int mid, int reason,
    const mosquitto_property *props)
{
	if (reason >= 0x80)
		log_warnx("cloud: broker refused message %d: %s", mid,
		    mosquitto_reason_string(reason));
	if (cl.closing && cl.offline_mid != 0 && mid == cl.offline_mid) {
		/* everything before it is acknowledged too: nothing is left
		 * to read, so the socket closes cleanly after the DISCONNECT */
		cl.offline_mid = 0;
		mosquitto_disconnect_v5(m, 0, NULL);
		return;
	}
	cl.in_cb = 1;
	cloud_queue_acked(mid);
	cl.in_cb = 0;
}

static void
cloud_on_message(struct mosquitto *m, void *obj,
    const struct mosquitto_message *msg, const mosquitto_property *props)
{
	cl.in_cb = 1;
	cloud_link_touch();
	cloud_down_message(msg, props);
	cl.in_cb = 0;
}

static void
cloud_on_log(struct mosquitto *m, void *obj, int level, const char *text)
{
	char esc[256];

	if (level & (MOSQ_LOG_ERR | MOSQ_LOG_WARNING)) {
		util_escape(esc, sizeof esc, text, strlen(text));
		log_warnx("cloud: libmosquitto: %s", esc);
		if (level & MOSQ_LOG_ERR)
			snprintf(cl.error, sizeof cl.error, "%s", esc);
	}
}

/* ---- connection set-up ---- */

int
cloud_tls_file_ok(const char *path, int key, char *err, size_t errlen)
{
	struct stat sb;

	if (stat(path, &sb) == -1 || access(path, R_OK) == -1) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (!S_ISREG(sb.st_mode)) {
		snprintf(err, errlen, "%s is not a regular file", path);
		return -1;
	}
	if (key && (sb.st_mode & S_IRWXO) != 0) {
		snprintf(err, errlen, "%s may be read by others (mode %04o): "
		    "a private key must not be (chmod o-rwx)", path,
		    (unsigned)(sb.st_mode & 07777));
		return -1;
	}
	return 0;
}

/* OpenSSL's reason for the last failure, or `dflt`. */
static const char *
cloud_tls_reason(const char *dflt)
{
	static char buf[160];
	unsigned long e = ERR_get_error();

	if (e == 0)
		return dflt;
	ERR_error_string_n(e, buf, sizeof buf);
	ERR_clear_error();
	return buf;
}

/* The client certificate and key (mutual TLS), when set: 0, or -1. */
static int
cloud_tls_client_cert(SSL_CTX *ctx, char *err, size_t errlen)
{
	const char *cert = settings_value(cloud_s_cert_file),
	    *key = settings_value(cloud_s_key_file);

	if (cert[0] == '\0' && key[0] == '\0')
		return 0;
	if (cert[0] == '\0' || key[0] == '\0') {
		snprintf(err, errlen, "cloud.%s is set but cloud.%s is not",
		    cert[0] ? "cert_file" : "key_file",
		    cert[0] ? "key_file" : "cert_file");
		return -1;
	}
	/* checked again: the file may have changed since it was set */
	if (cloud_tls_file_ok(cert, 0, err, errlen) == -1 ||
	    cloud_tls_file_ok(key, 1, err, errlen) == -1)
		return -1;
	if (SSL_CTX_use_certificate_chain_file(ctx, cert) != 1) {
		snprintf(err, errlen, "cloud.cert_file %s: %s", cert,
		    cloud_tls_reason("not a PEM certificate"));
		return -1;
	}
	if (SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) != 1) {
		snprintf(err, errlen, "cloud.key_file %s: %s", key,
		    cloud_tls_reason("not a PEM private key"));
		return -1;
	}
	if (SSL_CTX_check_private_key(ctx) != 1) {
		snprintf(err, errlen, "cloud.key_file %s does not match the "
		    "certificate in cloud.cert_file", key);
		ERR_clear_error();
		return -1;
	}
	return 0;
}

static SSL_CTX *
cloud_tls_ctx(char *err, size_t errlen)
{
	const char *ca = settings_value(cloud_s_ca_file);
	SSL_CTX *ctx;

	if ((ctx = SSL_CTX_new(TLS_client_method())) == NULL) {
		snprintf(err, errlen, "cannot create a TLS context");
		return NULL;
	}
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	SSL_CTX_set_options(ctx, SSL_OP_NO_COMPRESSION);
	if ((ca[0] != '\0' ? SSL_CTX_load_verify_locations(ctx, ca, NULL) :
	    SSL_CTX_set_default_verify_paths(ctx)) != 1) {
		snprintf(err, errlen, "cannot load the CA file %s", ca[0] ? ca :
		    "(system default)");
		SSL_CTX_free(ctx);
		return NULL;
	}
	if (cloud_tls_client_cert(ctx, err, errlen) == -1) {
		SSL_CTX_free(ctx);
		return NULL;
	}
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, cloud_verify_cb);
	/* the name, not the address we connect to, is what is checked */
	X509_VERIFY_PARAM_set_hostflags(SSL_CTX_get0_param(ctx),
	    X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
	if (X509_VERIFY_PARAM_set1_host(SSL_CTX_get0_param(ctx), cl.host,
	    0) != 1) {
		snprintf(err, errlen, "cannot set the host name to verify");
		SSL_CTX_free(ctx);
		return NULL;
	}
	return ctx;
}

/* Small packets go out at once (a failure only costs latency). */
static void
cloud_link_nodelay(void)
{
	int fd, one = 1;

	if (cl.mosq == NULL || (fd = mosquitto_socket(cl.mosq)) < 0)
		return;
	if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) == -1)
		log_warnx("cloud: TCP_NODELAY: %s", strerror(errno));
}

static void
cloud_link_connect(void)
{
	char id[CLOUD_ID_MAX + 16], topic[CLOUD_TOPIC_MAX], err[256];
	const char *user = settings_value(cloud_s_user);
	const char *pw = settings_value(cloud_s_password);
	long long k = settings_int(cloud_s_keepalive) * 60;
	struct timeval tv = { CLOUD_CONNECT_TIMEOUT, 0 };
	int rc;

	if (k > 65535)
		k = 65535;
	snprintf(id, sizeof id, "cellgate-%s", cloud_device_id());
	if ((cl.mosq = mosquitto_new(id, true, NULL)) == NULL) {
		cloud_link_fail("cannot create the MQTT client");
		return;
	}
	mosquitto_int_option(cl.mosq, MOSQ_OPT_PROTOCOL_VERSION,
	    MQTT_PROTOCOL_V5);
	mosquitto_connect_v5_callback_set(cl.mosq, cloud_on_connect);
	mosquitto_disconnect_v5_callback_set(cl.mosq, cloud_on_disconnect);
	mosquitto_publish_v5_callback_set(cl.mosq, cloud_on_publish);
	mosquitto_message_v5_callback_set(cl.mosq, cloud_on_message);
	mosquitto_log_callback_set(cl.mosq, cloud_on_log);
	if (mosquitto_username_pw_set(cl.mosq, user[0] ? user :
	    cloud_device_id(), pw[0] ? pw : NULL) != MOSQ_ERR_SUCCESS) {
		cloud_link_fail("cannot set the broker login");
		return;
	}
	cloud_topic(topic, sizeof topic, "availability");
	mosquitto_will_set_v5(cl.mosq, topic, 7, "offline", 1, true, NULL);
	if (cl.tls) {
		if (cl.ssl_ctx == NULL &&
		    (cl.ssl_ctx = cloud_tls_ctx(err, sizeof err)) == NULL) {
			cloud_link_fail("%s", err);
			return;
		}
		/* ours as it is: libmosquitto's defaults would want a CA
		 * file of its own and check the address, not the name */
		mosquitto_int_option(cl.mosq, MOSQ_OPT_SSL_CTX_WITH_DEFAULTS,
		    0);
		mosquitto_void_option(cl.mosq, MOSQ_OPT_SSL_CTX, cl.ssl_ctx);
	}
	cloud_link_set_state(CLOUD_CONNECTING);
	cl.error[0] = '\0';
	cloud_verify_error = X509_V_OK;
	cl.tcp_pending = 1;
	cl.last_in = cl.last_out = util_now_ms();
	event_add(cl.timeout_ev, &tv);
	cloud_io_begin();
	rc = mosquitto_connect_bind_async(cl.mosq, cl.address, cl.port, (int)k,
	    NULL);
	cloud_link_nodelay();
	if (rc == MOSQ_ERR_ERRNO || cloud_rc_fatal(rc)) {
		snprintf(err, sizeof err, "connect to %s port %d", cl.address,
		    cl.port);
		cloud_link_fail_rc(err, rc);
	} else
		cloud_io_end(rc, "connect");
}

/* The broker's name being resolved, or NULL. */
static struct dns_req *cloud_dns;

static void
cloud_dns_done(int rc, const struct addrinfo *ai, void *arg)
{
	cloud_dns = NULL;
	if (cl.state != CLOUD_RESOLVING)
		return;
	if (rc != 0 || ai == NULL) {
		cloud_link_fail("cannot resolve %s: %s", cl.host,
		    rc != 0 ? gai_strerror(rc) : "no address");
		return;
	}
	cl.naddr = cl.addr_i = 0;
	for (; ai != NULL && cl.naddr < 4; ai = ai->ai_next)
		if (getnameinfo(ai->ai_addr, ai->ai_addrlen,
		    cl.addrs[cl.naddr], sizeof cl.addrs[0], NULL, 0,
		    NI_NUMERICHOST) == 0)
			cl.naddr++;
	if (cl.naddr == 0) {
		cloud_link_fail("cannot resolve %s: bad address", cl.host);
		return;
	}
	util_strlcpy(cl.address, cl.addrs[0], sizeof cl.address);
	cloud_link_connect();
}

static void
cloud_link_destroy(void)
{
	cloud_io_begin();
	if (cl.mosq != NULL) {
		mosquitto_destroy(cl.mosq);	/* closes the socket */
		cl.mosq = NULL;
	}
	cl.tcp_pending = cl.dead = cl.closing = cl.offline_mid = 0;
	event_del(cl.misc_ev);
	event_del(cl.timeout_ev);
	event_del(cl.close_ev);
}

/* A clean stop still being written when a new session is wanted: what
 * the socket takes now is written first (the DISCONNECT, without which
 * the broker would publish the will "offline", maybe after the new
 * session's "online"), then it goes. */
static void
cloud_link_close_now(void)
{
	if (cl.mosq != NULL && mosquitto_socket(cl.mosq) != -1) {
		cloud_io_begin();
		if (cl.offline_mid != 0) {
			cl.offline_mid = 0;
			mosquitto_disconnect_v5(cl.mosq, 0, NULL);
		}
		(void)mosquitto_loop_write(cl.mosq, 1);
	}
	cloud_link_destroy();
}

static void
cloud_link_down(void)
{
	int was_up = cl.state == CLOUD_UP;

	dns_cancel(cloud_dns);
	cloud_dns = NULL;
	cloud_link_destroy();
	if (was_up && cl.on_change != NULL)
		cl.on_change(0, cl.on_change_arg);
}

static void
cloud_link_fail(const char *fmt, ...)
{
	va_list ap;
	struct timeval tv = { 0, 0 };
	char why[sizeof cl.error];

	/* apart first: the arguments may be cl.error itself */
	va_start(ap, fmt);
	vsnprintf(why, sizeof why, fmt, ap);
	va_end(ap);
	memcpy(cl.error, why, sizeof cl.error);
	log_warnx("cloud: %s", cl.error);
	if (cl.state == CLOUD_CONNECTING && cl.addr_i + 1 < cl.naddr) {
		cloud_link_down();	/* the next address at once */
		cl.addr_i++;
		util_strlcpy(cl.address, cl.addrs[cl.addr_i],
		    sizeof cl.address);
		cloud_link_connect();
		return;
	}
	cloud_link_down();
	cl.backoff = cl.backoff == 0 ? CLOUD_BACKOFF_MIN :
	    cl.backoff * 2 > CLOUD_BACKOFF_MAX ? CLOUD_BACKOFF_MAX :
	    cl.backoff * 2;
	tv.tv_sec = cl.backoff;
	cloud_link_set_state(CLOUD_BACKOFF);
	event_add(cl.retry_ev, &tv);
	cloud_status_changed();
}

static void
cloud_link_start(void)
{
	const struct uplink_info *u = uplink_current();
	char err[256], port[8];

	event_del(cl.retry_ev);
	if (u->state != UPLINK_UP) {
		snprintf(cl.error, sizeof cl.error, "uplink %s%s%s",
		    uplink_state_name(u->state), u->reason[0] ? ": " : "",
		    u->reason);
		cloud_link_set_state(CLOUD_WAIT_UPLINK);
		if (u->state == UPLINK_FAILED)
			cloud_connect_uplink_failed(u->reason);
		return;
	}
	util_strlcpy(cl.uplink_if, u->interface, sizeof cl.uplink_if);
	cloud_link_set_state(CLOUD_RESOLVING);
	snprintf(port, sizeof port, "%d", cl.port);
	if ((cloud_dns = dns_start(cl.host, port, SOCK_STREAM, cloud_dns_done,
	    NULL, err, sizeof err)) == NULL)
		cloud_link_fail("%s", err);
}

/* A clean stop: "offline" (the will is not sent on a DISCONNECT), then,
 * once the broker acknowledged it (so no answer of the broker's is left
 * unread, which would make closing the socket reset the connection and
 * the broker publish the will as well), DISCONNECT; the socket closes
 * once it is written, or after CLOUD_CLOSE_WAIT. */
static void
cloud_link_stop(void)
{
	char topic[CLOUD_TOPIC_MAX];
	struct timeval tv = { CLOUD_CLOSE_WAIT, 0 };
	int was_up = cl.state == CLOUD_UP;

	event_del(cl.retry_ev);
	event_del(cl.idle_ev);
	if (was_up && cl.mosq != NULL) {
		cloud_topic(topic, sizeof topic, "availability");
		cloud_io_begin();
		cl.closing = 1;
		if (mosquitto_publish_v5(cl.mosq, &cl.offline_mid, topic, 7,
		    "offline", 1, true, NULL) != MOSQ_ERR_SUCCESS) {
			cl.offline_mid = 0;
			mosquitto_disconnect_v5(cl.mosq, 0, NULL);
		}
		if (cl.on_change != NULL)
			cl.on_change(0, cl.on_change_arg);
		cloud_link_set_state(CLOUD_IDLE);
		if (mosquitto_socket(cl.mosq) != -1) {
			cloud_link_rearm();	/* let it flush */
			event_add(cl.close_ev, &tv);
			return;
		}
		cloud_link_destroy();
		return;
	}
	cloud_link_down();
	cloud_link_set_state(CLOUD_IDLE);
}

static void
cloud_close_cb(evutil_socket_t fd, short what, void *arg)
{
	if (cl.closing)
		cloud_link_destroy();
}

static void
cloud_retry_cb(evutil_socket_t fd, short what, void *arg)
{
	if (cl.wanted)
		cloud_link_start();
	else
		cloud_link_set_state(CLOUD_IDLE);
}

static void
cloud_timeout_cb(evutil_socket_t fd, short what, void *arg)
{
	if (cl.state == CLOUD_CONNECTING)
		cloud_link_fail("no answer from %s port %d within %d s",
		    cl.address, cl.port, CLOUD_CONNECT_TIMEOUT);
}

static void
cloud_idle_cb(evutil_socket_t fd, short what, void *arg)
{
	if (!cl.session)
		return;
	log_info("cloud: on-demand session ends after %lld s without "
	    "traffic", settings_int(cloud_s_idle_timeout));
	cl.session = 0;
	cloud_link_update(0);
}

void
cloud_link_touch(void)
{
	struct timeval tv = { 0, 0 };

	if (!cl.session || settings_bool(cloud_s_enable))
		return;
	tv.tv_sec = (time_t)settings_int(cloud_s_idle_timeout);
	event_add(cl.idle_ev, &tv);
}

void
cloud_link_session(int on)
{
	cl.session = on;
	if (on)
		cloud_link_touch();
	else
		event_del(cl.idle_ev);
	cloud_link_update(0);
}

/* Closing with a clean DISCONNECT while the socket drains. */
static int
cloud_link_is_closing(void)
{
	return cl.closing && cl.mosq != NULL;
}

void
cloud_link_update(int reconnect)
{
	const char *server = settings_value(cloud_s_server), *err;
	char host[256];
	int port, tls = settings_bool(cloud_s_tls);
	int want;

	if (cl.in_cb) {		/* never under libmosquitto's feet */
		cl.pending_reconnect |= reconnect;
		event_active(cl.update_ev, EV_TIMEOUT, 0);
		return;
	}
	reconnect |= cl.pending_reconnect;
	cl.pending_reconnect = 0;
	if (cloud_parse_server(server, host, sizeof host, &port, &err) == -1) {
		host[0] = '\0';
		if (server[0] != '\0')
			snprintf(cl.error, sizeof cl.error, "cloud.server: %s",
			    err);
	}
	if (port == 0)
		port = tls ? 8883 : 1883;
	if (strcmp(host, cl.host) != 0 || port != cl.port || tls != cl.tls) {
		reconnect = 1;
		util_strlcpy(cl.host, host, sizeof cl.host);
		cl.port = port;
		cl.tls = tls;
		cl.address[0] = '\0';
	}
	if (reconnect && cl.ssl_ctx != NULL) {
		SSL_CTX_free(cl.ssl_ctx);	/* libmosquitto holds its ref */
		cl.ssl_ctx = NULL;
	}
	want = cl.host[0] != '\0' && (settings_bool(cloud_s_enable) ||
	    cl.session || cloud_queue_due());
	cl.wanted = want;
	uplink_want("cloud", want);
	if (!want) {
		if (cl.state != CLOUD_IDLE)
			cloud_link_stop();
		return;
	}
	if (reconnect && cl.state != CLOUD_IDLE && cl.state != CLOUD_BACKOFF) {
		cloud_link_stop();
		if (cloud_link_is_closing())
			cloud_link_close_now();
	}
	if (cl.state == CLOUD_IDLE || cl.state == CLOUD_WAIT_UPLINK ||
	    (reconnect && cl.state == CLOUD_BACKOFF)) {
		cl.backoff = 0;
		if (cloud_link_is_closing())
			cloud_link_close_now();
		cloud_link_start();
	}
}

static void
cloud_update_cb(evutil_socket_t fd, short what, void *arg)
{
	cloud_link_update(0);
}

static void
cloud_uplink_changed(const struct uplink_info *u, void *arg)
{
	if (u->state == UPLINK_FAILED)
		cloud_connect_uplink_failed(u->reason);
	/* down, or up through another interface (Wi-Fi back after the
	 * modem's fallback call): the connection went with the old one */
	if ((u->state != UPLINK_UP || strcmp(u->interface, cl.uplink_if) !=
	    0) && cl.state != CLOUD_IDLE && cl.state != CLOUD_WAIT_UPLINK) {
		if (u->state == UPLINK_UP)
			log_info("cloud: the uplink is now %s%s: reconnecting",
			    u->interface[0] ? "through " : "", u->interface);
		cloud_link_down();
		cloud_link_set_state(CLOUD_WAIT_UPLINK);
	}
	/* from the loop, not inside the publisher's call */
	event_active(cl.update_ev, EV_TIMEOUT, 0);
}

int
cloud_link_publish(const char *topic, const void *payload, size_t len,
    int retain, const void *corr, size_t corrlen, const char *resp_topic)
{
	mosquitto_property *props = NULL;
	int mid = -1, rc;

	if (cl.state != CLOUD_UP || cl.mosq == NULL)
		return -1;
	if (mosquitto_pub_topic_check2(topic, strlen(topic)) !=
	    MOSQ_ERR_SUCCESS || len > 256 * 1024)
		return -1;
	if (corr != NULL && corrlen > 0 && corrlen <= 65535)
		mosquitto_property_add_binary(&props,
		    MQTT_PROP_CORRELATION_DATA, corr, (uint16_t)corrlen);
	cloud_io_begin();
	rc = mosquitto_publish_v5(cl.mosq, &mid, topic, (int)len, payload, 1,
	    retain != 0, props);
	mosquitto_property_free_all(&props);
	cl.last_out = util_now_ms();
	/* a refused message is not a lost link */
	cloud_io_end(rc == MOSQ_ERR_INVAL || rc == MOSQ_ERR_PAYLOAD_SIZE ||
	    rc == MOSQ_ERR_OVERSIZE_PACKET || rc == MOSQ_ERR_QOS_NOT_SUPPORTED ?
	    MOSQ_ERR_SUCCESS : rc, "publish");
	(void)resp_topic;
	return cloud_rc_fatal(rc) ? -1 : mid;
}

int
cloud_link_subscribe(const char *topic)
{
	int rc;

	if (cl.mosq == NULL)
		return -1;
	cloud_io_begin();
	rc = mosquitto_subscribe_v5(cl.mosq, NULL, topic, 1, 0, NULL);
	cloud_io_end(rc, "subscribe");	/* armed for writing */
	return rc == MOSQ_ERR_SUCCESS ? 0 : -1;
}

int
cloud_link_init(struct event_base *base, char *err, size_t errlen)
{
	memset(&cl, 0, sizeof cl);
	cl.base = base;
	cl.since = (long long)time(NULL);
	mosquitto_lib_init();
	cl.misc_ev = evtimer_new(base, cloud_misc_cb, NULL);
	cl.retry_ev = evtimer_new(base, cloud_retry_cb, NULL);
	cl.idle_ev = evtimer_new(base, cloud_idle_cb, NULL);
	cl.timeout_ev = evtimer_new(base, cloud_timeout_cb, NULL);
	cl.close_ev = evtimer_new(base, cloud_close_cb, NULL);
	cl.update_ev = event_new(base, -1, 0, cloud_update_cb, NULL);
	if (cl.misc_ev == NULL || cl.retry_ev == NULL || cl.idle_ev == NULL ||
	    cl.timeout_ev == NULL || cl.close_ev == NULL ||
	    cl.update_ev == NULL) {
		snprintf(err, errlen, "cloud: out of memory");
		return -1;
	}
	if (dns_init(base, err, errlen) == -1)
		return -1;
	uplink_subscribe(cloud_uplink_changed, NULL);
	return 0;
}

void
cloud_link_shutdown(void)
{
	uplink_unsubscribe(cloud_uplink_changed, NULL);
	uplink_want("cloud", 0);
	if (cl.state == CLOUD_UP && cl.mosq != NULL) {
		char topic[CLOUD_TOPIC_MAX];

		/* a clean goodbye, written at once if the socket takes it */
		cloud_topic(topic, sizeof topic, "availability");
		cloud_io_begin();
		mosquitto_publish_v5(cl.mosq, NULL, topic, 7, "offline", 1,
		    true, NULL);
		cl.closing = 1;
		mosquitto_disconnect_v5(cl.mosq, 0, NULL);
	}
	cl.on_change = NULL;
	dns_cancel(cloud_dns);
	cloud_dns = NULL;
	dns_shutdown();
	cloud_link_destroy();
	if (cl.ssl_ctx != NULL)
		SSL_CTX_free(cl.ssl_ctx);
	cl.ssl_ctx = NULL;
	event_free(cl.misc_ev);
	event_free(cl.retry_ev);
	event_free(cl.idle_ev);
	event_free(cl.timeout_ev);
	event_free(cl.close_ev);
	event_free(cl.update_ev);
	cl.misc_ev = cl.retry_ev = cl.idle_ev = cl.timeout_ev = NULL;
	cl.close_ev = cl.update_ev = NULL;
	mosquitto_lib_cleanup();
	cl.state = CLOUD_IDLE;
}
