/*
 * cloud_ha.c: Home Assistant MQTT discovery (cloud.ha_discovery=on):
 * retained configs under homeassistant/<component>/<id>_<object>/config
 * for the signal, the modem state, the last SMS received, and each item
 * of the status report's io section: an output as a switch, an input as
 * a binary_sensor, a temperature sensor as a sensor.  All share the
 * device and the availability topic; they are sent after CONNACK and
 * again whenever homeassistant/status says online (Home Assistant
 * restarted).  The configs published are remembered (store meta
 * cloud.ha_configs, "component/uid" words): one no longer wanted, an io
 * item gone from the config file or every one when cloud.ha_discovery is
 * turned off, gets an empty retained payload, which removes the entity
 * from Home Assistant.  That is sent when the link is up (at once, or
 * after the next CONNACK) and again after every CONNACK (a QoS 1 message
 * not acknowledged when a clean session ends is lost): a removed config
 * stays in the list as "-component/uid" until it is published again.
 *
 * A switch's command topic is cellgate/<id>/ha/out<N>/set (payload ON or
 * OFF).  A broker login is not a role: the daemon honours that topic only
 * while cloud.ha_control is on (off by default, changed only locally),
 * and then runs OUT<N>:ON|OFF through the command registry as the MQTT
 * channel with the user role, so auth.remote_lock still applies
 * (cloud_down.c).  With cloud.ha_control off the switches are published
 * without a command topic (read-only).
 */
#include <stdio.h>
#include <string.h>

#include <event2/event.h>
#include <json-c/json.h>

#include "cloud_int.h"
#include "log.h"
#include "settings.h"
#include "status.h"
#include "store.h"
#include "util.h"

#define CLOUD_HA_META	"cloud.ha_configs"
#define CLOUD_HA_LIST	8192	/* "component/uid" words, space-separated */

/* The configs published in this round, "component/uid" each. */
static struct buf *cloud_ha_now;
static struct event *cloud_ha_ev;

static struct json_object *
cloud_ha_device(const char *id)
{
	struct json_object *d = json_object_new_object(), *ids;
	char name[CLOUD_ID_MAX + 16];

	ids = json_object_new_array();
	snprintf(name, sizeof name, "cellgate_%s", id);
	json_object_array_add(ids, json_object_new_string(name));
	json_object_object_add(d, "identifiers", ids);
	snprintf(name, sizeof name, "cellgate %s", id);
	json_object_object_add(d, "name", json_object_new_string(name));
	json_object_object_add(d, "manufacturer",
	    json_object_new_string("cellgate"));
	return d;
}

static void
cloud_ha_one(const char *component, const char *object, const char *name,
    const char *state_sub, const char *template, const char *const *extra)
{
	const char *id = cloud_device_id();
	struct json_object *o = json_object_new_object();
	char topic[CLOUD_TOPIC_MAX], uid[CLOUD_ID_MAX + 48], t[CLOUD_TOPIC_MAX];
	const char *s;

	snprintf(uid, sizeof uid, "%s_%s", id, object);
	json_object_object_add(o, "name", json_object_new_string(name));
	json_object_object_add(o, "unique_id", json_object_new_string(uid));
	json_object_object_add(o, "state_topic", json_object_new_string(
	    cloud_topic(t, sizeof t, state_sub)));
	json_object_object_add(o, "value_template",
	    json_object_new_string(template));
	json_object_object_add(o, "availability_topic", json_object_new_string(
	    cloud_topic(t, sizeof t, "availability")));
	for (; extra != NULL && extra[0] != NULL; extra += 2)
		json_object_object_add(o, extra[0],
		    json_object_new_string(extra[1]));
	json_object_object_add(o, "device", cloud_ha_device(id));
	snprintf(topic, sizeof topic, "homeassistant/%s/%s/config", component,
	    uid);
	s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
	cloud_link_publish(topic, s, strlen(s), 1, NULL, 0, NULL);
	json_object_put(o);
	if (cloud_ha_now != NULL)
		buf_printf(cloud_ha_now, "%s%s/%s", cloud_ha_now->len > 0 ?
		    " " : "", component, uid);
}

/* Is `word` one of the space-separated words of `list`? */
static int
cloud_ha_listed(const char *list, const char *word)
{
	size_t len = strlen(word);
	const char *p = list;

	while ((p = strstr(p, word)) != NULL) {
		if ((p == list || p[-1] == ' ') &&
		    (p[len] == ' ' || p[len] == '\0'))
			return 1;
		p += len;
	}
	return 0;
}

/* An empty retained config for each one published before (or removed
 * before: "-" first) and not in `now`, where it is kept as removed: Home
 * Assistant removes those entities. */
static void
cloud_ha_remove_stale(const char *before, struct buf *now)
{
	char topic[CLOUD_TOPIC_MAX], word[CLOUD_TOPIC_MAX];
	const char *p = before;
	size_t n;

	for (;;) {
		p += strspn(p, " ");
		if ((n = strcspn(p, " ")) == 0)
			break;
		if (*p == '-') {
			p++;
			n--;
		}
		if (n > 0 && n < sizeof word) {
			memcpy(word, p, n);
			word[n] = '\0';
			if (!cloud_ha_listed(buf_str(now), word) &&
			    snprintf(topic, sizeof topic, "homeassistant/%s/"
			    "config", word) < (int)sizeof topic) {
				cloud_link_publish(topic, "", 0, 1, NULL, 0,
				    NULL);
				buf_printf(now, "%s-%s", now->len > 0 ? " " :
				    "", word);
			}
		}
		p += n;
	}
}

