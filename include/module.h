/*
 * module.h: what the daemon knows of each module, in one row: its
 * settings, commands and control requests (the registries walk the rows),
 * how to start, reload and stop it, its section of the status report and
 * whether a restart must wait for it.  src/modules.c lists the rows;
 * adding a module is one row there, nothing else.
 *
 * Modules never call into each other's insides: each offers a small API
 * header and learns what it needs at init through subscriptions
 * (modem_ready_subscribe, sms_in_subscribe, uplink_subscribe,
 * events_add_sink, ...).  A module unsubscribes everything it registered
 * in its shutdown, so it never gets a callback after it stopped.
 */
#ifndef CG_MODULE_H
#define CG_MODULE_H

#include <stddef.h>

struct conf;
struct event_base;
struct json_object;
struct setting_def;
struct cmd_entry;
struct ctl_request;

struct module {
	const char		*name;		/* its status section */
	/* Registry tables (each may be NULL with its length NULL). */
	const struct setting_def *settings;
	const size_t		*settings_len;
	const struct cmd_entry	*commands;
	const size_t		*commands_len;
	const struct ctl_request *requests;
	const size_t		*requests_len;
	/* Start, in row order, after the store and the registries: 0, or
	 * -1 with err (the daemon does not start).  The base is the one
	 * loop; keep it, never ask for a global one.  May be NULL. */
	int			(*init)(struct event_base *, const struct conf *,
				    char *err, size_t errlen);
	/* The config file was reloaded (may be NULL). */
	void			(*reload)(const struct conf *);
	/* Stop, in reverse row order (may be NULL). */
	void			(*shutdown)(void);
	/* The module's status section (may be NULL: none). */
	struct json_object	*(*status)(void);
	/* Work a restart would cut short (a message being sent): a
	 * restart waits while this is true, up to MODULE_BUSY_WAIT_MS. */
	int			(*busy)(void);
};

/* A table and its length, for a row: MODULE_TABLE(sms_settings_table). */
#define MODULE_TABLE(t)		(t), &t##_len
#define MODULE_NO_TABLE		NULL, NULL

#define MODULE_BUSY_WAIT_MS	30000

extern const struct module modules[];
extern const size_t modules_len;

#endif
