/*
 * settings.c: the settings registry's state and rules: checking values
 * against a row's type and range, the three sources (default < config <
 * runtime), persistence of runtime values in SQLite before they take
 * effect, apply hooks, and the USR save/restore commands' semantics.
 * A change made inside a store transaction is undone in memory (and its
 * apply hook run again) when that transaction is rolled back, so memory
 * and database agree after a failed commit.
 */
#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "module.h"
#include "settings.h"
#include "store.h"
#include "util.h"

struct setting_state {
	char			*value;		/* effective */
	long long		 num;		/* value parsed: INT, BOOL */
	char			*config;	/* from the config file, or NULL */
	int			 runtime;	/* value is a runtime change */
};

static struct setting_state *settings_state;
static char **settings_config_next;
static void (*settings_observer)(const struct setting_def *);


static const char *const settings_source_names[SOURCE_MAX] = {
	"default", "config", "runtime"
};
static const char *const settings_type_names[SETTING_TYPE_MAX] = {
	"bool", "int", "string", "enum", "fields"
};

size_t
settings_count(void)
{
	size_t n = 0;

	for (size_t t = 0; t < modules_len; t++)
		if (modules[t].settings != NULL)
			n += *modules[t].settings_len;
	return n;
}

const struct setting_def *
settings_at(size_t i)
{
	for (size_t t = 0; t < modules_len; t++) {
		const struct module *m = &modules[t];

		if (m->settings == NULL)
			continue;
		if (i < *m->settings_len)
			return &m->settings[i];
		i -= *m->settings_len;
	}
	return NULL;
}

static size_t
settings_index(const struct setting_def *d)
{
	size_t base = 0;

	for (size_t t = 0; t < modules_len; t++) {
		const struct module *m = &modules[t];

		if (m->settings == NULL)
			continue;
		if (d >= m->settings && d < m->settings + *m->settings_len)
			return base + (size_t)(d - m->settings);
		base += *m->settings_len;
	}
	fatalx("internal error: setting %s is in no table", d->name);
}

static char *
settings_strdup(const char *s)
{
	char *p = strdup(s);

	if (p == NULL)
		fatal("strdup");
	return p;
}

static void
settings_replace(char **slot, const char *v)
{
	char *old = *slot;

	*slot = v != NULL ? settings_strdup(v) : NULL;
	free(old);
}

/* Keep the parsed form of a typed value beside its text. */
static void
settings_parse_num(const struct setting_def *d, struct setting_state *s)
{
	const char *errstr;

	if (d->type == SETTING_INT)
		s->num = util_strtonum(s->value, LLONG_MIN, LLONG_MAX, &errstr);
	else if (d->type == SETTING_BOOL)
		s->num = util_parse_bool(s->value) == 1;
}

void
settings_init(void)
{
	settings_state = calloc(settings_count(), sizeof *settings_state);
	if (settings_state == NULL)
		fatal("calloc");
	for (size_t i = 0; i < settings_count(); i++) {
		settings_state[i].value = settings_strdup(settings_at(i)->def);
		settings_parse_num(settings_at(i), &settings_state[i]);
	}
}

void
settings_shutdown(void)
{
	if (settings_state == NULL)
		return;
	for (size_t i = 0; i < settings_count(); i++) {
		free(settings_state[i].value);
		free(settings_state[i].config);
	}
	free(settings_state);
	settings_state = NULL;
}

void
settings_set_observer(void (*fn)(const struct setting_def *))
{
	settings_observer = fn;
}

const struct setting_def *
settings_find(const char *name)
{
	for (size_t i = 0; i < settings_count(); i++) {
		const struct setting_def *d = settings_at(i);

		if (util_strcaseeq(d->name, name) ||
		    (d->alias != NULL && util_strcaseeq(d->alias, name)))
			return d;
	}
	return NULL;
}

const char *
settings_suggest(const char *name)
{
	size_t n = settings_count();
	const char **cands = calloc(2 * n, sizeof *cands), *best;

	if (cands == NULL)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		cands[2 * i] = settings_at(i)->name;
		cands[2 * i + 1] = settings_at(i)->alias;
	}
	best = util_suggest(name, cands, 2 * n);
	free(cands);
	return best;
}

