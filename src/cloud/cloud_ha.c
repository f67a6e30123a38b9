/*
 * cloud_ha.c: Home Assistant MQTT discovery (cloud.ha_discovery=on):
 * retained configs under homeassistant/<component>/<id>_<object>/config
 * for the signal, the modem state, the last SMS received, and whatever
 * the status report's io section lists (outputs as switch, inputs as
 * binary_sensor, temperatures as sensor).  All share the device and the
 * availability topic; they are sent after CONNACK and again whenever
 * homeassistant/status says online (Home Assistant restarted).
 */
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "cloud_int.h"
#include "settings.h"
#include "status.h"
#include "util.h"

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
    const char *state_sub, const char *template, const char *extra_key,
    const char *extra_val)
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
	if (extra_key != NULL)
		json_object_object_add(o, extra_key,
		    json_object_new_string(extra_val));
	json_object_object_add(o, "device", cloud_ha_device(id));
	snprintf(topic, sizeof topic, "homeassistant/%s/%s/config", component,
	    uid);
	s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
	cloud_link_publish(topic, s, strlen(s), 1, NULL, 0, NULL);
	json_object_put(o);
}

/* Entries of the io section: an array of objects with a "name", or an
 * object keyed by name. */
static void
cloud_ha_io(struct json_object *io, const char *key, const char *component)
{
	struct json_object *list;
	char object[80], tmpl[160];

	if (io == NULL || !json_object_object_get_ex(io, key, &list))
		return;
	if (json_object_is_type(list, json_type_object)) {
		json_object_object_foreach(list, name, v) {
			(void)v;
			snprintf(object, sizeof object, "%s_%s", key, name);
			snprintf(tmpl, sizeof tmpl,
			    "{{ value_json.io.%s['%s'].value }}", key, name);
			cloud_ha_one(component, object, name, "status", tmpl,
			    NULL, NULL);
		}
	} else if (json_object_is_type(list, json_type_array)) {
		size_t n = json_object_array_length(list);

		for (size_t i = 0; i < n; i++) {
			struct json_object *e = json_object_array_get_idx(list,
			    i), *nm;
			const char *name = json_object_object_get_ex(e, "name",
			    &nm) ? json_object_get_string(nm) : NULL;
			char label[64];

			if (name == NULL) {
				snprintf(label, sizeof label, "%s %zu", key,
				    i + 1);
				name = label;
			}
			snprintf(object, sizeof object, "%s_%zu", key, i + 1);
			snprintf(tmpl, sizeof tmpl,
			    "{{ value_json.io.%s[%zu].value }}", key, i);
			cloud_ha_one(component, object, name, "status", tmpl,
			    NULL, NULL);
		}
	}
}

void
cloud_ha_publish(void)
{
	struct json_object *st, *io = NULL;

	if (!cloud_link_up())
		return;
	cloud_ha_one("sensor", "signal", "Signal", "status",
	    "{{ value_json.modem.signal }}", NULL, NULL);
	cloud_ha_one("sensor", "modem_state", "Modem state", "status",
	    "{{ value_json.modem.state }}", NULL, NULL);
	cloud_ha_one("sensor", "last_sms", "Last SMS", "event/sms",
	    "{{ value_json.text }}", NULL, NULL);
	st = status_json();
	json_object_object_get_ex(st, "io", &io);
	cloud_ha_io(io, "outputs", "switch");
	cloud_ha_io(io, "inputs", "binary_sensor");
	cloud_ha_io(io, "temperatures", "sensor");
	json_object_put(st);
}
