/*
 * cloud_ha.c: Home Assistant MQTT discovery (cloud.ha_discovery=on):
 * retained configs under <cloud.ha_prefix>/<component>/<id>_<object>/config
 * (prefix default "homeassistant"), per Home Assistant's MQTT discovery
 * schema: the signal (dBm) and, when the status report has them, the
 * signal quality, RSRP and RSRQ, the modem's state and operator (all
 * diagnostic), received SMS as an event entity, sending SMS as a notify
 * entity (cloud.ha_control on and cloud.ha_notify_to set), and each item
 * of the status report's io section: an output as a switch, an input as
 * a binary_sensor, a temperature sensor as a sensor; value templates pick
 * io items by name.  All share the device (the modem's identity from the
 * status report), the origin block and the availability topic; they are
 * sent after CONNACK, when the modem is ready (its identity is known
 * then), and whenever <prefix>/status says online (Home Assistant
 * restarted).  Nothing secret is in them.  The configs published are
 * remembered (store meta cloud.ha_configs, "prefix/component/uid" words;
 * "component/uid" from before the prefix was a setting): one no longer
 * wanted, an io item gone from the config file, the ones under a prefix
 * no longer used, or every one when cloud.ha_discovery is turned off, gets
 * an empty retained payload, which removes the entity from Home
 * Assistant.  That is sent when the link is up (at once, or after the
 * next CONNACK) and again after every CONNACK (a QoS 1 message not
 * acknowledged when a clean session ends is lost): a removed config stays
 * in the list as "-prefix/component/uid" until it is published again.
 *
 * A switch's command topic is cellgate/<id>/ha/out<N>/set (payload ON or
 * OFF); the notify entity's is cellgate/<id>/ha/notify (payload the
 * text).  A broker login is not a role: the daemon honours those topics
 * only while cloud.ha_control is on (off by default, changed only
 * locally), through the command registry as the MQTT channel
 * (cloud_down.c), so auth.remote_lock still applies.  With
 * cloud.ha_control off the switches are published without a command
 * topic (read-only) and there is no notify entity.
 */
#include <stdio.h>
#include <string.h>

#include <event2/event.h>
#include <json-c/json.h>

#include "cloud_int.h"
#include "config.h"
#include "log.h"
#include "phonebook.h"
#include "settings.h"
#include "status.h"
#include "store.h"
#include "util.h"

#define CLOUD_HA_META	"cloud.ha_configs"
#define CLOUD_HA_LIST	8192	/* "prefix/component/uid" words */
#define CLOUD_HA_OLD_PREFIX "homeassistant"	/* of "component/uid" */

/* The configs published in this round, "prefix/component/uid" each. */
static struct buf *cloud_ha_now;
static struct event *cloud_ha_ev;
/* The status report while a round publishes (its modem section). */
static struct json_object *cloud_ha_status;

/* One entity's config: what cloud_ha_one() publishes. */
struct cloud_ha_entity {
	const char	 *component;	/* sensor, switch, event, notify, ... */
	const char	 *object;	/* <id>_<object> is the unique id */
	const char	 *name;
	const char	 *state;	/* the state topic under cellgate/<id>/,
					   NULL: none */
	const char	 *template;	/* value_template, NULL: none */
	const char *const *extra;	/* key, value, ..., NULL */
	int		  diagnostic;
	int		  measurement;	/* state_class measurement */
};

/* A text member of the status report's modem section, or NULL. */
static const char *
cloud_ha_modem(const char *key)
{
	struct json_object *m, *v;

	if (cloud_ha_status == NULL ||
	    !json_object_object_get_ex(cloud_ha_status, "modem", &m) ||
	    !json_object_object_get_ex(m, key, &v) || v == NULL)
		return NULL;
	return json_object_get_string(v);
}

static void
cloud_ha_add_str(struct json_object *o, const char *key, const char *v)
{
	if (v != NULL && *v != '\0')
		json_object_object_add(o, key, json_object_new_string(v));
}

/* The device: the gateway, with the modem's identity as the status
 * report knows it (absent fields are left out). */
static struct json_object *
cloud_ha_device(const char *id)
{
	struct json_object *d = json_object_new_object(), *ids;
	const char *maker = cloud_ha_modem("manufacturer"),
	    *model = cloud_ha_modem("model");
	char name[CLOUD_ID_MAX + 16], mm[160];

	ids = json_object_new_array();
	snprintf(name, sizeof name, "cellgate_%s", id);
	json_object_array_add(ids, json_object_new_string(name));
	json_object_object_add(d, "identifiers", ids);
	snprintf(name, sizeof name, "cellgate %s", id);
	json_object_object_add(d, "name", json_object_new_string(name));
	json_object_object_add(d, "manufacturer",
	    json_object_new_string("cellgate"));
	if (model != NULL) {
		snprintf(mm, sizeof mm, "%s%s%s", maker != NULL ? maker : "",
		    maker != NULL ? " " : "", model);
		cloud_ha_add_str(d, "model", mm);
	}
	json_object_object_add(d, "sw_version",
	    json_object_new_string(PACKAGE_VERSION));
	cloud_ha_add_str(d, "hw_version", cloud_ha_modem("revision"));
	cloud_ha_add_str(d, "serial_number", cloud_ha_modem("imei"));
	return d;
}

