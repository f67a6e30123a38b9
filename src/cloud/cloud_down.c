/*
 * cloud_down.c: what the broker sends us.  `cellgate/<id>/cmd` and the
 * fleet topic `cellgate/all/cmd` carry one message in the SMS command
 * language, run through the one registry and authorisation gate as the
 * MQTT channel (password inside the command, auth.remote_lock); the
 * source for lockout is the broker connection, one counter for `cmd`,
 * `all/cmd` and `sms/send`.  The answer goes to `cellgate/<id>/reply` as
 * {"request": <correlation data>, "text": ...} with the MQTT v5
 * correlation data, and also to the MQTT v5 response topic when one is
 * given inside the device's own `cellgate/<id>/` tree (one elsewhere is
 * ignored and logged).
 * `sms/send` queues an SMS (a correct password is required; the daily cap
 * applies).  `<cloud.ha_prefix>/status` = online re-sends the discovery.
 * `ha/out<N>/set` (a Home Assistant switch, ON or OFF) runs OUT<N> only
 * while cloud.ha_control is on, as the MQTT channel with the user role
 * (see cloud_ha.c); `ha/notify` (Home Assistant's notify entity, the
 * payload is the text) runs SMSSEND to the phonebook position in
 * cloud.ha_notify_to, only while cloud.ha_control is on, as the MQTT
 * channel with the admin role that SMSSEND needs (the recipient is fixed
 * locally; the daily cap and auth.remote_lock apply); otherwise they are
 * ignored and logged.
 * A retained message on a command topic is ignored (the broker would
 * replay it at every connect and it would run again each time).
 * Refused payloads (retained, too long, binary, bad JSON) are logged by
 * size and reason only, never their bytes (they may hold a password),
 * and get no answer.  A command whose password check has no turn yet
 * (the gate paces and rations checks) waits, with those after it, and
 * runs in its turn (at most CLOUD_DOWN_WAIT_MAX wait).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>
#include <json-c/json.h>
#include <mosquitto.h>
#include <mqtt_protocol.h>

#include "auth.h"
#include "cloud.h"
#include "cloud_int.h"
#include "cmd.h"
#include "atform.h"
#include "log.h"
#include "phonebook.h"
#include "settings.h"
#include "sms.h"
#include "smscmd.h"
#include "util.h"

#define CLOUD_FLEET_CMD		"cellgate/all/cmd"

void
cloud_down_subscribe(void)
{
	char t[CLOUD_TOPIC_MAX];

	cloud_link_subscribe(cloud_topic(t, sizeof t, "cmd"));
	cloud_link_subscribe(cloud_topic(t, sizeof t, "sms/send"));
	cloud_link_subscribe(CLOUD_FLEET_CMD);
	cloud_down_subscribe_ha();
}

void
cloud_down_subscribe_ha(void)
{
	char t[CLOUD_TOPIC_MAX];

	if (settings_bool(cloud_s_ha_discovery))
		cloud_link_subscribe(cloud_ha_status_topic(t, sizeof t));
	if (settings_bool(cloud_s_ha_control)) {
		cloud_link_subscribe(cloud_topic(t, sizeof t, "ha/+/set"));
		cloud_link_subscribe(cloud_topic(t, sizeof t, "ha/notify"));
	}
}

/* The MQTT v5 response topic, if it is inside cellgate/<id>/ (no
 * wildcards, none of the topics the device takes requests on), else
 * NULL. */
static const char *
cloud_down_resp_topic(const char *resp)
{
	char own[CLOUD_TOPIC_MAX], esc[CLOUD_TOPIC_MAX];
	size_t n = strlen(cloud_topic(own, sizeof own, ""));

	if (resp == NULL)
		return NULL;
	if (strncmp(resp, own, n) == 0 && resp[n] != '\0' &&
	    strpbrk(resp, "+#") == NULL && strcmp(resp + n, "cmd") != 0 &&
	    strcmp(resp + n, "sms/send") != 0 &&
	    strncmp(resp + n, "ha/", 3) != 0)
		return resp;
	util_escape(esc, sizeof esc, resp, strlen(resp));
	log_warnx("cloud: response topic %s ignored: outside %s; the answer "
	    "goes to reply only", esc, own);
	return NULL;
}

