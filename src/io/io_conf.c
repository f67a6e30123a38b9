/*
 * io_conf.c: parses the io group's hardware lists from the libconfig
 * object (see io_conf.h).  Every item has a name and exactly one backend;
 * names are unique across outputs, inputs and sensors; anything unknown
 * or out of range is an error naming file, line and key.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io_conf.h"
#include "io_gpio.h"
#include "util.h"

static const char *const io_kind_names[IO_KIND_MAX] = {
	"output", "input", "sensor"
};
static const char *const io_btype_names[IO_B_MAX] = {
	"gpio", "file", "w1", "command"
};
static const char *const io_bias_names[IO_BIAS_MAX] = {
	"as-is", "disable", "pull-up", "pull-down"
};
static const char *const io_lists[IO_KIND_MAX] = {
	"io.outputs", "io.inputs", "io.sensors"
};

const char *
io_kind_name(enum io_kind k)
{
	return k < IO_KIND_MAX ? io_kind_names[k] : "?";
}

const char *
io_btype_name(enum io_btype b)
{
	return b < IO_B_MAX ? io_btype_names[b] : "?";
}

const char *
io_bias_name(enum io_bias b)
{
	return b < IO_BIAS_MAX ? io_bias_names[b] : "?";
}

int
io_conf_owns(const char *key)
{
	for (int k = 0; k < IO_KIND_MAX; k++)
		if (strcmp(key, io_lists[k]) == 0)
			return 1;
	return strcmp(key, "io.thermostat_input") == 0;
}

static int
io_conf_err(const config_setting_t *s, const char *file, const char *key,
    char *err, size_t errlen, const char *why)
{
	const char *f = config_setting_source_file(s);

	snprintf(err, errlen, "%s:%u: %s: %s", f != NULL ? f : file,
	    config_setting_source_line(s), key, why);
	return -1;
}

const struct io_item_conf *
io_conf_find(const struct io_conf *ioc, const char *name)
{
	if (ioc == NULL)
		return NULL;
	for (size_t i = 0; i < ioc->n; i++)
		if (strcmp(ioc->items[i].name, name) == 0)
			return &ioc->items[i];
	return NULL;
}

/* A name: letters, digits, '_' and '-', starting with a letter. */
static int
io_name_ok(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > IO_NAME_MAX ||
	    !((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z')))
		return 0;
	return strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "0123456789_-") == n;
}

static int
io_text_ok(const char *s, size_t max)
{
	size_t n = strlen(s);

	if (n == 0 || n > max)
		return 0;
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 0;
	return 1;
}

/* One { name = ...; backend = ...; ... } element of a list. */
static int
io_conf_item(struct io_conf *ioc, enum io_kind kind,
    const config_setting_t *grp, const char *key, const char *file,
    char *err, size_t errlen)
{
	struct io_item_conf it;
	char k[96];
	int nback = 0, n, has_scale = 0;

	memset(&it, 0, sizeof it);
	it.kind = kind;
	it.scale = 0.001;
	it.line = (int)config_setting_source_line(grp);
	if (!config_setting_is_group(grp))
		return io_conf_err(grp, file, key, err, errlen,
		    "each item is a group { name = \"...\"; ... }");
	n = config_setting_length(grp);
	for (int i = 0; i < n; i++) {
		const config_setting_t *s = config_setting_get_elem(grp,
		    (unsigned)i);
		const char *name = config_setting_name(s);
		int t = config_setting_type(s);

		snprintf(k, sizeof k, "%s.%s", key, name);
		if (strcmp(name, "name") == 0) {
			if (t != CONFIG_TYPE_STRING ||
			    !io_name_ok(config_setting_get_string(s)))
				return io_conf_err(s, file, k, err, errlen,
				    "a name is letters, digits, '_' and '-' "
				    "(up to 31), starting with a letter");
			util_strlcpy(it.name, config_setting_get_string(s),
			    sizeof it.name);
		} else if (strcmp(name, "gpio") == 0 ||
		    strcmp(name, "file") == 0 || strcmp(name, "w1") == 0) {
			nback++;
			it.backend = name[0] == 'g' ? IO_B_GPIO :
			    name[0] == 'f' ? IO_B_FILE : IO_B_W1;
			if (t != CONFIG_TYPE_STRING || !io_text_ok(
			    config_setting_get_string(s), IO_PATH_MAX))
				return io_conf_err(s, file, k, err, errlen,
				    "must be a non-empty string");
			util_strlcpy(it.target, config_setting_get_string(s),
			    sizeof it.target);
			if (it.backend != IO_B_GPIO && it.target[0] != '/')
				return io_conf_err(s, file, k, err, errlen,
				    "must be an absolute path");
		} else if (strcmp(name, "command") == 0) {
			int m = config_setting_length(s);

			nback++;
			it.backend = IO_B_COMMAND;
			if (!config_setting_is_array(s) &&
			    !config_setting_is_list(s))
				return io_conf_err(s, file, k, err, errlen,
				    "must be [ \"/path/prog\", \"arg\", ... ]");
			if (m < 1 || m > IO_ARGV_MAX - 1)
				return io_conf_err(s, file, k, err, errlen,
				    "1 to 7 strings");
			for (int j = 0; j < m; j++) {
				const config_setting_t *a =
				    config_setting_get_elem(s, (unsigned)j);

				if (config_setting_type(a) !=
				    CONFIG_TYPE_STRING || !io_text_ok(
				    config_setting_get_string(a), IO_ARG_MAX))
					return io_conf_err(s, file, k, err,
					    errlen, "arguments are non-empty "
					    "printable strings");
				util_strlcpy(it.argv[j],
				    config_setting_get_string(a),
				    sizeof it.argv[j]);
			}
			it.argc = m;
			if (it.argv[0][0] != '/')
				return io_conf_err(s, file, k, err, errlen,
				    "the program must be an absolute path "
				    "(no shell is used)");
		} else if (strcmp(name, "active_low") == 0) {
			if (t != CONFIG_TYPE_BOOL)
				return io_conf_err(s, file, k, err, errlen,
				    "must be true or false");
			it.active_low = config_setting_get_bool(s);
		} else if (strcmp(name, "bias") == 0) {
			int b;

			for (b = 0; b < IO_BIAS_MAX; b++)
				if (t == CONFIG_TYPE_STRING && strcmp(
				    config_setting_get_string(s),
				    io_bias_names[b]) == 0)
					break;
			if (b == IO_BIAS_MAX)
				return io_conf_err(s, file, k, err, errlen,
				    "one of \"as-is\", \"disable\", "
				    "\"pull-up\", \"pull-down\"");
			it.bias = (enum io_bias)b;
		} else if (strcmp(name, "debounce_ms") == 0) {
			if (t != CONFIG_TYPE_INT ||
			    config_setting_get_int(s) < 0 ||
			    config_setting_get_int(s) > 10000)
				return io_conf_err(s, file, k, err, errlen,
				    "0..10000");
			it.debounce_ms = config_setting_get_int(s);
		} else if (strcmp(name, "scale") == 0) {
			double v = t == CONFIG_TYPE_FLOAT ?
			    config_setting_get_float(s) : t == CONFIG_TYPE_INT ?
			    config_setting_get_int(s) : 0;

			if (v <= 0 || v > 1000)
				return io_conf_err(s, file, k, err, errlen,
				    "a number above 0 (0.001: millidegrees, "
				    "1: degrees)");
			it.scale = v;
			has_scale = 1;
		} else
			return io_conf_err(s, file, k, err, errlen,
			    "unknown key (name, gpio, file, w1, command, "
			    "active_low, bias, debounce_ms, scale)");
	}
	if (it.name[0] == '\0')
		return io_conf_err(grp, file, key, err, errlen,
		    "every item needs a name");
	if (nback != 1)
		return io_conf_err(grp, file, key, err, errlen, nback == 0 ?
		    "give one backend: gpio, file, w1 or command" :
		    "give only one backend of gpio, file, w1, command");
	if (it.backend == IO_B_W1 && kind != IO_SENSOR)
		return io_conf_err(grp, file, key, err, errlen,
		    "w1 is for sensors only");
	if (it.backend == IO_B_GPIO && kind == IO_SENSOR)
		return io_conf_err(grp, file, key, err, errlen,
		    "a sensor cannot be a gpio line");
	if (it.backend == IO_B_COMMAND && kind == IO_INPUT)
		return io_conf_err(grp, file, key, err, errlen,
		    "inputs are gpio or file");
	if (has_scale && (kind != IO_SENSOR || it.backend != IO_B_FILE))
		return io_conf_err(grp, file, key, err, errlen,
		    "scale is for file sensors");
	if (io_conf_find(ioc, it.name) != NULL)
		return io_conf_err(grp, file, key, err, errlen,
		    "duplicate name (names are unique across outputs, "
		    "inputs and sensors)");
	if (ioc->n == IO_ITEMS_MAX)
		return io_conf_err(grp, file, key, err, errlen,
		    "too many items (16 at most)");
	ioc->items[ioc->n++] = it;
	return 0;
}

int
io_conf_parse(struct io_conf **iocp, const config_setting_t *s,
    const char *key, const char *file, char *err, size_t errlen)
{
	struct io_conf *ioc = *iocp;
	int kind;

	if (ioc == NULL) {
		if ((ioc = calloc(1, sizeof *ioc)) == NULL)
			return io_conf_err(s, file, key, err, errlen,
			    "out of memory");
		*iocp = ioc;
	}
	if (strcmp(key, "io.thermostat_input") == 0) {
		if (config_setting_type(s) != CONFIG_TYPE_STRING ||
		    !io_name_ok(config_setting_get_string(s)))
			return io_conf_err(s, file, key, err, errlen,
			    "must be the name of an input");
		util_strlcpy(ioc->thermostat_input,
		    config_setting_get_string(s),
		    sizeof ioc->thermostat_input);
		return 0;
	}
	for (kind = 0; kind < IO_KIND_MAX; kind++)
		if (strcmp(key, io_lists[kind]) == 0)
			break;
	if (kind == IO_KIND_MAX)
		return io_conf_err(s, file, key, err, errlen, "unknown key");
	if (!config_setting_is_list(s))
		return io_conf_err(s, file, key, err, errlen,
		    "must be a list ( { ... }, ... )");
	for (int i = 0; i < config_setting_length(s); i++)
		if (io_conf_item(ioc, (enum io_kind)kind,
		    config_setting_get_elem(s, (unsigned)i), key, file, err,
		    errlen) == -1)
			return -1;
	return 0;
}

int
io_conf_check(const struct io_conf *ioc, const char *file, char *err,
    size_t errlen)
{
	const struct io_item_conf *t;
	char why[256];

	if (ioc == NULL)
		return 0;
	if (ioc->thermostat_input[0] != '\0') {
		t = io_conf_find(ioc, ioc->thermostat_input);
		if (t == NULL || t->kind != IO_INPUT) {
			snprintf(err, errlen, "%s: io.thermostat_input: no "
			    "input named \"%s\"", file, ioc->thermostat_input);
			return -1;
		}
	}
	for (size_t i = 0; i < ioc->n; i++) {
		t = &ioc->items[i];
		if (t->backend != IO_B_GPIO)
			continue;
		if (io_gpio_probe(t->target, why, sizeof why) == -1) {
			snprintf(err, errlen, "%s:%d: %s: gpio \"%s\": %s",
			    file, t->line, t->name, t->target, why);
			return -1;
		}
	}
	return 0;
}
