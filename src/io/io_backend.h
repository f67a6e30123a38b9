/*
 * io_backend.h: what every I/O backend (gpio, file, w1, command) offers
 * the io module, and the runtime item they work on.  A backend opens its
 * item, writes outputs, reads the current level of inputs (fast: a gpio
 * line or a small file), gives a descriptor that becomes readable when an
 * input may have changed (and drains it), and, for sensors, starts a
 * read in a child process and parses what the child wrote.  Nothing here
 * blocks: slow reads (a DS18B20 takes 750 ms) happen in the child.
 */
#ifndef CG_IO_BACKEND_H
#define CG_IO_BACKEND_H

#include <stddef.h>
#include <sys/types.h>
#include <time.h>

#include "io_conf.h"

#define IO_READ_MAX	1024	/* what a sensor child may write */

struct event;

struct io_item {
	struct io_item_conf	 c;
	const struct io_backend	*be;
	void			*priv;		/* backend state */
	int			 opened;	/* the backend's open worked */
	int			 hw_debounce;	/* the kernel debounces it */
	int			 fd;		/* watched for input changes */
	struct event		*ev, *debounce_ev;
	int			 value;		/* logical 0/1, -1 unknown */
	int			 raw_pending;	/* level seen before debounce */
	double			 temp;		/* sensors, degrees C */
	int			 has_temp;
	time_t			 changed;
	char			 error[160];	/* last error, "" if none */
	/* a sensor read in progress */
	pid_t			 child;
	int			 child_fd;
	struct event		*child_ev, *child_timer;
	char			 out[IO_READ_MAX + 1];
	size_t			 outlen;
	/* alarms */
	time_t			 inhibit_until;
	int			 index;		/* 1-based within its kind */
};

struct io_backend {
	const char	*name;
	/* Set up; for inputs set it->fd (-1: nothing to watch). */
	int		(*open)(struct io_item *, int initial, char *err,
			    size_t errlen);
	/* Outputs: drive to the logical value (active_low applied here). */
	int		(*write)(struct io_item *, int on, char *err,
			    size_t errlen);
	/* Inputs (and outputs' read-back): the logical level now. */
	int		(*read)(struct io_item *, int *on, char *err,
			    size_t errlen);
	/* it->fd was readable: consume what is pending there. */
	void		(*drain)(struct io_item *);
	/* Sensors: start a read in a child; its stdout pipe in *fd. */
	pid_t		(*sensor_start)(struct io_item *, int *fd, char *err,
			    size_t errlen);
	/* Sensors: what the child wrote to degrees C, or -1 with err. */
	int		(*sensor_parse)(struct io_item *, const char *buf,
			    size_t n, double *celsius, char *err,
			    size_t errlen);
	void		(*close)(struct io_item *);
};

extern const struct io_backend io_backend_file;
extern const struct io_backend io_backend_w1;
extern const struct io_backend io_backend_command;
/* NULL when built without libgpiod. */
extern const struct io_backend *const io_backend_gpio;

/* Sensor file reads in a child (file and w1): the child writes 'O' and
 * the content, or 'E' and the reason. */
pid_t io_read_child(const char *path, int *fd, char *err, size_t errlen);
int io_read_child_result(const char *buf, size_t n, const char **data,
    size_t *len, char *err, size_t errlen);

/* Pure parsers (unit-tested, fuzzed). */
int io_w1_parse(const char *buf, size_t n, double *celsius, char *err,
    size_t errlen);
int io_milli_parse(const char *buf, size_t n, double scale, double *celsius,
    char *err, size_t errlen);
int io_celsius_parse(const char *buf, size_t n, double *celsius, char *err,
    size_t errlen);
int io_level_parse(const char *buf, size_t n, int *level);

#endif