static void
cloud_reply(const char *text, const void *corr, size_t corrlen,
    const char *resp_topic)
{
	struct json_object *o = json_object_new_object();
	char topic[CLOUD_TOPIC_MAX];
	const char *err, *s;

	if (corr != NULL && corrlen > 0 &&
	    cloud_payload_text_ok(corr, corrlen, &err) == 0)
		json_object_object_add(o, "request",
		    json_object_new_string_len(corr, (int)corrlen));
	else
		json_object_object_add(o, "request", NULL);
	json_object_object_add(o, "text", json_object_new_string(text));
	s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
	cloud_topic(topic, sizeof topic, "reply");
	cloud_link_publish(topic, s, strlen(s), 0, corr, corrlen, NULL);
	if (resp_topic != NULL && strcmp(resp_topic, topic) != 0)
		cloud_link_publish(resp_topic, s, strlen(s), 0, corr, corrlen,
		    NULL);
	json_object_put(o);
}

/* The size and the reason, never the bytes: they may hold a password. */
static void
cloud_log_refused(const char *topic, const struct mosquitto_message *m,
    const char *why)
{
	char tesc[CLOUD_TOPIC_MAX];

	util_escape(tesc, sizeof tesc, topic, strlen(topic));
	log_warnx("cloud: message on %s ignored (%s, %d bytes)", tesc, why,
	    m->payloadlen);
}

/* The lockout source: the broker connection, whatever the topic. */
static const char *
cloud_down_source(char *buf, size_t len)
{
	snprintf(buf, len, "broker %s:%d", cloud_link_address(),
	    cloud_link_port());
	return buf;
}

/* The commands waiting for their password check's turn, in order. */
#define CLOUD_DOWN_WAIT_MAX	16

struct cloud_down_wait {
	int	 sms;		/* sms/send, else a command */
	char	*payload, *resp;
	void	*corr;
	size_t	 len, corrlen;
};
static struct cloud_down_wait cloud_down_waiting[CLOUD_DOWN_WAIT_MAX];
static int cloud_down_nwait;
static struct event *cloud_down_turn_ev;

/* 0 handled (answered or refused), -1 no turn for its check yet. */
static int
cloud_down_cmd(const char *payload, size_t len, const void *corr,
    size_t corrlen, const char *resp_topic)
{
	struct buf reply;
	char source[CLOUD_TOPIC_MAX];
	int r;

	buf_init(&reply, 64 * 1024);
	r = smscmd_handle_remote(CHAN_MQTT, cloud_down_source(source,
	    sizeof source), payload, len, &reply);
	if (r == 1)
		cloud_reply(buf_str(&reply), corr, corrlen, resp_topic);
	buf_free(&reply);
	return r == -1 ? -1 : 0;
}

static int
cloud_down_sms(const char *payload, size_t len, const void *corr,
    size_t corrlen, const char *resp_topic)
{
	struct cloud_sms_send s;
	const char *err;
	char e[256], out[300], source[CLOUD_TOPIC_MAX];
	enum auth_role role;
	enum auth_result res;
	long long id;

	if (cloud_payload_sms_send(payload, len, &s, &err) == -1)
		return 0;	/* checked before it was taken */
	/* the one gate, as for every channel */
	cloud_down_source(source, sizeof source);
	res = auth_gate(CHAN_MQTT, source, s.has_password ? s.password :
	    NULL, &role);
	explicit_bzero(s.password, sizeof s.password);
	if (res == AUTH_RATIONED) {
		explicit_bzero(&s, sizeof s);
		return -1;
	}
	if (res == AUTH_NO_PASSWORD)
		auth_gate_stranger(CHAN_MQTT, source);
	if (res != AUTH_OK || role < ROLE_ADMIN) {
		log_warnx("cloud: sms/send refused (%s); no reply",
		    res == AUTH_OK ? "role too low" :
		    auth_gate_result_name(res));
		explicit_bzero(&s, sizeof s);
		return 0;
	}
	if ((id = sms_send(s.to, s.text, s.text_len, "auto", "mqtt", e,
	    sizeof e)) == -1) {
		snprintf(out, sizeof out, "ERROR: %s", e);
		log_info("cloud: sms/send to %s refused: %s", s.to, e);
	} else {
		snprintf(out, sizeof out, "OK %lld", id);
		log_info("cloud: sms/send to %s queued as message %lld", s.to,
		    id);
	}
	cloud_reply(out, corr, corrlen, resp_topic);
	explicit_bzero(&s, sizeof s);
	return 0;
}

static int
cloud_down_run(const struct cloud_down_wait *w)
{
	return (w->sms ? cloud_down_sms : cloud_down_cmd)(w->payload, w->len,
	    w->corr, w->corrlen, w->resp);
}

