/*
 * io_conf.h: the hardware part of the config file's `io` group (machine
 * facts, SPEC section 7): outputs, inputs, sensors, each with a name and
 * exactly one backend (gpio, file, w1, command), and thermostat_input.
 * conf.c hands the libconfig elements here; the io module reads the
 * result at init.  The runtime settings of the group (io.restore, ...)
 * stay with the settings registry.
 */
#ifndef CG_IO_CONF_H
#define CG_IO_CONF_H

#include <stddef.h>

#include <libconfig.h>

#define IO_NAME_MAX	31
#define IO_ITEMS_MAX	16
#define IO_ARGV_MAX	8
#define IO_ARG_MAX	127
#define IO_PATH_MAX	255

enum io_kind { IO_OUTPUT, IO_INPUT, IO_SENSOR, IO_KIND_MAX };
enum io_btype { IO_B_GPIO, IO_B_FILE, IO_B_W1, IO_B_COMMAND, IO_B_MAX };
enum io_bias { IO_BIAS_AS_IS, IO_BIAS_DISABLE, IO_BIAS_PULL_UP,
	IO_BIAS_PULL_DOWN, IO_BIAS_MAX };

struct io_item_conf {
	char		 name[IO_NAME_MAX + 1];
	enum io_kind	 kind;
	enum io_btype	 backend;
	char		 target[IO_PATH_MAX + 1];	/* gpio, file, w1 */
	int		 argc;				/* command */
	char		 argv[IO_ARGV_MAX][IO_ARG_MAX + 1];
	int		 active_low;
	enum io_bias	 bias;
	int		 debounce_ms;
	double		 scale;		/* file sensors: value * scale = C */
	int		 line;		/* in the config file */
};

struct io_conf {
	size_t			n;
	struct io_item_conf	items[IO_ITEMS_MAX];
	char			thermostat_input[IO_NAME_MAX + 1];
};

const char *io_kind_name(enum io_kind);
const char *io_btype_name(enum io_btype);
const char *io_bias_name(enum io_bias);

/* Is this dotted key ("io.outputs", ...) one of the io facts? */
int io_conf_owns(const char *key);
/* Parse one io fact into *ioc (allocated on first use): 0, or -1 with
 * "file:line: key: why". */
int io_conf_parse(struct io_conf **ioc, const config_setting_t *s,
    const char *key, const char *file, char *err, size_t errlen);
/* After the whole file: cross-checks (thermostat_input names an input,
 * every gpio chip and line exists). */
int io_conf_check(const struct io_conf *, const char *file, char *err,
    size_t errlen);
/* The item of that name, or NULL. */
const struct io_item_conf *io_conf_find(const struct io_conf *,
    const char *name);

#endif
