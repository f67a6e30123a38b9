/*
 * module.h: what the daemon knows of each module: its settings and
 * command tables, how to start and stop it, and its section of the status
 * report.  src/modules.c lists them; adding a module is one row there.
 */
#ifndef CG_MODULE_H
#define CG_MODULE_H

#include <stddef.h>

struct conf;
struct event_base;
struct json_object;

struct module {
	const char		*name;		/* its status section */
	/* Start (after the store and the registries): 0, or -1 with err. */
	int			(*init)(struct event_base *, const struct conf *,
				    char *err, size_t errlen);
	/* The config file was reloaded (may be NULL). */
	void			(*reload)(const struct conf *);
	void			(*shutdown)(void);
	struct json_object	*(*status)(void);
	/* Work a restart would cut short (a message being sent): a
	 * restart waits while this is true, up to MODULE_BUSY_WAIT_MS. */
	int			(*busy)(void);
};

#define MODULE_BUSY_WAIT_MS	30000

extern const struct module modules[];
extern const size_t modules_len;

#endif