static void
cloud_down_wait_turn(void)
{
	struct timeval tv;

	auth_gate_turn_timeval(&tv);
	if (cloud_down_turn_ev != NULL)
		event_add(cloud_down_turn_ev, &tv);
}

static void
cloud_down_wait_free(struct cloud_down_wait *w)
{
	if (w->payload != NULL)
		explicit_bzero(w->payload, w->len);
	free(w->payload);
	free(w->corr);
	free(w->resp);
	memset(w, 0, sizeof *w);
}

static void
cloud_down_turn_cb(evutil_socket_t fd, short what, void *arg)
{
	while (cloud_down_nwait > 0) {
		if (cloud_down_run(&cloud_down_waiting[0]) == -1) {
			cloud_down_wait_turn();
			return;
		}
		cloud_down_wait_free(&cloud_down_waiting[0]);
		memmove(cloud_down_waiting, cloud_down_waiting + 1,
		    (size_t)--cloud_down_nwait * sizeof cloud_down_waiting[0]);
	}
}

/* Run a command or sms/send now, or (its check has no turn yet, or
 * others wait) in its turn. */
static void
cloud_down_take(int sms, const struct mosquitto_message *m, const void *corr,
    size_t corrlen, const char *resp)
{
	struct cloud_down_wait w = { sms, m->payload, (char *)resp,
	    (void *)corr, (size_t)m->payloadlen, corrlen }, *q;

	if (cloud_down_nwait == 0 && cloud_down_run(&w) == 0)
		return;
	if (cloud_down_nwait == CLOUD_DOWN_WAIT_MAX) {
		log_warnx("cloud: message on %s dropped: %d commands already "
		    "wait for a password check", m->topic, CLOUD_DOWN_WAIT_MAX);
		return;
	}
	q = &cloud_down_waiting[cloud_down_nwait];
	q->sms = sms;
	q->len = w.len;
	q->corrlen = corrlen;
	q->payload = malloc(w.len + 1);
	q->corr = corrlen > 0 ? malloc(corrlen) : NULL;
	q->resp = resp != NULL ? strdup(resp) : NULL;
	if (q->payload == NULL || (corrlen > 0 && q->corr == NULL) ||
	    (resp != NULL && q->resp == NULL)) {
		cloud_down_wait_free(q);
		log_warnx("cloud: message on %s dropped: out of memory",
		    m->topic);
		return;
	}
	memcpy(q->payload, m->payload, w.len);
	q->payload[w.len] = '\0';
	if (corrlen > 0)
		memcpy(q->corr, corr, corrlen);
	if (cloud_down_nwait++ == 0)
		log_info("cloud: a command waits its turn for a password "
		    "check");
	cloud_down_wait_turn();
}

int
cloud_down_init(struct event_base *base)
{
	cloud_down_turn_ev = evtimer_new(base, cloud_down_turn_cb, NULL);
	return cloud_down_turn_ev == NULL ? -1 : 0;
}

void
cloud_down_shutdown(void)
{
	while (cloud_down_nwait > 0)
		cloud_down_wait_free(&cloud_down_waiting[--cloud_down_nwait]);
	if (cloud_down_turn_ev != NULL)
		event_free(cloud_down_turn_ev);
	cloud_down_turn_ev = NULL;
}

/* A Home Assistant switch: OUT<n>:ON|OFF as the user role, or nothing. */
static void
cloud_down_switch(const struct mosquitto_message *m, int n)
{
	struct cmd_ctx ctx = { CHAN_MQTT, ROLE_USER, "ha switch" };
	struct cmd_reply r;
	char text[32];
	const char *on;

	if (!settings_bool(cloud_s_ha_control)) {
		cloud_log_refused(m->topic, m, "cloud.ha_control is off");
		return;
	}
	if (m->payloadlen == 2 && memcmp(m->payload, "ON", 2) == 0)
		on = "ON";
	else if (m->payloadlen == 3 && memcmp(m->payload, "OFF", 3) == 0)
		on = "OFF";
	else {
		cloud_log_refused(m->topic, m, "expected ON or OFF");
		return;
	}
	snprintf(text, sizeof text, "AT+OUT=%d,%s", n, on);
	cmd_reply_init(&r);
	if (cmd_run(text, strlen(text), &ctx, &r) == 0)
		cloud_status_changed();
	cmd_reply_free(&r);
}

/* Home Assistant's notify entity: the payload is the text, sent to the
 * phonebook position in cloud.ha_notify_to through SMSSEND. */
