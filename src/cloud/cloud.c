/*
 * cloud.c: the cloud module's row: its settings (SPEC §6.2), start and
 * stop, its status section, the CONNECT command (CONNECT# by SMS: an
 * on-demand session answered by SMS once the broker accepted, or with
 * "Missing APN" / "Network connection error"), and the control requests
 * behind `cellgatectl cloud connect|disconnect`.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>
#include <json-c/json.h>

#include "cloud.h"
#include "cloud_int.h"
#include "cmd.h"
#include "ctl.h"
#include "daemon.h"
#include "log.h"
#include "modem.h"
#include "settings.h"
#include "sms.h"
#include "uplink.h"
#include "util.h"

#define CLOUD_WAITERS		8

const struct setting_def *cloud_s_enable, *cloud_s_id, *cloud_s_password,
    *cloud_s_user, *cloud_s_server, *cloud_s_tls, *cloud_s_ca_file,
    *cloud_s_keepalive, *cloud_s_mintime, *cloud_s_idle_timeout,
    *cloud_s_ha_discovery, *cloud_s_queue_max, *cloud_s_connect_wait,
    *cloud_s_ha_control, *cloud_s_ha_prefix, *cloud_s_ha_notify_to,
    *cloud_s_cert_file, *cloud_s_key_file;

static int cloud_running;
static struct event *cloud_wait_ev;
static char cloud_waiters[CLOUD_WAITERS][40];	/* CONNECT# senders */

/* ---- settings ---- */

static int
cloud_parse_id(int argc, char **argv, char *out, size_t outlen, char *err,
    size_t errlen)
{
	size_t n;

	if (argc != 1) {
		snprintf(err, errlen, "expected one device id");
		return -1;
	}
	n = strlen(argv[0]);
	if (n > CLOUD_ID_MAX) {
		snprintf(err, errlen, "at most %d characters", CLOUD_ID_MAX);
		return -1;
	}
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)argv[0][i]) &&
		    argv[0][i] != '-' && argv[0][i] != '_') {
			snprintf(err, errlen, "letters, digits, '-' and '_' "
			    "only (it is part of the MQTT topics)");
			return -1;
		}
	util_strlcpy(out, argv[0], outlen);
	return 0;
}

static int
cloud_parse_server_setting(int argc, char **argv, char *out, size_t outlen,
    char *err, size_t errlen)
{
	char host[256];
	const char *e;
	int port;

	if (argc == 1 && argv[0][0] == '\0') {
		out[0] = '\0';		/* not configured */
		return 0;
	}
	if (argc == 2) {		/* AT+SERVER=host,port */
		char joined[300];

		snprintf(joined, sizeof joined, "%s:%s", argv[0], argv[1]);
		if (cloud_parse_server(joined, host, sizeof host, &port,
		    &e) == -1) {
			snprintf(err, errlen, "%s", e);
			return -1;
		}
		util_strlcpy(out, joined, outlen);
		return 0;
	}
	if (argc != 1) {
		snprintf(err, errlen, "expected host[:port]");
		return -1;
	}
	if (cloud_parse_server(argv[0], host, sizeof host, &port, &e) == -1) {
		snprintf(err, errlen, "%s", e);
		return -1;
	}
	util_strlcpy(out, argv[0], outlen);
	return 0;
}

/* An MQTT topic prefix: letters, digits, '_', '-', '.', levels split by
 * '/', none empty (no wildcards, no leading or trailing '/'). */