int
cloud_ha_output_topic(const char *topic)
{
	char prefix[CLOUD_TOPIC_MAX];
	const char *p, *errstr;
	char num[8];
	size_t n, len;
	long long v;

	cloud_topic(prefix, sizeof prefix, "ha/out");
	len = strlen(prefix);
	if (strncmp(topic, prefix, len) != 0)
		return 0;
	p = topic + len;
	n = strspn(p, "0123456789");
	if (n == 0 || n >= sizeof num || strcmp(p + n, "/set") != 0)
		return 0;
	memcpy(num, p, n);
	num[n] = '\0';
	v = util_strtonum(num, 1, 99, &errstr);
	return errstr == NULL ? (int)v : 0;
}

/* The io section's items: {name, kind, index, value, ...}. */
static void
cloud_ha_io(struct json_object *io)
{
	struct json_object *items, *e, *v;
	char object[48], tmpl[200], cmd[CLOUD_TOPIC_MAX], sub[32];
	const char *kind, *name;
	size_t n;
	int index;

	if (io == NULL || !json_object_object_get_ex(io, "items", &items) ||
	    !json_object_is_type(items, json_type_array))
		return;
	n = json_object_array_length(items);
	for (size_t i = 0; i < n; i++) {
		e = json_object_array_get_idx(items, i);
		if (!json_object_object_get_ex(e, "kind", &v))
			continue;
		kind = json_object_get_string(v);
		index = json_object_object_get_ex(e, "index", &v) ?
		    json_object_get_int(v) : 0;
		name = json_object_object_get_ex(e, "name", &v) ?
		    json_object_get_string(v) : kind;
		/* "items" is a method name in templates: subscripted */
		if (strcmp(kind, "output") == 0) {
			const char *extra[] = { "payload_on", "ON",
			    "payload_off", "OFF", "command_topic", cmd, NULL };

			snprintf(object, sizeof object, "out%d", index);
			snprintf(tmpl, sizeof tmpl, "{{ 'ON' if value_json.io"
			    "['items'][%zu].value == 1 else 'OFF' }}", i);
			snprintf(sub, sizeof sub, "ha/out%d/set", index);
			cloud_topic(cmd, sizeof cmd, sub);
			if (!settings_bool(cloud_s_ha_control))
				extra[4] = NULL;	/* read-only */
			cloud_ha_one("switch", object, name, "status", tmpl,
			    extra);
		} else if (strcmp(kind, "input") == 0) {
			const char *extra[] = { "payload_on", "ON",
			    "payload_off", "OFF", NULL };

			snprintf(object, sizeof object, "in%d", index);
			snprintf(tmpl, sizeof tmpl, "{{ 'ON' if value_json.io"
			    "['items'][%zu].value == 1 else 'OFF' }}", i);
			cloud_ha_one("binary_sensor", object, name, "status",
			    tmpl, extra);
		} else if (strcmp(kind, "sensor") == 0) {
			const char *extra[] = { "device_class", "temperature",
			    "unit_of_measurement", "\xc2\xb0""C", NULL };

			snprintf(object, sizeof object, "temp%d", index);
			snprintf(tmpl, sizeof tmpl, "{{ value_json.io['items']"
			    "[%zu].value }}", i);
			cloud_ha_one("sensor", object, name, "status", tmpl,
			    extra);
		}
	}
}

/*
 * Brings the broker's discovery configs in line with the settings: all
 * of them (again) with cloud.ha_discovery on, and removes the ones
 * published before that are no longer wanted.
 */
static void
cloud_ha_sync(evutil_socket_t fd, short what, void *arg)
{
	struct json_object *st, *io = NULL;
	char before[CLOUD_HA_LIST];
	struct buf now;

	if (!cloud_link_up())
		return;
	if (store_meta_get(CLOUD_HA_META, before, sizeof before) != 0)
		before[0] = '\0';
	buf_init(&now, CLOUD_HA_LIST - 1);
	if (settings_bool(cloud_s_ha_discovery)) {
		cloud_ha_now = &now;
		cloud_ha_one("sensor", "signal", "Signal", "status",
		    "{{ value_json.modem.signal }}", NULL);
		cloud_ha_one("sensor", "modem_state", "Modem state", "status",
		    "{{ value_json.modem.state }}", NULL);
		cloud_ha_one("sensor", "last_sms", "Last SMS", "event/sms",
		    "{{ value_json.text }}", NULL);
		st = status_json();
		json_object_object_get_ex(st, "io", &io);
		cloud_ha_io(io);
		json_object_put(st);
		cloud_ha_now = NULL;
	}
	cloud_ha_remove_stale(before, &now);
	if (strcmp(before, buf_str(&now)) != 0 &&
	    store_meta_put(CLOUD_HA_META, buf_str(&now)) == -1)
		log_warnx("cloud: the discovery configs published not "
		    "recorded: %s", store_errmsg());
	buf_free(&now);
}

void
cloud_ha_sync_soon(void)
{
	if (cloud_ha_ev != NULL)
		event_active(cloud_ha_ev, EV_TIMEOUT, 0);
}

int
cloud_ha_init(struct event_base *base, char *err, size_t errlen)
{
	if ((cloud_ha_ev = evtimer_new(base, cloud_ha_sync, NULL)) == NULL) {
		snprintf(err, errlen, "cloud: out of memory");
		return -1;
	}
	return 0;
}

void
cloud_ha_shutdown(void)
{
	if (cloud_ha_ev != NULL) {
		event_free(cloud_ha_ev);
		cloud_ha_ev = NULL;
	}
}