static void
cloud_down_notify(const struct mosquitto_message *m)
{
	struct cmd_ctx ctx = { CHAN_MQTT, ROLE_ADMIN, "ha notify" };
	long long to = settings_int(cloud_s_ha_notify_to);
	struct phonebook_entry pe;
	struct atform *f;
	struct cmd_reply r;
	const char *err;
	int n;

	if (!settings_bool(cloud_s_ha_control)) {
		cloud_log_refused(m->topic, m, "cloud.ha_control is off");
		return;
	}
	if (to == 0) {
		cloud_log_refused(m->topic, m, "cloud.ha_notify_to is 0");
		return;
	}
	if (cloud_payload_text_ok(m->payload, (size_t)m->payloadlen,
	    &err) == -1) {
		cloud_log_refused(m->topic, m, err);
		return;
	}
	if (phonebook_get((int)to, &pe) == -1) {
		cloud_log_refused(m->topic, m, "cloud.ha_notify_to names an "
		    "empty phonebook position");
		return;
	}
	if ((f = calloc(1, sizeof *f)) == NULL)
		return;
	n = snprintf(f->raw, sizeof f->raw, "%s,1,%.*s", pe.number,
	    m->payloadlen, (const char *)m->payload);
	if (n < 0 || (size_t)n >= sizeof f->raw) {
		cloud_log_refused(m->topic, m, "text too long for one command");
		free(f);
		return;
	}
	/* the arguments as SMSSEND reads them: number, type, the rest */
	util_strlcpy(f->name, "SMSSEND", sizeof f->name);
	f->op = ATFORM_SET;
	f->argc = 3;
	f->argv[0] = f->store;
	n = snprintf(f->store, sizeof f->store, "%s", pe.number) + 1;
	f->argv[1] = f->store + n;
	memcpy(f->argv[1], "1", 2);
	f->argv[2] = f->raw + strlen(pe.number) + 3;
	cmd_reply_init(&r);
	cmd_run_parsed(f, &ctx, &r);
	cmd_reply_free(&r);
	free(f);
}

void
cloud_down_message(const struct mosquitto_message *m,
    const mosquitto_property *props)
{
	char t[CLOUD_TOPIC_MAX], ha[CLOUD_TOPIC_MAX];
	void *corr = NULL;
	uint16_t corrlen = 0;
	char *resp = NULL;
	struct cloud_sms_send s;
	const char *err;
	int n;

	if (m->topic == NULL || m->payloadlen < 0)
		return;
	if (m->payloadlen > CLOUD_PAYLOAD_MAX) {
		cloud_log_refused(m->topic, m, "payload too long");
		return;
	}
	mosquitto_property_read_binary(props, MQTT_PROP_CORRELATION_DATA,
	    &corr, &corrlen, false);
	mosquitto_property_read_string(props, MQTT_PROP_RESPONSE_TOPIC, &resp,
	    false);
	cloud_ha_status_topic(ha, sizeof ha);
	if (m->retain && strcmp(m->topic, ha) != 0)
		/* a command kept by the broker would run again at every
		 * connect: commands are live messages only */
		cloud_log_refused(m->topic, m, "retained");
	else if ((n = cloud_ha_output_topic(m->topic)) > 0)
		cloud_down_switch(m, n);
	else if (strcmp(m->topic, cloud_topic(t, sizeof t, "cmd")) == 0 ||
	    strcmp(m->topic, CLOUD_FLEET_CMD) == 0) {
		if (cloud_payload_text_ok(m->payload, (size_t)m->payloadlen,
		    &err) == -1)	/* nobody proved who they are: no answer */
			cloud_log_refused(m->topic, m, err);
		else
			cloud_down_take(0, m, corr, corrlen,
			    cloud_down_resp_topic(resp));
	} else if (strcmp(m->topic, cloud_topic(t, sizeof t, "ha/notify")) == 0)
		cloud_down_notify(m);
	else if (strcmp(m->topic, cloud_topic(t, sizeof t, "sms/send")) == 0) {
		if (cloud_payload_sms_send(m->payload, (size_t)m->payloadlen,
		    &s, &err) == -1)
			cloud_log_refused(m->topic, m, err);
		else
			cloud_down_take(1, m, corr, corrlen,
			    cloud_down_resp_topic(resp));
		explicit_bzero(&s, sizeof s);
	} else if (strcmp(m->topic, ha) == 0) {
		if (m->payloadlen == 6 && memcmp(m->payload, "online", 6) == 0 &&
		    settings_bool(cloud_s_ha_discovery))
			cloud_ha_sync_soon();
	} else
		cloud_log_refused(m->topic, m, "unexpected topic");
	free(corr);
	free(resp);
}