static int
cloud_parse_prefix(int argc, char **argv, char *out, size_t outlen,
    char *err, size_t errlen)
{
	const char *v = argc == 1 ? argv[0] : NULL;
	size_t n;

	if (v == NULL || *v == '\0') {
		snprintf(err, errlen, "expected one topic prefix, such as "
		    "homeassistant");
		return -1;
	}
	if ((n = strlen(v)) > 64) {
		snprintf(err, errlen, "at most 64 characters");
		return -1;
	}
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)v[i]) && strchr("_-./", v[i]) ==
		    NULL) {
			snprintf(err, errlen, "letters, digits, '_', '-', '.' "
			    "and '/' only (no MQTT wildcards)");
			return -1;
		}
	if (v[0] == '/' || v[n - 1] == '/' || strstr(v, "//") != NULL) {
		snprintf(err, errlen, "no empty topic level (a '/' at either "
		    "end or two together)");
		return -1;
	}
	util_strlcpy(out, v, outlen);
	return 0;
}

/* A client certificate or key file: empty, or an absolute path to a
 * readable regular file; a key not readable by others. */
static int
cloud_parse_file(int argc, char **argv, char *out, size_t outlen,
    char *err, size_t errlen, int key)
{
	const char *v = argc == 1 ? argv[0] : NULL;

	if (v == NULL) {
		snprintf(err, errlen, "expected one file path");
		return -1;
	}
	if (*v == '\0') {
		out[0] = '\0';
		return 0;
	}
	if (*v != '/') {
		snprintf(err, errlen, "%s is not an absolute path", v);
		return -1;
	}
	if (cloud_tls_file_ok(v, key, err, errlen) == -1)
		return -1;
	if (util_strlcpy(out, v, outlen) >= outlen) {
		snprintf(err, errlen, "path too long");
		return -1;
	}
	return 0;
}

static int
cloud_parse_cert(int argc, char **argv, char *out, size_t outlen,
    char *err, size_t errlen)
{
	return cloud_parse_file(argc, argv, out, outlen, err, errlen, 0);
}

static int
cloud_parse_key(int argc, char **argv, char *out, size_t outlen, char *err,
    size_t errlen)
{
	return cloud_parse_file(argc, argv, out, outlen, err, errlen, 1);
}

static void
cloud_apply(const struct setting_def *d)
{
	if (!cloud_running)
		return;
	if (d == cloud_s_ha_discovery || d == cloud_s_ha_control ||
	    d == cloud_s_ha_prefix || d == cloud_s_ha_notify_to) {
		if (cloud_link_up())
			cloud_down_subscribe_ha();
		cloud_ha_sync_soon();
		return;
	}
	if (d == cloud_s_connect_wait)
		return;		/* read at the next CONNECT# */
	if (d == cloud_s_mintime || d == cloud_s_queue_max ||
	    d == cloud_s_idle_timeout) {
		cloud_link_touch();
		cloud_link_update(0);
		return;
	}
	/* enable only changes whether the link is wanted */
	cloud_link_update(d != cloud_s_enable);
}

