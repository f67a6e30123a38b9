/*
 * conf.h: the config file (libconfig).  It holds the machine facts (device
 * paths, database and socket paths, logging) and may give initial values
 * of runtime settings, nested by their dotted names.  Loading checks every
 * key; an error names the file, the line and the key.
 */
#ifndef CG_CONF_H
#define CG_CONF_H

#include <stddef.h>

#include "log.h"
#include "settings.h"

#define CONF_PATH_MAX	256

struct io_conf;

struct conf_value {
	const struct setting_def	*def;
	char				 value[SETTING_VALUE_MAX + 1];
};

struct conf {
	char			 path[CONF_PATH_MAX];
	char			 modem_device[CONF_PATH_MAX];
	long long		 modem_baud;
	char			 modem_pin[16];
	char			 data_port_device[CONF_PATH_MAX];
	char			 data_port_pty[CONF_PATH_MAX];
	char			 data_ppp_port[CONF_PATH_MAX];	/* data link */
	char			 database[CONF_PATH_MAX];
	char			 control_socket[108];	/* sun_path */
	char			 control_group[64];
	long long		 control_max_clients;
	long long		 control_max_per_uid;
	enum log_level		 log_level;
	int			 allow_default_password;
	size_t			 nvalues;
	struct conf_value	*values;
	struct io_conf		*io;	/* the io group's hardware (io_conf.h) */
};

#define CONF_DEFAULT_PATH	SYSCONFDIR "/cellgate/cellgate.conf"

/* Fill *c from the file; on error returns -1 with "file:line: key: why". */
int conf_load(const char *path, struct conf *c, char *err, size_t errlen);
/* What start needs of the paths the config names: the database (and its
 * directory, for the write-ahead log) writable (the control socket's
 * directory is left out: systemd makes it at start, RuntimeDirectory=).
 * 0, or -1 with err (--check-config). */
int conf_check_paths(const struct conf *, char *err, size_t errlen);
void conf_free(struct conf *);
/* Hand the settings' initial values to the settings registry. */
void conf_apply_settings(const struct conf *);

#endif
