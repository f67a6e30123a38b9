/*
 * cloud_down.c: what the broker sends us.  `cellgate/<id>/cmd` and the
 * fleet topic `cellgate/all/cmd` carry one message in the SMS command
 * language, run through the one registry and authorisation gate as the
 * MQTT channel (password inside the command, lockout per channel and
 * topic, auth.remote_lock); the answer goes to `cellgate/<id>/reply` as
 * {"request": <correlation data>, "text": ...} with the MQTT v5
 * correlation data, and also to the response topic when one is given.
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
 * Malformed payloads (too long, binary, bad JSON) are logged escaped and
 * answered with an error only where the sender proved who it is;
 * otherwise they are ignored.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

static void
cloud_log_refused(const char *topic, const struct mosquitto_message *m,
    const char *why)
{
	char esc[80], tesc[CLOUD_TOPIC_MAX];

	util_escape(tesc, sizeof tesc, topic, strlen(topic));
	util_escape(esc, sizeof esc, m->payload,
	    m->payloadlen > 32 ? 32 : (size_t)m->payloadlen);
	log_warnx("cloud: message on %s ignored (%s, %d bytes: \"%s%s\")",
	    tesc, why, m->payloadlen, esc, m->payloadlen > 32 ? "..." : "");
}

static void
cloud_down_cmd(const struct mosquitto_message *m, const char *source,
    const void *corr, size_t corrlen, const char *resp_topic)
{
	struct buf reply;
	const char *err;

	if (cloud_payload_text_ok(m->payload, (size_t)m->payloadlen,
	    &err) == -1) {
		/* nobody proved who they are: no answer */
		cloud_log_refused(m->topic, m, err);
		return;
	}
	buf_init(&reply, 64 * 1024);
	if (smscmd_handle_remote(CHAN_MQTT, source, m->payload,
	    (size_t)m->payloadlen, &reply) == 1)
		cloud_reply(buf_str(&reply), corr, corrlen, resp_topic);
	buf_free(&reply);
}

static void
cloud_down_sms(const struct mosquitto_message *m, const void *corr,
    size_t corrlen, const char *resp_topic)
{
	struct cloud_sms_send s;
	const char *err;
	char e[256], out[300];
	enum auth_role role;
	enum auth_result res;
	long long id;

	if (cloud_payload_sms_send(m->payload, (size_t)m->payloadlen, &s,
	    &err) == -1) {
		cloud_log_refused(m->topic, m, err);
		return;
	}
	/* the one gate, as for every channel */
	res = auth_gate(CHAN_MQTT, "sms/send", s.has_password ? s.password :
	    NULL, &role);
	explicit_bzero(s.password, sizeof s.password);
	if (res == AUTH_NO_PASSWORD)
		auth_gate_stranger(CHAN_MQTT, "sms/send");
	if (res != AUTH_OK || role < ROLE_ADMIN) {
		log_warnx("cloud: sms/send refused (%s); no reply",
		    res == AUTH_OK ? "role too low" :
		    auth_gate_result_name(res));
		return;
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
	else if (strcmp(m->topic, cloud_topic(t, sizeof t, "cmd")) == 0)
		cloud_down_cmd(m, "cmd", corr, corrlen, resp);
	else if (strcmp(m->topic, CLOUD_FLEET_CMD) == 0)
		cloud_down_cmd(m, "all", corr, corrlen, resp);
	else if (strcmp(m->topic, cloud_topic(t, sizeof t, "ha/notify")) == 0)
		cloud_down_notify(m);
	else if (strcmp(m->topic, cloud_topic(t, sizeof t, "sms/send")) == 0)
		cloud_down_sms(m, corr, corrlen, resp);
	else if (strcmp(m->topic, ha) == 0) {
		if (m->payloadlen == 6 && memcmp(m->payload, "online", 6) == 0 &&
		    settings_bool(cloud_s_ha_discovery))
			cloud_ha_sync_soon();
	} else
		cloud_log_refused(m->topic, m, "unexpected topic");
	free(corr);
	free(resp);
}
