/*
 * conf.c: loads and checks the libconfig file.  Every leaf is either a
 * machine fact of conf_facts[] or a runtime setting named by its dotted
 * path; anything else is an error naming file, line and key, and nothing
 * of a file with an error is used (a reload keeps the old config).
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libconfig.h>

#include "conf.h"
#include "io_conf.h"
#include "util.h"

enum conf_kind { CONF_STR, CONF_INT, CONF_BOOL, CONF_LOGLEVEL };

struct conf_fact {
	const char	*key;
	enum conf_kind	 kind;
	size_t		 off;
	size_t		 size;		/* CONF_STR buffer size */
	long long	 min, max;	/* CONF_INT */
};

#define STR(k, f)	{ k, CONF_STR, offsetof(struct conf, f), \
			  sizeof(((struct conf *)0)->f), 0, 0 }
static const struct conf_fact conf_facts[] = {
	STR("modem.device", modem_device),
	{ "modem.baud", CONF_INT, offsetof(struct conf, modem_baud), 0,
	  1200, 4000000 },
	STR("modem.pin", modem_pin),
	STR("data_port.device", data_port_device),
	STR("data_port.pty", data_port_pty),
	STR("data.ppp_port", data_ppp_port),
	STR("database", database),
	STR("control.socket", control_socket),
	STR("control.group", control_group),
	{ "control.max_clients", CONF_INT,
	  offsetof(struct conf, control_max_clients), 0, 1, 256 },
	{ "control.max_clients_per_uid", CONF_INT,
	  offsetof(struct conf, control_max_per_uid), 0, 1, 256 },
	{ "log.level", CONF_LOGLEVEL, offsetof(struct conf, log_level), 0,
	  0, 0 },
	{ "allow_default_password", CONF_BOOL,
	  offsetof(struct conf, allow_default_password), 0, 0, 0 },
};
#undef STR

static const long long conf_bauds[] = {
	1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200, 230400, 460800,
	500000, 576000, 921600, 1000000, 1152000, 1500000, 2000000, 3000000,
	4000000
};

struct conf_walk {
	struct conf	*c;
	const char	*file;
	char		*err;
	size_t		 errlen;
	size_t		 cap;
};

static void
conf_defaults(struct conf *c)
{
	memset(c, 0, sizeof *c);
	c->modem_baud = 115200;
	util_strlcpy(c->database, LOCALSTATEDIR "/lib/cellgate/cellgate.db",
	    sizeof c->database);
	util_strlcpy(c->control_socket, RUNSTATEDIR "/cellgate/control.sock",
	    sizeof c->control_socket);
	util_strlcpy(c->control_group, "cellgate", sizeof c->control_group);
	c->control_max_clients = 16;
	c->control_max_per_uid = 8;
	c->log_level = LOG_LVL_INFO;
}

static int
conf_error(struct conf_walk *w, const config_setting_t *s, const char *key,
    const char *why)
{
	const char *file = config_setting_source_file(s);
	size_t n = strlen(key);

	/* the key once, when the reason names it already */
	if (strncmp(why, key, n) == 0 && strncmp(why + n, ": ", 2) == 0)
		why += n + 2;
	snprintf(w->err, w->errlen, "%s:%u: %s: %s", file != NULL ? file :
	    w->file, config_setting_source_line(s), key, why);
	return -1;
}

/* A scalar as text, for settings. */
static int
conf_scalar_text(const config_setting_t *s, char *out, size_t outlen)
{
	switch (config_setting_type(s)) {
	case CONFIG_TYPE_STRING:
		return util_strlcpy(out, config_setting_get_string(s),
		    outlen) >= outlen ? -1 : 0;
	case CONFIG_TYPE_INT:
		snprintf(out, outlen, "%d", config_setting_get_int(s));
		return 0;
	case CONFIG_TYPE_INT64:
		snprintf(out, outlen, "%lld", config_setting_get_int64(s));
		return 0;
	case CONFIG_TYPE_BOOL:
		util_strlcpy(out, config_setting_get_bool(s) ? "on" : "off",
		    outlen);
		return 0;
	default:
		return -1;
	}
}

static int
conf_fact(struct conf_walk *w, const struct conf_fact *f,
    const config_setting_t *s)
{
	char *base = (char *)w->c + f->off;
	long long v;
	enum log_level lvl;
	int t = config_setting_type(s);

	switch (f->kind) {
	case CONF_STR:
		if (t != CONFIG_TYPE_STRING)
			return conf_error(w, s, f->key, "must be a string");
		if (*config_setting_get_string(s) == '\0')
			return conf_error(w, s, f->key, "must not be empty");
		if (util_strlcpy(base, config_setting_get_string(s),
		    f->size) >= f->size)
			return conf_error(w, s, f->key, "too long");
		return 0;
	case CONF_INT:
		if (t != CONFIG_TYPE_INT && t != CONFIG_TYPE_INT64)
			return conf_error(w, s, f->key, "must be a number");
		v = config_setting_get_int64(s);
		if (v < f->min || v > f->max)
			return conf_error(w, s, f->key, "out of range");
		*(long long *)(void *)base = v;
		return 0;
	case CONF_BOOL:
		if (t != CONFIG_TYPE_BOOL)
			return conf_error(w, s, f->key,
			    "must be true or false");
		*(int *)(void *)base = config_setting_get_bool(s);
		return 0;
	case CONF_LOGLEVEL:
		if (t != CONFIG_TYPE_STRING ||
		    log_level_parse(config_setting_get_string(s), &lvl) == -1)
			return conf_error(w, s, f->key, "must be one of "
			    "\"error\", \"warning\", \"info\", \"debug\"");
		*(enum log_level *)(void *)base = lvl;
		return 0;
	}
	return -1;
}

