/*
 * io_file.c: the file backend.  Outputs write "0"/"1" (only when the file
 * does not already hold it, so a restart never touches a relay that is
 * right); inputs read "0"/"1" and are watched with inotify on the file's
 * directory, or, for a sysfs GPIO "value" file, with POLLPRI through an
 * epoll descriptor the loop watches; sensors read a number (millidegrees,
 * or another `scale`) in a child, so a slow driver never blocks the loop.
 * Also the child reader shared with the w1 backend.
 */
#include <sys/epoll.h>
#include <sys/inotify.h>

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "io_backend.h"
#include "spawn.h"
#include "util.h"

struct io_file_priv {
	int	sysfs_fd;		/* the value file, for POLLPRI */
	char	base[IO_PATH_MAX + 1];	/* file name inside its directory */
};

/* Read a small file (0, or -1 with err); n bytes in buf, terminated. */
static int
io_file_slurp(const char *path, char *buf, size_t size, size_t *n, char *err,
    size_t errlen)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	ssize_t r;

	if (fd == -1) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	r = read(fd, buf, size - 1);
	close(fd);
	if (r < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	buf[r] = '\0';
	*n = (size_t)r;
	return 0;
}

static int
io_file_read(struct io_item *it, int *on, char *err, size_t errlen)
{
	char buf[16];
	size_t n;
	int level;

	if (io_file_slurp(it->c.target, buf, sizeof buf, &n, err,
	    errlen) == -1)
		return -1;
	if (io_level_parse(buf, n, &level) == -1) {
		snprintf(err, errlen, "%s: neither 0 nor 1", it->c.target);
		return -1;
	}
	*on = level ^ it->c.active_low;
	return 0;
}

static int
io_file_write(struct io_item *it, int on, char *err, size_t errlen)
{
	char want = (char)('0' + (on ^ it->c.active_low)), line[2] = { 0, '\n' };
	int now, fd;

	if (io_file_read(it, &now, err, errlen) == 0 && now == on)
		return 0;
	fd = open(it->c.target, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC |
	    O_NONBLOCK, 0644);
	if (fd == -1) {
		snprintf(err, errlen, "%s: %s", it->c.target, strerror(errno));
		return -1;
	}
	line[0] = want;
	if (write(fd, line, sizeof line) != (ssize_t)sizeof line) {
		snprintf(err, errlen, "%s: %s", it->c.target, strerror(errno));
		close(fd);
		return -1;
	}
	if (close(fd) == -1) {
		snprintf(err, errlen, "%s: %s", it->c.target, strerror(errno));
		return -1;
	}
	return 0;
}

static void io_file_drain(struct io_item *);

static int
io_file_is_sysfs(const char *path)
{
	return strncmp(path, "/sys/", 5) == 0;
}

static int
io_file_open(struct io_item *it, int initial, char *err, size_t errlen)
{
	struct io_file_priv *p;
	char dir[IO_PATH_MAX + 1], base[IO_PATH_MAX + 1];

	it->fd = -1;
	if (it->c.kind == IO_OUTPUT)
		return io_file_write(it, initial, err, errlen);
	if (it->c.kind != IO_INPUT)
		return 0;
	if ((p = calloc(1, sizeof *p)) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	p->sysfs_fd = -1;
	it->priv = p;
	util_strlcpy(dir, it->c.target, sizeof dir);
	util_strlcpy(base, it->c.target, sizeof base);
	util_strlcpy(p->base, basename(base), sizeof p->base);
	if (io_file_is_sysfs(it->c.target)) {
		struct epoll_event ev = { .events = EPOLLPRI | EPOLLERR };

		/* sysfs GPIO: "edge" must be set; POLLPRI on change */
		p->sysfs_fd = open(it->c.target, O_RDONLY | O_CLOEXEC);
		if (p->sysfs_fd == -1 ||
		    (it->fd = epoll_create1(EPOLL_CLOEXEC)) == -1 ||
		    epoll_ctl(it->fd, EPOLL_CTL_ADD, p->sysfs_fd, &ev) == -1) {
			snprintf(err, errlen, "%s: %s", it->c.target,
			    strerror(errno));
			return -1;
		}
		io_file_drain(it);
		return 0;
	}
	if ((it->fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC)) == -1 ||
	    inotify_add_watch(it->fd, dirname(dir), IN_CLOSE_WRITE |
	    IN_MODIFY | IN_MOVED_TO | IN_CREATE | IN_DELETE |
	    IN_ATTRIB) == -1) {
		snprintf(err, errlen, "inotify on %s: %s", it->c.target,
		    strerror(errno));
		return -1;
	}
	return 0;
}

static void
io_file_drain(struct io_item *it)
{
	struct io_file_priv *p = it->priv;
	char buf[4096];

	if (p != NULL && p->sysfs_fd != -1) {
		struct epoll_event ev;

		while (epoll_wait(it->fd, &ev, 1, 0) > 0)
			;
		/* re-arm POLLPRI: read the value from the start */
		lseek(p->sysfs_fd, 0, SEEK_SET);
		(void)read(p->sysfs_fd, buf, sizeof buf);
		return;
	}
	while (read(it->fd, buf, sizeof buf) > 0)
		;
}

static void
io_file_close(struct io_item *it)
{
	struct io_file_priv *p = it->priv;

	if (it->fd != -1)
		close(it->fd);
	it->fd = -1;
	if (p != NULL && p->sysfs_fd != -1)
		close(p->sysfs_fd);
	free(p);
	it->priv = NULL;
}

/* The child: read the file (a w1_slave read waits for the conversion). */
static int
io_read_child_main(void *arg)
{
	const char *path = arg;
	char buf[IO_READ_MAX];
	ssize_t r, n = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd == -1) {
		dprintf(1, "E%s: %s", path, strerror(errno));
		return 1;
	}
	while (n < (ssize_t)sizeof buf - 1 &&
	    (r = read(fd, buf + n, sizeof buf - 1 - (size_t)n)) > 0)
		n += r;
	if (n == 0) {
		dprintf(1, "E%s: empty", path);
		return 1;
	}
	if (write(1, "O", 1) != 1 || write(1, buf, (size_t)n) != n)
		return 1;
	return 0;
}

pid_t
io_read_child(const char *path, int *fd, char *err, size_t errlen)
{
	return spawn_fn(io_read_child_main, (void *)path, "io sensor", fd,
	    err, errlen);
}

static pid_t
io_file_sensor_start(struct io_item *it, int *fd, char *err, size_t errlen)
{
	return io_read_child(it->c.target, fd, err, errlen);
}

static int
io_file_sensor_parse(struct io_item *it, const char *buf, size_t n,
    double *celsius, char *err, size_t errlen)
{
	const char *data;
	size_t len;

	if (io_read_child_result(buf, n, &data, &len, err, errlen) == -1)
		return -1;
	return io_milli_parse(data, len, it->c.scale, celsius, err, errlen);
}

const struct io_backend io_backend_file = {
	.name = "file",
	.open = io_file_open,
	.write = io_file_write,
	.read = io_file_read,
	.drain = io_file_drain,
	.sensor_start = io_file_sensor_start,
	.sensor_parse = io_file_sensor_parse,
	.close = io_file_close,
};