static struct json_object *
cloud_ha_origin(void)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "name", json_object_new_string("cellgate"));
	json_object_object_add(o, "sw_version",
	    json_object_new_string(PACKAGE_VERSION));
	return o;
}

static void
cloud_ha_one(const struct cloud_ha_entity *e)
{
	const char *id = cloud_device_id(), *const *x, *s;
	struct json_object *o = json_object_new_object(), *types;
	char topic[CLOUD_TOPIC_MAX], uid[CLOUD_ID_MAX + 48], t[CLOUD_TOPIC_MAX];

	snprintf(uid, sizeof uid, "%s_%s", id, e->object);
	json_object_object_add(o, "name", json_object_new_string(e->name));
	json_object_object_add(o, "unique_id", json_object_new_string(uid));
	if (e->state != NULL)
		json_object_object_add(o, "state_topic", json_object_new_string(
		    cloud_topic(t, sizeof t, e->state)));
	if (e->template != NULL)
		json_object_object_add(o, "value_template",
		    json_object_new_string(e->template));
	json_object_object_add(o, "availability_topic", json_object_new_string(
	    cloud_topic(t, sizeof t, "availability")));
	for (x = e->extra; x != NULL && x[0] != NULL; x += 2)
		json_object_object_add(o, x[0], json_object_new_string(x[1]));
	if (e->measurement)
		json_object_object_add(o, "state_class",
		    json_object_new_string("measurement"));
	if (e->diagnostic)
		json_object_object_add(o, "entity_category",
		    json_object_new_string("diagnostic"));
	if (strcmp(e->component, "event") == 0) {
		types = json_object_new_array();
		json_object_array_add(types,
		    json_object_new_string("received"));
		json_object_object_add(o, "event_types", types);
	}
	json_object_object_add(o, "device", cloud_ha_device(id));
	json_object_object_add(o, "origin", cloud_ha_origin());
	snprintf(topic, sizeof topic, "%s/%s/%s/config",
	    settings_value(cloud_s_ha_prefix), e->component, uid);
	s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
	cloud_link_publish(topic, s, strlen(s), 1, NULL, 0, NULL);
	json_object_put(o);
	if (cloud_ha_now != NULL)
		buf_printf(cloud_ha_now, "%s%s/%s/%s", cloud_ha_now->len > 0 ?
		    " " : "", settings_value(cloud_s_ha_prefix), e->component,
		    uid);
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

static int
cloud_ha_slashes(const char *p, size_t n)
{
	int k = 0;

	while (n-- > 0)
		k += *p++ == '/';
	return k;
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
		if (n > 0 && n + sizeof CLOUD_HA_OLD_PREFIX < sizeof word) {
			/* "component/uid": published under the old prefix */
			size_t off = cloud_ha_slashes(p, n) == 1 ?
			    sizeof CLOUD_HA_OLD_PREFIX : 0;

			if (off > 0)
				memcpy(word, CLOUD_HA_OLD_PREFIX "/", off);
			memcpy(word + off, p, n);
			word[off + n] = '\0';
			if (!cloud_ha_listed(buf_str(now), word) &&
			    snprintf(topic, sizeof topic, "%s/config", word) <
			    (int)sizeof topic) {
				cloud_link_publish(topic, "", 0, 1, NULL, 0,
				    NULL);
				buf_printf(now, "%s-%s", now->len > 0 ? " " :
				    "", word);
			}
		}
		p += n;
	}
}

const char *
cloud_ha_status_topic(char *buf, size_t len)
{
	snprintf(buf, len, "%s/status", settings_value(cloud_s_ha_prefix));
	return buf;
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

/* The io section's items: {name, kind, index, value, ...}; templates
 * find an item by its name (letters, digits, '_' and '-': nothing to
 * escape), whatever its place in the list. */
static void
cloud_ha_io(struct json_object *io)
{
	struct json_object *items, *e, *v;
	char object[48], tmpl[300], item[160], cmd[CLOUD_TOPIC_MAX], sub[32];
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
		if (!json_object_object_get_ex(e, "name", &v))
			continue;
		name = json_object_get_string(v);
		/* "items" is a method name in templates: subscripted */
		snprintf(item, sizeof item, "(value_json.io['items'] | "
		    "selectattr('name', 'equalto', '%s') | first)", name);
		snprintf(tmpl, sizeof tmpl, "{{ 'ON' if %s.value == 1 else "
		    "'OFF' }}", item);
		if (strcmp(kind, "output") == 0) {
			const char *extra[] = { "payload_on", "ON",
			    "payload_off", "OFF", "command_topic", cmd, NULL };

			snprintf(object, sizeof object, "out%d", index);
			snprintf(sub, sizeof sub, "ha/out%d/set", index);
			cloud_topic(cmd, sizeof cmd, sub);
			if (!settings_bool(cloud_s_ha_control))
				extra[4] = NULL;	/* read-only */
			cloud_ha_one(&(struct cloud_ha_entity){ "switch",
			    object, name, "status", tmpl, extra, 0, 0 });
		} else if (strcmp(kind, "input") == 0) {
			const char *extra[] = { "payload_on", "ON",
			    "payload_off", "OFF", NULL };

			snprintf(object, sizeof object, "in%d", index);
			cloud_ha_one(&(struct cloud_ha_entity){
			    "binary_sensor", object, name, "status", tmpl,
			    extra, 0, 0 });
		} else if (strcmp(kind, "sensor") == 0) {
			const char *extra[] = { "device_class", "temperature",
			    "unit_of_measurement", "\xc2\xb0""C", NULL };

			snprintf(object, sizeof object, "temp%d", index);
			snprintf(tmpl, sizeof tmpl, "{{ %s.value }}", item);
			cloud_ha_one(&(struct cloud_ha_entity){ "sensor",
			    object, name, "status", tmpl, extra, 0, 1 });
		}
	}
}