static int
conf_setting(struct conf_walk *w, const struct setting_def *d,
    const config_setting_t *s, const char *key)
{
	char text[SETTING_VALUE_MAX + 1], why[256];
	struct conf_value *v;

	if (conf_scalar_text(s, text, sizeof text) == -1)
		return conf_error(w, s, key,
		    "must be a string, a number or a boolean");
	if (w->c->nvalues == w->cap) {
		size_t cap = w->cap ? w->cap * 2 : 8;
		void *p = realloc(w->c->values, cap * sizeof *v);

		if (p == NULL)
			return conf_error(w, s, key, "out of memory");
		w->c->values = p;
		w->cap = cap;
	}
	v = &w->c->values[w->c->nvalues];
	if (settings_check_text(d, text, v->value, sizeof v->value, why,
	    sizeof why) == -1)
		return conf_error(w, s, key, why);
	v->def = d;
	w->c->nvalues++;
	return 0;
}

static int
conf_walk(struct conf_walk *w, const config_setting_t *grp, const char *prefix)
{
	int n = config_setting_length(grp);

	for (int i = 0; i < n; i++) {
		const config_setting_t *s = config_setting_get_elem(grp,
		    (unsigned)i);
		const char *name = config_setting_name(s);
		const struct setting_def *d;
		char key[256];

		if (name == NULL)
			return conf_error(w, s, prefix, "unexpected element");
		if ((size_t)snprintf(key, sizeof key, "%s%s%s", prefix,
		    *prefix ? "." : "", name) >= sizeof key)
			return conf_error(w, s, name, "key too long");
		if (io_conf_owns(key)) {
			if (io_conf_parse(&w->c->io, s, key, w->file, w->err,
			    w->errlen) == -1)
				return -1;
			continue;
		}
		if (config_setting_is_group(s)) {
			if (conf_walk(w, s, key) == -1)
				return -1;
			continue;
		}
		if (config_setting_is_aggregate(s))
			return conf_error(w, s, key,
			    "lists and arrays are not used here");
		for (size_t f = 0; f < nitems(conf_facts); f++)
			if (strcmp(conf_facts[f].key, key) == 0) {
				if (conf_fact(w, &conf_facts[f], s) == -1)
					return -1;
				goto next;
			}
		/* a setting, by its canonical dotted name only */
		if ((d = settings_find(key)) != NULL &&
		    strcmp(d->name, key) == 0) {
			if (conf_setting(w, d, s, key) == -1)
				return -1;
			continue;
		}
		return conf_error(w, s, key, "unknown key");
next:		;
	}
	return 0;
}

/*
 * modem.device may be a USB selector, "usb:VID:PID[:IF]": 4, 4 and 2 hex
 * digits (lsusb's vendor:product, the interface's bInterfaceNumber).
 * Only its syntax is checked here; the modem module resolves it to a
 * tty at each open (src/modem/modem_usb.c).  s is what follows "usb:".
 */
static int
conf_usb_selector_ok(const char *s)
{
	static const size_t digits[] = { 4, 4, 2 };
	size_t i;

	for (i = 0; i < nitems(digits); i++) {
		if (strspn(s, "0123456789abcdefABCDEF") != digits[i])
			return 0;
		s += digits[i];
		if (*s == '\0')
			return i >= 1;
		if (*s++ != ':')
			return 0;
	}
	return 0;
}

static int
conf_check(struct conf_walk *w, const config_t *cfg)
{
	struct conf *c = w->c;
	const config_setting_t *root = config_root_setting(cfg), *s;
	size_t i;

	for (i = 0; i < nitems(conf_bauds); i++)
		if (conf_bauds[i] == c->modem_baud)
			break;
	if (i == nitems(conf_bauds) &&
	    (s = config_lookup(cfg, "modem.baud")) != NULL)
		return conf_error(w, s, "modem.baud",
		    "not a standard baud rate");
	if (strncmp(c->modem_device, "usb:", 4) == 0 &&
	    !conf_usb_selector_ok(c->modem_device + 4) &&
	    (s = config_lookup(cfg, "modem.device")) != NULL)
		return conf_error(w, s, "modem.device", "malformed USB "
		    "selector: want usb:VID:PID or usb:VID:PID:IF, 4, 4 and 2 "
		    "hex digits (e.g. usb:1e0e:9001:02)");
	if (c->modem_pin[0] != '\0') {
		size_t n = strlen(c->modem_pin);

		s = config_lookup(cfg, "modem.pin");
		if (n < 4 || n > 8 || strspn(c->modem_pin, "0123456789") != n)
			return conf_error(w, s, "modem.pin",
			    "must be 4 to 8 digits");
	}
	if (c->data_port_device[0] != '\0' && c->data_port_pty[0] != '\0')
		return conf_error(w, config_lookup(cfg, "data_port.pty"),
		    "data_port", "give either device or pty, not both");
	(void)root;
	return 0;
}