const struct setting_def cloud_settings_table[] = {
	{ "cloud.enable", "CLOUDEN", SETTING_BOOL, 0, 0, NULL, "off",
	  GROUP_NET, ROLE_ADMIN, 0, NULL, cloud_apply,
	  "keep the cloud link up (off: connect only on CONNECT#)" },
	{ "cloud.id", "CLOUDID", SETTING_CUSTOM, 0, 0, NULL, "",
	  GROUP_NET, ROLE_ADMIN, 0, cloud_parse_id, cloud_apply,
	  "device id in the MQTT topics and client id (empty: the IMEI, "
	  "else the daemon serial)" },
	{ "cloud.password", "CLOUDPA", SETTING_STRING, 0, 128, NULL, "",
	  GROUP_NET, ROLE_ADMIN, SETTING_SECRET, NULL, cloud_apply,
	  "broker password (write-only)" },
	{ "cloud.user", NULL, SETTING_STRING, 0, 128, NULL, "",
	  GROUP_NET, ROLE_ADMIN, 0, NULL, cloud_apply,
	  "broker user name (empty: the device id)" },
	{ "cloud.server", "SERVER", SETTING_CUSTOM, 0, 0, NULL, "",
	  GROUP_NET, ROLE_ADMIN, 0, cloud_parse_server_setting, cloud_apply,
	  "broker host[:port] (port 1883, 8883 with TLS; empty: no cloud "
	  "link)" },
	{ "cloud.tls", NULL, SETTING_BOOL, 0, 0, NULL, "off",
	  GROUP_NET, ROLE_ADMIN, 0, NULL, cloud_apply,
	  "TLS to the broker, verifying its host name" },
	{ "cloud.ca_file", NULL, SETTING_STRING, 0, 256, NULL, "",
	  GROUP_NET, ROLE_ADMIN, SETTING_LOCAL, NULL, cloud_apply,
	  "CA certificates for TLS (empty: the system's)" },
	{ "cloud.cert_file", NULL, SETTING_CUSTOM, 0, 0, NULL, "",
	  GROUP_NET, ROLE_ADMIN, SETTING_LOCAL, cloud_parse_cert, cloud_apply,
	  "client certificate (PEM, with its chain) for brokers that "
	  "authenticate devices by certificate (mutual TLS); needs "
	  "cloud.key_file" },
	{ "cloud.key_file", NULL, SETTING_CUSTOM, 0, 0, NULL, "",
	  GROUP_NET, ROLE_ADMIN, SETTING_LOCAL, cloud_parse_key, cloud_apply,
	  "the client certificate's private key (PEM); refused when others "
	  "may read it" },
	{ "cloud.keepalive", "KEEPALIVE", SETTING_INT, 0, 1440, NULL, "10",
	  GROUP_NET, ROLE_ADMIN, 0, NULL, cloud_apply,
	  "MQTT keepalive in minutes (0: off)" },
	{ "cloud.mintime", "MINTIME", SETTING_INT, 0, 1440, NULL, "0",
	  GROUP_NET, ROLE_ADMIN, 0, NULL, cloud_apply,
	  "minutes between uploads of events (0: at once)" },
	{ "cloud.idle_timeout", NULL, SETTING_INT, 10, 86400, NULL, "600",
	  GROUP_NET, ROLE_ADMIN, 0, NULL, cloud_apply,
	  "seconds without traffic that end an on-demand session" },
	{ "cloud.ha_discovery", NULL, SETTING_BOOL, 0, 0, NULL, "off",
	  GROUP_NET, ROLE_ADMIN, 0, NULL, cloud_apply,
	  "publish Home Assistant MQTT discovery" },
	{ "cloud.queue_max", NULL, SETTING_INT, 10, 100000, NULL, "1000",
	  GROUP_NET, ROLE_ADMIN, 0, NULL, cloud_apply,
	  "uplink events kept while the broker is unreachable (the oldest "
	  "are dropped beyond)" },
	{ "cloud.connect_wait", NULL, SETTING_INT, 10, 600, NULL, "90",
	  GROUP_NET, ROLE_ADMIN, 0, NULL, cloud_apply,
	  "seconds CONNECT# by SMS waits for the broker before it answers "
	  "Network connection error" },
	{ "cloud.ha_control", NULL, SETTING_BOOL, 0, 0, NULL, "off",
	  GROUP_SECURITY, ROLE_ADMIN, SETTING_NO_REMOTE, NULL, cloud_apply,
	  "Home Assistant switches may set the outputs (anyone who may "
	  "publish on cellgate/<id>/ha/+/set gets the user role for OUT; "
	  "with cloud.ha_notify_to, anyone who may publish on "
	  "cellgate/<id>/ha/notify may send SMS to that position)" },
	{ "cloud.ha_prefix", NULL, SETTING_CUSTOM, 0, 0, NULL, "homeassistant",
	  GROUP_NET, ROLE_ADMIN, 0, cloud_parse_prefix, cloud_apply,
	  "Home Assistant discovery prefix (as in Home Assistant's MQTT "
	  "settings)" },
	{ "cloud.ha_notify_to", NULL, SETTING_INT, 0, 100, NULL, "0",
	  GROUP_SECURITY, ROLE_ADMIN, SETTING_NO_REMOTE, NULL, cloud_apply,
	  "phonebook position Home Assistant's notify entity sends SMS to "
	  "(0: no notify entity; needs cloud.ha_control)" },
};
const size_t cloud_settings_table_len = nitems(cloud_settings_table);

