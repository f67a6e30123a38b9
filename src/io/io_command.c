/*
 * io_command.c: the command backend.  An output runs the configured
 * program with "0" or "1" appended; a sensor runs it and reads degrees C
 * from the first line of its output.  Through spawn.c: no shell, the
 * program by absolute path, arguments only from the config file.
 */
#include <stdio.h>

#include "io_backend.h"
#include "spawn.h"

static void
io_command_argv(struct io_item *it, char **argv, const char *last)
{
	int i;

	for (i = 0; i < it->c.argc; i++)
		argv[i] = it->c.argv[i];
	argv[i++] = (char *)last;
	argv[i] = NULL;
}

static int
io_command_write(struct io_item *it, int on, char *err, size_t errlen)
{
	char *argv[IO_ARGV_MAX + 2];

	io_command_argv(it, argv, on ? "1" : "0");
	return spawn_argv((const char *const *)argv, "io output", NULL, NULL,
	    NULL, err, errlen) == -1 ? -1 : 0;
}

static int
io_command_open(struct io_item *it, int initial, char *err, size_t errlen)
{
	it->fd = -1;
	if (it->c.kind == IO_OUTPUT)
		return io_command_write(it, initial, err, errlen);
	return 0;
}

static pid_t
io_command_sensor_start(struct io_item *it, int *fd, char *err,
    size_t errlen)
{
	char *argv[IO_ARGV_MAX + 2];

	io_command_argv(it, argv, NULL);
	return spawn_argv((const char *const *)argv, "io sensor", fd, NULL,
	    NULL, err, errlen);
}

static int
io_command_sensor_parse(struct io_item *it, const char *buf, size_t n,
    double *celsius, char *err, size_t errlen)
{
	return io_celsius_parse(buf, n, celsius, err, errlen);
}

static void
io_command_close(struct io_item *it)
{
}

const struct io_backend io_backend_command = {
	.name = "command",
	.open = io_command_open,
	.write = io_command_write,
	.sensor_start = io_command_sensor_start,
	.sensor_parse = io_command_sensor_parse,
	.close = io_command_close,
};
