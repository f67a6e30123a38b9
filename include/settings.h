/*
 * settings.h: the one settings registry.  Every runtime setting is a row of a
 * module's table (listed in modules.c): canonical dotted name, USR AT alias,
 * type and range, default, group, role needed to change it, apply hook.
 * A value comes from the default, the config file, or a runtime change
 * (control socket, SMS, serial or network command); runtime changes are
 * stored in SQLite and win over the config file.  Values are held as
 * canonical text; typed getters read them.
 */
#ifndef CG_SETTINGS_H
#define CG_SETTINGS_H

#include <stddef.h>

#include "auth.h"

#define SETTING_VALUE_MAX	512

enum setting_type {
	SETTING_BOOL,		/* "on" / "off" (accepts 1/0, true/false, yes/no) */
	SETTING_INT,		/* decimal in [min, max] */
	SETTING_STRING,		/* printable text, length in [min, max] */
	SETTING_ENUM,		/* one of choices[], case-insensitive */
	SETTING_CUSTOM,		/* several fields, checked by parse() */
	SETTING_TYPE_MAX
};

enum setting_source {
	SOURCE_DEFAULT,
	SOURCE_CONFIG,
	SOURCE_RUNTIME,
	SOURCE_MAX
};

#define SETTING_SECRET	0x1	/* never shown, never echoed */
#define SETTING_LOCAL	0x2	/* changed only by the config file or
				   cellgatectl, never by a remote channel
				   nor the data port (e.g. a command to run) */
#define SETTING_SECRET_ARGS 0x8	/* readable, but the arguments of a
				   change are never logged (AT+APN's
				   credentials) */
#define SETTING_NO_REMOTE 0x4	/* never changed by a remote channel (SMS,
				   network, MQTT): the control socket, the
				   data port and the config file may */

struct setting_def {
	const char		 *name;
	const char		 *alias;	/* USR AT name, or NULL */
	enum setting_type	  type;
	long long		  min, max;
	const char *const	 *choices;	/* SETTING_ENUM, NULL-ended */
	const char		 *def;		/* canonical default */
	unsigned		  group;	/* GROUP_* */
	enum auth_role		  role;		/* needed to change it */
	unsigned		  flags;
	/* SETTING_CUSTOM: check argv and write the canonical text. */
	int			(*parse)(int argc, char **argv, char *out,
				    size_t outlen, char *err, size_t errlen);
	/* Called after the value changed (any source). */
	void			(*apply)(const struct setting_def *);
	const char		 *help;
};

/* Each module keeps its rows in its own table, named in its row of
 * modules.c.  settings_count()/settings_at() walk them all in order. */
extern const struct setting_def settings_core_table[];
extern const size_t settings_core_table_len;

size_t settings_count(void);
const struct setting_def *settings_at(size_t);

void settings_init(void);
void settings_shutdown(void);

const struct setting_def *settings_find(const char *name_or_alias);
/* The setting name or alias closest to a mistyped one, or NULL. */
const char *settings_suggest(const char *name);
const char *settings_value(const struct setting_def *);
enum setting_source settings_source(const struct setting_def *);
const char *settings_source_name(enum setting_source);
const char *settings_type_name(const struct setting_def *);
/* The allowed values, in words ("on|off", "1..65535", "NET|HTTPD|…"). */
void settings_describe_range(const struct setting_def *, char *, size_t);

/*
 * Typed handles: a module resolves each setting it reads once, at init,
 * and reads the kept parsed value through the handle afterwards:
 *	static const struct setting_def *s_keepalive;
 *	s_keepalive = settings_ref("cloud.keepalive", SETTING_INT);
 *	... settings_int(s_keepalive) ...
 * An unknown name, or a type other than the row's, is a programming
 * error that stops the daemon at start.  settings_value() reads any
 * handle as canonical text (strings, enums).
 */
const struct setting_def *settings_ref(const char *name, enum setting_type);
long long settings_int(const struct setting_def *);
int settings_bool(const struct setting_def *);
/* Core code with no init of its own (the command registry, the
 * phonebook, auth) keeps a static handle resolved at its first use:
 *	static const struct setting_def *s_cc;
 *	settings_value(SETTINGS_ONCE(s_cc, "auth.country_code",
 *	    SETTING_CUSTOM))
 */
#define SETTINGS_ONCE(h, name, type)					\
	((h) != NULL ? (h) : ((h) = settings_ref((name), (type))))

/* Getters by canonical name (the name must exist: a typo aborts); a
 * linear search on every call.  Kept for code not yet on handles; src/
 * uses handles only. */
const char *settings_get(const char *name);
long long settings_get_int(const char *name);
int settings_get_bool(const char *name);

/* Check a value given as fields (the AT form's arguments; `raw` is the
 * whole argument text, used by free-text settings) or as one text; write
 * the canonical form to out.  Changes nothing. */
int settings_check(const struct setting_def *, int argc, char **argv,
    const char *raw, char *out, size_t outlen, char *err, size_t errlen);
int settings_check_text(const struct setting_def *, const char *text,
    char *out, size_t outlen, char *err, size_t errlen);

/* Runtime change: check, store in SQLite, then apply and announce.  On
 * any error nothing changes. */
int settings_set(const struct setting_def *, int argc, char **argv,
    const char *raw, char *err, size_t errlen);
int settings_set_text(const struct setting_def *, const char *text,
    char *err, size_t errlen);
/* Forget the runtime value: back to the config file's or the default. */
int settings_reset(const struct setting_def *, char *err, size_t errlen);

/* Config file values (already checked), replacing the previous set. */
void settings_config_begin(void);
void settings_config_put(const struct setting_def *, const char *canonical);
void settings_config_end(void);

/* Load runtime values from the store at start (bad rows are reported and
 * ignored). */
int settings_load_store(void);

/* AT+CFGTF / AT+RELD / AT+CLEAR.  A bulk change touches only the
 * settings `may` lets its caller change, exactly as single changes are
 * judged (role, remote lock, local-only: cmd_may_change()); the others
 * keep their values.  may NULL: every setting. */
typedef int settings_filter_fn(const struct setting_def *, void *arg);
int settings_save_user_defaults(char *err, size_t errlen);
int settings_restore_user_defaults(settings_filter_fn *may, void *arg,
    char *err, size_t errlen);
int settings_factory_reset(settings_filter_fn *may, void *arg, char *err,
    size_t errlen);

/* Optional observer (the event stream). */
void settings_set_observer(void (*)(const struct setting_def *));

#endif