/* ---- identity and topics ---- */

const char *
cloud_device_id(void)
{
	const char *id = cloud_s_id != NULL ? settings_value(cloud_s_id) : "",
	    *imei;

	if (id[0] != '\0')
		return id;
	if ((imei = modem_identity("imei")) != NULL && imei[0] != '\0')
		return imei;
	return daemon_serial();
}

const char *
cloud_topic(char *buf, size_t len, const char *sub)
{
	snprintf(buf, len, "cellgate/%s/%s", cloud_device_id(), sub);
	return buf;
}

/* ---- CONNECT#: waiting for the answer ---- */

static void
cloud_answer_all(const char *text)
{
	char err[256];

	for (int i = 0; i < CLOUD_WAITERS; i++) {
		if (cloud_waiters[i][0] == '\0')
			continue;
		if (sms_send(cloud_waiters[i], text, strlen(text), "auto",
		    "cloud", err, sizeof err) == -1)
			log_warnx("cloud: CONNECT answer to %s: %s",
			    cloud_waiters[i], err);
		else
			log_info("cloud: CONNECT answered to %s",
			    cloud_waiters[i]);
		cloud_waiters[i][0] = '\0';
	}
	event_del(cloud_wait_ev);
}

static int
cloud_waiting(void)
{
	for (int i = 0; i < CLOUD_WAITERS; i++)
		if (cloud_waiters[i][0] != '\0')
			return 1;
	return 0;
}

static void
cloud_connected_text(char *buf, size_t len)
{
	snprintf(buf, len, "Connected to\n%s:%d\n%s", cloud_link_address(),
	    cloud_link_port(), cloud_device_id());
}

void
cloud_connect_link(int up)
{
	char text[400];

	if (!up || !cloud_waiting())
		return;
	cloud_connected_text(text, sizeof text);
	cloud_answer_all(text);
}

void
cloud_connect_uplink_failed(const char *reason)
{
	if (!cloud_waiting())
		return;
	cloud_answer_all(strcmp(reason, "Missing APN") == 0 ? "Missing APN" :
	    "Network connection error");
}

static void
cloud_wait_cb(evutil_socket_t fd, short what, void *arg)
{
	const struct uplink_info *u = uplink_current();

	log_warnx("cloud: CONNECT: no connection within %lld s (%s)",
	    settings_int(cloud_s_connect_wait), cloud_link_error());
	cloud_answer_all(u->state != UPLINK_UP &&
	    strcmp(u->reason, "Missing APN") == 0 ? "Missing APN" :
	    "Network connection error");
}

void
cloud_connect_shutdown(void)
{
	memset(cloud_waiters, 0, sizeof cloud_waiters);
	if (cloud_wait_ev != NULL)
		event_free(cloud_wait_ev);
	cloud_wait_ev = NULL;
}