const char *
settings_value(const struct setting_def *d)
{
	return settings_state[settings_index(d)].value;
}

enum setting_source
settings_source(const struct setting_def *d)
{
	struct setting_state *s = &settings_state[settings_index(d)];

	if (s->runtime)
		return SOURCE_RUNTIME;
	return s->config != NULL ? SOURCE_CONFIG : SOURCE_DEFAULT;
}

const char *
settings_source_name(enum setting_source s)
{
	return s < SOURCE_MAX ? settings_source_names[s] : "?";
}

const char *
settings_type_name(const struct setting_def *d)
{
	return d->type < SETTING_TYPE_MAX ? settings_type_names[d->type] : "?";
}

void
settings_describe_range(const struct setting_def *d, char *out, size_t len)
{
	struct buf b;

	buf_init(&b, len > 0 ? len - 1 : 0);
	switch (d->type) {
	case SETTING_BOOL:
		buf_puts(&b, "on|off");
		break;
	case SETTING_INT:
		buf_printf(&b, "%lld..%lld", d->min, d->max);
		break;
	case SETTING_STRING:
		buf_printf(&b, "text of %lld..%lld characters", d->min, d->max);
		break;
	case SETTING_ENUM:
		for (int i = 0; d->choices[i] != NULL; i++)
			buf_printf(&b, "%s%s", i ? "|" : "", d->choices[i]);
		break;
	default:
		buf_puts(&b, d->help != NULL ? d->help : "fields");
	}
	util_strlcpy(out, buf_str(&b), len);
	buf_free(&b);
}

static const struct setting_def *
settings_must_find(const char *name)
{
	const struct setting_def *d = settings_find(name);

	if (d == NULL)
		fatalx("internal error: unknown setting %s", name);
	return d;
}

const char *
settings_get(const char *name)
{
	return settings_value(settings_must_find(name));
}

long long
settings_get_int(const char *name)
{
	const char *errstr;

	return util_strtonum(settings_get(name), LLONG_MIN, LLONG_MAX, &errstr);
}

int
settings_get_bool(const char *name)
{
	return strcmp(settings_get(name), "on") == 0;
}

const struct setting_def *
settings_ref(const char *name, enum setting_type type)
{
	const struct setting_def *d = settings_must_find(name);

	if (d->type != type)
		fatalx("internal error: setting %s is a %s, not a %s", name,
		    settings_type_names[d->type], settings_type_names[type]);
	return d;
}

long long
settings_int(const struct setting_def *d)
{
	if (d->type != SETTING_INT)
		fatalx("internal error: setting %s is not an int", d->name);
	return settings_state[settings_index(d)].num;
}

int
settings_bool(const struct setting_def *d)
{
	if (d->type != SETTING_BOOL)
		fatalx("internal error: setting %s is not a bool", d->name);
	return (int)settings_state[settings_index(d)].num;
}

/* Printable UTF-8 text with no control characters. */
static int
settings_text_ok(const char *s, size_t *nchars)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = 0;

	while (*p != '\0') {
		int extra;

		if (*p < 0x20 || *p == 0x7f)
			return 0;
		if (*p < 0x80)
			extra = 0;
		else if ((*p & 0xe0) == 0xc0 && *p >= 0xc2)
			extra = 1;
		else if ((*p & 0xf0) == 0xe0)
			extra = 2;
		else if ((*p & 0xf8) == 0xf0 && *p <= 0xf4)
			extra = 3;
		else
			return 0;
		p++;
		for (int i = 0; i < extra; i++, p++)
			if ((*p & 0xc0) != 0x80)
				return 0;
		n++;
	}
	*nchars = n;
	return 1;
}