/* The modem's signal and details: the signal in dBm always, quality,
 * RSRP and RSRQ when the status report has them. */
static void
cloud_ha_modem_entities(void)
{
	static const char *const dbm[] = { "device_class", "signal_strength",
	    "unit_of_measurement", "dBm", NULL };
	static const char *const db[] = { "device_class", "signal_strength",
	    "unit_of_measurement", "dB", NULL };
	static const char *const pct[] = { "unit_of_measurement", "%", NULL };
	static const struct cloud_ha_entity opt[] = {
		{ "sensor", "signal_quality", "Signal quality", "status",
		  "{{ value_json.modem.signal_quality }}", pct, 1, 1 },
		{ "sensor", "rsrp", "RSRP", "status",
		  "{{ value_json.modem.rsrp }}", dbm, 1, 1 },
		{ "sensor", "rsrq", "RSRQ", "status",
		  "{{ value_json.modem.rsrq }}", db, 1, 1 },
	};
	struct json_object *m = NULL;

	cloud_ha_one(&(struct cloud_ha_entity){ "sensor", "signal", "Signal",
	    "status", "{{ value_json.modem.signal_dbm }}", dbm, 1, 1 });
	cloud_ha_one(&(struct cloud_ha_entity){ "sensor", "modem_state",
	    "Modem state", "status", "{{ value_json.modem.state }}", NULL, 1,
	    0 });
	cloud_ha_one(&(struct cloud_ha_entity){ "sensor", "operator",
	    "Operator", "status", "{{ value_json.modem.operator }}", NULL, 1,
	    0 });
	if (cloud_ha_status != NULL)
		json_object_object_get_ex(cloud_ha_status, "modem", &m);
	for (size_t i = 0; i < nitems(opt); i++)
		if (m != NULL && json_object_object_get_ex(m, opt[i].object,
		    NULL))
			cloud_ha_one(&opt[i]);
}

/* SMS: received ones as an event entity, sending as a notify entity
 * (only when Home Assistant may send: cloud.ha_control on and a
 * recipient in cloud.ha_notify_to). */
static void
cloud_ha_sms_entities(void)
{
	struct phonebook_entry pe;
	char cmd[CLOUD_TOPIC_MAX], name[PHONEBOOK_NAME_MAX + 16];
	const char *notify[] = { "command_topic", cmd, NULL };
	long long to = settings_int(cloud_s_ha_notify_to);

	cloud_ha_one(&(struct cloud_ha_entity){ "event", "sms", "SMS received",
	    "event/sms", "{{ {'event_type': 'received', 'from': "
	    "value_json.from, 'text': value_json.text, 'time': "
	    "value_json.time} | tojson }}", NULL, 0, 0 });
	if (to == 0 || !settings_bool(cloud_s_ha_control))
		return;
	cloud_topic(cmd, sizeof cmd, "ha/notify");
	if (phonebook_get((int)to, &pe) == 0 && pe.name[0] != '\0')
		snprintf(name, sizeof name, "SMS to %s", pe.name);
	else
		snprintf(name, sizeof name, "SMS to phonebook %lld", to);
	cloud_ha_one(&(struct cloud_ha_entity){ "notify", "notify", name, NULL,
	    NULL, notify, 0, 0 });
}

/*
 * Brings the broker's discovery configs in line with the settings: all
 * of them (again) with cloud.ha_discovery on, and removes the ones
 * published before that are no longer wanted.
 */
static void
cloud_ha_sync(evutil_socket_t fd, short what, void *arg)
{
	struct json_object *io = NULL;
	char before[CLOUD_HA_LIST];
	struct buf now;

	if (!cloud_link_up())
		return;
	if (store_meta_get(CLOUD_HA_META, before, sizeof before) != 0)
		before[0] = '\0';
	buf_init(&now, CLOUD_HA_LIST - 1);
	if (settings_bool(cloud_s_ha_discovery)) {
		cloud_ha_now = &now;
		cloud_ha_status = status_json();
		cloud_ha_modem_entities();
		cloud_ha_sms_entities();
		json_object_object_get_ex(cloud_ha_status, "io", &io);
		cloud_ha_io(io);
		json_object_put(cloud_ha_status);
		cloud_ha_status = NULL;
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