static int
cloud_cmd_connect(const struct cmd_entry *ce, const struct atform *f,
    const struct cmd_ctx *ctx, struct cmd_reply *r)
{
	char text[400];
	struct timeval tv = { 0, 0 };
	const struct uplink_info *u = uplink_current();
	int i;

	if (!cloud_running)
		return cmd_reply_error(r, "CONNECT: cloud link not running");
	tv.tv_sec = (time_t)settings_int(cloud_s_connect_wait);
	if (settings_value(cloud_s_server)[0] == '\0')
		return cmd_reply_error(r, "CONNECT: cloud.server is not set");
	cloud_link_session(1);
	if (ctx->channel != CHAN_SMS) {
		if (cloud_link_up()) {
			cloud_connected_text(text, sizeof text);
			cmd_reply_line(r, "%s", text);
		} else
			cmd_reply_line(r, "connecting to %s", settings_value(
			    cloud_s_server));
		return 0;
	}
	/* SMS: the answer comes by SMS once the broker accepted */
	cmd_reply_defer(r);
	for (i = 0; i < CLOUD_WAITERS; i++)
		if (strcmp(cloud_waiters[i], ctx->origin) == 0)
			break;
	if (i == CLOUD_WAITERS)
		for (i = 0; i < CLOUD_WAITERS; i++)
			if (cloud_waiters[i][0] == '\0')
				break;
	if (i == CLOUD_WAITERS)
		i = 0;		/* full: the oldest slot is reused */
	util_strlcpy(cloud_waiters[i], ctx->origin, sizeof cloud_waiters[i]);
	if (cloud_link_up())
		cloud_connect_link(1);
	else if (u->state == UPLINK_FAILED)
		cloud_connect_uplink_failed(u->reason);
	else if (!evtimer_pending(cloud_wait_ev, NULL))
		evtimer_add(cloud_wait_ev, &tv);
	return 0;
}

const struct cmd_entry cloud_cmd_table[] = {
	{ "CONNECT", NULL, CMD_OP(ATFORM_EXEC), 0, 0, ROLE_USER, GROUP_NET, 0,
	  "CONNECT#", "connect to the cloud broker now; by SMS the answer "
	  "comes once connected", cloud_cmd_connect },
};
const size_t cloud_cmd_table_len = nitems(cloud_cmd_table);

/* ---- control requests ---- */

static int
cloud_req_connect(struct ctl_conn *c, struct json_object *args,
    struct json_object **res, char *err, size_t errlen)
{
	if (!cloud_running || settings_value(cloud_s_server)[0] == '\0') {
		snprintf(err, errlen, "cloud.server is not set");
		return -1;
	}
	cloud_link_session(1);
	*res = cloud_status();
	return 0;
}

static int
cloud_req_disconnect(struct ctl_conn *c, struct json_object *args,
    struct json_object **res, char *err, size_t errlen)
{
	if (!cloud_running) {
		snprintf(err, errlen, "cloud link not running");
		return -1;
	}
	if (settings_bool(cloud_s_enable)) {
		snprintf(err, errlen, "cloud.enable is on: the link is kept "
		    "(set it off first)");
		return -1;
	}
	cloud_link_session(0);
	*res = cloud_status();
	return 0;
}

const struct ctl_request cloud_ctl_requests[] = {
	{ "cloud.connect", ROLE_ADMIN, cloud_req_connect },
	{ "cloud.disconnect", ROLE_ADMIN, cloud_req_disconnect },
};
const size_t cloud_ctl_requests_len = nitems(cloud_ctl_requests);

/* ---- the module ---- */

struct json_object *
cloud_status(void)
{
	struct json_object *o = json_object_new_object();
	char broker[300], stamp[UTIL_RFC3339_LEN];

	if (!cloud_running) {
		json_object_object_add(o, "state",
		    json_object_new_string("stopped"));
		return o;
	}
	json_object_object_add(o, "state", json_object_new_string(
	    cloud_state_name(cloud_link_state())));
	json_object_object_add(o, "enable", json_object_new_boolean(
	    settings_bool(cloud_s_enable)));
	json_object_object_add(o, "id",
	    json_object_new_string(cloud_device_id()));
	if (settings_value(cloud_s_server)[0] != '\0' &&
	    cloud_link_port() != 0) {
		snprintf(broker, sizeof broker, "%s:%d", cloud_link_address(),
		    cloud_link_port());
		json_object_object_add(o, "broker",
		    json_object_new_string(broker));
	} else
		json_object_object_add(o, "broker", NULL);
	json_object_object_add(o, "tls", json_object_new_boolean(
	    settings_bool(cloud_s_tls)));
	json_object_object_add(o, "since", json_object_new_string(
	    util_rfc3339(stamp, sizeof stamp, cloud_link_since(), -1)));
	json_object_object_add(o, "queued",
	    json_object_new_int64(cloud_running ? cloud_queue_count() : 0));
	json_object_object_add(o, "dropped",
	    json_object_new_int64(cloud_running ? cloud_queue_dropped() : 0));
	json_object_object_add(o, "last_error", cloud_link_error()[0] ?
	    json_object_new_string(cloud_link_error()) : NULL);
	return o;
}