int
settings_check(const struct setting_def *d, int argc, char **argv,
    const char *raw, char *out, size_t outlen, char *err, size_t errlen)
{
	char range[128], why[200];
	const char *errstr;
	const char *v = argc > 0 ? argv[0] : "";
	long long n;
	size_t nchars;
	int b;

	settings_describe_range(d, range, sizeof range);
	if (d->type != SETTING_CUSTOM && d->type != SETTING_STRING &&
	    argc != 1) {
		snprintf(err, errlen, "%s takes one value (%s)", d->name, range);
		return -1;
	}
	switch (d->type) {
	case SETTING_BOOL:
		if ((b = util_parse_bool(v)) == -1)
			goto bad;
		util_strlcpy(out, b ? "on" : "off", outlen);
		return 0;
	case SETTING_INT:
		n = util_strtonum(v, d->min, d->max, &errstr);
		if (errstr != NULL) {
			snprintf(err, errlen, "%s: value %s (allowed %s)",
			    d->name, errstr, range);
			return -1;
		}
		snprintf(out, outlen, "%lld", n);
		return 0;
	case SETTING_STRING:
		v = raw != NULL ? raw : v;
		if (!settings_text_ok(v, &nchars)) {
			snprintf(err, errlen, "%s: control characters or "
			    "invalid UTF-8 in text", d->name);
			return -1;
		}
		if ((long long)nchars < d->min || (long long)nchars > d->max)
			goto bad;
		if (util_strlcpy(out, v, outlen) >= outlen)
			goto bad;
		return 0;
	case SETTING_ENUM:
		for (int i = 0; d->choices[i] != NULL; i++) {
			if (util_strcaseeq(v, d->choices[i])) {
				util_strlcpy(out, d->choices[i], outlen);
				return 0;
			}
		}
		goto bad;
	case SETTING_CUSTOM:
		for (int i = 0; i < argc; i++) {
			if (!settings_text_ok(argv[i], &nchars)) {
				snprintf(err, errlen, "%s: control characters "
				    "or invalid UTF-8", d->name);
				return -1;
			}
		}
		if (d->parse(argc, argv, out, outlen, why, sizeof why) == -1) {
			snprintf(err, errlen, "%s: %s", d->name, why);
			return -1;
		}
		return 0;
	default:
		break;
	}
bad:
	snprintf(err, errlen, "%s: invalid value (allowed %s)", d->name, range);
	return -1;
}

int
settings_check_text(const struct setting_def *d, const char *text,
    char *out, size_t outlen, char *err, size_t errlen)
{
	/* as many fields as the text can hold: a value accepted as one
	 * quoted AT-form argument with commas in it reads back the same */
	char copy[SETTING_VALUE_MAX + 1], *argv[SETTING_VALUE_MAX + 1], *p;
	int argc = 0;

	if (util_strlcpy(copy, text, sizeof copy) >= sizeof copy) {
		snprintf(err, errlen, "%s: value too long", d->name);
		return -1;
	}
	if (d->type != SETTING_CUSTOM) {
		argv[0] = copy;
		return settings_check(d, 1, argv, copy, out, outlen, err,
		    errlen);
	}
	/* Fields are separated by commas in the canonical text. */
	for (p = copy;; p++) {
		if (argc == (int)nitems(argv)) {
			snprintf(err, errlen, "%s: too many fields", d->name);
			return -1;
		}
		argv[argc++] = p;
		if ((p = strchr(p, ',')) == NULL)
			break;
		*p = '\0';
	}
	return settings_check(d, argc, argv, text, out, outlen, err, errlen);
}

static void
settings_changed(const struct setting_def *d)
{
	if (d->apply != NULL)
		d->apply(d);
	if (settings_observer != NULL)
		settings_observer(d);
}

/* What a setting was before a change inside an open transaction. */
struct settings_undo {
	size_t		 index;
	char		*value;
	int		 runtime;
};

/* The store's undo record: put the old value back when the transaction
 * was rolled back (apply hook and observer follow), else forget it. */
