/*
 * io_w1.c: the 1-wire backend for DS18B20 sensors: the kernel's w1_slave
 * file (CRC line must say YES; 85000 and all-zero readings are refused,
 * see io_parse.c) or the newer `temperature` file (millidegrees).  The
 * read takes a conversion time (750 ms): it happens in a child.
 */
#include <string.h>

#include "io_backend.h"

static int
io_w1_open(struct io_item *it, int initial, char *err, size_t errlen)
{
	it->fd = -1;
	return 0;
}

static pid_t
io_w1_sensor_start(struct io_item *it, int *fd, char *err, size_t errlen)
{
	return io_read_child(it->c.target, fd, err, errlen);
}

static int
io_w1_is_temperature_file(const char *path)
{
	const char *b = strrchr(path, '/');

	return strcmp(b != NULL ? b + 1 : path, "temperature") == 0;
}

static int
io_w1_sensor_parse(struct io_item *it, const char *buf, size_t n,
    double *celsius, char *err, size_t errlen)
{
	const char *data;
	size_t len;

	if (io_read_child_result(buf, n, &data, &len, err, errlen) == -1)
		return -1;
	if (io_w1_is_temperature_file(it->c.target))
		return io_milli_parse(data, len, 0.001, celsius, err, errlen);
	return io_w1_parse(data, len, celsius, err, errlen);
}

static void
io_w1_close(struct io_item *it)
{
}

const struct io_backend io_backend_w1 = {
	.name = "w1",
	.open = io_w1_open,
	.sensor_start = io_w1_sensor_start,
	.sensor_parse = io_w1_sensor_parse,
	.close = io_w1_close,
};