static void
cloud_link_changed(int up, void *arg)
{
	cloud_queue_link(up);
	if (up) {
		cloud_status_publish_now();
		cloud_ha_sync_soon();
	}
	cloud_connect_link(up);
}

static void
cloud_modem_ready(void *arg)
{
	if (settings_bool(cloud_s_ha_discovery))
		cloud_ha_sync_soon();
}

int
cloud_init(struct event_base *base, const struct conf *conf, char *err,
    size_t errlen)
{
	cloud_s_enable = settings_ref("cloud.enable", SETTING_BOOL);
	cloud_s_id = settings_ref("cloud.id", SETTING_CUSTOM);
	cloud_s_password = settings_ref("cloud.password", SETTING_STRING);
	cloud_s_user = settings_ref("cloud.user", SETTING_STRING);
	cloud_s_server = settings_ref("cloud.server", SETTING_CUSTOM);
	cloud_s_tls = settings_ref("cloud.tls", SETTING_BOOL);
	cloud_s_ca_file = settings_ref("cloud.ca_file", SETTING_STRING);
	cloud_s_cert_file = settings_ref("cloud.cert_file", SETTING_CUSTOM);
	cloud_s_key_file = settings_ref("cloud.key_file", SETTING_CUSTOM);
	cloud_s_keepalive = settings_ref("cloud.keepalive", SETTING_INT);
	cloud_s_mintime = settings_ref("cloud.mintime", SETTING_INT);
	cloud_s_idle_timeout = settings_ref("cloud.idle_timeout",
	    SETTING_INT);
	cloud_s_ha_discovery = settings_ref("cloud.ha_discovery",
	    SETTING_BOOL);
	cloud_s_queue_max = settings_ref("cloud.queue_max", SETTING_INT);
	cloud_s_connect_wait = settings_ref("cloud.connect_wait",
	    SETTING_INT);
	cloud_s_ha_control = settings_ref("cloud.ha_control", SETTING_BOOL);
	cloud_s_ha_prefix = settings_ref("cloud.ha_prefix", SETTING_CUSTOM);
	cloud_s_ha_notify_to = settings_ref("cloud.ha_notify_to",
	    SETTING_INT);
	memset(cloud_waiters, 0, sizeof cloud_waiters);
	if ((cloud_wait_ev = evtimer_new(base, cloud_wait_cb, NULL)) == NULL) {
		snprintf(err, errlen, "cloud: out of memory");
		return -1;
	}
	if (cloud_down_init(base) == -1) {
		snprintf(err, errlen, "cloud: out of memory");
		return -1;
	}
	if (cloud_link_init(base, err, errlen) == -1 ||
	    cloud_queue_init(base, err, errlen) == -1 ||
	    cloud_ha_init(base, err, errlen) == -1)
		return -1;
	cloud_link_on_change(cloud_link_changed, NULL);
	/* the modem's identity is in the discovery's device */
	modem_ready_subscribe_as("cloud", cloud_modem_ready, NULL);
	cloud_running = 1;
	cloud_link_update(0);
	return 0;
}

void
cloud_shutdown(void)
{
	if (!cloud_running)
		return;
	cloud_running = 0;
	modem_unsubscribe_all("cloud");
	cloud_ha_shutdown();
	cloud_queue_shutdown();
	cloud_link_shutdown();
	cloud_connect_shutdown();
	cloud_down_shutdown();
}