static void
settings_undo(void *data, int undo)
{
	struct settings_undo *u = data;
	const struct setting_def *d;
	struct setting_state *s;

	if (undo && settings_state != NULL) {
		d = settings_at(u->index);
		s = &settings_state[u->index];
		if (strcmp(s->value, u->value) != 0 ||
		    s->runtime != u->runtime) {
			settings_replace(&s->value, u->value);
			settings_parse_num(d, s);
			s->runtime = u->runtime;
			log_info("setting %s back to %s: its change was not "
			    "saved", d->name, (d->flags & (SETTING_SECRET |
			    SETTING_SECRET_ARGS)) ? "***" : u->value);
			settings_changed(d);
		}
	}
	free(u->value);
	free(u);
}

/* Make `v` effective (from whichever source); announce if it changed. */
static void
settings_take(const struct setting_def *d, const char *v, int runtime)
{
	size_t i = settings_index(d);
	struct setting_state *s = &settings_state[i];
	int changed = strcmp(s->value, v) != 0 || s->runtime != runtime;
	struct settings_undo *u;

	if (changed && store_txn_level() > 0) {
		if ((u = malloc(sizeof *u)) == NULL)
			fatal("malloc");
		u->index = i;
		u->value = settings_strdup(s->value);
		u->runtime = s->runtime;
		if (store_undo_push(settings_undo, u) != 0)
			settings_undo(u, 0);
	}
	settings_replace(&s->value, v);
	settings_parse_num(d, s);
	s->runtime = runtime;
	if (changed)
		settings_changed(d);
}

static int
settings_commit(const struct setting_def *d, const char *canon, char *err,
    size_t errlen)
{
	if (store_setting_put(d->name, canon) == -1) {
		snprintf(err, errlen, "%s not changed: %s", d->name,
		    store_errmsg());
		return -1;
	}
	log_info("setting %s changed to %s", d->name,
	    (d->flags & SETTING_SECRET) ? "***" : canon);
	settings_take(d, canon, 1);
	return 0;
}

int
settings_set(const struct setting_def *d, int argc, char **argv,
    const char *raw, char *err, size_t errlen)
{
	char canon[SETTING_VALUE_MAX + 1];

	if (settings_check(d, argc, argv, raw, canon, sizeof canon, err,
	    errlen) == -1)
		return -1;
	return settings_commit(d, canon, err, errlen);
}

int
settings_set_text(const struct setting_def *d, const char *text, char *err,
    size_t errlen)
{
	char canon[SETTING_VALUE_MAX + 1];

	if (settings_check_text(d, text, canon, sizeof canon, err,
	    errlen) == -1)
		return -1;
	return settings_commit(d, canon, err, errlen);
}

static const char *
settings_fallback(const struct setting_def *d)
{
	struct setting_state *s = &settings_state[settings_index(d)];

	return s->config != NULL ? s->config : d->def;
}

int
settings_reset(const struct setting_def *d, char *err, size_t errlen)
{
	if (store_setting_del(d->name) == -1) {
		snprintf(err, errlen, "%s not reset: %s", d->name,
		    store_errmsg());
		return -1;
	}
	settings_take(d, settings_fallback(d), 0);
	log_info("setting %s reset to its %s value", d->name,
	    settings_source_name(settings_source(d)));
	return 0;
}

void
settings_config_begin(void)
{
	settings_config_next = calloc(settings_count(), sizeof(char *));
	if (settings_config_next == NULL)
		fatal("calloc");
}

void
settings_config_put(const struct setting_def *d, const char *canon)
{
	settings_replace(&settings_config_next[settings_index(d)], canon);
}

void
settings_config_end(void)
{
	for (size_t i = 0; i < settings_count(); i++) {
		struct setting_state *s = &settings_state[i];

		free(s->config);
		s->config = settings_config_next[i];
		if (!s->runtime)
			settings_take(settings_at(i),
			    settings_fallback(settings_at(i)), 0);
	}
	free(settings_config_next);
	settings_config_next = NULL;
}

static int
settings_load_row(const char *name, const char *value, void *arg)
{
	const struct setting_def *d = settings_find(name);
	char canon[SETTING_VALUE_MAX + 1], err[256], esc[128];

	if (d == NULL || strcmp(d->name, name) != 0) {
		util_escape(esc, sizeof esc, name, strlen(name));
		log_warnx("database: ignoring unknown setting %s", esc);
		return 0;
	}
	if (settings_check_text(d, value, canon, sizeof canon, err,
	    sizeof err) == -1) {
		log_warnx("database: ignoring stored value: %s", err);
		return 0;
	}
	settings_take(d, canon, 1);
	return 0;
}