/* Why the file could not be read: missing, or there but unreadable. */
static void
conf_file_error(const char *path, char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");
	int e = errno;

	if (f != NULL) {
		fclose(f);
		snprintf(err, errlen, "%s: the config file cannot be read",
		    path);
	} else if (e == ENOENT)
		snprintf(err, errlen, "%s: the config file is missing", path);
	else
		snprintf(err, errlen, "%s: the config file is unreadable: %s",
		    path, strerror(e));
}

/* libconfig's "duplicate setting name" does not say which: the name
 * at the start of the line it points at (in which; "" when not found). */
static void
conf_error_name(const config_t *cfg, const char *path, char *which,
    size_t len)
{
	const char *file = config_error_file(cfg) ? config_error_file(cfg) :
	    path, *p;
	char line[512];
	int n = config_error_line(cfg);
	FILE *f;
	size_t k;

	which[0] = '\0';
	if (strcmp(config_error_text(cfg), "duplicate setting name") != 0 ||
	    (f = fopen(file, "r")) == NULL)
		return;
	while (n-- > 0 && fgets(line, sizeof line, f) != NULL)
		if (n == 0) {
			p = line + strspn(line, " \t");
			k = strspn(p, "abcdefghijklmnopqrstuvwxyz"
			    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-*");
			if (k > 0 && k < len)
				snprintf(which, len, "%.*s", (int)k, p);
		}
	fclose(f);
}

/* The directory of path (".": none) into dir. */
static void
conf_dirname(const char *path, char *dir, size_t len)
{
	const char *slash = strrchr(path, '/');

	if (slash == NULL)
		util_strlcpy(dir, ".", len);
	else if (slash == path)
		util_strlcpy(dir, "/", len);
	else
		snprintf(dir, len, "%.*s", (int)(slash - path), path);
}

int
conf_check_paths(const struct conf *c, char *err, size_t errlen)
{
	char dir[CONF_PATH_MAX];

	/* the database and its write-ahead log files beside it */
	conf_dirname(c->database, dir, sizeof dir);
	if (access(c->database, F_OK) == 0 &&
	    access(c->database, R_OK | W_OK) == -1) {
		snprintf(err, errlen, "database %s cannot be written: %s",
		    c->database, strerror(errno));
		return -1;
	}
	if (access(dir, W_OK | X_OK) == -1) {
		snprintf(err, errlen, "database %s: its directory %s cannot be "
		    "written: %s", c->database, dir, strerror(errno));
		return -1;
	}
	return 0;
}

int
conf_load(const char *path, struct conf *c, char *err, size_t errlen)
{
	config_t cfg;
	struct conf_walk w = { c, path, err, errlen, 0 };
	char which[64] = "";
	int rc = -1;

	conf_defaults(c);
	if (util_strlcpy(c->path, path, sizeof c->path) >= sizeof c->path) {
		snprintf(err, errlen, "%s: path too long", path);
		return -1;
	}
	config_init(&cfg);
	if (config_read_file(&cfg, path) != CONFIG_TRUE) {
		if (config_error_type(&cfg) == CONFIG_ERR_FILE_IO)
			conf_file_error(path, err, errlen);
		else {
			conf_error_name(&cfg, path, which, sizeof which);
			snprintf(err, errlen, "%s:%d: %s%s%s",
			    config_error_file(&cfg) ? config_error_file(&cfg) :
			    path, config_error_line(&cfg),
			    config_error_text(&cfg), which[0] ? ": " : "",
			    which);
		}
		goto out;
	}
	if (conf_walk(&w, config_root_setting(&cfg), "") == -1 ||
	    conf_check(&w, &cfg) == -1 ||
	    io_conf_check(c->io, path, err, errlen) == -1)
		goto out;
	rc = 0;
out:
	config_destroy(&cfg);
	if (rc == -1)
		conf_free(c);
	return rc;
}

void
conf_free(struct conf *c)
{
	free(c->values);
	c->values = NULL;
	free(c->io);
	c->io = NULL;
	c->nvalues = 0;
}

void
conf_apply_settings(const struct conf *c)
{
	settings_config_begin();
	for (size_t i = 0; i < c->nvalues; i++)
		settings_config_put(c->values[i].def, c->values[i].value);
	settings_config_end();
}
