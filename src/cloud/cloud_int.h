/*
 * cloud_int.h: what the cloud module's files share: the settings
 * handles, the link (cloud_link.c), the uplink queue (cloud_queue.c), the
 * downlink (cloud_down.c), Home Assistant discovery (cloud_ha.c) and the
 * resolver (src/core/dns.c, include/dns.h).  Nothing outside src/cloud/ includes it.
 */
#ifndef CG_CLOUD_INT_H
#define CG_CLOUD_INT_H

#include <stddef.h>
#include <stdint.h>

struct addrinfo;
struct event_base;
struct json_object;
struct setting_def;

#define CLOUD_TOPIC_MAX		192
#define CLOUD_ID_MAX		64

/* Settings handles (cloud.c), resolved at init. */
extern const struct setting_def *cloud_s_enable, *cloud_s_id,
    *cloud_s_password, *cloud_s_user, *cloud_s_server, *cloud_s_tls,
    *cloud_s_ca_file, *cloud_s_keepalive, *cloud_s_mintime,
    *cloud_s_idle_timeout, *cloud_s_ha_discovery, *cloud_s_queue_max,
    *cloud_s_connect_wait, *cloud_s_ha_control, *cloud_s_ha_prefix,
    *cloud_s_ha_notify_to, *cloud_s_cert_file, *cloud_s_key_file;

/* The device id in topics: cloud.id, else the IMEI, else the serial. */
const char *cloud_device_id(void);
/* "cellgate/<id>/<sub>" into buf. */
const char *cloud_topic(char *buf, size_t len, const char *sub);

/*
 * The link (cloud_link.c).
 */
enum cloud_state {
	CLOUD_IDLE,		/* not wanted (or not configured) */
	CLOUD_WAIT_UPLINK,	/* wanted, the uplink is not up yet */
	CLOUD_RESOLVING,
	CLOUD_CONNECTING,	/* TCP, TLS, CONNECT sent, no CONNACK yet */
	CLOUD_UP,
	CLOUD_BACKOFF,		/* failed; retry timer running */
	CLOUD_STATE_MAX
};
const char *cloud_state_name(enum cloud_state);

int cloud_link_init(struct event_base *, char *err, size_t errlen);
/* A TLS file we may use: a readable regular file, and for a private key
 * (key) one that others may not read.  0, or -1 with err. */
int cloud_tls_file_ok(const char *path, int key, char *err, size_t errlen);
void cloud_link_shutdown(void);
/* Recompute whether the link is wanted (settings, session, queue) and
 * start or stop it; `reconnect`: the connection parameters changed. */
void cloud_link_update(int reconnect);
/* An on-demand session (CONNECT#, cellgatectl cloud connect) until
 * cloud.idle_timeout passes without traffic. */
void cloud_link_session(int on);
/* Traffic: the idle timer restarts. */
void cloud_link_touch(void);
enum cloud_state cloud_link_state(void);
int cloud_link_up(void);
const char *cloud_link_error(void);
/* The broker's address as connected to, and its port. */
const char *cloud_link_address(void);
int cloud_link_port(void);
long long cloud_link_since(void);	/* time of the last state change */
/* Publish (QoS 1); returns the message id or -1.  props: response
 * correlation data (may be NULL). */
int cloud_link_publish(const char *topic, const void *payload, size_t len,
    int retain, const void *corr, size_t corrlen, const char *resp_topic);
/* Subscribe (QoS 1); right after CONNACK, from cloud_down_subscribe. */
int cloud_link_subscribe(const char *topic);
/* Called by the link when it is up (after CONNACK) / went down. */
typedef void cloud_link_fn(int up, void *arg);
void cloud_link_on_change(cloud_link_fn *, void *arg);

/*
 * The uplink queue (cloud_queue.c): events committed to SQLite, published
 * in seq order when the link is up, deleted on PUBACK.
 */
int cloud_queue_init(struct event_base *, char *err, size_t errlen);
void cloud_queue_shutdown(void);
long long cloud_queue_count(void);
long long cloud_queue_dropped(void);
/* Something to send now (respecting cloud.mintime): the link is wanted. */
int cloud_queue_due(void);
/* The link came up / went down. */
void cloud_queue_link(int up);
/* PUBACK for a message id. */
void cloud_queue_acked(int mid);
/* The payload published for a stored event (its JSON text as the queue
 * keeps it): "seq" first, then the stored object's members; a stored text
 * that is not an object gives "seq" alone.  Malloc'ed. */
char *cloud_queue_payload(long long seq, const char *stored);
/* Publish the retained status (rate-limited). */
void cloud_status_changed(void);
void cloud_status_publish_now(void);

/*
 * The downlink (cloud_down.c): subscriptions after CONNACK, messages.
 */
struct mosquitto_message;
struct mqtt5__property;
int cloud_down_init(struct event_base *);
void cloud_down_shutdown(void);
void cloud_down_subscribe(void);
/* The Home Assistant topics only, as cloud.ha_* say (a setting changed). */
void cloud_down_subscribe_ha(void);
void cloud_down_message(const struct mosquitto_message *,
    const struct mqtt5__property *props);
/* CONNECT# sessions waiting for their SMS answer. */
void cloud_connect_link(int up);
void cloud_connect_uplink_failed(const char *reason);
void cloud_connect_shutdown(void);

/* Home Assistant discovery (cloud_ha.c). */
int cloud_ha_init(struct event_base *, char *err, size_t errlen);
void cloud_ha_shutdown(void);
/* Publish the discovery configs wanted and remove the ones no longer
 * wanted (both only while the link is up), from the loop: after the
 * transaction a setting changed in has ended. */
void cloud_ha_sync_soon(void);
/* "<cloud.ha_prefix>/status" into buf. */
const char *cloud_ha_status_topic(char *buf, size_t len);
/* "cellgate/<id>/ha/out<N>/set": the output number N, or 0. */
int cloud_ha_output_topic(const char *topic);


#endif