int
settings_load_store(void)
{
	return store_settings_foreach(settings_load_row, NULL);
}

int
settings_save_user_defaults(char *err, size_t errlen)
{
	if (store_begin() == -1)
		goto fail;
	if (store_userdef_clear() == -1)
		goto fail;
	for (size_t i = 0; i < settings_count(); i++)
		if (store_userdef_put(settings_at(i)->name,
		    settings_state[i].value) == -1)
			goto fail;
	if (store_commit() == -1)
		goto fail;
	log_info("current settings saved as user defaults");
	return 0;
fail:
	store_rollback();
	snprintf(err, errlen, "user defaults not saved: %s", store_errmsg());
	return -1;
}

struct settings_userdef_ctx {
	char	**values;
};

static int
settings_userdef_row(const char *name, const char *value, void *arg)
{
	struct settings_userdef_ctx *c = arg;
	const struct setting_def *d = settings_find(name);
	char canon[SETTING_VALUE_MAX + 1], err[256];

	if (d == NULL || strcmp(d->name, name) != 0 ||
	    settings_check_text(d, value, canon, sizeof canon, err,
	    sizeof err) == -1)
		return 0;	/* a setting since removed or narrowed */
	settings_replace(&c->values[settings_index(d)], canon);
	return 0;
}

/* Replace the runtime value of every setting `may` lets the caller
 * change by `values` (NULL entries: no runtime value), in one
 * transaction, then make them effective; the others keep theirs. */
static int
settings_replace_runtime(char **values, int clear_userdefs,
    settings_filter_fn *may, void *arg, char *err, size_t errlen)
{
	size_t kept = 0;

	if (store_begin() == -1 ||
	    (clear_userdefs && store_userdef_clear() == -1))
		goto fail;
	for (size_t i = 0; i < settings_count(); i++) {
		const struct setting_def *d = settings_at(i);

		if (may != NULL && !may(d, arg)) {
			kept++;
			continue;
		}
		if (values != NULL && values[i] != NULL) {
			if (store_setting_put(d->name, values[i]) == -1)
				goto fail;
		} else if (store_setting_del(d->name) == -1)
			goto fail;
	}
	if (store_commit() == -1)
		goto fail;
	for (size_t i = 0; i < settings_count(); i++) {
		const struct setting_def *d = settings_at(i);

		if (may != NULL && !may(d, arg))
			continue;
		if (values != NULL && values[i] != NULL)
			settings_take(d, values[i], 1);
		else
			settings_take(d, settings_fallback(d), 0);
	}
	if (kept > 0)
		log_info("%zu settings kept: the caller may not change them",
		    kept);
	return 0;
fail:
	store_rollback();
	snprintf(err, errlen, "settings not changed: %s", store_errmsg());
	return -1;
}

int
settings_restore_user_defaults(settings_filter_fn *may, void *arg, char *err,
    size_t errlen)
{
	struct settings_userdef_ctx c;
	int r;

	c.values = calloc(settings_count(), sizeof(char *));
	if (c.values == NULL)
		fatal("calloc");
	r = store_userdefs_foreach(settings_userdef_row, &c);
	if (r == 0)
		r = settings_replace_runtime(c.values, 0, may, arg, err,
		    errlen);
	else
		snprintf(err, errlen, "user defaults not read: %s",
		    store_errmsg());
	for (size_t i = 0; i < settings_count(); i++)
		free(c.values[i]);
	free(c.values);
	if (r == 0)
		log_info("settings restored to user defaults");
	return r;
}

int
settings_factory_reset(settings_filter_fn *may, void *arg, char *err,
    size_t errlen)
{
	if (settings_replace_runtime(NULL, 1, may, arg, err, errlen) == -1)
		return -1;
	log_info("settings restored to factory values");
	return 0;
}
